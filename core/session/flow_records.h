#pragma once
// What the session remembers about each unfinished handshake: the records the store
// persists and the inspector shows.

#include "flow.h"
#include "message.h"

namespace mqs {

// One message we send: QoS 1 (PUBLISH → PUBACK) or QoS 2 (PUBLISH → PUBREC → PUBREL → PUBCOMP).
struct OutboundFlow {
    quint64 serial = 0; // per session, increasing: the original order of the PUBLISHes
    PacketId packetId{};
    ApplicationMessage message{};
    FlowState state = FlowState::Queued;
    int sends = 0; // PUBLISHes put on the wire for this flow (resends = sends - 1)
    int pubRelSends = 0;
    ReasonCode reason = ReasonCode::Success; // of the PUBACK/PUBREC that ended it
    Millis createdAt{0};
    Millis publishedAt{0}; // first PUBLISH sent
    Millis acknowledgedAt{0}; // PUBACK or PUBREC received
    Millis completedAt{0}; // PUBCOMP received
    bool operator==(const OutboundFlow &) const = default;
};

// One QoS 2 message we receive, between its PUBLISH and its PUBREL.
struct InboundFlow {
    quint64 serial = 0; // order of arrival: PUBRELs are expected in this order ([MQTT-4.6.0-4])
    PacketId packetId{};
    FlowState state = FlowState::AwaitingPubRel;
    QString topic{}; // for the inspector and the trace
    std::optional<ApplicationMessage> message{}; // method A only: held until PUBREL
    Millis receivedAt{0};
    int duplicates = 0; // PUBLISHes with this id received again while awaiting PUBREL
    bool operator==(const InboundFlow &) const = default;
};

// How a receiver gets QoS 2 exactly once (3.1.1 figure 4.3, non-normative):
// B stores the packet id and delivers at once; A stores the message and delivers on PUBREL.
enum class InboundMethod : quint8 { B = 0, A = 1 };

} // namespace mqs
