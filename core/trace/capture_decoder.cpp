#include "capture_decoder.h"

#include "pcap_reader.h"

#include "protocol/describe.h"

#include <QJsonArray>

#include <cmath>
#include <map>

namespace mqs {
namespace {

struct StreamDecoders {
    Decoder toServer;
    Decoder toClient;
};

} // namespace

QString CaptureProblem::toString() const
{
    return QStringLiteral("frame %1, stream %2, %3 → %4: %5")
        .arg(frame)
        .arg(stream)
        .arg(sourcePort)
        .arg(destinationPort)
        .arg(error.toString());
}

Result<CaptureTotals> streamCapture(const QString &path, quint16 port, const CaptureSinks &sinks)
{
    CaptureTotals totals;
    std::map<quint32, StreamDecoders> streams;
    bool sawPort = false;
    const auto error = readTcpPayloads(
        path,
        [&](const TcpPayload &payload) {
            const bool toServer = payload.destinationPort == port;
            if (!toServer && payload.sourcePort != port)
                return;
            sawPort = true;
            StreamDecoders &d = streams[payload.stream];
            Decoder &decoder = toServer ? d.toServer : d.toClient;
            if (decoder.failed())
                return;
            decoder.feed(payload.bytes);
            while (true) {
                auto result = decoder.next();
                if (std::holds_alternative<std::monostate>(result))
                    break;
                if (const auto *problem = std::get_if<ProtocolError>(&result)) {
                    ++totals.problems;
                    if (sinks.problem)
                        sinks.problem(CaptureProblem{payload.frame, payload.stream, payload.sourcePort, payload.destinationPort, *problem,
                                                 payload.sourceAddress, payload.destinationAddress});
                    break;
                }
                auto &decoded = std::get<DecodedPacket>(result);
                if (const auto *connect = std::get_if<Connect>(&decoded.packet))
                    d.toClient.setVersion(connect->version); // the server answers in the CONNECT's version
                ++totals.packets;
                if (sinks.packet)
                    sinks.packet(CapturedPacket{payload.frame, payload.time, payload.stream, payload.sourcePort,
                                                payload.destinationPort, toServer, decoder.version(), std::move(decoded.packet),
                                                std::move(decoded.raw), payload.sourceAddress, payload.destinationAddress});
            }
        },
        &totals.frames);
    if (error)
        return Problem{ProblemKind::File, *error};
    if (totals.packets == 0 && totals.problems == 0)
        return Problem{ProblemKind::File, QStringLiteral("%1 holds no MQTT on TCP port %2%3. Give the broker's port with --port.")
                                              .arg(path)
                                              .arg(port)
                                              .arg(sawPort ? QStringLiteral(" (there is traffic on it, but no MQTT packet)") : QString())};
    return totals;
}

std::variant<CaptureContents, QString> decodeCapture(const QString &path, quint16 port)
{
    CaptureContents contents;
    const auto totals = streamCapture(path, port,
                                      {.packet = [&](CapturedPacket &&p) { contents.packets.push_back(std::move(p)); },
                                       .problem = [&](const CaptureProblem &p) { contents.problems.push_back(p); }});
    if (!totals)
        return totals.problem().sentence;
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
    if (const auto *publish = std::get_if<Publish>(&p.packet)) {
        json.insert(QStringLiteral("qos"), qosValue(publish->qos));
        json.insert(QStringLiteral("dup"), publish->dup);
        json.insert(QStringLiteral("retain"), publish->retain);
        json.insert(QStringLiteral("topic"), publish->topic);
        json.insert(QStringLiteral("payload_length"), publish->payload.size());
    } else if (const auto *subscribe = std::get_if<Subscribe>(&p.packet)) {
        QJsonArray topics;
        for (const Subscription &s : subscribe->subscriptions)
            topics.append(s.filter);
        json.insert(QStringLiteral("topics"), topics);
    } else if (const auto *unsubscribe = std::get_if<Unsubscribe>(&p.packet)) {
        QJsonArray topics;
        for (const QString &f : unsubscribe->filters)
            topics.append(f);
        json.insert(QStringLiteral("topics"), topics);
    } else if (const auto *subAck = std::get_if<SubAck>(&p.packet)) {
        QJsonArray reasons;
        for (ReasonCode r : subAck->reasons)
            reasons.append(QJsonObject{{QStringLiteral("code"), reasonValue(r)},
                                       {QStringLiteral("name"), reasonName(r, PacketType::SubAck)}});
        json.insert(QStringLiteral("reasons"), reasons);
    }
    const bool carriesReason = p.version == ProtocolVersion::V5 || std::holds_alternative<ConnAck>(p.packet);
    if (std::holds_alternative<ConnAck>(p.packet)) { // a 3.1.1 return code as it was on the wire
        const ReasonCode reason = std::get<ConnAck>(p.packet).reason;
        json.insert(QStringLiteral("reason"), QJsonObject{{QStringLiteral("code"), connAckWireValue(reason, p.version)},
                                                           {QStringLiteral("name"), connAckReasonName(reason, p.version)}});
    } else if (const auto reason = reasonOf(p.packet); reason && carriesReason && !std::holds_alternative<Connect>(p.packet)) {
        json.insert(QStringLiteral("reason"), QJsonObject{{QStringLiteral("code"), reasonValue(*reason)},
                                                           {QStringLiteral("name"), reasonName(*reason, packetType(p.packet))}});
    }
    json.insert(QStringLiteral("describe"), describe(p.packet, p.version));
    return json;
}

} // namespace mqs
