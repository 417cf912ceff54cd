#pragma once
// The flow inspector's table: one row per flow of the FlowIndex (connection, direction, id,
// generation), with its steps, age, resends, what holds it and what it waits for. Stalled rows
// (next step overdue by the threshold) turn red.

#include "trace/flow_index.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace mqs {

class FlowTableModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowTableModel)
public:
    enum Column { Connection, Direction_, Id, Topic, QoS_, State, Sentence, Age, Resends, Held, Steps, ColumnCount };
    enum Role { StalledRole = Qt::UserRole + 1, StateRole, FlowIdRole, CategoryRole, LinkedRole };
    enum Category { Open = 1, Stalled = 2, Failed = 4, Complete = 8 };

    FlowTableModel(const TraceLog &log, const FlowIndex &flows, QObject *parent = nullptr);

    // Picks up new flows and drops forgotten ones: call it after every FlowIndex::update(), or
    // rows name the wrong flows.
    void syncRows();
    // syncRows(), and refreshes the changing columns (states, ages).
    void refresh();
    void setStallThresholdMs(int ms);
    int stallThresholdMs() const { return int(m_thresholdUs / 1000); }
    // The flows shown as the other hops of the selected flow's message (highlighted rows).
    void setLinked(std::vector<FlowId> flows);
    const std::vector<FlowId> &linked() const { return m_linked; }
    int stalledCount() const;
    int openCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QString connectionName(ConnectionId id) const;
    QString steps(const FlowRecord &f) const;

    const TraceLog &m_log;
    const FlowIndex &m_flows;
    int m_rows = 0;
    quint64 m_forgottenCursor = 0; // in the flow index's journal of forgotten rows
    qint64 m_thresholdUs = 5'000'000;
    qint64 m_now = 0;
    std::vector<FlowId> m_linked; // sorted
};

// Filters by category (open, stalled, failed, complete), packet id and topic text.
class FlowFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setCategories(int categories);
    void setText(const QString &text);
    // Stalled flows first, then open ones, each newest first (the default); or the order they began.
    void setNewestFirst(bool newest);
    // Paused: rows stay where they are (new ones are appended, changed ones keep their place and
    // their filter verdict) so nothing moves under a pending click; resuming sorts again.
    void setReorderingPaused(bool paused);
    bool reorderingPaused() const { return !dynamicSortFilter(); }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool m_newestFirst = false;
    int m_categories = FlowTableModel::Open | FlowTableModel::Stalled | FlowTableModel::Failed | FlowTableModel::Complete;
    QString m_text;
};

} // namespace mqs
