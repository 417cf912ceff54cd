// Proxy, forwarding: frames each stream packet by packet, traces every packet once on the
// device's Observed connection (Sent = device → broker), and carries out the fault gate's
// verdict. A packet crosses as the bytes that arrived; nothing is re-encoded.

#include "proxy.h"
#include "proxy_link.h"

#include "protocol/overloaded.h"
#include "protocol/reason_code.h"
#include "transport/transport.h"

#include <QTimer>

namespace mqs {

namespace {
// Garbage is named by its first bytes in the trace, enough to recognise an HTTP request or a
// TLS ClientHello sent to a plain port.
constexpr qsizetype kGarbageBytesShown = 16;

bool towardBroker(TraceDirection direction)
{
    return direction == TraceDirection::Sent;
}
} // namespace

void Proxy::onDeviceBytes(ProxyDeviceLink &link, const QByteArray &bytes)
{
    if (link.device.state == ProxyDeviceState::Closed || link.toBroker.failed())
        return;
    link.toBroker.feed(bytes);
    frame(link, TraceDirection::Sent);
}

void Proxy::onUpstreamBytes(ProxyDeviceLink &link, const QByteArray &bytes)
{
    if (link.device.state == ProxyDeviceState::Closed || link.toDevice.failed())
        return;
    link.toDevice.feed(bytes);
    frame(link, TraceDirection::Received);
}

// A chunk that arrived often holds several packets (a device's burst, a broker's fan-out):
// what crosses is gathered and written once when the chunk is framed, so the cost of a write
// (a system call, and the peer's wakeup) is paid per chunk, not per packet.
// The packets of one chunk arrived together, in one read: they are traced at that read's time,
// and the clock is read once per chunk, not once or twice per packet.
void Proxy::frame(ProxyDeviceLink &link, TraceDirection direction)
{
    const qint64 outerChunkTimeUs = std::exchange(m_chunkTimeUs, m_trace.clock().nowUs());
    link.gathering = true;
    framePackets(link, direction);
    link.gathering = false;
    sendGathered(link);
    m_chunkTimeUs = outerChunkTimeUs;
}

qint64 Proxy::nowUs() const
{
    return m_chunkTimeUs != kNoChunk ? m_chunkTimeUs : m_trace.clock().nowUs();
}

// Takes every whole packet out of one direction's decoder and passes it to the gate, in order.
void Proxy::framePackets(ProxyDeviceLink &link, TraceDirection direction)
{
    Decoder &decoder = towardBroker(direction) ? link.toBroker : link.toDevice;
    const ConnectionId id = link.device.connection;
    while (link.device.state != ProxyDeviceState::Closed) {
        Decoder::Result next = decoder.next();
        if (std::holds_alternative<NeedMoreBytes>(next))
            return;
        if (const auto *error = std::get_if<ProtocolError>(&next)) {
            breakFraming(link, direction, error->toString());
            return;
        }
        DecodedPacket &decoded = std::get<DecodedPacket>(next);
        if (towardBroker(direction))
            learnFromDevice(link, decoded.packet);
        else if (const auto *connAck = std::get_if<ConnAck>(&decoded.packet))
            learnFromConnAck(link, *connAck);
        const QString topic = topicOf(link, direction, decoded.packet);
        pass(link, HeldPacket::of(id, direction, std::move(decoded.packet), std::move(decoded.raw), topic, link.device.clientId));
    }
}

// The device's CONNECT names its lane and says which protocol version both streams speak.
void Proxy::learnFromDevice(ProxyDeviceLink &link, const Packet &packet)
{
    const auto *connect = std::get_if<Connect>(&packet);
    if (!connect)
        return;
    link.sawConnect = true;
    link.device.connectSeen = true;
    link.device.version = connect->version;
    link.toDevice.setVersion(connect->version);
    nameLane(link, connect->clientId);
    if (link.answerConnect)
        synthesizeConnAck(link);
}

// A 5.0 broker names a device that sent an empty client id ([MQTT-3.2.2-16]). A refusal crosses
// unchanged and is reported for the device too, as an unreachable broker is: the broker closes
// next, and without it the device's close would read as an orderly one.
void Proxy::learnFromConnAck(ProxyDeviceLink &link, const ConnAck &connAck)
{
    link.sawConnAck = true;
    if (isFailure(connAck.reason))
        reportProblem(link, mqs::problem(ProblemKind::Refused, QStringLiteral("The broker %1 refused device %2: CONNACK %3")
                                                                  .arg(m_settings.upstream.toString(), deviceName(link),
                                                                       reasonText(connAck.reason, PacketType::ConnAck))));
    if (link.device.clientId.isEmpty())
        if (const auto assigned = connAck.properties.string(PropertyId::AssignedClientIdentifier))
            nameLane(link, *assigned);
}

void Proxy::nameLane(ProxyDeviceLink &link, const QString &clientId)
{
    link.device.clientId = clientId;
    if (auto lane = m_trace.connection(link.device.connection)) {
        const QString name = clientId.isEmpty() ? link.device.address : clientId;
        lane->name = name;
        lane->localParty = name;
        lane->clientId = clientId;
        lane->version = link.device.version;
        m_trace.updateConnection(*lane);
    }
    emit deviceChanged(link.device.connection);
}

// PUBLISH carries its topic; an acknowledgement has the topic of the flow it belongs to.
QString Proxy::topicOf(ProxyDeviceLink &link, TraceDirection direction, const Packet &packet)
{
    const PacketType type = packetType(packet);
    if (!belongsToFlow(type))
        return {};
    const auto id = packetIdOf(packet);
    if (!id)
        return std::get<Publish>(packet).topic; // QoS 0
    const bool fromPublisher = type == PacketType::Publish || type == PacketType::PubRel;
    const quint32 key = ProxyDeviceLink::flowKey(fromPublisher == towardBroker(direction), *id);
    if (const auto *publish = std::get_if<Publish>(&packet)) {
        link.flowTopics.insert(key, publish->topic);
        return publish->topic;
    }
    const QString topic = link.flowTopics.value(key);
    if (type == PacketType::PubAck || type == PacketType::PubComp)
        link.flowTopics.remove(key);
    return topic;
}

void Proxy::pass(ProxyDeviceLink &link, HeldPacket packet)
{
    if (link.closing) {
        unforwardable(link, packet);
        return;
    }
    const GateVerdict verdict = m_gate.judge(packet, nowUs());
    const ConnectionId id = link.device.connection;
    const quint32 rule = verdict.ruleId;
    std::visit(overloaded{
                   [&](const gate::Cross &) { cross(link, packet, TraceMark::None, 0); },
                   [&](const gate::Hold &) {
                       record(link, packet, TraceMark::Held, rule);
                       emit heldChanged();
                   },
                   [&](const gate::Drop &) { record(link, packet, TraceMark::Dropped, rule); },
                   [&](const gate::Delay &delay) {
                       link.observed->delayed(towardBroker(packet.direction) ? ObservedSide::Client : ObservedSide::Broker,
                                              packet.packet, nowUs(), rule);
                       QTimer::singleShot(delay.ms, this, [this, packet, id, rule] {
                           if (ProxyDeviceLink *l = linkOf(id); l && isAlive(id))
                               cross(*l, packet, TraceMark::Delayed, rule);
                       });
                   },
                   [&](const gate::Duplicate &) {
                       cross(link, packet, TraceMark::None, 0);
                       // The copy of a QoS 1/2 PUBLISH is a re-delivery: DUP=1, the only bit changed.
                       cross(link, resentCopy(packet), TraceMark::Duplicated, rule);
                   },
                   [&](const gate::CutAfter &cutAfter) {
                       cross(link, packet, TraceMark::None, 0);
                       cutAfterCrossing(link, packet.direction, cutAfter.why);
                   },
               },
               verdict.action);
    if (verdict.actedOn())
        emit faultRuleActed(rule);
}

// The packet just written reaches its side before the cut: that side is closed once its bytes
// are flushed (to it, the connection is lost without a DISCONNECT), the side it came from is
// reset at once, as a network failure would.
void Proxy::cutAfterCrossing(ProxyDeviceLink &link, TraceDirection direction, const QString &why)
{
    if (link.closing)
        return;
    link.closing = true;
    traceNote(link, TraceKind::Cut, why);
    sendGathered(link); // the packet that crossed reaches its side before the close
    Transport *destination = towardBroker(direction) ? link.upstream.data() : link.deviceSide.data();
    Transport *origin = towardBroker(direction) ? link.deviceSide.data() : link.upstream.data();
    if (origin && !(towardBroker(direction) ? link.deviceClosed : link.upstreamClosed))
        origin->abort();
    if (destination && !(towardBroker(direction) ? link.upstreamClosed : link.deviceClosed))
        destination->close();
    finishIfClosed(link);
}

// A packet that arrived while its device is being closed: the side it goes to is closed or
// closing, so it is traced as dropped (by no rule), with a note the first time.
void Proxy::unforwardable(ProxyDeviceLink &link, const HeldPacket &packet)
{
    if (!link.notedUnforwardable) {
        link.notedUnforwardable = true;
        traceNote(link, TraceKind::Note,
                  QStringLiteral("%1 sent after the connection began closing: traced, not forwarded")
                      .arg(towardBroker(packet.direction) ? QStringLiteral("the device") : QStringLiteral("the broker")));
    }
    record(link, packet, TraceMark::Dropped, 0);
}

// Sends the packet's bytes to the side it goes to and traces it.
void Proxy::cross(ProxyDeviceLink &link, const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    send(link, packet.direction, packet.raw);
    ++(towardBroker(packet.direction) ? link.device.packetsToBroker : link.device.packetsToDevice);
    ++m_forwarded;
    record(link, packet, mark, ruleId);
}

// Bytes for one side: gathered while a chunk is framed, queued until the broker connection is
// open, written at once otherwise.
void Proxy::send(ProxyDeviceLink &link, TraceDirection direction, const QByteArray &bytes)
{
    if (link.gathering) {
        (towardBroker(direction) ? link.gatheredToBroker : link.gatheredToDevice) += bytes;
        return;
    }
    if (!towardBroker(direction))
        link.deviceSide->writeNow(bytes);
    else if (link.upstreamOpen)
        link.upstream->writeNow(bytes);
    else
        link.upstreamBacklog += bytes;
}

// Writes what was gathered, in the order it crossed. The buffers keep their capacity for the
// next chunk.
void Proxy::sendGathered(ProxyDeviceLink &link)
{
    const bool wasGathering = std::exchange(link.gathering, false);
    for (auto [direction, gathered] : {std::pair{TraceDirection::Sent, &link.gatheredToBroker},
                                       std::pair{TraceDirection::Received, &link.gatheredToDevice}})
        if (!gathered->isEmpty()) {
            send(link, direction, *gathered);
            gathered->resize(0);
        }
    link.gathering = wasGathering;
}

// Every packet that crossed, or that its sender sent as the connection closed, goes through the
// observer, which traces it with its flow's state and the rules either side broke; a packet a
// rule withheld is traced without it, since its peer never saw it.
void Proxy::record(ProxyDeviceLink &link, const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    const ObservedSide from = towardBroker(packet.direction) ? ObservedSide::Client : ObservedSide::Broker;
    const qint64 now = nowUs();
    if (mark == TraceMark::Held || (mark == TraceMark::Dropped && ruleId != 0)) {
        link.observed->withheld(from, packet.packet, packet.raw, now, mark, ruleId); // its peer never saw it
        return;
    }
    link.observed->packet(from, packet.packet, packet.raw, now, mark, ruleId);
    reportFindings(link);
}

// Bytes that are not MQTT: traced with the decoder's sentence, and both sides closed at once,
// since nothing after the bad byte can be framed.
void Proxy::breakFraming(ProxyDeviceLink &link, TraceDirection direction, const QString &why)
{
    const QString who = towardBroker(direction) ? QStringLiteral("The device") : QStringLiteral("The broker");
    const QString sentence = QStringLiteral("%1 %2 sent bytes that are not MQTT: %3")
                                 .arg(who, towardBroker(direction) ? deviceName(link) : m_settings.upstream.toString(), why);
    TraceEvent event;
    event.timeUs = m_trace.clock().nowUs();
    event.connection = link.device.connection;
    event.kind = TraceKind::Violation;
    event.direction = direction;
    event.note = sentence;
    m_trace.append(std::move(event));
    reportProblem(link, mqs::problem(ProblemKind::Protocol, sentence));
    closeLink(link, TraceKind::Cut, QStringLiteral("both sides closed: the stream cannot be framed past a malformed packet"),
              true);
}

Status Proxy::release(quint64 heldId)
{
    auto packet = m_gate.take(heldId);
    if (!packet)
        return mqs::problem(ProblemKind::State, QStringLiteral("No packet %1 is held.").arg(heldId));
    emit heldChanged();
    ProxyDeviceLink *link = linkOf(packet->owner);
    if (!link || !isAlive(packet->owner))
        return mqs::problem(ProblemKind::State, QStringLiteral("The device of held packet %1 has disconnected.").arg(heldId));
    cross(*link, *packet, TraceMark::Released, packet->ruleId);
    return {};
}

Status Proxy::drop(quint64 heldId)
{
    auto packet = m_gate.take(heldId);
    if (!packet)
        return mqs::problem(ProblemKind::State, QStringLiteral("No packet %1 is held.").arg(heldId));
    emit heldChanged();
    if (ProxyDeviceLink *link = linkOf(packet->owner); link && isAlive(packet->owner))
        record(*link, *packet, TraceMark::Dropped, packet->ruleId);
    return {};
}

std::vector<HeldPacket> Proxy::heldPackets() const
{
    return m_gate.held();
}

} // namespace mqs
