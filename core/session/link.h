#pragma once
// What both halves of a session (sender and receiver) need to know about the current
// connection: the protocol version and the limits each side announced.

#include "protocol/types.h"

#include <optional>

namespace mqs {

struct Link {
    ProtocolVersion version = ProtocolVersion::V5;
    bool connected = false; // CONNACK exchanged, packets may flow
    bool peerIsServer = true; // we are the client; false in the broker's sessions

    // Announced by the peer (5.0 CONNECT / CONNACK properties).
    quint16 peerReceiveMaximum = 65535; // our send quota starts here
    quint32 peerMaximumPacketSize = 0; // 0 = no limit announced
    quint16 peerTopicAliasMaximum = 0; // aliases we may use toward the peer
    std::optional<QoS> peerMaximumQoS; // a server's Maximum QoS
    bool peerRetainAvailable = true;

    // Announced by us.
    quint16 receiveMaximum = 65535; // more unacknowledged inbound QoS > 0 PUBLISHes is 0x93
    quint16 topicAliasMaximum = 0; // aliases the peer may use toward us
    std::optional<QoS> maximumQoS; // server role: the Maximum QoS we announced

    bool isV5() const { return version == ProtocolVersion::V5; }
};

} // namespace mqs
