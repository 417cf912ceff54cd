#include "packets.h"

#include "describe.h"

#include <cstring>

namespace mqs {

PacketType packetType(const Packet &packet)
{
    return static_cast<PacketType>(packet.index() + 1);
}

std::optional<PacketId> packetIdOf(const Packet &packet)
{
    return std::visit(
        [](const auto &p) -> std::optional<PacketId> {
            if constexpr (requires { p.packetId; }) // PUBLISH's is optional: present exactly when QoS > 0
                return p.packetId;
            else
                return std::nullopt;
        },
        packet);
}

std::optional<ReasonCode> reasonOf(const Packet &packet)
{
    return std::visit(
        [](const auto &p) -> std::optional<ReasonCode> {
            if constexpr (requires { p.reason; })
                return p.reason;
            else
                return std::nullopt;
        },
        packet);
}

char *toString(const Packet &packet)
{
    const QByteArray text = describe(packet).toUtf8();
    char *out = new char[text.size() + 1];
    std::memcpy(out, text.constData(), text.size() + 1);
    return out;
}

} // namespace mqs
