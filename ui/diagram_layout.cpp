#include "diagram_layout.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "trace/trace_text.h"

#include <QLocale>

#include <algorithm>

namespace mqs {
namespace {

int rank(LaneRole role)
{
    return int(role);
}

// "sensors/load/1" and "sensors/load/2" share "sensors/load/#".
QString commonTopic(const QString &a, const QString &b)
{
    if (a == b)
        return a;
    const QStringList x = a.split(QLatin1Char('/'));
    const QStringList y = b.split(QLatin1Char('/'));
    QStringList common;
    for (qsizetype i = 0; i < std::min(x.size(), y.size()) && x[i] == y[i] && x[i] != QLatin1String("#"); ++i)
        common << x[i];
    common << QStringLiteral("#");
    return common.join(QLatin1Char('/'));
}

} // namespace

int DiagramLayout::laneOf(const QString &party, LaneRole role)
{
    const auto it = m_laneIndex.constFind(party);
    if (it != m_laneIndex.constEnd())
        return *it;
    DiagramLane lane;
    lane.name = party;
    lane.role = role;
    m_lanes.push_back(std::move(lane));
    const int index = int(m_lanes.size() - 1);
    m_laneIndex.insert(party, index);
    placeLane(index);
    return index;
}

void DiagramLayout::placeLane(int lane)
{
    std::erase(m_order, lane);
    const qsizetype saved = m_savedOrder.indexOf(m_lanes[std::size_t(lane)].name);
    auto after = [&](int other) {
        if (saved >= 0)
            return m_savedOrder.indexOf(m_lanes[std::size_t(other)].name) > saved;
        return rank(m_lanes[std::size_t(other)].role) > rank(m_lanes[std::size_t(lane)].role);
    };
    m_order.insert(std::find_if(m_order.begin(), m_order.end(), after), lane);
}

void DiagramLayout::noteClient(int lane, ConnectionId id)
{
    DiagramLane &l = m_lanes[std::size_t(lane)];
    l.clients.insert(id);
    l.hadClient = true;
    l.retired = false;
}

void DiagramLayout::learnRole(quint64 sequence, int from, int to)
{
    DiagramLane &sender = m_lanes[std::size_t(from)];
    const PacketType type = m_log.typeOf(sequence);
    if (type == PacketType::Subscribe)
        sender.subscribed = true;
    // A client that publishes to a broker before it ever subscribes stands on the left; once
    // placed, it stays (the order must not jump under the reader's eyes).
    if (type == PacketType::Publish && sender.role == LaneRole::Subscriber && !sender.subscribed
        && m_lanes[std::size_t(to)].role == LaneRole::Broker) {
        sender.role = LaneRole::Publisher;
        if (!m_savedOrder.contains(sender.name))
            placeLane(from);
    }
}

int DiagramLayout::followObservedLane(ConnectionId id, int lane)
{
    const auto known = m_observedLanes.find(id);
    if (known == m_observedLanes.end()) {
        m_observedLanes.insert(id, ObservedLane{lane, m_next});
        return lane;
    }
    const int before = known->lane;
    if (before == lane)
        return lane;
    for (auto row = m_rows.rbegin(); row != m_rows.rend() && row->sequence >= known->since; ++row) {
        if (row->kind == DiagramRow::Gap || row->kind == DiagramRow::Evicted || m_log.connectionOf(row->sequence) != id)
            continue;
        row->from = row->from == before ? qint16(lane) : row->from;
        row->to = row->to == before ? qint16(lane) : row->to;
    }
    DiagramLane &old = m_lanes[std::size_t(before)];
    old.clients.erase(id);
    if (old.clients.empty()) { // the address lane held only this connection's rows
        old.retired = true;
        m_laneIndex.remove(old.name);
    }
    known->lane = lane;
    return lane;
}

std::vector<int> DiagramLayout::laneOrder() const
{
    std::vector<int> order;
    for (int lane : m_order)
        if (m_lanes[std::size_t(lane)].visible())
            order.push_back(lane);
    return order;
}

std::vector<int> DiagramLayout::allLanesInOrder() const
{
    std::vector<int> order;
    for (int lane : m_order)
        if (!m_lanes[std::size_t(lane)].retired)
            order.push_back(lane);
    return order;
}

void DiagramLayout::setLaneHidden(int lane, bool hidden)
{
    if (lane < 0 || std::size_t(lane) >= m_lanes.size() || m_lanes[std::size_t(lane)].hidden == hidden)
        return;
    m_lanes[std::size_t(lane)].hidden = hidden;
    rebuild();
}

void DiagramLayout::showAllLanes()
{
    for (DiagramLane &lane : m_lanes)
        lane.hidden = false;
    rebuild();
}

void DiagramLayout::showOnly(const std::set<int> &lanes)
{
    for (std::size_t i = 0; i < m_lanes.size(); ++i)
        m_lanes[i].hidden = !lanes.contains(int(i));
    rebuild();
}

void DiagramLayout::moveLane(int lane, int before)
{
    if (lane < 0 || std::size_t(lane) >= m_lanes.size() || lane == before)
        return;
    std::erase(m_order, lane);
    m_order.insert(before < 0 ? m_order.end() : std::find(m_order.begin(), m_order.end(), before), lane);
    QStringList order;
    for (int l : m_order)
        order << m_lanes[std::size_t(l)].name;
    for (const QString &name : std::as_const(m_savedOrder)) // lanes of other sessions keep their word
        if (!order.contains(name))
            order << name;
    m_savedOrder = order;
}

QStringList DiagramLayout::savedOrder() const
{
    return m_savedOrder;
}

void DiagramLayout::setSavedOrder(const QStringList &names)
{
    m_savedOrder = names;
    for (const QString &name : names)
        if (const int lane = laneNamed(name); lane >= 0)
            placeLane(lane);
}

void DiagramLayout::retireConnection(ConnectionId id)
{
    m_retired.insert(id);
    for (DiagramLane &lane : m_lanes) {
        lane.clients.erase(id);
        lane.retired = lane.hadClient && lane.clients.empty();
    }
    rebuild();
}

void DiagramLayout::setGroupBursts(bool group)
{
    if (group == m_groupBursts)
        return;
    m_groupBursts = group;
    rebuild();
}

void DiagramLayout::toggleBurst(quint64 firstSequence)
{
    if (!m_expanded.erase(firstSequence))
        m_expanded.insert(firstSequence);
    rebuild();
}

void DiagramLayout::rebuild()
{
    m_rows.clear();
    m_next = 0;
    m_lastRowUs = -1;
    m_openBursts.clear();
    m_burstTopics.clear();
    ++m_generation;
    update();
}

void DiagramLayout::addRow(DiagramRow row)
{
    const qint64 time = m_log.timeUs(row.sequence);
    if (m_lastRowUs >= 0 && time - m_lastRowUs > kFoldGapUs)
        m_rows.push_back(DiagramRow{row.sequence, time - m_lastRowUs, 0, 0, DiagramRow::Gap});
    m_lastRowUs = time;
    m_rows.push_back(row);
}

bool DiagramLayout::joinBurst(quint64 sequence, int from, int to)
{
    if (m_log.markOf(sequence) != TraceMark::None || !m_flows.violationAt(sequence).isEmpty())
        return false; // a fault or a violation is never folded away
    const PacketType type = m_log.typeOf(sequence);
    QString topic;
    int qos = 0;
    if (type == PacketType::Publish) {
        const auto connection = m_log.connection(m_log.connectionOf(sequence)).value_or(TraceConnection{});
        const auto decoded = decodePacket(m_log.rawView(sequence), connection.version);
        if (const auto *packet = std::get_if<Packet>(&decoded))
            if (const auto *publish = std::get_if<Publish>(packet)) {
                topic = publish->topic;
                qos = qosValue(publish->qos);
            }
    }
    const quint64 key = quint64(quint16(from)) | quint64(quint16(to)) << 16 | quint64(type) << 32 | quint64(qos) << 40;
    const qint64 time = m_log.timeUs(sequence);
    const auto it = m_openBursts.find(key);
    if (it != m_openBursts.end() && time - it->startUs < kBurstWindowUs) {
        if (m_expanded.contains(it->first))
            return false; // the user opened this burst: its packets one by one
        if (const auto row = rowOf(it->first)) {
            DiagramRow &burst = m_rows[*row];
            ++burst.count;
            burst.gapUs = time - it->startUs;
            it->topic = commonTopic(it->topic, topic);
            m_burstTopics.insert(it->first, QStringLiteral("q%1 %2").arg(it->qos).arg(it->topic));
            m_lastRowUs = time;
            return true;
        }
    }
    m_openBursts.insert(key, Burst{sequence, time, topic, qos});
    return false;
}

void DiagramLayout::addArrow(quint64 sequence, int from, int to)
{
    if (m_groupBursts && joinBurst(sequence, from, to))
        return;
    addRow(DiagramRow{sequence, 0, qint16(from), qint16(to), DiagramRow::Arrow});
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
        // A removed connection's events stay in the trace, not in the picture.
        if (connection && !m_retired.contains(connection->id))
            place(m_next, *connection);
    }
    return m_rows.size() != before || m_rowsShifted != shiftedBefore;
}

void DiagramLayout::place(quint64 sequence, const TraceConnection &connection)
{
    switch (m_log.kindOf(sequence)) {
    case TraceKind::Packet:
        placePacket(sequence, connection);
        break;
    case TraceKind::Cut:
    case TraceKind::SessionResumed:
    case TraceKind::FlowsAbandoned:
    case TraceKind::Violation:
        placeNote(sequence, connection);
        break;
    case TraceKind::Opened:
    case TraceKind::Closed:
        if (m_showConnectionNotes && recordedAtClient(connection.role))
            placeNote(sequence, connection);
        break;
    case TraceKind::Note:
        break; // in the trace, not in the picture
    }
}

void DiagramLayout::placePacket(quint64 sequence, const TraceConnection &connection)
{
    const bool sent = m_log.directionOf(sequence) == TraceDirection::Sent;
    if (!sent && m_log.bothEndsTraced(connection.id))
        return; // the sender's own record draws it
    const EventLanes lanes = lanesOf(connection);
    const int from = sent ? lanes.local : lanes.remote;
    const int to = sent ? lanes.remote : lanes.local;
    learnRole(sequence, from, to);
    if (bothShown(from, to))
        addArrow(sequence, from, to);
}

void DiagramLayout::placeNote(quint64 sequence, const TraceConnection &connection)
{
    const EventLanes lanes = lanesOf(connection);
    if (bothShown(lanes.local, lanes.remote))
        addRow(DiagramRow{sequence, 0, qint16(lanes.local), qint16(lanes.remote), DiagramRow::Note});
}

DiagramLayout::EventLanes DiagramLayout::lanesOf(const TraceConnection &connection)
{
    // Lanes appear with their first row, not with every connection the trace knows.
    const bool client = recordedAtClient(connection.role);
    int local = laneOf(partyName(m_log, connection, false), client ? LaneRole::Subscriber : LaneRole::Broker);
    if (connection.role == ConnectionRole::Observed)
        local = followObservedLane(connection.id, local); // an address lane becomes the client id's
    if (client)
        noteClient(local, connection.id);
    const int remote = laneOf(partyName(m_log, connection, true), client ? LaneRole::Broker : LaneRole::Subscriber);
    if (client)
        noteClient(remote, connection.id);
    return EventLanes{local, remote};
}

bool DiagramLayout::bothShown(int a, int b) const
{
    return m_lanes[std::size_t(a)].visible() && m_lanes[std::size_t(b)].visible();
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

FlowId DiagramLayout::hopFlow(FlowId flow) const
{
    // How far around a flow its other end's record is looked for: both are indexed as the
    // packets come, so they begin within a few flows of each other.
    constexpr std::size_t kNearbyFlows = 256;
    if (const auto it = m_hopFlows.constFind(flow); it != m_hopFlows.constEnd())
        return *it;
    const FlowRecord *f = m_flows.find(flow);
    const auto row = m_flows.rowOf(flow);
    if (!f || !row || !m_log.bothEndsTraced(f->key.connection))
        return flow;
    const auto self = m_log.connection(f->key.connection);
    std::set<ConnectionId> otherEnds;
    for (const TraceConnection &c : m_log.connections())
        if (self && c.role != self->role && !c.clientId.isEmpty() && c.clientId == self->clientId)
            otherEnds.insert(c.id);
    const auto &flows = m_flows.flows();
    const std::size_t from = *row > kNearbyFlows ? *row - kNearbyFlows : 0;
    const std::size_t to = std::min(flows.size(), *row + kNearbyFlows);
    const FlowRecord *best = nullptr;
    for (std::size_t i = from; i < to; ++i) {
        const FlowRecord &other = flows[i];
        if (otherEnds.contains(other.key.connection) && other.key.direction != f->key.direction && other.key.packetId == f->key.packetId
            && (!best || std::abs(other.publishUs - f->publishUs) < std::abs(best->publishUs - f->publishUs)))
            best = &other;
    }
    const FlowId hop = best ? std::min(flow, best->id) : flow;
    if (best) // a flow still open may yet meet its other end: only a found pair is kept
        m_hopFlows.insert(flow, hop);
    return hop;
}

QString DiagramLayout::packetText(quint64 sequence) const
{
    if (const QString *cached = m_labels.object(sequence))
        return *cached;
    const auto connection = m_log.connection(m_log.connectionOf(sequence)).value_or(TraceConnection{});
    const auto decoded = decodePacket(m_log.rawView(sequence), connection.version);
    QString text;
    if (const auto *packet = std::get_if<Packet>(&decoded)) {
        if (const auto *publish = std::get_if<Publish>(packet)) {
            text = QStringLiteral("PUBLISH%1 q%2%3 %4 (%L5 B)")
                       .arg(publish->packetId ? QStringLiteral(" id=%1").arg(publish->packetId->value) : QString())
                       .arg(qosValue(publish->qos))
                       .arg(publish->dup ? QStringLiteral(" DUP") : QString())
                       .arg(publish->topic)
                       .arg(publish->payload.size());
            if (publish->retain)
                text += QStringLiteral(" retained");
        } else {
            text = describe(*packet, connection.version);
        }
    } else {
        text = QStringLiteral("malformed %1").arg(packetTypeName(m_log.typeOf(sequence)));
    }
    m_labels.insert(sequence, new QString(text));
    return text;
}

QString DiagramLayout::arrowLabel(const DiagramRow &row, qint64 nowUs) const
{
    const quint64 s = row.sequence;
    if (row.count > 1) {
        const PacketType type = m_log.typeOf(s);
        QString what = packetTypeName(type);
        if (type == PacketType::Publish)
            what += QLatin1Char(' ') + m_burstTopics.value(s); // "q0 sensors/load/#"
        return QStringLiteral("%1 × %2 in %3").arg(QLocale().toString(row.count), what, durationText(row.gapUs));
    }
    QString text = packetText(s);
    switch (m_log.markOf(s)) {
    case TraceMark::Held: {
        const auto flow = m_flows.flowOf(s);
        const FlowRecord *f = flow ? m_flows.find(*flow) : nullptr;
        const bool stillHeld = f && f->heldEvent == s;
        const double heldFor = double((stillHeld ? nowUs : m_log.timeUs(s)) - m_log.timeUs(s)) / 1e6;
        text = stillHeld ? QStringLiteral("‖ %1 held %2 s").arg(text).arg(heldFor, 0, 'f', 1) : QStringLiteral("‖ %1 held").arg(text);
        break;
    }
    case TraceMark::Released: text += QStringLiteral("  ▶ released"); break;
    case TraceMark::Dropped: text += QStringLiteral("  ✕ dropped"); break;
    case TraceMark::Delayed: text += QStringLiteral("  (delayed)"); break;
    case TraceMark::Duplicated: text += QStringLiteral("  (duplicate)"); break;
    case TraceMark::None: break;
    }
    if (!m_flows.violationAt(s).isEmpty())
        text = QStringLiteral("⚠ ") + text;
    return text;
}

QString DiagramLayout::stateText(const DiagramRow &row) const
{
    if (row.kind != DiagramRow::Arrow || row.count > 1 || m_log.markOf(row.sequence) == TraceMark::Held
        || m_log.flowStateOf(row.sequence) == FlowState::None)
        return {};
    return flowStateName(m_log.flowStateOf(row.sequence));
}

QString DiagramLayout::noteText(const DiagramRow &row) const
{
    const QString text = m_log.noteOf(row.sequence);
    switch (m_log.kindOf(row.sequence)) {
    case TraceKind::Cut: return QStringLiteral("✂ connection cut: ") + text;
    case TraceKind::SessionResumed: return QStringLiteral("⟲ ") + text;
    case TraceKind::FlowsAbandoned: return QStringLiteral("⚠ ") + text;
    case TraceKind::Violation: return (m_log.ruleOf(row.sequence) != 0 ? QStringLiteral("⚑ ") : QStringLiteral("⚠ ")) + text;
    case TraceKind::Opened: return QStringLiteral("● connected: ") + text;
    case TraceKind::Closed: return QStringLiteral("○ ") + text;
    default: return text;
    }
}

QString DiagramLayout::gapText(const DiagramRow &row)
{
    return QStringLiteral(" ⋯ %1 s ⋯ ").arg(double(row.gapUs) / 1e6, 0, 'f', 1);
}

} // namespace mqs
