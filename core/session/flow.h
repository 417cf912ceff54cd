#pragma once
// The state of one message id's handshake, per direction (DESIGN.md "QoS 2 as the spec has it").

#include "protocol/types.h"

#include <QString>

namespace mqs {

// Relative to the side that owns the session: Outbound = we are the sender of the PUBLISH.
enum class Direction : quint8 { Outbound = 0, Inbound = 1 };

enum class FlowState : quint8 {
    None = 0, // no flow: QoS 0, or a packet that belongs to no flow
    Queued, // outbound, waiting for send quota (Receive Maximum); not yet on the wire
    AwaitingPubAck, // outbound QoS 1: PUBLISH sent
    AwaitingPubRec, // outbound QoS 2: PUBLISH sent
    AwaitingPubComp, // outbound QoS 2: PUBREC received, PUBREL sent
    AwaitingPubRel, // inbound QoS 2: PUBLISH received, PUBREC sent
    Complete, // PUBACK / PUBCOMP received (outbound), PUBACK / PUBCOMP sent (inbound)
    Failed, // a PUBACK or PUBREC with a reason >= 0x80 ended it
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

// "AwaitingPubRec", ... as the inspector shows it.
QString flowStateName(FlowState state);
QString directionName(Direction direction);

} // namespace mqs
