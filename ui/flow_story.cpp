#include "flow_story.h"

#include "trace/trace_text.h"

#include <QCoreApplication>
#include <QDateTime>

#include <set>

namespace mqs {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("FlowInspector", text);
}

// Who sends on this flow's hop and who receives, as the diagram names the lanes.
std::pair<QString, QString> endsOf(const TraceConnection &c, Direction direction)
{
    return direction == Direction::Outbound ? std::make_pair(c.localParty, c.remoteParty)
                                            : std::make_pair(c.remoteParty, c.localParty);
}

// The client at the far end of a hop: the app's own connection, or the client a broker lane serves.
QString clientOf(const TraceConnection &c)
{
    if (c.role == ConnectionRole::Observed)
        return c.localParty; // the device, by its client id once known
    return recordedAtClient(c.role) ? c.name : c.remoteParty;
}

// Whose packets the sentences speak of: the app's own (ours, the peer's), or, on a connection it
// observes (recorded at the device's end), the device's and the broker's.
struct Voice {
    QString ours; // "our PUBREL"
    QString peers; // "the peer's PUBREC"
    QString receiver; // who has not seen a held incoming packet: "our session"
};

Voice voiceOf(ConnectionRole role)
{
    if (role == ConnectionRole::Observed)
        return {tr("the device's"), tr("the broker's"), tr("the device")};
    return {tr("our"), tr("the peer's"), tr("our session")};
}

QString markText(TraceMark mark, bool sent)
{
    switch (mark) {
    case TraceMark::Held: return tr("held by a rule");
    case TraceMark::Released: return sent ? tr("released, sent") : tr("released, received");
    case TraceMark::Dropped: return tr("dropped by a rule");
    case TraceMark::Delayed: return sent ? tr("sent late (delayed by a rule)") : tr("received late (delayed by a rule)");
    case TraceMark::Duplicated: return sent ? tr("sent again (duplicated by a rule)") : tr("received again (duplicated by a rule)");
    case TraceMark::None: break;
    }
    return sent ? tr("sent") : tr("received");
}

// Each step at the time it happened: a capture's by the capture's own clock, not when it was opened.
std::vector<FlowStep> stepsOf(const TraceLog &log, const FlowRecord &f)
{
    std::vector<FlowStep> steps;
    const qint64 start = f.events.empty() ? 0 : log.timeUs(f.events.front());
    const auto connection = log.connection(f.key.connection).value_or(TraceConnection{});
    for (quint64 s : f.events) {
        if (!log.contains(s))
            continue;
        const qint64 us = log.timeUs(s);
        const QDateTime wall = QDateTime::fromMSecsSinceEpoch(wallTimeUs(log, connection, us) / 1000);
        steps.push_back(FlowStep{
            .packet = QStringLiteral("%1 id=%2").arg(packetTypeName(log.typeOf(s))).arg(log.packetIdOf(s).value),
            .what = markText(log.markOf(s), log.directionOf(s) == TraceDirection::Sent),
            .at = wall.toString(wall.date() == QDate::currentDate() ? QStringLiteral("HH:mm:ss.zzz") // another day's capture: with its date
                                                                     : QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
            .since = QStringLiteral("+%1").arg(durationText(us - start)),
        });
    }
    return steps;
}

QString heldByText(const Workbench &workbench, const FlowRecord &f, const Voice &voice, qint64 nowUs)
{
    if (!f.heldEvent || !f.isOpen())
        return QString();
    QString rule = tr("a fault rule");
    const Connection *owner = workbench.connectionByTraceId(f.key.connection); // null: a sandbox broker lane or a proxy's
    const WindowProxy *proxy = workbench.proxyOf(f.key.connection);
    for (const Workbench::Held &h : workbench.heldPackets()) {
        const bool sameOwner = proxy ? h.proxy == proxy && h.packet.owner == f.key.connection : !h.proxy && h.connection == owner;
        if (sameOwner && h.packet.ruleId == f.heldRule && h.packet.packetId == f.key.packetId && h.packet.type == f.heldType)
            rule = tr("rule '%1'").arg(h.packet.ruleName);
    }
    return tr("%1 holds %2 %3 (%4)")
        .arg(rule, f.heldSent ? voice.ours : voice.peers, packetTypeName(f.heldType), durationText(nowUs - f.heldUs));
}

// What the wait means for the application message, from what holds it and what was forwarded.
QString blockerText(const FlowRecord &f, const Voice &voice, bool forwarded)
{
    const bool toBroker = f.hop == FlowHop::ToBroker;
    const bool pubRelOwed = f.state == FlowState::AwaitingPubRel || (f.heldEvent && f.heldType == PacketType::PubRel);
    if (f.heldEvent && f.heldSent && f.heldType == PacketType::PubRel && toBroker)
        return forwarded ? tr("the broker delivered it already; %1 held PUBREL keeps id %2 in use on this hop").arg(voice.ours).arg(f.key.packetId.value)
                         : tr("the broker will not deliver this message until it gets %1 PUBREL").arg(voice.ours);
    if (f.heldEvent)
        return f.heldSent ? tr("the handshake cannot go on until %1 %2 is released or dropped").arg(voice.ours, packetTypeName(f.heldType))
                          : tr("%1 has not seen %2 %3 yet: a rule holds it").arg(voice.receiver, voice.peers, packetTypeName(f.heldType));
    if (f.state == FlowState::Queued)
        return tr("not sent yet: every unit of send quota is in use");
    if (pubRelOwed && toBroker && !forwarded)
        return tr("the broker will not deliver this message until it gets %1 PUBREL")
            .arg(f.key.direction == Direction::Outbound ? voice.ours : tr("the publisher's"));
    const FlowWait wait = waitingFor(f.state);
    return wait.packet ? tr("the hop waits for %1").arg(waitingForText(f.state)) : QString();
}

} // namespace

QString sendQuotaText(const Connection *c)
{
    if (!c || c->state() != ConnectionState::Connected)
        return QString();
    const Session &s = c->session();
    // 3.1.1 has no Receive Maximum: the 5.0 default (65,535) stands for it, so our own limit rules.
    const int peerWindow = s.link().isV5() ? int(s.link().peerReceiveMaximum) : int(kDefaultReceiveMaximum);
    const int window = std::min(peerWindow, c->settings().session.maximumInflight);
    QString text = tr("%1: %L2 of %L3 send quota in use").arg(c->settings().name).arg(s.outbound().inflight()).arg(window);
    if (const int queued = s.outbound().queued(); queued > 0)
        text += tr(", %L1 publishes queued").arg(queued);
    return text;
}

QString hopSentence(const TraceLog &log, const FlowIndex &flows, const FlowRecord &f)
{
    // (client, id) of the other hop, each once. Where a hop is traced at both ends, the app's own
    // connection names it (the broker's end knows only the client id).
    std::set<std::pair<QString, quint16>> byClient;
    std::set<std::pair<QString, quint16>> byBroker;
    for (FlowId id : flows.hopsOf(f.id)) {
        const FlowRecord *other = flows.find(id);
        if (!other || other->hop == f.hop)
            continue; // the same hop seen from its other end
        const auto c = log.connection(other->key.connection).value_or(TraceConnection{});
        (recordedAtClient(c.role) ? byClient : byBroker).emplace(clientOf(c), other->key.packetId.value);
    }
    QStringList parts;
    for (const auto &[client, id] : byClient.empty() ? byBroker : byClient)
        parts << (f.hop == FlowHop::ToBroker ? tr("%1 as id %2") : tr("%1's id %2")).arg(client).arg(id);
    if (f.hop == FlowHop::ToBroker && parts.isEmpty()) // "yet" only while the flow goes on: a capture may hold no subscriber
        return f.isOpen() ? tr("not forwarded yet") : tr("no delivery of it to a subscriber is in the trace");
    if (f.hop == FlowHop::ToBroker)
        return tr("forwarded to %1").arg(parts.join(QStringLiteral(", ")));
    return parts.isEmpty() ? tr("its publisher's hop is not in the trace") : tr("forwarded from %1").arg(parts.join(QStringLiteral(", ")));
}

FlowStory tellFlow(Workbench &workbench, const FlowRecord &f, qint64 nowUs)
{
    nowUs = workbench.flows().nowFor(f, nowUs); // a capture's flows waited until its end
    const TraceLog &log = workbench.trace();
    const FlowIndex &flows = workbench.flows();
    const auto connection = log.connection(f.key.connection).value_or(TraceConnection{});
    const auto [from, to] = endsOf(connection, f.key.direction);
    FlowStory story;
    story.title = tr("%1 → %2 · id %3 · QoS %4 · %5").arg(from, to).arg(f.key.packetId.value).arg(qosValue(f.qos)).arg(f.topic);
    story.state = FlowIndex::stateText(f);
    story.waiting = flows.sentence(f, nowUs);
    const Voice voice = voiceOf(connection.role);
    story.heldBy = heldByText(workbench, f, voice, nowUs);
    story.hops = hopSentence(log, flows, f);
    story.steps = stepsOf(log, f);
    if (!f.isOpen())
        return story;
    const bool forwarded = f.hop == FlowHop::ToBroker && story.hops.startsWith(tr("forwarded"));
    QStringList meaning;
    if (const QString blocker = blockerText(f, voice, forwarded); !blocker.isEmpty())
        meaning << blocker;
    if (f.hop == FlowHop::ToBroker && !forwarded)
        meaning << tr("nobody has received it yet");
    if (f.key.direction == Direction::Outbound)
        if (const QString quota = sendQuotaText(workbench.connectionByTraceId(f.key.connection)); !quota.isEmpty())
            meaning << quota;
    story.meaning = meaning.join(QStringLiteral("; "));
    return story;
}

} // namespace mqs
