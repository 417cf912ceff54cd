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

// The index reads a packet once, when it is traced, and only what it needs: a PUBLISH's DUP flag
// sits in the fixed header and an acknowledgement's 5.0 reason code right after its packet id
// (sections 3.3.1, 3.4.2); only a flow's first PUBLISH is decoded, for its topic and payload.
constexpr quint8 kDupFlag = 0x08; // [MQTT-3.3.1-1]
constexpr int kPacketIdBytes = 2;

bool dupOf(QByteArrayView raw)
{
    return !raw.isEmpty() && (quint8(raw[0]) & kDupFlag);
}

// Where the variable header starts and how long the rest is: the fixed header's Remaining
// Length, a variable byte integer of at most four bytes (section 1.5.5).
std::optional<std::pair<qsizetype, quint32>> bodyOf(QByteArrayView raw)
{
    constexpr int kMaxLengthBytes = 4;
    quint32 length = 0;
    for (int i = 0; i < kMaxLengthBytes && 1 + i < raw.size(); ++i) {
        const auto byte = quint8(raw[1 + i]);
        length |= quint32(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80))
            return std::make_pair(qsizetype(2 + i), length);
    }
    return std::nullopt;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: 3.1.1 has no reason; 5.0 omits it when it is 0x00 (remaining length 2).
ReasonCode acknowledgementReason(QByteArrayView raw, ProtocolVersion version)
{
    if (version != ProtocolVersion::V5)
        return ReasonCode::Success;
    const auto body = bodyOf(raw);
    if (!body || body->second <= quint32(kPacketIdBytes) || body->first + kPacketIdBytes >= raw.size())
        return ReasonCode::Success;
    return ReasonCode(quint8(raw[body->first + kPacketIdBytes]));
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
        forgetFlow(f);
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

void FlowIndex::forgetFlow(const FlowRecord &f)
{
    if (!f.message)
        return;
    if (const auto it = m_toBroker.find(f.content); it != m_toBroker.end() && it->flow == f.id)
        m_toBroker.erase(it);
    const auto members = m_messageFlows.find(f.message);
    if (members == m_messageFlows.end())
        return;
    std::erase(*members, f.id);
    if (members->empty())
        m_messageFlows.erase(members);
}

std::vector<FlowId> FlowIndex::hopsOf(FlowId flow) const
{
    const FlowRecord *f = find(flow);
    if (!f || !f->message)
        return {};
    std::vector<FlowId> others;
    for (FlowId other : m_messageFlows.value(f->message))
        if (other != flow && find(other))
            others.push_back(other);
    return others;
}

// Whose packet a rule holds: ours or one that arrived; on an observed connection (recorded from
// the device's end), the device's or the broker's.
static QString heldOrigin(const FlowRecord &f)
{
    if (f.observed)
        return f.heldSent ? QStringLiteral("the device's") : QStringLiteral("the broker's");
    return f.heldSent ? QStringLiteral("ours") : QStringLiteral("arrived");
}

QString FlowIndex::stateText(const FlowRecord &f)
{
    if (f.heldEvent && f.isOpen())
        return QStringLiteral("%1 held (%2)").arg(packetTypeName(f.heldType), heldOrigin(f));
    return flowStateName(f.state);
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
    m_lastPacket.insert(connection, s);
    if (!belongsToFlow(type))
        return;
    const PacketId id = m_log.packetIdOf(s);
    if (!id.isValid())
        return; // QoS 0: no flow
    FlowRecord &f = flowOfPacket(s, type, OpenKey{connection, flowDirectionOf(type, sent), id.value}, sent);
    f.events.push_back(s);
    m_flowOfEvent.resize(std::max<std::size_t>(m_flowOfEvent.size(), std::size_t(s - m_flowOfEventBase + 1)), 0);
    m_flowOfEvent[std::size_t(s - m_flowOfEventBase)] = f.id + 1;
    applyStep(f, s, type, sent);
}

FlowRecord &FlowIndex::flowOfPacket(quint64 s, PacketType type, const OpenKey &key, bool sent)
{
    const auto it = m_latest.constFind(key);
    FlowRecord *latest = it == m_latest.constEnd() ? nullptr : findMutable(it->flow);
    const TraceMark mark = m_log.markOf(s);
    const bool startsNew = !latest || (type == PacketType::Publish && !latest->isOpen()
                                       && mark != TraceMark::Released && mark != TraceMark::Duplicated);
    if (!startsNew)
        return *latest;
    return startFlow(s, key, sent, it == m_latest.constEnd() ? 0 : it->generation + 1);
}

FlowRecord &FlowIndex::startFlow(quint64 s, const OpenKey &key, bool sent, int generation)
{
    FlowRecord record;
    record.id = m_nextId++;
    record.key = FlowKey{key.connection, key.direction, PacketId(key.id), generation};
    const auto connection = m_log.connection(key.connection).value_or(TraceConnection{});
    record.observed = connection.role == ConnectionRole::Observed;
    // From the broker's side of a connection, the flows it receives go to the broker.
    record.hop = recordedAtClient(connection.role) == (key.direction == Direction::Outbound) ? FlowHop::ToBroker
                                                                                            : FlowHop::FromBroker;
    m_flows.push_back(std::move(record));
    FlowRecord &f = m_flows.back();
    m_latest.insert(key, Latest{f.id, generation});
    if (m_log.typeOf(s) != PacketType::Publish)
        return f; // the trace began after its PUBLISH
    const auto decoded = decodePacket(m_log.rawView(s), connection.version);
    if (const auto *packet = std::get_if<Packet>(&decoded))
        if (const auto *publish = std::get_if<Publish>(packet)) {
            f.topic = sharedTopic(publish->topic);
            f.qos = publish->qos;
            linkHop(f, publish->payload, sent);
        }
    return f;
}

// Flows of one topic share its text: a capture of a million packets holds a handful of topics
// over a quarter of a million flows.
QString FlowIndex::sharedTopic(const QString &topic)
{
    if (const auto it = m_topics.constFind(topic); it != m_topics.constEnd())
        return *it;
    if (m_topics.size() >= kSharedTopics)
        m_topics.clear(); // many distinct topics: sharing would not pay
    m_topics.insert(topic, topic);
    return topic;
}

// A message's flows are listed once it has two: most messages of a capture or a busy client
// cross one traced hop only, and a list per message would cost some 70 bytes each for nothing.
void FlowIndex::linkHop(FlowRecord &f, const QByteArray &payload, bool sent)
{
    f.content = qHashMulti(0, f.topic, payload);
    const auto previous = m_toBroker.find(f.content);
    if (f.hop == FlowHop::FromBroker) {
        if (previous == m_toBroker.end())
            return; // the publisher's hop is not in the trace
        f.message = previous->message;
    } else if (previous != m_toBroker.end() && previous->packetId == f.key.packetId.value && previous->sent != sent
               && !previous->bothEnds) {
        f.message = previous->message; // the same hop, traced at its other end
        previous->bothEnds = true;
    } else {
        f.message = ++m_lastMessage;
        m_toBroker.insert(f.content, ToBroker{f.message, f.id, f.key.packetId.value, sent, false});
        return;
    }
    std::vector<FlowId> &members = m_messageFlows[f.message];
    if (members.empty())
        members.push_back(previous->flow); // the message's first flow, the publisher's hop
    members.push_back(f.id);
}

void FlowIndex::applyStep(FlowRecord &f, quint64 s, PacketType type, bool sent)
{
    const TraceMark mark = m_log.markOf(s);
    const qint64 time = m_log.timeUs(s);
    const bool acknowledgement = type != PacketType::Publish;
    const auto version = m_log.connection(f.key.connection).value_or(TraceConnection{}).version;
    const ReasonCode reason = acknowledgement ? acknowledgementReason(m_log.rawView(s), version) : ReasonCode::Success;
    const bool crosses = mark != TraceMark::Held && mark != TraceMark::Dropped;
    if (const FlowState recorded = m_log.flowStateOf(s); recorded != FlowState::None) {
        f.state = recorded; // the session that owns the flow knows best
    } else if (crosses) { // a capture, or the other end's packet: step the flow table
        if (const auto next = nextFlowState(f.state, flowEventOf(type, f.qos, reason)))
            f.state = *next;
        else if (f.state != FlowState::None)
            f.violations.push_back(QStringLiteral("%1 while the flow awaits %2: no step of the handshake (section 4.3)")
                                       .arg(packetTypeName(type), waitingForText(f.state)));
    }
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
    if (isFailure(reason))
        f.reason = reason;
    recordStepTime(f, type, time, !acknowledgement && dupOf(m_log.rawView(s)));
}

void FlowIndex::recordStepTime(FlowRecord &f, PacketType type, qint64 time, bool dup)
{
    switch (type) {
    case PacketType::Publish:
        if (f.publishUs < 0)
            f.publishUs = time;
        else if (dup)
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
    // A violation is traced right after the packet that committed it: the peer's, or on an
    // observed connection either side's.
    const ConnectionId connection = m_log.connectionOf(s);
    const bool observed = m_log.connection(connection).value_or(TraceConnection{}).role == ConnectionRole::Observed;
    const auto &lastOf = observed ? m_lastPacket : m_lastReceived;
    const auto last = lastOf.constFind(connection);
    if (last == lastOf.constEnd())
        return;
    // One a fault rule may have caused carries the rule's id: the packet is not marked as a fault.
    const bool ruleEffect = m_log.ruleOf(s) != 0;
    if (!ruleEffect)
        m_violationOfEvent.insert(*last, m_log.noteOf(s));
    if (const auto flow = flowOf(*last))
        if (FlowRecord *f = findMutable(*flow))
            (ruleEffect ? f->ruleEffects : f->violations).push_back(m_log.noteOf(s));
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
    nowUs = nowFor(f, nowUs);
    QString text = f.isOpen() ? openSentence(f, nowUs) : finishedSentence(f);
    if (f.resends > 0)
        text += QStringLiteral(" (%1 resend%2)").arg(f.resends).arg(f.resends > 1 ? QStringLiteral("s") : QString());
    // On an observed connection either side may break a rule; the note names which.
    const bool observed = m_log.connection(f.key.connection).value_or(TraceConnection{}).role == ConnectionRole::Observed;
    for (const QString &v : f.violations)
        text += (observed ? QStringLiteral(" Violation: ") : QStringLiteral(" Peer violation: ")) + v;
    for (const QString &v : f.ruleEffects)
        text += QStringLiteral(" A fault rule's doing: ") + v;
    if (const int behind = backlog(f.key.connection); behind > 0 && waitsForPeer(f))
        text += QStringLiteral(" — MQTT Scope is behind by %1 packets; the peer's answer may be among them").arg(behind);
    return text;
}

QString FlowIndex::openSentence(const FlowRecord &f, qint64 nowUs) const
{
    if (f.state == FlowState::Queued)
        return QStringLiteral("Queued: waiting for ") + waitingForText(f.state);
    const QString last = lastStepText(f, nowUs);
    const QString next = f.heldEvent ? heldText(f, nowUs) : QStringLiteral("waiting for ") + waitingForText(f.state);
    return last.isEmpty() ? next : last + QStringLiteral("; ") + next;
}

QString FlowIndex::lastStepText(const FlowRecord &f, qint64 nowUs) const
{
    // A capture that ended is read as it was at its end, not as of the wall clock.
    const bool ended = m_log.recordingEnded(f.key.connection);
    const auto since = [&](qint64 us) {
        return ended ? ago(us, nowUs).chopped(4) + QStringLiteral(" before the capture ended") : ago(us, nowUs);
    };
    // PUBLISH and PUBREL come from the flow's sender, PUBREC from its receiver.
    const bool weSend = f.key.direction == Direction::Outbound;
    auto step = [&](const char *packet, bool fromSender, qint64 us) {
        return QStringLiteral("%1 %2 %3")
            .arg(QLatin1String(packet), fromSender == weSend ? QStringLiteral("sent") : QStringLiteral("received"), since(us));
    };
    if (f.pubRelUs >= 0)
        return step("PUBREL", true, f.pubRelUs);
    if (f.ackUs >= 0)
        return step("PUBREC", false, f.ackUs);
    if (f.publishUs >= 0)
        return step("PUBLISH", true, f.publishUs);
    return QString();
}

QString FlowIndex::heldText(const FlowRecord &f, qint64 nowUs) const
{
    const QString named = m_ruleNamer ? m_ruleNamer(f.key.connection, f.heldRule) : QString();
    const QString rule = named.isEmpty() ? QStringLiteral("a fault rule") : named;
    return QStringLiteral("%1 %2 held by rule '%3' for %4 — release?")
        .arg(packetTypeName(f.heldType), QStringLiteral("(%1)").arg(heldOrigin(f)), rule,
             ago(f.heldUs, nowUs).chopped(4));
}

QString FlowIndex::finishedSentence(const FlowRecord &f)
{
    switch (f.state) {
    case FlowState::Complete: {
        const qint64 from = f.publishUs >= 0 ? f.publishUs : f.lastStepUs;
        return QStringLiteral("Complete in %1").arg(took(from, f.completeUs >= 0 ? f.completeUs : f.lastStepUs));
    }
    case FlowState::Failed:
        return QStringLiteral("Failed: %1").arg(reasonText(f.reason, f.qos == QoS::AtLeastOnce ? PacketType::PubAck : PacketType::PubRec));
    case FlowState::Abandoned: return QStringLiteral("Abandoned: the session was not resumed");
    default: return QStringLiteral("No PUBLISH for this id in the trace");
    }
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
    const FlowWait wait = waitingFor(flow.state);
    if (!wait.packet)
        return false;
    const bool peerSends = (wait.owedBy == FlowParty::Receiver) == (flow.key.direction == Direction::Outbound);
    // Inbound, the sender's PUBREL is due only once our PUBREC went out.
    return peerSends && (flow.state != FlowState::AwaitingPubRel || flow.ackUs >= 0);
}

bool FlowIndex::isStalledBeyondBacklog(const FlowRecord &flow, qint64 nowUs, qint64 thresholdUs) const
{
    return isStalled(flow, nowFor(flow, nowUs), thresholdUs) && !(waitsForPeer(flow) && backlog(flow.key.connection) > 0);
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
