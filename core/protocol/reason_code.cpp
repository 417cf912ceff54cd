#include "reason_code.h"

#include <array>

namespace mqs {
namespace {

constexpr quint32 bit(PacketType t) { return 1u << static_cast<unsigned>(t); }

constexpr quint32 kConnAck = bit(PacketType::ConnAck);
constexpr quint32 kPubAck = bit(PacketType::PubAck);
constexpr quint32 kPubRec = bit(PacketType::PubRec);
constexpr quint32 kPubRel = bit(PacketType::PubRel);
constexpr quint32 kPubComp = bit(PacketType::PubComp);
constexpr quint32 kSubAck = bit(PacketType::SubAck);
constexpr quint32 kUnsubAck = bit(PacketType::UnsubAck);
constexpr quint32 kDisconnect = bit(PacketType::Disconnect);
constexpr quint32 kAuth = bit(PacketType::Auth);

struct ReasonInfo {
    quint8 code;
    const char *name;
    quint32 packets;
};

// Spec 5.0 table 2-6. 0x00 has three names; reasonName() picks by packet type.
constexpr std::array kReasons{
    ReasonInfo{0x00, "Success", kConnAck | kPubAck | kPubRec | kPubRel | kPubComp | kUnsubAck | kAuth | kSubAck | kDisconnect},
    ReasonInfo{0x01, "Granted QoS 1", kSubAck},
    ReasonInfo{0x02, "Granted QoS 2", kSubAck},
    ReasonInfo{0x04, "Disconnect with Will Message", kDisconnect},
    ReasonInfo{0x10, "No matching subscribers", kPubAck | kPubRec},
    ReasonInfo{0x11, "No subscription existed", kUnsubAck},
    ReasonInfo{0x18, "Continue authentication", kAuth},
    ReasonInfo{0x19, "Re-authenticate", kAuth},
    ReasonInfo{0x80, "Unspecified error", kConnAck | kPubAck | kPubRec | kSubAck | kUnsubAck | kDisconnect},
    ReasonInfo{0x81, "Malformed Packet", kConnAck | kDisconnect},
    ReasonInfo{0x82, "Protocol Error", kConnAck | kDisconnect},
    ReasonInfo{0x83, "Implementation specific error", kConnAck | kPubAck | kPubRec | kSubAck | kUnsubAck | kDisconnect},
    ReasonInfo{0x84, "Unsupported Protocol Version", kConnAck},
    ReasonInfo{0x85, "Client Identifier not valid", kConnAck},
    ReasonInfo{0x86, "Bad User Name or Password", kConnAck},
    ReasonInfo{0x87, "Not authorized", kConnAck | kPubAck | kPubRec | kSubAck | kUnsubAck | kDisconnect},
    ReasonInfo{0x88, "Server unavailable", kConnAck},
    ReasonInfo{0x89, "Server busy", kConnAck | kDisconnect},
    ReasonInfo{0x8A, "Banned", kConnAck},
    ReasonInfo{0x8B, "Server shutting down", kDisconnect},
    ReasonInfo{0x8C, "Bad authentication method", kConnAck | kDisconnect},
    ReasonInfo{0x8D, "Keep Alive timeout", kDisconnect},
    ReasonInfo{0x8E, "Session taken over", kDisconnect},
    ReasonInfo{0x8F, "Topic Filter invalid", kSubAck | kUnsubAck | kDisconnect},
    ReasonInfo{0x90, "Topic Name invalid", kConnAck | kPubAck | kPubRec | kDisconnect},
    ReasonInfo{0x91, "Packet Identifier in use", kPubAck | kPubRec | kSubAck | kUnsubAck},
    ReasonInfo{0x92, "Packet Identifier not found", kPubRel | kPubComp},
    ReasonInfo{0x93, "Receive Maximum exceeded", kDisconnect},
    ReasonInfo{0x94, "Topic Alias invalid", kDisconnect},
    ReasonInfo{0x95, "Packet too large", kConnAck | kDisconnect},
    ReasonInfo{0x96, "Message rate too high", kDisconnect},
    ReasonInfo{0x97, "Quota exceeded", kConnAck | kPubAck | kPubRec | kSubAck | kDisconnect},
    ReasonInfo{0x98, "Administrative action", kDisconnect},
    ReasonInfo{0x99, "Payload format invalid", kConnAck | kPubAck | kPubRec | kDisconnect},
    ReasonInfo{0x9A, "Retain not supported", kConnAck | kDisconnect},
    ReasonInfo{0x9B, "QoS not supported", kConnAck | kDisconnect},
    ReasonInfo{0x9C, "Use another server", kConnAck | kDisconnect},
    ReasonInfo{0x9D, "Server moved", kConnAck | kDisconnect},
    ReasonInfo{0x9E, "Shared Subscriptions not supported", kSubAck | kDisconnect},
    ReasonInfo{0x9F, "Connection rate exceeded", kConnAck | kDisconnect},
    ReasonInfo{0xA0, "Maximum connect time", kDisconnect},
    ReasonInfo{0xA1, "Subscription Identifiers not supported", kSubAck | kDisconnect},
    ReasonInfo{0xA2, "Wildcard Subscriptions not supported", kSubAck | kDisconnect},
};

const ReasonInfo *find(quint8 code)
{
    for (const auto &info : kReasons)
        if (info.code == code)
            return &info;
    return nullptr;
}

constexpr std::array<const char *, 6> kV311ConnAckNames{
    "Connection Accepted",
    "Connection Refused, unacceptable protocol version",
    "Connection Refused, identifier rejected",
    "Connection Refused, Server unavailable",
    "Connection Refused, bad user name or password",
    "Connection Refused, not authorized",
};

constexpr std::array<ReasonCode, 6> kV311ConnAckCodes{
    ReasonCode::Success,
    ReasonCode::UnsupportedProtocolVersion,
    ReasonCode::ClientIdentifierNotValid,
    ReasonCode::ServerUnavailable,
    ReasonCode::BadUserNameOrPassword,
    ReasonCode::NotAuthorized,
};

} // namespace

bool isReasonCodeAllowed(PacketType type, quint8 code)
{
    const ReasonInfo *info = find(code);
    return info && (info->packets & bit(type));
}

QString reasonName(ReasonCode code, PacketType type)
{
    const quint8 value = reasonValue(code);
    if (value == 0x00 && type == PacketType::Disconnect)
        return QStringLiteral("Normal disconnection");
    if (value == 0x00 && type == PacketType::SubAck)
        return QStringLiteral("Granted QoS 0");
    if (const ReasonInfo *info = find(value))
        return QString::fromLatin1(info->name);
    return QStringLiteral("Unknown reason code");
}

QString reasonText(ReasonCode code, PacketType type)
{
    return QStringLiteral("0x%1 %2")
        .arg(reasonValue(code), 2, 16, QLatin1Char('0'))
        .arg(reasonName(code, type));
}

std::optional<ReasonCode> connAckReasonFromV311(quint8 returnCode)
{
    if (returnCode < kV311ConnAckCodes.size())
        return kV311ConnAckCodes[returnCode];
    return std::nullopt;
}

std::optional<quint8> connAckReturnCodeV311(ReasonCode code)
{
    for (std::size_t i = 0; i < kV311ConnAckCodes.size(); ++i)
        if (kV311ConnAckCodes[i] == code)
            return static_cast<quint8>(i);
    return std::nullopt;
}

QString connAckReturnCodeNameV311(quint8 returnCode)
{
    if (returnCode < kV311ConnAckNames.size())
        return QString::fromLatin1(kV311ConnAckNames[returnCode]);
    return QStringLiteral("Reserved return code");
}

quint8 connAckWireValue(ReasonCode reason, ProtocolVersion version)
{
    if (version == ProtocolVersion::V311)
        if (const auto code = connAckReturnCodeV311(reason))
            return *code;
    return reasonValue(reason); // 5.0, or a 5.0 code with no 3.1.1 return code
}

QString connAckReasonName(ReasonCode reason, ProtocolVersion version)
{
    if (version == ProtocolVersion::V311)
        if (const auto code = connAckReturnCodeV311(reason))
            return connAckReturnCodeNameV311(*code);
    return reasonName(reason, PacketType::ConnAck);
}

QString connAckReasonText(ReasonCode reason, ProtocolVersion version)
{
    return QStringLiteral("0x%1 %2")
        .arg(connAckWireValue(reason, version), 2, 16, QLatin1Char('0'))
        .arg(connAckReasonName(reason, version));
}

QString packetTypeName(PacketType type)
{
    static constexpr std::array<const char *, 16> kNames{
        "RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
        "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
    const auto index = static_cast<std::size_t>(type);
    return QString::fromLatin1(index < kNames.size() ? kNames[index] : "RESERVED");
}

QString versionName(ProtocolVersion version)
{
    return version == ProtocolVersion::V5 ? QStringLiteral("MQTT 5.0") : QStringLiteral("MQTT 3.1.1");
}

std::optional<ProtocolVersion> parseVersion(const QString &text)
{
    const QString t = text.trimmed().toLower().remove(QStringLiteral("mqtt")).remove(QLatin1Char('v')).trimmed();
    if (t == QLatin1String("3.1.1") || t == QLatin1String("311") || t == QLatin1String("4"))
        return ProtocolVersion::V311;
    if (t == QLatin1String("5") || t == QLatin1String("5.0"))
        return ProtocolVersion::V5;
    return std::nullopt;
}

} // namespace mqs
