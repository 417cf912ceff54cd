#pragma once
// The incremental MQTT decoder: feed byte chunks of any size, take whole packets or
// the first ProtocolError. Pure: no QObject, no I/O.

#include "byte_reader.h"
#include "packets.h"

#include <QByteArray>

#include <variant>

namespace mqs {

// Why a byte stream stopped being MQTT: the 5.0 reason code a DISCONNECT would carry,
// a sentence naming the field and the rule, and the stream offset of the bad byte.
struct ProtocolError {
    ReasonCode code = ReasonCode::MalformedPacket;
    QString message;
    qint64 offset = 0; // bytes from the start of the stream

    // "Malformed Packet (0x81): PUBREL fixed header flags ... at byte 1234"
    QString toString() const;
    bool operator==(const ProtocolError &) const = default;
};

struct DecodedPacket {
    Packet packet;
    QByteArray raw; // the packet's bytes as they arrived, fixed header included
    qint64 offset = 0; // stream offset of its first byte
};

// The largest packet the encoding allows: 1 + 4 + 268,435,455 bytes.
inline constexpr quint32 kMaximumPossiblePacketSize = 268435460;

// Decodes one whole packet (fixed header included). `layout`, when given, receives every field
// with its byte range. `recent`, when given, is the stream's last topic name: a PUBLISH to the
// same topic takes it without decoding it again, and a new one replaces it. Error offsets are
// relative to the packet's first byte.
[[nodiscard]] std::variant<Packet, ProtocolError> decodePacket(QByteArrayView bytes, ProtocolVersion version,
                                                 PacketLayout *layout = nullptr, RecentTopic *recent = nullptr);

// What Decoder::next() answers while a packet is still incomplete.
struct NeedMoreBytes {
    bool operator==(const NeedMoreBytes &) const = default;
};

class Decoder
{
public:
    using Result = std::variant<NeedMoreBytes, DecodedPacket, ProtocolError>;

    explicit Decoder(ProtocolVersion version = ProtocolVersion::V311,
                     quint32 maximumPacketSize = kMaximumPossiblePacketSize);

    // Packets after CONNECT are read with this version. Decoding a CONNECT sets it from the
    // CONNECT's protocol level, so a server needs no configuration.
    void setVersion(ProtocolVersion version) { m_version = version; }
    ProtocolVersion version() const { return m_version; }
    // A packet larger than this is refused as soon as its fixed header is read, before its
    // body is buffered (5.0 reason 0x95).
    void setMaximumPacketSize(quint32 bytes) { m_maximumPacketSize = bytes; }
    quint32 maximumPacketSize() const { return m_maximumPacketSize; }

    void feed(QByteArrayView chunk);
    // The same; when no partial packet is buffered, the chunk is shared rather than copied.
    void feed(const QByteArray &chunk);
    // A whole packet, the error that ended the stream (again on every later call), or
    // NeedMoreBytes when the next packet is not complete yet.
    [[nodiscard]] Result next();

    bool failed() const { return m_error.has_value(); }
    qint64 bufferedBytes() const { return m_buffer.size() - m_start; }
    // The bytes fed and not decoded yet, starting with the next packet's; valid until the next call.
    QByteArrayView pending() const { return QByteArrayView(m_buffer).sliced(m_start); }
    qint64 streamOffset() const { return m_consumed; }
    // Forget buffered bytes and any error, e.g. for a new connection.
    void reset();

private:
    [[nodiscard]] Result fail(ProtocolError error);

    ProtocolVersion m_version;
    quint32 m_maximumPacketSize;
    QByteArray m_buffer;
    qsizetype m_start = 0; // first unconsumed byte of m_buffer
    qint64 m_consumed = 0; // stream offset of m_buffer[m_start]
    std::optional<ProtocolError> m_error;
    RecentTopic m_recentTopic;
};

} // namespace mqs
