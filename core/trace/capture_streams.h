#pragma once
// Finds the MQTT in a capture's TCP streams and decodes it, one Decoder per direction. A stream
// is MQTT when one side uses a port the user named (by default 1883 and 8883) or, with no port
// named, when its first bytes are a CONNECT. Streams that began before the capture are decoded
// from the first whole packet and marked; TLS streams are named as encrypted; after a gap in a
// stream decoding resumes at the next whole packet. Sans-IO: fed TcpPayloads, it calls a sink.

#include "capture_decoder.h"
#include "pcap_reader.h"

#include <functional>
#include <map>
#include <vector>

namespace mqs {

// One MQTT connection in the capture.
struct CaptureStream {
    quint32 index = 0; // the TCP stream
    QString clientAddress{};
    quint16 clientPort = 0;
    QString brokerAddress{};
    quint16 brokerPort = 0;
    bool midSession = false; // no CONNECT at its start: it began before the capture
    bool encrypted = false; // TLS: nothing in it can be decoded
    QString clientId{}; // from its CONNECT
    ProtocolVersion version = ProtocolVersion::V311; // from its CONNECT, else assumed until a packet tells
    QString versionEvidence{}; // without a CONNECT: the packet that told its version, once one did
    quint64 packets = 0;
};

// Something about a stream other than a packet: what a reader of the capture should know.
struct CaptureStreamNote {
    enum class Kind : quint8 { MidSession, Encrypted, Gap, Malformed };
    Kind kind = Kind::Gap;
    quint64 frame = 0;
    qint64 timeUs = 0; // capture timestamp
    quint32 stream = 0;
    bool fromClient = true;
    quint16 sourcePort = 0; // of the direction it concerns
    quint16 destinationPort = 0;
    QString sourceAddress{};
    QString destinationAddress{};
    QString sentence{};
    std::optional<ProtocolError> error{}; // for Malformed
};

using CaptureItem = std::variant<CapturedPacket, CaptureStreamNote>;

class CaptureStreams
{
public:
    // The ports MQTT is looked for on when the user names none: plain MQTT and MQTT over TLS
    // (IANA's registered ports).
    static constexpr quint16 kMqttPort = 1883;
    static constexpr quint16 kMqttTlsPort = 8883;
    // How far into a direction's bytes a whole packet is looked for after a gap, before the
    // bytes are dropped and the search starts again with the next ones.
    static constexpr qsizetype kResyncWindow = 64 * 1024;

    using Sink = std::function<void(CaptureItem)>;
    // `ports` empty: 1883 and 8883, and any stream that starts with a CONNECT.
    explicit CaptureStreams(std::vector<quint16> ports, Sink sink);

    void add(const TcpPayload &payload);
    const CaptureStream *stream(quint32 index) const;
    // The MQTT streams found so far, by TCP stream.
    const std::map<quint32, CaptureStream> &streams() const { return m_streams; }
    // The TCP streams seen on a watched port (MQTT or not).
    bool sawWatchedPort() const { return m_sawWatchedPort; }

private:
    struct Side {
        Decoder decoder{};
        QByteArray resync{}; // bytes in which the next whole packet is being looked for
        bool resyncing = false;
        bool started = false; // bytes of this direction have come
        bool stopped = false; // malformed: the rest of this direction is not decoded
    };
    struct State {
        enum class Verdict : quint8 { Undecided, Mqtt, NotMqtt } verdict = Verdict::Undecided;
        QByteArray firstBytes{}; // of the side that spoke first, while undecided
        Side toBroker{};
        Side toClient{};
        bool sawConnect = false;
        bool versionKnown = false; // from a CONNECT, or a packet only one version reads
    };

    void classify(State &state, const TcpPayload &payload);
    void adopt(State &state, const TcpPayload &payload, bool senderIsClient);
    void feed(State &state, CaptureStream &stream, const TcpPayload &payload, QByteArray bytes);
    void decodeSide(State &state, CaptureStream &stream, Side &side, const TcpPayload &payload, bool fromClient);
    bool findPacketStart(Side &side, bool fromClient) const;
    void learnVersion(State &state, CaptureStream &stream, QByteArrayView pending, const TcpPayload &payload, bool fromClient);
    void takePacket(State &state, CaptureStream &stream, DecodedPacket decoded, const TcpPayload &payload, bool fromClient);
    void note(CaptureStreamNote::Kind kind, const TcpPayload &payload, bool fromClient, QString sentence);
    bool isWatched(quint16 port) const;
    QString streamName(const CaptureStream &stream) const;

    std::vector<quint16> m_ports;
    bool m_recogniseConnect;
    Sink m_sink;
    std::map<quint32, State> m_states;
    std::map<quint32, CaptureStream> m_streams;
    bool m_sawWatchedPort = false;
};

// Whether `bytes` begin with a TLS record header (RFC 8446 section 5.1: content type 20 to 23,
// legacy version 3.x).
[[nodiscard]] bool startsWithTlsRecord(QByteArrayView bytes);
// Whether `bytes` begin with an MQTT CONNECT (protocol name "MQTT" or 3.1's "MQIsdp"); nullopt
// while too few bytes have come to tell.
[[nodiscard]] std::optional<bool> startsWithConnect(QByteArrayView bytes);

} // namespace mqs
