#pragma once
// Small value types every layer shares: protocol version, packet type, QoS, packet id.

#include <QtGlobal>
#include <QString>

#include <compare>
#include <optional>

namespace mqs {

// The protocol level byte of CONNECT: 4 is MQTT 3.1.1, 5 is MQTT 5.0.
enum class ProtocolVersion : quint8 { V311 = 4, V5 = 5 };

// Control packet types as the fixed header's high nibble carries them.
enum class PacketType : quint8 {
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    Auth = 15,
};

enum class QoS : quint8 { AtMostOnce = 0, AtLeastOnce = 1, ExactlyOnce = 2 };

// A packet identifier (3.1.1 section 2.3.1, 5.0 section 2.2.1): non-zero on the wire wherever the spec requires one.
struct PacketId {
    quint16 value = 0;
    constexpr PacketId() = default;
    constexpr PacketId(quint16 v) : value(v) {} // NOLINT: ids read as numbers in tests and traces
    constexpr auto operator<=>(const PacketId &) const = default;
    constexpr bool isValid() const { return value != 0; }
};

// Spec spelling of a packet type: "PUBREC", "CONNACK", ...
QString packetTypeName(PacketType type);
// "MQTT 3.1.1" / "MQTT 5.0"
QString versionName(ProtocolVersion version);
// "3.1.1" / "5.0" accepted as well as "4" / "5" / "v5" / "mqttv5" ...
std::optional<ProtocolVersion> parseVersion(const QString &text);

inline quint8 qosValue(QoS qos) { return static_cast<quint8>(qos); }

} // namespace mqs
