#include "flow_table_model.h"

#include "theme.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace mqs {

FlowTableModel::FlowTableModel(const TraceLog &log, const FlowIndex &flows, QObject *parent)
    : QAbstractTableModel(parent), m_log(log), m_flows(flows)
{
}

void FlowTableModel::refresh()
{
    m_now = m_log.clock().nowUs();
    syncRows();
    if (m_rows > 0)
        emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1));
}

void FlowTableModel::syncRows()
{
    if (const auto runs = m_flows.forgottenRowsSince(m_forgottenCursor)) {
        for (const auto &[row, count] : *runs) { // finished flows evicted with the trace
            // Only the rows this model has shown; flows that began and were forgotten since
            // its last refresh were never rows here.
            const int shown = std::clamp(m_rows - int(row), 0, int(count));
            if (shown == 0)
                continue;
            beginRemoveRows({}, int(row), int(row) + shown - 1);
            m_rows -= shown;
            endRemoveRows();
        }
    } else {
        beginResetModel();
        m_rows = int(m_flows.flows().size());
        endResetModel();
    }
    const int total = int(m_flows.flows().size());
    if (total > m_rows) {
        beginInsertRows({}, m_rows, total - 1);
        m_rows = total;
        endInsertRows();
    }
}

void FlowTableModel::setLinked(std::vector<FlowId> flows)
{
    std::sort(flows.begin(), flows.end());
    if (flows == m_linked)
        return;
    m_linked = std::move(flows);
    if (m_rows > 0)
        emit dataChanged(index(0, 0), index(m_rows - 1, ColumnCount - 1), {Qt::BackgroundRole, LinkedRole});
}

void FlowTableModel::setStallThresholdMs(int ms)
{
    m_thresholdUs = qint64(std::max(100, ms)) * 1000;
    refresh();
}

int FlowTableModel::stalledCount() const
{
    int n = 0;
    for (int i = 0; i < m_rows; ++i)
        n += m_flows.isStalledBeyondBacklog(m_flows.flows()[std::size_t(i)], m_now, m_thresholdUs) ? 1 : 0;
    return n;
}

int FlowTableModel::openCount() const
{
    int n = 0;
    for (int i = 0; i < m_rows; ++i)
        n += m_flows.flows()[std::size_t(i)].isOpen() ? 1 : 0;
    return n;
}

int FlowTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int FlowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString FlowTableModel::connectionName(ConnectionId id) const
{
    const auto c = m_log.connection(id);
    return c ? c->name : QString::number(id);
}

QString FlowTableModel::steps(const FlowRecord &f) const
{
    if (f.publishUs < 0)
        return QString();
    auto at = [&](qint64 us) { return QStringLiteral("+%1 ms").arg(double(us - f.publishUs) / 1000.0, 0, 'f', 1); };
    QStringList parts{QStringLiteral("PUBLISH")};
    if (f.qos == QoS::AtLeastOnce) {
        if (f.ackUs >= 0)
            parts << QStringLiteral("PUBACK ") + at(f.ackUs);
    } else {
        if (f.ackUs >= 0)
            parts << QStringLiteral("PUBREC ") + at(f.ackUs);
        if (f.pubRelUs >= 0)
            parts << QStringLiteral("PUBREL ") + at(f.pubRelUs);
        if (f.completeUs >= 0)
            parts << QStringLiteral("PUBCOMP ") + at(f.completeUs);
    }
    return parts.join(QStringLiteral(" → "));
}

QVariant FlowTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows || std::size_t(index.row()) >= m_flows.flows().size())
        return {};
    const FlowRecord &f = m_flows.flows()[std::size_t(index.row())];
    const bool stalled = m_flows.isStalledBeyondBacklog(f, m_now, m_thresholdUs);
    const bool linked = std::binary_search(m_linked.begin(), m_linked.end(), f.id);
    switch (role) {
    case LinkedRole: return linked;
    case StalledRole: return stalled;
    case StateRole: return int(f.state);
    case FlowIdRole: return QVariant::fromValue(f.id);
    case CategoryRole:
        return stalled ? int(Stalled)
            : f.isOpen() ? int(Open)
            : f.state == FlowState::Complete ? int(Complete)
                                             : int(Failed);
    case Qt::ForegroundRole:
        if (stalled || f.state == FlowState::Failed || f.state == FlowState::Abandoned || !f.violations.empty())
            return problemColor();
        if (f.state == FlowState::Complete)
            return successColor();
        return {};
    case Qt::BackgroundRole:
        if (stalled)
            return stalledRowColor();
        if (linked)
            return linkedRowColor();
        return {};
    case Qt::ToolTipRole: {
        // A narrow table elides its cells: the tooltip holds the cell whole, and what the flow waits for.
        const QString sentence = m_flows.sentence(f, m_now);
        const QString cell = index.column() == Sentence ? QString() : data(index, Qt::DisplayRole).toString();
        return cell.isEmpty() ? sentence : cell + QLatin1Char('\n') + sentence;
    }
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Connection: return connectionName(f.key.connection);
        case Direction_: return f.key.direction == Direction::Outbound ? tr("out") : tr("in");
        case Id:
            return f.key.generation ? QStringLiteral("%1 (#%2)").arg(f.key.packetId.value).arg(f.key.generation + 1)
                                    : QString::number(f.key.packetId.value);
        case Topic: return f.topic;
        case QoS_: return qosValue(f.qos);
        case State: return stalled ? tr("Stalled: %1").arg(FlowIndex::stateText(f)) : FlowIndex::stateText(f);
        case Steps: return steps(f);
        case Age: return f.isOpen() ? QStringLiteral("%1 s").arg(double(m_flows.nowFor(f, m_now) - f.lastStepUs) / 1e6, 0, 'f', 1) : QString();
        case Resends: return f.resends ? QVariant(f.resends) : QVariant();
        case Held: return f.heldEvent ? tr("held") : QString();
        case Sentence: return m_flows.sentence(f, m_now);
        case ColumnCount: break;
        }
        return {};
    default:
        return {};
    }
}

QVariant FlowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    // Short names: a narrow table keeps every column; the tooltip says what each one holds.
    static const char *const kNames[] = {"Connection", "Dir", "Id", "Topic", "QoS", "State", "Waits for", "Age",
                                         "DUP", "Held", "Steps"};
    static const char *const kTips[] = {"The connection (or broker side) that keeps this flow",
                                        "in: the peer sent the PUBLISH; out: this end sent it",
                                        "Packet id (#2, #3: the same id used again later)",
                                        "The message's topic",
                                        "The message's QoS",
                                        "Where the handshake stands, or what holds it",
                                        "What the flow waits for, and from whom",
                                        "Time since the flow's last step",
                                        "Resends: how many times the PUBLISH (with DUP set) or PUBREL was sent again",
                                        "A fault rule holds one of its packets",
                                        "The flow's packets so far"};
    if (role == Qt::DisplayRole)
        return tr(kNames[section]);
    if (role == Qt::ToolTipRole)
        return tr(kTips[section]);
    return {};
}

void FlowFilterModel::setCategories(int categories)
{
    m_categories = categories;
    invalidateFilter();
}

void FlowFilterModel::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void FlowFilterModel::setNewestFirst(bool newest)
{
    m_newestFirst = newest;
    sort(0, newest ? Qt::DescendingOrder : Qt::AscendingOrder);
}

void FlowFilterModel::setReorderingPaused(bool paused)
{
    // Without dynamic sorting, QSortFilterProxyModel appends new source rows at the end and
    // leaves changed rows in place; turning it back on sorts and filters again.
    setDynamicSortFilter(!paused);
}

bool FlowFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_newestFirst) { // problems first too; descending order: a higher rank comes first
        auto rank = [](const QModelIndex &i) {
            const int category = i.data(FlowTableModel::CategoryRole).toInt();
            return category == FlowTableModel::Stalled ? 2 : category == FlowTableModel::Open ? 1 : 0;
        };
        const int a = rank(left);
        const int b = rank(right);
        if (a != b)
            return a < b;
    }
    return left.row() < right.row(); // the order flows began in
}

bool FlowFilterModel::filterAcceptsRow(int row, const QModelIndex &parent) const
{
    const QModelIndex index = sourceModel()->index(row, 0, parent);
    if (!(index.data(FlowTableModel::CategoryRole).toInt() & m_categories))
        return false;
    if (m_text.isEmpty())
        return true;
    const QString id = sourceModel()->index(row, FlowTableModel::Id, parent).data().toString();
    const QString topic = sourceModel()->index(row, FlowTableModel::Topic, parent).data().toString();
    return id == m_text || id.startsWith(m_text + QLatin1Char(' ')) || topic.contains(m_text, Qt::CaseInsensitive);
}

} // namespace mqs
