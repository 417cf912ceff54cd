#pragma once
// The state of one message id's handshake, per direction (DESIGN.md "QoS 2 as the spec has it").

#include "protocol/reason_code.h"
#include "protocol/types.h"

#include <QString>

#include <initializer_list>
#include <optional>
#include <vector>

namespace mqs {

// Relative to the side that owns the session: Outbound = we are the sender of the PUBLISH.
enum class Direction : quint8 { Outbound = 0, Inbound = 1 };

// Named by what the flow waits for, whoever owes it (waitingFor() says who): the same names
// serve the sender, the receiver and an observer of the hop.
enum class FlowState : quint8 {
    None = 0, // no flow: QoS 0, or a packet that belongs to no flow
    Queued, // outbound, waiting for send quota (Receive Maximum); not yet on the wire
    AwaitingPubAck, // QoS 1: PUBLISH crossed
    AwaitingPubRec, // QoS 2: PUBLISH crossed
    AwaitingPubComp, // QoS 2: PUBREC and PUBREL crossed
    AwaitingPubRel, // QoS 2: PUBREC crossed; the sender owes PUBREL (a session keeps it only inbound)
    Complete, // PUBACK / PUBCOMP crossed
    Failed, // a PUBACK or PUBREC with a reason >= 0x80 ended it, or it was never sent
    Abandoned, // the session was not resumed (Session Present = 0) or was cleared
};

inline bool isFinished(FlowState s)
{
    return s == FlowState::Complete || s == FlowState::Failed || s == FlowState::Abandoned;
}

// PUBLISH, PUBACK, PUBREC, PUBREL and PUBCOMP belong to a flow; other packets do not.
inline bool belongsToFlow(PacketType type)
{
    return type >= PacketType::Publish && type <= PacketType::PubComp;
}

// The flow a packet belongs to, seen from the side that sent or received it: PUBLISH and
// PUBREL come from the flow's sender, PUBACK, PUBREC and PUBCOMP from its receiver.
inline Direction flowDirectionOf(PacketType type, bool weSentIt)
{
    const bool fromSender = type == PacketType::Publish || type == PacketType::PubRel;
    return fromSender == weSentIt ? Direction::Outbound : Direction::Inbound;
}

// What moves a flow: a packet of its handshake crossing (sent by whichever side sends that
// packet), or a decision of the sending session. Named by what happened, not by who saw it, so
// the sender's session, the receiver's session, the trace index and a passive observer of
// someone else's connection all step the same table.
enum class FlowEvent : quint8 {
    Accepted, // the sending session took a QoS 1 or 2 message: it waits for send quota
    PublishQoS1, // a QoS 1 PUBLISH crossed (first send, or a resend with DUP = 1)
    PublishQoS2, // a QoS 2 PUBLISH crossed
    PubAck, // PUBACK with a reason below 0x80
    PubAckRefused, // 5.0 PUBACK with a reason >= 0x80
    PubRec, // PUBREC with a reason below 0x80
    PubRecRefused, // 5.0 PUBREC with a reason >= 0x80 ([MQTT-4.3.3-4]: no PUBREL follows)
    PubRel,
    PubComp,
    PubCompNotFound, // 5.0 PUBCOMP 0x92: the receiver had no state for the id
    NotSent, // the sender gave up before the PUBLISH could cross: expired, too large, peer limits
    SessionLost, // Session Present = 0, or the session was cleared: the flow cannot finish
};

// One row of the flow machine: in `from`, `event` leads to `to`. Any pair not in the table is
// a violation by whoever caused the event.
struct FlowTransition {
    FlowState from;
    FlowEvent event;
    FlowState to;
};

// Every transition, one table (flow.cpp), read by OutboundFlows, InboundFlows and FlowIndex.
const std::vector<FlowTransition> &flowTransitions();
// The state after `event` in `from`; nothing when the table has no such transition.
[[nodiscard]] std::optional<FlowState> nextFlowState(FlowState from, FlowEvent event);
// `from` after `events`, in order: for steps a session takes itself, which the table has by
// construction (tst_flow_machine walks them); a missing one asserts in debug builds and leaves
// the state as it was.
FlowState followFlow(FlowState from, std::initializer_list<FlowEvent> events);
// The event a flow packet is, given its QoS (PUBLISH) and its reason code (5.0 acknowledgements).
FlowEvent flowEventOf(PacketType type, QoS qos, ReasonCode reason);

// Which end of one hop sends a packet: PUBLISH and PUBREL come from the sender, PUBACK, PUBREC
// and PUBCOMP from the receiver (DESIGN.md "QoS 2 as the spec has it").
enum class FlowParty : quint8 { Sender, Receiver };

// What an open flow waits for: its next packet and which end owes it, or send quota.
struct FlowWait {
    std::optional<PacketType> packet{}; // nothing: the flow waits for no packet (queued or finished)
    FlowParty owedBy = FlowParty::Sender;
    bool forSendQuota = false; // Queued: the sender may not send until a unit of quota is free
    bool operator==(const FlowWait &) const = default;
};

// The one answer behind every sentence that says what a flow waits for.
FlowWait waitingFor(FlowState state);
// waitingFor() as words: "PUBREC from the receiver", "send quota (the peer's Receive Maximum)",
// empty for a finished flow.
QString waitingForText(FlowState state);

// "AwaitingPubRec", ... as the inspector shows it.
QString flowStateName(FlowState state);
QString directionName(Direction direction);

} // namespace mqs
