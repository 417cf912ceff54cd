#include "session_store.h"

#include "protocol/decoder.h"
#include "protocol/encoder.h"

namespace mqs {

QByteArray serializeMessage(const ApplicationMessage &message)
{
    Publish publish = toPublish(message);
    if (message.qos != QoS::AtMostOnce)
        publish.packetId = PacketId(1); // a placeholder; the flow record holds the real id
    return encode(publish, ProtocolVersion::V5);
}

std::optional<ApplicationMessage> deserializeMessage(const QByteArray &bytes)
{
    const auto decoded = decodePacket(bytes, ProtocolVersion::V5);
    if (const auto *packet = std::get_if<Packet>(&decoded))
        if (const auto *publish = std::get_if<Publish>(packet))
            return toMessage(*publish);
    return std::nullopt;
}

} // namespace mqs
