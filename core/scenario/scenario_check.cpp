#include "scenario_check.h"

#include "protocol/decoder.h"
#include "protocol/overloaded.h"

#include <algorithm>
#include <set>

namespace mqs {
namespace {

QString numbers(const std::vector<int> &list)
{
    QStringList out;
    for (int n : list)
        out << QString::number(n);
    return out.isEmpty() ? QStringLiteral("none") : out.join(QLatin1Char(','));
}

// "21..50, 52": sorted numbers with runs written as ranges, for lists that may be long.
QString ranges(const std::vector<int> &sorted)
{
    QStringList out;
    for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
            ++j;
        out << (j > i ? QStringLiteral("%1..%2").arg(sorted[i]).arg(sorted[j]) : QString::number(sorted[i]));
        i = j + 1;
    }
    return out.join(QStringLiteral(", "));
}

Judgement judgeReceived(const ReceivedExpectation &e, const ClientRecords &clients)
{
    std::vector<int> received = clients.at(e.client).received;
    for (const QString &other : e.together)
        received.insert(received.end(), clients.at(other).received.begin(), clients.at(other).received.end());
    std::set<int> seen;
    std::vector<int> duplicates;
    for (int n : received)
        if (!seen.insert(n).second)
            duplicates.push_back(n);
    QString detail = QStringLiteral("received %1 message(s): %2").arg(received.size()).arg(numbers(received));
    if (!duplicates.empty())
        detail += QStringLiteral("; twice: %1").arg(numbers(duplicates));
    bool holds = !(e.exactlyOnce && !duplicates.empty());
    if (e.count)
        holds = holds && int(received.size()) == *e.count;
    if (e.sequence) {
        const std::set<int> wanted(e.sequence->begin(), e.sequence->end());
        std::vector<int> missing, extra;
        std::set_difference(wanted.begin(), wanted.end(), seen.begin(), seen.end(), std::back_inserter(missing));
        std::set_difference(seen.begin(), seen.end(), wanted.begin(), wanted.end(), std::back_inserter(extra));
        if (!missing.empty())
            detail += QStringLiteral("; missing: %1").arg(numbers(missing));
        if (!extra.empty())
            detail += QStringLiteral("; not expected: %1").arg(numbers(extra));
        holds = holds && missing.empty() && extra.empty();
        if (e.inOrder && holds && e.exactlyOnce && received != *e.sequence) {
            detail += QStringLiteral("; out of order");
            holds = false;
        }
    }
    return {holds, detail};
}

Judgement judgeFlow(const FlowExpectation &e, const ClientRecord &client)
{
    const FlowUpdate *update = nullptr;
    if (e.direction == Direction::Outbound) {
        const auto serial = client.serialOfSequence.find(*e.sequence);
        if (serial == client.serialOfSequence.end())
            return {false, QStringLiteral("%1 published no QoS 1 or 2 message with seq %2").arg(e.client).arg(*e.sequence)};
        if (const auto it = client.outbound.find(serial->second); it != client.outbound.end())
            update = &it->second;
    } else if (const auto it = client.inbound.find(*e.packetId); it != client.inbound.end()) {
        update = &it->second;
    }
    if (!update)
        return {false, QStringLiteral("no flow")};
    const QString why = update->note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(update->note);
    const bool holds = e.state ? update->state == *e.state : isFinished(update->state);
    return {holds, QStringLiteral("the flow is %1%2").arg(flowStateName(update->state), why)};
}

// The reason codes a packet carries, as they were on the wire of `version`.
std::vector<quint8> reasonsOf(const Packet &packet, ProtocolVersion version)
{
    return std::visit(overloaded{
        [&](const ConnAck &p) { return std::vector<quint8>{connAckWireValue(p.reason, version)}; },
        [](const PubAck &p) { return std::vector<quint8>{reasonValue(p.reason)}; },
        [](const PubRec &p) { return std::vector<quint8>{reasonValue(p.reason)}; },
        [](const PubRel &p) { return std::vector<quint8>{reasonValue(p.reason)}; },
        [](const PubComp &p) { return std::vector<quint8>{reasonValue(p.reason)}; },
        [](const SubAck &p) {
            std::vector<quint8> out;
            for (ReasonCode r : p.reasons)
                out.push_back(reasonValue(r));
            return out;
        },
        [](const UnsubAck &p) {
            std::vector<quint8> out;
            for (ReasonCode r : p.reasons)
                out.push_back(reasonValue(r));
            return out;
        },
        [](const Disconnect &p) { return std::vector<quint8>{reasonValue(p.reason)}; },
        [](const auto &) { return std::vector<quint8>{}; },
    }, packet);
}

Judgement judgeReason(const ReasonExpectation &e, const ClientRecord &client, const TraceLog &trace)
{
    const TraceDirection wanted = e.sentByClient ? TraceDirection::Sent : TraceDirection::Received;
    std::set<quint8> seen;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != e.type || trace.directionOf(s) != wanted
            || std::find(client.traceIds.begin(), client.traceIds.end(), trace.connectionOf(s)) == client.traceIds.end())
            continue;
        const auto decoded = decodePacket(trace.rawView(s), client.version);
        if (const Packet *packet = std::get_if<Packet>(&decoded))
            for (quint8 r : reasonsOf(*packet, client.version))
                seen.insert(r);
    }
    QStringList codes;
    for (quint8 r : seen)
        codes << QStringLiteral("0x%1").arg(r, 2, 16, QLatin1Char('0'));
    return {seen.count(e.reason) > 0,
            seen.empty() ? QStringLiteral("no %1 seen").arg(packetTypeName(e.type))
                         : QStringLiteral("%1 reason codes seen: %2").arg(packetTypeName(e.type), codes.join(QStringLiteral(", ")))};
}

Judgement judgeMessage(const MessageExpectation &e, const ClientRecord &client)
{
    QStringList seen;
    for (const ReceivedMessage &m : client.messages) {
        if (m.sequence != e.sequence)
            continue;
        if ((!e.qos || m.qos == *e.qos) && (!e.retain || m.retain == *e.retain) && (!e.topic || m.topic == *e.topic))
            return {true, QStringLiteral("seq %1 came with QoS %2, retain %3 on %4").arg(m.sequence).arg(qosValue(m.qos)).arg(int(m.retain)).arg(m.topic)};
        seen << QStringLiteral("QoS %1, retain %2 on %3").arg(qosValue(m.qos)).arg(int(m.retain)).arg(m.topic);
    }
    return {false, seen.isEmpty() ? QStringLiteral("no message with seq %1").arg(e.sequence)
                                  : QStringLiteral("seq %1 came with %2").arg(e.sequence).arg(seen.join(QStringLiteral("; ")))};
}

Judgement judgeConnAck(const ConnAckExpectation &e, const ClientRecord &client)
{
    if (client.sessionPresent.empty())
        return {false, QStringLiteral("no CONNACK")};
    const bool present = client.sessionPresent.back();
    return {present == e.sessionPresent, QStringLiteral("the last CONNACK said Session Present %1").arg(int(present))};
}

// The last CONNACK the client received, decoded.
std::optional<ConnAck> lastConnAck(const ClientRecord &client, const TraceLog &trace)
{
    for (quint64 s = trace.endSequence(); s-- > trace.firstSequence();) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != PacketType::ConnAck || trace.directionOf(s) != TraceDirection::Received
            || std::find(client.traceIds.begin(), client.traceIds.end(), trace.connectionOf(s)) == client.traceIds.end())
            continue;
        const auto decoded = decodePacket(trace.rawView(s), client.version);
        if (const Packet *packet = std::get_if<Packet>(&decoded))
            if (const auto *connack = std::get_if<ConnAck>(packet))
                return *connack;
    }
    return std::nullopt;
}

Judgement judgeViolation(const ViolationExpectation &e, const ClientRecord &client)
{
    QStringList seen;
    bool named = false;
    for (const PeerViolation &v : client.violations) {
        seen << v.rule + QLatin1Char(' ') + v.message;
        named = named || v.rule == e.rule;
    }
    const QString detail = seen.isEmpty() ? QStringLiteral("no violation") : seen.join(QStringLiteral("; "));
    return {e.rule ? named : seen.isEmpty(), detail};
}

Judgement judgeAudit(const AuditExpectation &e, const ClientRecords &clients)
{
    const ClientRecord &publisher = clients.at(e.publisher);
    const std::set<int> received(clients.at(e.client).received.begin(), clients.at(e.client).received.end());
    int completed = 0, unfinished = 0;
    std::vector<int> lost;
    for (const auto &[sequence, serial] : publisher.serialOfSequence) {
        const auto state = publisher.outbound.find(serial);
        if (state == publisher.outbound.end() || !isFinished(state->second.state)) {
            ++unfinished;
        } else if (state->second.state == FlowState::Complete) {
            ++completed;
            if (!received.count(sequence))
                lost.push_back(sequence);
        }
    }
    const int delivered = completed - int(lost.size());
    QString detail = QStringLiteral("the broker completed %1 QoS 2 handshakes with %2 and delivered %3 to %4; %5 never left the broker")
                         .arg(completed).arg(e.publisher).arg(delivered).arg(e.client).arg(lost.size());
    if (!lost.empty())
        detail += QStringLiteral(" (seq %1)").arg(ranges(lost));
    if (unfinished > 0)
        detail += QStringLiteral("; %1 handshake(s) with %2 unfinished").arg(unfinished).arg(e.publisher);
    return {unfinished == 0 && completed > 0 && lost.empty(), detail};
}

} // namespace

Judgement judge(const Expectation &expectation, const ClientRecords &clients, const TraceLog &trace)
{
    return std::visit(overloaded{
        [&](const ReceivedExpectation &e) { return judgeReceived(e, clients); },
        [&](const MessageExpectation &e) { return judgeMessage(e, clients.at(e.client)); },
        [&](const ConnAckExpectation &e) { return judgeConnAck(e, clients.at(e.client)); },
        [&](const ConnectedExpectation &e) {
            const bool connected = clients.at(e.client).connected;
            return Judgement{connected == e.connected, connected ? QStringLiteral("connected") : QStringLiteral("not connected")};
        },
        [&](const FlowExpectation &e) { return judgeFlow(e, clients.at(e.client)); },
        [&](const ReasonExpectation &e) { return judgeReason(e, clients.at(e.client), trace); },
        [&](const ViolationExpectation &e) { return judgeViolation(e, clients.at(e.client)); },
        [&](const AuditExpectation &e) { return judgeAudit(e, clients); },
    }, expectation);
}

QString capabilityName(BrokerCapability capability)
{
    switch (capability) {
    case BrokerCapability::SharedSubscriptions: return QStringLiteral("shared subscriptions");
    case BrokerCapability::TopicAliases: return QStringLiteral("topic aliases");
    case BrokerCapability::Retain: return QStringLiteral("retained messages");
    case BrokerCapability::WildcardSubscriptions: return QStringLiteral("wildcard subscriptions");
    case BrokerCapability::MaximumPacketSize: return QStringLiteral("a Maximum Packet Size");
    }
    return {};
}

Judgement judgeCapability(const QString &clientName, BrokerCapability capability, const ClientRecord &client, const TraceLog &trace)
{
    const std::optional<ConnAck> connack = lastConnAck(client, trace);
    if (!connack)
        return {false, QStringLiteral("%1 got no CONNACK").arg(clientName)};
    if (client.version != ProtocolVersion::V5) {
        // 3.1.1 declares nothing: retained messages and wildcards are part of it, the rest is 5.0's.
        const bool part = capability == BrokerCapability::Retain || capability == BrokerCapability::WildcardSubscriptions;
        return {part, part ? QStringLiteral("MQTT 3.1.1 has %1").arg(capabilityName(capability))
                           : QStringLiteral("MQTT 3.1.1 has no %1").arg(capabilityName(capability)),
                !part};
    }
    // 5.0 section 3.2.2.3: an absent property means the feature is there (its default 1), except
    // Topic Alias Maximum (default 0: none) and Maximum Packet Size (absent: no limit announced).
    const auto declared = [&](PropertyId id, quint32 absent) { return connack->properties.integer(id).value_or(absent); };
    quint32 value = 0;
    switch (capability) {
    case BrokerCapability::SharedSubscriptions: value = declared(PropertyId::SharedSubscriptionAvailable, 1); break;
    case BrokerCapability::TopicAliases: value = declared(PropertyId::TopicAliasMaximum, 0); break;
    case BrokerCapability::Retain: value = declared(PropertyId::RetainAvailable, 1); break;
    case BrokerCapability::WildcardSubscriptions: value = declared(PropertyId::WildcardSubscriptionAvailable, 1); break;
    case BrokerCapability::MaximumPacketSize: value = declared(PropertyId::MaximumPacketSize, 0); break;
    }
    return {value > 0, value > 0 ? QStringLiteral("the broker declares %1").arg(capabilityName(capability))
                                 : QStringLiteral("the broker's CONNACK does not declare %1").arg(capabilityName(capability)),
            value == 0};
}

QString describeExpectation(const Expectation &expectation)
{
    return std::visit(overloaded{
        [](const ReceivedExpectation &e) {
            QString what = e.sequence ? QStringLiteral("seq %1").arg(numbers(*e.sequence))
                                      : QStringLiteral("%1 message(s)").arg(*e.count);
            if (e.exactlyOnce)
                what += QStringLiteral(", exactly once");
            if (e.inOrder)
                what += QStringLiteral(", in order");
            if (e.forMs > 0)
                what += QStringLiteral(", for %1 ms").arg(e.forMs);
            QStringList who{e.client};
            who.append(QStringList(e.together.begin(), e.together.end()));
            return QStringLiteral("%1 received %2").arg(who.join(QStringLiteral(" and ")), what);
        },
        [](const MessageExpectation &e) {
            QStringList what;
            if (e.qos)
                what << QStringLiteral("QoS %1").arg(qosValue(*e.qos));
            if (e.retain)
                what << QStringLiteral("retain %1").arg(int(*e.retain));
            if (e.topic)
                what << QStringLiteral("on %1").arg(*e.topic);
            return QStringLiteral("%1 received seq %2 with %3").arg(e.client).arg(e.sequence).arg(what.join(QStringLiteral(", ")));
        },
        [](const ConnectedExpectation &e) {
            return QStringLiteral("%1 is %2").arg(e.client, e.connected ? QStringLiteral("connected") : QStringLiteral("disconnected"));
        },
        [](const ConnAckExpectation &e) {
            return QStringLiteral("%1's CONNACK says Session Present %2").arg(e.client).arg(int(e.sessionPresent));
        },
        [](const FlowExpectation &e) {
            const QString which = e.direction == Direction::Outbound ? QStringLiteral("outbound flow of seq %1").arg(*e.sequence)
                                                                     : QStringLiteral("inbound flow of id %1").arg(*e.packetId);
            const QString stays = e.forMs > 0 ? QStringLiteral(" for %1 ms").arg(e.forMs) : QString();
            const QString state = e.state ? flowStateName(*e.state) : QStringLiteral("Finished");
            return QStringLiteral("%1's %2 is %3%4").arg(e.client, which, state, stays);
        },
        [](const ReasonExpectation &e) {
            return QStringLiteral("%1 %2 %3 0x%4").arg(e.client, e.sentByClient ? QStringLiteral("sent") : QStringLiteral("received"),
                                                        packetTypeName(e.type)).arg(e.reason, 2, 16, QLatin1Char('0'));
        },
        [](const ViolationExpectation &e) {
            return e.rule ? QStringLiteral("%1 caught the broker breaking %2").arg(e.client, *e.rule)
                          : QStringLiteral("%1 caught no violation by the broker").arg(e.client);
        },
        [](const AuditExpectation &e) {
            return QStringLiteral("%1 received every QoS 2 message %2 completed").arg(e.client, e.publisher);
        },
    }, expectation);
}

} // namespace mqs
