#include "flow_index.h"

#include "trace_text.h"

#include "protocol/decoder.h"

#include <algorithm>
#include <limits>

namespace mqs {
namespace {

QString ago(qint64 fromUs, qint64 nowUs)
{
    const double seconds = double(std::max<qint64>(0, nowUs - fromUs)) / 1e6;
    return seconds < 10 ? QStringLiteral("%1 s ago").arg(seconds, 0, 'f', 1) : QStringLiteral("%1 s ago").arg(qRound(seconds));
}

QString took(qint64 fromUs, qint64 toUs)
{
    return durationText(toUs - fromUs);
}

} // namespace

void FlowIndex::update()
{
    followEviction();
    for (; m_next < m_log.endSequence(); ++m_next) {
        const TraceKind kind = m_log.kindOf(m_next);
        if (kind == TraceKind::Packet)
            addPacket(m_next);
        else if (kind == TraceKind::Violation)
            addNote(m_next);
    }
}

void FlowIndex::followEviction()
{
    const quint64 first = m_log.firstSequence();
    if (m_next < first)
        m_next = first; // evicted while we were not looking
    while (m_flowOfEventBase < first && !m_flowOfEvent.empty()) {
        m_flowOfEvent.pop_front();
        ++m_flowOfEventBase;
    }
    if (m_flowOfEvent.empty())
        m_flowOfEventBase = m_next;
    if (first > m_evictedUpTo) {
        m_evictedUpTo = first;
        forgetEvicted();
    }
}

void FlowIndex::forgetEvicted()
{
    // Flows begin in id order, so only those that began before the trace's first event can hold
    // evicted packets. Finished ones with nothing left in the trace are forgotten; open ones stay
    // (their waiting is the evidence) with their evicted packets dropped from `events`.
    for (auto it = m_violationOfEvent.begin(); it != m_violationOfEvent.end();)
        it = it.key() < m_evictedUpTo ? m_violationOfEvent.erase(it) : std::next(it);
    std::size_t row = 0;
    std::size_t kept = 0;
    bool runStart = false; // a run of this pass is open at the back of the journal
    for (; row < m_flows.size(); ++row) {
        FlowRecord &f = m_flows[row];
        if (!f.events.empty() && f.events.front() >= m_evictedUpTo)
            break; // this flow and all after it began within the trace
        std::erase_if(f.events, [&](quint64 e) { return e < m_evictedUpTo; });
        if (f.heldEvent && *f.heldEvent < m_evictedUpTo)
            f.heldEvent = std::numeric_limits<quint64>::max(); // still held; its packet is gone from the trace
        if (f.isOpen() || !f.events.empty()) {
            if (kept != row)
                m_flows[kept] = std::move(f);
            ++kept;
            continue;
        }
        ++m_forgottenCount;
        if (runStart && m_forgottenRows.back().first == kept) {
            ++m_forgottenRows.back().second;
        } else {
            m_forgottenRows.emplace_back(kept, 1);
            ++m_forgottenRunsEnd;
            runStart = true;
            if (m_forgottenRows.size() > kForgottenJournal)
                m_forgottenRows.pop_front();
        }
    }
    m_flows.erase(m_flows.begin() + std::ptrdiff_t(kept), m_flows.begin() + std::ptrdiff_t(row));
}

std::optional<std::vector<FlowIndex::RowRun>> FlowIndex::forgottenRowsSince(quint64 &cursor) const
{
    const quint64 oldest = m_forgottenRunsEnd - m_forgottenRows.size();
    if (cursor < oldest) {
        cursor = m_forgottenRunsEnd;
        return std::nullopt;
    }
    std::vector<RowRun> runs(m_forgottenRows.begin() + std::ptrdiff_t(cursor - oldest), m_forgottenRows.end());
    cursor = m_forgottenRunsEnd;
    return runs;
}

const FlowRecord *FlowIndex::find(FlowId id) const
{
    const auto it = std::lower_bound(m_flows.begin(), m_flows.end(), id, [](const FlowRecord &f, FlowId i) { return f.id < i; });
    return it != m_flows.end() && it->id == id ? &*it : nullptr;
}

std::optional<std::size_t> FlowIndex::rowOf(FlowId id) const
{
    const auto it = std::lower_bound(m_flows.begin(), m_flows.end(), id, [](const FlowRecord &f, FlowId i) { return f.id < i; });
    return it != m_flows.end() && it->id == id ? std::optional<std::size_t>(std::size_t(it - m_flows.begin())) : std::nullopt;
}

void FlowIndex::addPacket(quint64 s)
{
    const PacketType type = m_log.typeOf(s);
    const ConnectionId connection = m_log.connectionOf(s);
    const bool sent = m_log.directionOf(s) == TraceDirection::Sent;
    if (!sent)
        m_lastReceived.insert(connection, s);
    if (!belongsToFlow(type))
        return;
    const PacketId id = m_log.packetIdOf(s);
    if (!id.isValid())
        return; // QoS 0: no flow
    const Direction direction = flowDirectionOf(type, sent);
    const OpenKey key{connection, direction, id.value};
    const TraceMark mark = m_log.markOf(s);
    const qint64 time = m_log.timeUs(s);

    std::optional<Publish> publish;
    const auto version = m_log.connection(connection).value_or(TraceConnection{}).version;
    const auto decoded = decodePacket(m_log.rawView(s), version);
    if (const auto *packet = std::get_if<Packet>(&decoded))
        if (const auto *p = std::get_if<Publish>(packet))
            publish = *p;

    auto it = m_latest.find(key);
    FlowRecord *latest = it == m_latest.end() ? nullptr : findMutable(it->flow);
    const bool startsNew = !latest || (type == PacketType::Publish && !latest->isOpen()
                                       && mark != TraceMark::Released && mark != TraceMark::Duplicated);
    if (startsNew) {
        FlowRecord record;
        record.id = m_nextId++;
        record.key = FlowKey{connection, direction, id, it == m_latest.end() ? 0 : it->generation + 1};
        if (publish) {
            record.topic = publish->topic;
            record.qos = publish->qos;
        }
        m_flows.push_back(std::move(record));
        latest = &m_flows.back();
        m_latest.insert(key, Latest{latest->id, latest->key.generation});
    }
    FlowRecord &f = *latest;
    f.events.push_back(s);
    m_flowOfEvent.resize(std::max<std::size_t>(m_flowOfEvent.size(), std::size_t(s - m_flowOfEventBase + 1)), 0);
    m_flowOfEvent[std::size_t(s - m_flowOfEventBase)] = f.id + 1;
    if (const FlowState state = m_log.flowStateOf(s); state != FlowState::None)
        f.state = state;
    if (mark == TraceMark::Held) {
        f.heldEvent = s;
        f.heldType = type;
        f.heldRule = m_log.ruleOf(s);
        f.heldSent = sent;
        f.heldUs = time;
        return;
    }
    if (mark == TraceMark::Released || (f.heldEvent && f.heldType == type && mark != TraceMark::Dropped))
        f.heldEvent.reset();
    if (mark == TraceMark::Dropped)
        return; // it never crossed: no step
    f.lastStepUs = time;
    if (const auto *packet = std::get_if<Packet>(&decoded))
        if (const auto reason = reasonOf(*packet); reason && isFailure(*reason))
            f.reason = *reason;
    switch (type) {
    case PacketType::Publish:
        if (f.publishUs < 0)
            f.publishUs = time;
        else if (publish && publish->dup)
            ++f.resends;
        break;
    case PacketType::PubAck:
        f.ackUs = time;
        f.completeUs = time;
        break;
    case PacketType::PubRec:
        if (f.ackUs < 0)
            f.ackUs = time;
        break;
    case PacketType::PubRel:
        if (f.pubRelUs < 0)
            f.pubRelUs = time;
        else
            ++f.resends;
        break;
    case PacketType::PubComp:
        f.completeUs = time;
        break;
    default:
        break;
    }
}

void FlowIndex::addNote(quint64 s)
{
    // A violation is traced right after the packet that committed it.
    const auto last = m_lastReceived.constFind(m_log.connectionOf(s));
    if (last == m_lastReceived.constEnd())
        return;
    m_violationOfEvent.insert(*last, m_log.noteOf(s));
    if (const auto flow = flowOf(*last))
        if (FlowRecord *f = findMutable(*flow))
            f->violations.push_back(m_log.noteOf(s));
}

std::optional<FlowId> FlowIndex::flowOf(quint64 sequence) const
{
    if (sequence < m_flowOfEventBase || sequence - m_flowOfEventBase >= m_flowOfEvent.size())
        return std::nullopt;
    const quint32 flow = m_flowOfEvent[std::size_t(sequence - m_flowOfEventBase)];
    return flow == 0 ? std::nullopt : std::optional<FlowId>(flow - 1);
}

QString FlowIndex::violationAt(quint64 sequence) const
{
    return m_violationOfEvent.value(sequence);
}

const FlowRecord *FlowIndex::flow(const FlowKey &key) const
{
    for (const FlowRecord &f : m_flows)
        if (f.key == key)
            return &f;
    return nullptr;
}

bool FlowIndex::isStalled(const FlowRecord &flow, qint64 nowUs, qint64 thresholdUs)
{
    return flow.isOpen() && nowUs - flow.lastStepUs > thresholdUs;
}

QString FlowIndex::sentence(const FlowRecord &f, qint64 nowUs) const
{
    QString held;
    if (f.heldEvent) {
        const QString named = m_ruleNamer ? m_ruleNamer(f.key.connection, f.heldRule) : QString();
        const QString rule = named.isEmpty() ? QStringLiteral("a fault rule") : named;
        held = QStringLiteral("%1 %2 held by rule '%3' for %4 — release?")
                   .arg(packetTypeName(f.heldType), f.heldSent ? QStringLiteral("(ours)") : QStringLiteral("(arrived)"), rule,
                        ago(f.heldUs, nowUs).chopped(4));
    }
    QString text;
    switch (f.state) {
    case FlowState::Queued:
        text = QStringLiteral("Queued: waiting for send quota (the peer's Receive Maximum)");
        break;
    case FlowState::AwaitingPubAck:
        text = QStringLiteral("PUBLISH sent %1; waiting for PUBACK").arg(ago(f.publishUs, nowUs));
        break;
    case FlowState::AwaitingPubRec:
        text = QStringLiteral("PUBLISH sent %1; waiting for PUBREC").arg(ago(f.publishUs, nowUs));
        break;
    case FlowState::AwaitingPubComp:
        text = f.ackUs >= 0 ? QStringLiteral("PUBREC received %1; ").arg(ago(f.ackUs, nowUs)) : QString();
        text += f.heldEvent && f.heldType == PacketType::PubRel ? QString()
                                                                                 : QStringLiteral("PUBREL sent, waiting for PUBCOMP");
        break;
    case FlowState::AwaitingPubRel:
        text = f.ackUs >= 0 ? QStringLiteral("PUBREC sent %1; waiting for the sender's PUBREL").arg(ago(f.ackUs, nowUs))
                            : QStringLiteral("PUBLISH received %1; PUBREC not sent yet").arg(ago(f.publishUs, nowUs));
        break;
    case FlowState::Complete:
        text = QStringLiteral("Complete in %1").arg(took(f.publishUs >= 0 ? f.publishUs : f.lastStepUs, f.completeUs >= 0 ? f.completeUs : f.lastStepUs));
        break;
    case FlowState::Failed:
        text = QStringLiteral("Failed: %1").arg(reasonText(f.reason, f.qos == QoS::AtLeastOnce ? PacketType::PubAck : PacketType::PubRec));
        break;
    case FlowState::Abandoned:
        text = QStringLiteral("Abandoned: the session was not resumed");
        break;
    case FlowState::None:
        text = QStringLiteral("No PUBLISH for this id in the trace");
        break;
    }
    if (!held.isEmpty())
        text = text.isEmpty() || text.endsWith(QLatin1String("; ")) ? text + held : text + QStringLiteral("; ") + held;
    if (f.resends > 0)
        text += QStringLiteral(" (%1 resend%2)").arg(f.resends).arg(f.resends > 1 ? QStringLiteral("s") : QString());
    for (const QString &v : f.violations)
        text += QStringLiteral(" Peer violation: ") + v;
    if (const int behind = backlog(f.key.connection); behind > 0 && waitsForPeer(f))
        text += QStringLiteral(" — MQTT Scope is behind by %1 packets; the peer's answer may be among them").arg(behind);
    return text;
}

void FlowIndex::setBacklog(ConnectionId connection, int packets)
{
    if (packets > 0)
        m_backlog.insert(connection, packets);
    else
        m_backlog.remove(connection);
}

bool FlowIndex::waitsForPeer(const FlowRecord &flow)
{
    if (flow.heldEvent)
        return false; // a fault rule holds it: the wait is the user's
    switch (flow.state) {
    case FlowState::AwaitingPubAck:
    case FlowState::AwaitingPubRec:
    case FlowState::AwaitingPubComp:
        return true;
    case FlowState::AwaitingPubRel:
        return flow.ackUs >= 0; // after our PUBREC the sender's PUBREL is due
    default:
        return false;
    }
}

bool FlowIndex::isStalledBeyondBacklog(const FlowRecord &flow, qint64 nowUs, qint64 thresholdUs) const
{
    return isStalled(flow, nowUs, thresholdUs) && !(waitsForPeer(flow) && backlog(flow.key.connection) > 0);
}

std::vector<PacketId> FlowIndex::inFlight(ConnectionId connection, Direction direction) const
{
    std::vector<PacketId> ids;
    for (auto it = m_latest.constBegin(); it != m_latest.constEnd(); ++it)
        if (it.key().connection == connection && it.key().direction == direction)
            if (const FlowRecord *f = find(it->flow); f && f->isOpen())
                ids.push_back(PacketId(it.key().id));
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace mqs
