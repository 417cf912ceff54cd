#include "capture_decoder.h"

#include "capture_streams.h"
#include "pcap_reader.h"

#include "protocol/describe.h"
#include "protocol/overloaded.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace mqs {

QString CaptureProblem::toString() const
{
    return QStringLiteral("frame %1, stream %2, %3 → %4: %5")
        .arg(frame)
        .arg(stream)
        .arg(sourcePort)
        .arg(destinationPort)
        .arg(error.toString());
}

namespace {

QString portsText(const std::vector<quint16> &ports)
{
    QStringList words;
    for (quint16 port : ports)
        words << QString::number(port);
    return words.join(QStringLiteral(" or "));
}

QString noMqttSentence(const QString &path, const std::vector<quint16> &ports, bool sawPort)
{
    if (ports.empty())
        return QStringLiteral("%1 holds no MQTT: no TCP stream on port 1883 or 8883, and none that starts with a CONNECT%2.")
            .arg(path, sawPort ? QStringLiteral(" (there is traffic on those ports, but no MQTT packet)") : QString());
    return QStringLiteral("%1 holds no MQTT on TCP port %2%3.")
        .arg(path, portsText(ports), sawPort ? QStringLiteral(" (there is traffic on it, but no MQTT packet)") : QString());
}

void deliver(CaptureItem item, CaptureTotals &totals, const CaptureSinks &sinks)
{
    std::visit(overloaded{
                   [&](CapturedPacket &packet) {
                       ++totals.packets;
                       if (sinks.packet)
                           sinks.packet(std::move(packet));
                   },
                   [&](CaptureStreamNote &note) {
                       if (note.error) {
                           ++totals.problems;
                           if (sinks.problem)
                               sinks.problem(CaptureProblem{note.frame, note.stream, note.sourcePort, note.destinationPort,
                                                            *note.error, note.sourceAddress, note.destinationAddress,
                                                            note.fromClient});
                       } else if (sinks.note) {
                           sinks.note(note.sentence);
                       }
                   },
               },
               item);
}

} // namespace

Result<CaptureTotals> streamCapture(const QString &path, const std::vector<quint16> &ports, const CaptureSinks &sinks)
{
    CaptureTotals totals;
    CaptureStreams streams(ports, [&](CaptureItem item) { deliver(std::move(item), totals, sinks); });
    const auto report = readTcpPayloads(path, [&](const TcpPayload &payload) { streams.add(payload); });
    if (!report)
        return report.problem();
    totals.frames = report->frames;
    const bool encrypted = std::any_of(streams.streams().begin(), streams.streams().end(),
                                       [](const auto &stream) { return stream.second.encrypted; });
    if (totals.packets == 0 && totals.problems == 0 && !encrypted) {
        const QString damage = report->damage ? QLatin1Char(' ') + report->damage->sentence : QString();
        // With ports named, the user's port is what is wrong (InvalidInput): each front end says how to name another.
        const ProblemKind kind = ports.empty() ? ProblemKind::File : ProblemKind::InvalidInput;
        return problem(kind, noMqttSentence(path, ports, streams.sawWatchedPort()) + damage);
    }
    if (sinks.note && !report->cutSentence().isEmpty())
        sinks.note(report->cutSentence());
    if (sinks.note && report->damage)
        sinks.note(report->damage->sentence);
    return totals;
}

Result<CaptureContents> decodeCapture(const QString &path, std::vector<quint16> ports)
{
    CaptureContents contents;
    const auto totals = streamCapture(path, ports,
                                      {.packet = [&](CapturedPacket &&p) { contents.packets.push_back(std::move(p)); },
                                       .problem = [&](const CaptureProblem &p) { contents.problems.push_back(p); },
                                       .note = [&](const QString &n) { contents.notes.push_back(n); }});
    if (!totals)
        return totals.problem();
    contents.frames = totals->frames;
    return contents;
}

QString captureLine(const CapturedPacket &p)
{
    return QStringLiteral("%1  stream %2  %3 → %4  %5")
        .arg(p.time, 10, 'f', 6)
        .arg(p.stream, -3)
        .arg(p.sourcePort, 5)
        .arg(p.destinationPort, -5)
        .arg(describe(p.packet, p.version));
}

namespace {

// What the packet's own type carries: a PUBLISH's topic and flags, the filters of a (UN)SUBSCRIBE,
// a SUBACK's reason per filter.
void insertTypeFields(QJsonObject &json, const Packet &packet)
{
    if (const auto *publish = std::get_if<Publish>(&packet)) {
        json.insert(QStringLiteral("qos"), qosValue(publish->qos));
        json.insert(QStringLiteral("dup"), publish->dup);
        json.insert(QStringLiteral("retain"), publish->retain);
        json.insert(QStringLiteral("topic"), publish->topic);
        json.insert(QStringLiteral("payload_length"), publish->payload.size());
    } else if (const auto *subscribe = std::get_if<Subscribe>(&packet)) {
        QJsonArray topics;
        for (const Subscription &s : subscribe->subscriptions)
            topics.append(s.filter);
        json.insert(QStringLiteral("topics"), topics);
    } else if (const auto *unsubscribe = std::get_if<Unsubscribe>(&packet)) {
        QJsonArray topics;
        for (const QString &f : unsubscribe->filters)
            topics.append(f);
        json.insert(QStringLiteral("topics"), topics);
    } else if (const auto *subAck = std::get_if<SubAck>(&packet)) {
        QJsonArray reasons;
        for (ReasonCode r : subAck->reasons)
            reasons.append(QJsonObject{{QStringLiteral("code"), reasonValue(r)},
                                       {QStringLiteral("name"), reasonName(r, PacketType::SubAck)}});
        json.insert(QStringLiteral("reasons"), reasons);
    }
}

// The packet's reason code where the wire has one: every CONNACK, the other 5.0 acknowledgements.
void insertReason(QJsonObject &json, const CapturedPacket &p)
{
    const bool carriesReason = p.version == ProtocolVersion::V5 || std::holds_alternative<ConnAck>(p.packet);
    if (std::holds_alternative<ConnAck>(p.packet)) { // a 3.1.1 return code as it was on the wire
        const ReasonCode reason = std::get<ConnAck>(p.packet).reason;
        json.insert(QStringLiteral("reason"), QJsonObject{{QStringLiteral("code"), connAckWireValue(reason, p.version)},
                                                           {QStringLiteral("name"), connAckReasonName(reason, p.version)}});
    } else if (const auto reason = reasonOf(p.packet); reason && carriesReason && !std::holds_alternative<Connect>(p.packet)) {
        json.insert(QStringLiteral("reason"), QJsonObject{{QStringLiteral("code"), reasonValue(*reason)},
                                                           {QStringLiteral("name"), reasonName(*reason, packetType(p.packet))}});
    }
}

} // namespace

QJsonObject captureJson(const CapturedPacket &p)
{
    QJsonObject json;
    json.insert(QStringLiteral("frame"), qint64(p.frame));
    json.insert(QStringLiteral("stream"), qint64(p.stream));
    json.insert(QStringLiteral("time"), std::round(p.time * 1e6) / 1e6);
    json.insert(QStringLiteral("src_port"), p.sourcePort);
    json.insert(QStringLiteral("dst_port"), p.destinationPort);
    json.insert(QStringLiteral("type"), packetTypeName(packetType(p.packet)));
    json.insert(QStringLiteral("length"), p.raw.size());
    if (const auto id = packetIdOf(p.packet))
        json.insert(QStringLiteral("id"), id->value);
    insertTypeFields(json, p.packet);
    insertReason(json, p);
    json.insert(QStringLiteral("describe"), describe(p.packet, p.version));
    return json;
}

} // namespace mqs
