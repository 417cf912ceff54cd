#include "capture_streams.h"

#include "version_evidence.h"

#include "protocol/overloaded.h"

#include <algorithm>

namespace mqs {
namespace {

constexpr quint8 kTlsChangeCipherSpec = 20; // the lowest TLS record content type
constexpr quint8 kTlsApplicationData = 23; // the highest
constexpr quint8 kTlsMajorVersion = 3;
constexpr qsizetype kTlsRecordHeader = 3; // content type and legacy version tell
// A CONNECT's first bytes: fixed header (2 to 5 bytes), then the protocol name's length and name.
constexpr qsizetype kConnectProbeBytes = 5 + 2 + 6;
constexpr quint8 kFixedHeaderConnect = 0x10;
constexpr int kMaxRemainingLengthBytes = 4; // section 2.2.3

// The packet types each side may send, by the specification's table of directions (2.1.2).
bool sentBy(PacketType type, bool fromClient)
{
    switch (type) {
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::PingReq:
        return fromClient;
    case PacketType::ConnAck:
    case PacketType::SubAck:
    case PacketType::UnsubAck:
    case PacketType::PingResp:
        return !fromClient;
    case PacketType::Publish:
    case PacketType::PubAck:
    case PacketType::PubRec:
    case PacketType::PubRel:
    case PacketType::PubComp:
    case PacketType::Disconnect:
    case PacketType::Auth:
        return true;
    }
    return false;
}

// Whether `first` can open a packet from this side: a type it may send, with the flags
// [MQTT-2.2.2-1] fixes (PUBLISH's are free but QoS 3 [MQTT-3.3.1-4]).
bool plausibleFirstByte(quint8 first, bool fromClient)
{
    const int type = first >> 4;
    const int flags = first & 0x0F;
    if (type < int(PacketType::Connect) || type > int(PacketType::Auth) || !sentBy(PacketType(type), fromClient))
        return false;
    switch (PacketType(type)) {
    case PacketType::Publish:
        return ((flags >> 1) & 0x03) != 0x03;
    case PacketType::PubRel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        return flags == 0x02;
    default:
        return flags == 0;
    }
}

// The fixed header's length and the packet's, or nullopt when more bytes are needed; -1 when
// the remaining length is malformed.
std::optional<std::pair<qsizetype, qsizetype>> packetExtent(QByteArrayView bytes)
{
    qsizetype length = 0;
    for (int i = 0; i < kMaxRemainingLengthBytes; ++i) {
        if (1 + i >= bytes.size())
            return std::nullopt;
        const quint8 digit = quint8(bytes[1 + i]);
        length |= qsizetype(digit & 0x7F) << (7 * i);
        if (!(digit & 0x80))
            return std::pair{qsizetype(2 + i), qsizetype(2 + i) + length};
    }
    return std::pair{qsizetype(-1), qsizetype(-1)};
}

// Whether `bytes` begin with a whole packet of a type this side sends (its flags not checked, so
// that a broken packet is reported rather than skipped) followed by the end or another packet.
bool framesWholePacket(QByteArrayView bytes, bool fromClient)
{
    if (bytes.isEmpty())
        return false;
    const int type = quint8(bytes[0]) >> 4;
    if (type < int(PacketType::Connect) || type > int(PacketType::Auth) || !sentBy(PacketType(type), fromClient))
        return false;
    const auto extent = packetExtent(bytes);
    if (!extent || extent->first < 0 || extent->second > bytes.size())
        return false;
    return extent->second == bytes.size() || plausibleFirstByte(quint8(bytes[extent->second]), fromClient);
}

QString sideName(bool fromClient)
{
    return fromClient ? QStringLiteral("client → broker") : QStringLiteral("broker → client");
}

} // namespace

bool startsWithTlsRecord(QByteArrayView bytes)
{
    if (bytes.size() < kTlsRecordHeader)
        return false;
    const quint8 type = quint8(bytes[0]);
    return type >= kTlsChangeCipherSpec && type <= kTlsApplicationData && quint8(bytes[1]) == kTlsMajorVersion
        && quint8(bytes[2]) <= 4;
}

std::optional<bool> startsWithConnect(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return std::nullopt;
    if (quint8(bytes[0]) != kFixedHeaderConnect)
        return false;
    const auto extent = packetExtent(bytes);
    if (!extent)
        return bytes.size() >= kConnectProbeBytes ? std::optional(false) : std::nullopt;
    const qsizetype name = extent->first;
    if (name < 0)
        return false;
    for (const QByteArrayView protocol : {QByteArrayView("\x00\x04MQTT", 6), QByteArrayView("\x00\x06MQIsdp", 8)}) {
        const QByteArrayView have = bytes.sliced(std::min(name, bytes.size())).first(
            std::min(protocol.size(), std::max<qsizetype>(0, bytes.size() - name)));
        if (have == protocol)
            return true;
        if (have.size() < protocol.size() && protocol.startsWith(have))
            return std::nullopt;
    }
    return false;
}

CaptureStreams::CaptureStreams(std::vector<quint16> ports, Sink sink)
    : m_ports(std::move(ports))
    , m_recogniseConnect(m_ports.empty())
    , m_sink(std::move(sink))
{
    if (m_ports.empty())
        m_ports = {kMqttPort, kMqttTlsPort};
}

const CaptureStream *CaptureStreams::stream(quint32 index) const
{
    const auto it = m_streams.find(index);
    return it == m_streams.end() ? nullptr : &it->second;
}

bool CaptureStreams::isWatched(quint16 port) const
{
    return std::find(m_ports.begin(), m_ports.end(), port) != m_ports.end();
}

void CaptureStreams::add(const TcpPayload &payload)
{
    State &state = m_states[payload.stream];
    switch (state.verdict) {
    case State::Verdict::Undecided:
        classify(state, payload);
        return;
    case State::Verdict::Mqtt:
        feed(state, m_streams.at(payload.stream), payload, payload.bytes);
        return;
    case State::Verdict::NotMqtt:
        return;
    }
}

// Decides whether the stream is MQTT and which side is the broker: a watched port, or (with no
// port named) a CONNECT in the first bytes of the side that speaks first.
void CaptureStreams::classify(State &state, const TcpPayload &payload)
{
    if (isWatched(payload.destinationPort) || isWatched(payload.sourcePort)) {
        m_sawWatchedPort = true;
        adopt(state, payload, isWatched(payload.destinationPort));
        feed(state, m_streams.at(payload.stream), payload, payload.bytes);
        return;
    }
    if (!m_recogniseConnect || payload.missingBefore > 0) {
        state.verdict = State::Verdict::NotMqtt;
        return;
    }
    state.firstBytes += payload.bytes;
    const auto connect = startsWithConnect(state.firstBytes);
    if (!connect)
        return;
    if (!*connect) {
        state.verdict = State::Verdict::NotMqtt;
        state.firstBytes.clear();
        return;
    }
    adopt(state, payload, true);
    feed(state, m_streams.at(payload.stream), payload, std::exchange(state.firstBytes, {}));
}

void CaptureStreams::adopt(State &state, const TcpPayload &payload, bool senderIsClient)
{
    state.verdict = State::Verdict::Mqtt;
    CaptureStream stream{.index = payload.stream};
    stream.clientAddress = senderIsClient ? payload.sourceAddress : payload.destinationAddress;
    stream.clientPort = senderIsClient ? payload.sourcePort : payload.destinationPort;
    stream.brokerAddress = senderIsClient ? payload.destinationAddress : payload.sourceAddress;
    stream.brokerPort = senderIsClient ? payload.destinationPort : payload.sourcePort;
    CaptureStream &added = m_streams.insert_or_assign(payload.stream, stream).first->second;
    if (added.brokerPort == kMqttTlsPort) {
        added.encrypted = true;
        note(CaptureStreamNote::Kind::Encrypted, payload, senderIsClient,
             QStringLiteral("%1 is MQTT over TLS (port %2): it is encrypted, so its packets cannot be read from the capture.")
                 .arg(streamName(added))
                 .arg(kMqttTlsPort));
    }
}

QString CaptureStreams::streamName(const CaptureStream &stream) const
{
    return QStringLiteral("Stream %1 (%2:%3 → %4:%5)")
        .arg(stream.index)
        .arg(stream.clientAddress)
        .arg(stream.clientPort)
        .arg(stream.brokerAddress)
        .arg(stream.brokerPort);
}

void CaptureStreams::feed(State &state, CaptureStream &stream, const TcpPayload &payload, QByteArray bytes)
{
    if (stream.encrypted)
        return;
    const bool fromClient = payload.sourcePort == stream.clientPort && payload.sourceAddress == stream.clientAddress;
    Side &side = fromClient ? state.toBroker : state.toClient;
    const bool firstBytes = !std::exchange(side.started, true);
    if (firstBytes && stream.packets == 0 && startsWithTlsRecord(bytes)) {
        stream.encrypted = true;
        note(CaptureStreamNote::Kind::Encrypted, payload, fromClient,
             QStringLiteral("%1 is encrypted (it starts with a TLS record): its packets cannot be read from the capture.")
                 .arg(streamName(stream)));
        return;
    }
    if (payload.missingBefore > 0) {
        note(CaptureStreamNote::Kind::Gap, payload, fromClient,
             QStringLiteral("%1, %2: the capture lacks %3 bytes here; decoding resumes at the next whole packet.")
                 .arg(streamName(stream), sideName(fromClient))
                 .arg(payload.missingBefore));
        side.decoder.reset();
        side.resync.clear();
        side.resyncing = true;
        side.stopped = false;
    } else if (firstBytes && !payload.streamStart && !framesWholePacket(bytes, fromClient)) {
        side.resyncing = true; // the capture began mid-stream, in the middle of a packet
    }
    if (side.stopped)
        return;
    if (side.resyncing) {
        side.resync += bytes;
        if (!findPacketStart(side, fromClient))
            return;
    } else {
        side.decoder.feed(bytes);
    }
    decodeSide(state, stream, side, payload, fromClient);
}

// Looks for the first offset in side.resync where a whole packet this side may send decodes and
// is followed by the end of the bytes or by another plausible packet; feeds the decoder from it.
// When none is whole yet, keeps the bytes from the first candidate still incomplete.
bool CaptureStreams::findPacketStart(Side &side, bool fromClient) const
{
    const QByteArrayView bytes(side.resync);
    qsizetype firstIncomplete = -1;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        if (!plausibleFirstByte(quint8(bytes[i]), fromClient))
            continue;
        const auto extent = packetExtent(bytes.sliced(i));
        if (!extent || (extent->second >= 0 && i + extent->second > bytes.size())) {
            if (firstIncomplete < 0 && bytes.size() - i <= kResyncWindow)
                firstIncomplete = i;
            continue;
        }
        if (extent->first < 0)
            continue;
        const qsizetype end = i + extent->second;
        const bool followed = end == bytes.size() || plausibleFirstByte(quint8(bytes[end]), fromClient);
        if (!followed || !std::holds_alternative<Packet>(decodePacket(bytes.sliced(i, extent->second), side.decoder.version())))
            continue;
        side.decoder.feed(bytes.sliced(i));
        side.resync.clear();
        side.resyncing = false;
        return true;
    }
    side.resync = firstIncomplete < 0 ? QByteArray() : side.resync.mid(firstIncomplete);
    return false;
}

void CaptureStreams::decodeSide(State &state, CaptureStream &stream, Side &side, const TcpPayload &payload, bool fromClient)
{
    while (true) {
        if (!state.versionKnown)
            learnVersion(state, stream, side.decoder.pending(), payload, fromClient);
        auto result = side.decoder.next();
        if (std::holds_alternative<NeedMoreBytes>(result))
            return;
        if (auto *error = std::get_if<ProtocolError>(&result)) {
            side.stopped = true;
            CaptureStreamNote malformed{.kind = CaptureStreamNote::Kind::Malformed, .frame = payload.frame,
                                        .timeUs = payload.timeUs, .stream = stream.index, .fromClient = fromClient,
                                        .sourcePort = payload.sourcePort, .destinationPort = payload.destinationPort,
                                        .sourceAddress = payload.sourceAddress,
                                        .destinationAddress = payload.destinationAddress, .sentence = QStringLiteral("%1, %2: %3; the rest of this direction is not decoded.")
                                                        .arg(streamName(stream), sideName(fromClient), error->toString()),
                                        .error = *error};
            m_sink(std::move(malformed));
            return;
        }
        takePacket(state, stream, std::move(std::get<DecodedPacket>(result)), payload, fromClient);
    }
}

// A stream without its CONNECT is read as 3.1.1 until a packet reads only one way: then both
// directions are read in that version from that packet on, and a note says what showed it.
void CaptureStreams::learnVersion(State &state, CaptureStream &stream, QByteArrayView pending, const TcpPayload &payload,
                                  bool fromClient)
{
    const auto extent = packetExtent(pending);
    if (!extent || extent->first < 0 || extent->second > pending.size())
        return;
    if (PacketType(quint8(pending.front()) >> 4) == PacketType::Connect)
        return; // the CONNECT says it (takePacket)
    const auto evidence = versionEvidence(pending.first(extent->second));
    if (!evidence)
        return;
    state.versionKnown = true;
    state.toBroker.decoder.setVersion(evidence->version);
    state.toClient.decoder.setVersion(evidence->version);
    const bool changed = stream.version != evidence->version;
    stream.version = evidence->version;
    stream.versionEvidence = evidence->sentence;
    if (stream.packets == 0)
        return; // the mid-session note of its first packet says it
    note(CaptureStreamNote::Kind::MidSession, payload, fromClient,
         QStringLiteral("%1 is %2 %3 from frame %4 on: %5.")
             .arg(streamName(stream), changed ? QStringLiteral("read as") : QStringLiteral("confirmed as"),
                  versionName(stream.version))
             .arg(payload.frame)
             .arg(evidence->sentence));
}

void CaptureStreams::takePacket(State &state, CaptureStream &stream, DecodedPacket decoded, const TcpPayload &payload,
                                bool fromClient)
{
    if (const auto *connect = std::get_if<Connect>(&decoded.packet)) {
        state.toClient.decoder.setVersion(connect->version); // the server answers in the CONNECT's version
        stream.clientId = connect->clientId;
        stream.version = connect->version;
        state.sawConnect = true;
        state.versionKnown = true;
    } else if (stream.packets == 0) {
        stream.midSession = true;
        const QString version = state.versionKnown
                                    ? QStringLiteral("%1, since %2").arg(versionName(stream.version), stream.versionEvidence)
                                    : QStringLiteral("%1 until a packet shows otherwise (none so far reads only one way)")
                                          .arg(versionName(stream.version));
        note(CaptureStreamNote::Kind::MidSession, payload, fromClient,
             QStringLiteral("%1 began before the capture (its first packet is not a CONNECT); its packets are decoded as "
                            "%2, and flows it opened earlier show from their first captured step.")
                 .arg(streamName(stream), version));
    }
    ++stream.packets;
    Side &side = fromClient ? state.toBroker : state.toClient;
    m_sink(CapturedPacket{.frame = payload.frame, .time = payload.time, .stream = stream.index,
                          .sourcePort = payload.sourcePort, .destinationPort = payload.destinationPort,
                          .fromClient = fromClient, .version = side.decoder.version(),
                          .packet = std::move(decoded.packet), .raw = std::move(decoded.raw),
                          .sourceAddress = payload.sourceAddress, .destinationAddress = payload.destinationAddress,
                          .timeUs = payload.timeUs});
}

void CaptureStreams::note(CaptureStreamNote::Kind kind, const TcpPayload &payload, bool fromClient, QString sentence)
{
    m_sink(CaptureStreamNote{.kind = kind, .frame = payload.frame, .timeUs = payload.timeUs, .stream = payload.stream,
                             .fromClient = fromClient, .sourcePort = payload.sourcePort,
                             .destinationPort = payload.destinationPort, .sourceAddress = payload.sourceAddress,
                             .destinationAddress = payload.destinationAddress, .sentence = std::move(sentence)});
}

} // namespace mqs
