#pragma once
// The topic tree: one node per topic level, with the number of messages, the last value and a
// retained marker. Grows in batches from the MessageStore.

#include "message_store.h"

#include <QAbstractItemModel>

#include <map>
#include <memory>

namespace mqs {

class TopicTreeModel : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopicTreeModel)
public:
    enum Column { Topic, Messages, LastValue, ColumnCount };
    enum Role { TopicRole = Qt::UserRole + 1 };

    explicit TopicTreeModel(const MessageStore &store, QObject *parent = nullptr);
    ~TopicTreeModel() override;

    // Takes in the messages stored since the last call.
    void refresh();
    QModelIndex indexOf(const QString &topic) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.column() > 0 ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Node {
        QString name;
        QString topic; // full topic of this level
        Node *parent = nullptr;
        std::vector<std::unique_ptr<Node>> children; // sorted by name
        quint64 messages = 0; // here and below
        QByteArray lastValue;
        bool retained = false;
        bool isTopic = false; // messages arrived on exactly this topic
        int row() const;
    };

    Node *nodeFor(const QString &topic);
    QModelIndex indexOf(Node *node) const;

    const MessageStore &m_store;
    std::unique_ptr<Node> m_root;
    quint64 m_seen = 0; // store serials taken in
    std::map<QString, quint64> m_lastSerial; // per topic
};

} // namespace mqs
