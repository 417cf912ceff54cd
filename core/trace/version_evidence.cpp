#include "version_evidence.h"

#include "protocol/decoder.h"
#include "protocol/packets.h"

namespace mqs {
namespace {

QString typeOf(QByteArrayView packet)
{
    return packetTypeName(PacketType(quint8(packet.front()) >> 4));
}

QString refusal(const std::variant<Packet, ProtocolError> &decoded)
{
    return std::get<ProtocolError>(decoded).message;
}

// A PUBLISH that reads both ways is 5.0 when what follows its topic and id is a non-empty
// property block that decodes as one (section 3.3.2.3): a 3.1.1 payload rarely starts with a
// valid property length followed by exactly that many bytes of valid properties.
std::optional<VersionEvidence> publishEvidence(const Packet &asV5)
{
    const auto *publish = std::get_if<Publish>(&asV5);
    if (!publish || publish->properties.isEmpty())
        return std::nullopt;
    return VersionEvidence{ProtocolVersion::V5,
                           QStringLiteral("its PUBLISH on %1 carries a property block that decodes as 5.0 properties")
                               .arg(publish->topic)};
}

} // namespace

std::optional<VersionEvidence> versionEvidence(QByteArrayView packet)
{
    if (packet.isEmpty())
        return std::nullopt;
    const auto asV311 = decodePacket(packet, ProtocolVersion::V311);
    const auto asV5 = decodePacket(packet, ProtocolVersion::V5);
    const bool v311 = std::holds_alternative<Packet>(asV311);
    const bool v5 = std::holds_alternative<Packet>(asV5);
    if (v5 && !v311)
        return VersionEvidence{ProtocolVersion::V5, QStringLiteral("its %1 (%2 bytes) decodes only as 5.0 (as 3.1.1: %3)")
                                                        .arg(typeOf(packet))
                                                        .arg(packet.size())
                                                        .arg(refusal(asV311))};
    if (v311 && !v5)
        return VersionEvidence{ProtocolVersion::V311, QStringLiteral("its %1 (%2 bytes) decodes only as 3.1.1 (as 5.0: %3)")
                                                          .arg(typeOf(packet))
                                                          .arg(packet.size())
                                                          .arg(refusal(asV5))};
    if (v311 && v5)
        return publishEvidence(std::get<Packet>(asV5));
    return std::nullopt;
}

} // namespace mqs
