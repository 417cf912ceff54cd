#include "diagram_layout.h"

#include "trace/trace_text.h"

#include <algorithm>

namespace mqs {

int DiagramLayout::laneOf(const QString &party)
{
    const auto it = m_laneIndex.constFind(party);
    if (it != m_laneIndex.constEnd())
        return *it;
    m_lanes << party;
    m_laneIndex.insert(party, int(m_lanes.size() - 1));
    return int(m_lanes.size() - 1);
}

static bool isBrokerLane(const QString &name)
{
    return name.contains(QLatin1String("broker"));
}

std::vector<int> DiagramLayout::laneOrder() const
{
    std::vector<int> publishers;
    std::vector<int> brokers;
    std::vector<int> others;
    for (int i = 0; i < m_lanes.size(); ++i) {
        if (isBrokerLane(m_lanes[i]))
            brokers.push_back(i);
        else if (std::size_t(i) < m_publishes.size() && m_publishes[std::size_t(i)])
            publishers.push_back(i);
        else
            others.push_back(i);
    }
    std::vector<int> order = publishers;
    order.insert(order.end(), brokers.begin(), brokers.end());
    order.insert(order.end(), others.begin(), others.end());
    return order;
}

void DiagramLayout::addRow(DiagramRow row)
{
    const qint64 time = m_log.timeUs(row.sequence);
    if (m_lastRowUs >= 0 && time - m_lastRowUs > kFoldGapUs)
        m_rows.push_back(DiagramRow{row.sequence, time - m_lastRowUs, 0, 0, DiagramRow::Gap});
    m_lastRowUs = time;
    m_rows.push_back(row);
}

void DiagramLayout::dropEvicted()
{
    const quint64 first = m_log.firstSequence();
    if (m_log.evictedEvents() == 0 || (!m_rows.empty() && m_rows.front().kind == DiagramRow::Evicted && m_rows.front().sequence == first))
        return;
    qint64 dropped = 0;
    if (!m_rows.empty() && m_rows.front().kind == DiagramRow::Evicted) {
        m_rows.pop_front();
        ++dropped;
    }
    // A folded gap takes the sequence of the row after it, so it leaves with that row.
    while (!m_rows.empty() && (m_rows.front().sequence < first || m_rows.front().kind == DiagramRow::Gap)) {
        m_rows.pop_front();
        ++dropped;
    }
    m_rows.push_front(DiagramRow{first, 0, 0, 0, DiagramRow::Evicted});
    m_rowsShifted += dropped - 1;
}

bool DiagramLayout::update()
{
    const std::size_t before = m_rows.size();
    const qint64 shiftedBefore = m_rowsShifted;
    dropEvicted();
    if (m_next < m_log.firstSequence())
        m_next = m_log.firstSequence();
    for (; m_next < m_log.endSequence(); ++m_next) {
        const auto connection = m_log.connection(m_log.connectionOf(m_next));
        if (!connection)
            continue;
        // Lanes appear with their first row, not with every connection the trace knows.
        auto local = [&] { return laneOf(partyName(m_log, *connection, false)); };
        auto remote = [&] { return laneOf(partyName(m_log, *connection, true)); };
        switch (m_log.kindOf(m_next)) {
        case TraceKind::Packet: {
            const bool sent = m_log.directionOf(m_next) == TraceDirection::Sent;
            if (!sent && m_log.bothEndsTraced(connection->id))
                break; // the sender's own record draws it
            const int l = local();
            const int r = remote();
            const int from = sent ? l : r;
            const int to = sent ? r : l;
            if (m_log.typeOf(m_next) == PacketType::Publish && isBrokerLane(m_lanes[to]) && !isBrokerLane(m_lanes[from])) {
                m_publishes.resize(std::max<std::size_t>(m_publishes.size(), std::size_t(from) + 1), false);
                m_publishes[std::size_t(from)] = true;
            }
            addRow(DiagramRow{m_next, 0, qint16(from), qint16(to), DiagramRow::Arrow});
            break;
        }
        case TraceKind::Cut:
        case TraceKind::SessionResumed:
        case TraceKind::FlowsAbandoned:
        case TraceKind::Violation:
            addRow(DiagramRow{m_next, 0, qint16(local()), qint16(remote()), DiagramRow::Note});
            break;
        case TraceKind::Opened:
        case TraceKind::Closed:
            if (m_showConnectionNotes && connection->role == ConnectionRole::Client)
                addRow(DiagramRow{m_next, 0, qint16(local()), qint16(remote()), DiagramRow::Note});
            break;
        case TraceKind::Note:
            break; // in the trace, not in the picture
        }
    }
    return m_rows.size() != before || m_rowsShifted != shiftedBefore;
}

std::optional<std::size_t> DiagramLayout::rowOf(quint64 sequence) const
{
    // Rows are appended in trace order; a folded gap shares the sequence of the row after it.
    auto it = std::lower_bound(m_rows.begin(), m_rows.end(), sequence,
                               [](const DiagramRow &row, quint64 s) { return row.sequence < s; });
    while (it != m_rows.end() && (it->kind == DiagramRow::Gap || it->kind == DiagramRow::Evicted))
        ++it;
    if (it == m_rows.end() || it->sequence != sequence)
        return std::nullopt;
    return std::size_t(it - m_rows.begin());
}

} // namespace mqs
