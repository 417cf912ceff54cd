#pragma once
// An application message as the user publishes it and as it is delivered, without the
// per-hop fields (packet id, DUP) that PUBLISH adds on the wire.

#include "protocol/packets.h"

#include <chrono>

namespace mqs {

// Session time: milliseconds on a monotonic clock whose epoch the owner chooses.
// The session never reads a clock; callers pass `now`.
using Millis = std::chrono::milliseconds;

struct ApplicationMessage {
    QString topic{};
    QByteArray payload{};
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    Properties properties; // 5.0 message properties (content type, user properties, ...)
    bool operator==(const ApplicationMessage &) const = default;
};

// A PUBLISH carrying `message` (no packet id or DUP yet).
Publish toPublish(const ApplicationMessage &message);
// The message a PUBLISH carries (Topic Alias removed: the topic is resolved by then).
ApplicationMessage toMessage(const Publish &publish);
// The message a will publishes (Will Delay Interval removed: it only said when to publish it).
ApplicationMessage toMessage(const Will &will);

// A message handed to the application by the receiving side of a flow.
struct Delivery {
    ApplicationMessage message{};
    std::optional<PacketId> packetId{}; // the id that carried it on this hop
    Millis at{0};
    bool operator==(const Delivery &) const = default;
};

} // namespace mqs
