#pragma once
// The subscriptions of each connection: filter, requested QoS and 5.0 options, a colour, and
// what the broker granted (or why it refused). Subscriptions are sent again when a connection
// comes back without its session.

#include "workbench.h"

#include <QAbstractTableModel>
#include <QColor>

#include <map>

namespace mqs {

struct SubscriptionEntry {
    Subscription subscription{};
    QColor color{};
    std::optional<ReasonCode> result{}; // nothing: not acknowledged yet
};

class SubscriptionModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionModel)
public:
    enum Column { Filter, Requested, Granted, ColumnCount };
    enum Role { ColorRole = Qt::UserRole + 1 };

    explicit SubscriptionModel(Workbench &workbench, QObject *parent = nullptr);

    // Subscribes on the current connection (when connected; else when it connects).
    Status add(const Subscription &subscription);
    void remove(int row);
    // Saved subscriptions of `connection`: listed now, sent when it connects without a session.
    void restore(Connection *connection, const std::vector<Subscription> &subscriptions);
    std::vector<Subscription> subscriptions(Connection *connection) const;
    const std::vector<SubscriptionEntry> &entries(Connection *connection) const;
    // The colour of the first subscription that matches `topic` on `connection`.
    std::optional<QColor> colorFor(Connection *connection, const QString &topic) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    // The user added or removed one of `connection`'s subscriptions.
    void subscriptionsChanged(mqs::Connection *connection);

private:
    void watch(Connection *connection);
    void sendAll(Connection *connection);
    QColor nextColor();

    Workbench &m_workbench;
    std::map<Connection *, std::vector<SubscriptionEntry>> m_entries;
    int m_colors = 0;
};

} // namespace mqs
