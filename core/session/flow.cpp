#include "flow.h"

#include <QHash>

namespace mqs {
namespace {

using S = FlowState;
using E = FlowEvent;

// The flow machine, as h11 keeps its states in one table (h11/_state.py). Both ends of a hop
// step it: the sender's session through the packets it sends and receives, the receiver's
// through the same packets from the other side. A session answers in the step that received
// (PUBREC, then PUBREL at once), so it passes some states within one step; a trace shows them
// when a fault rule holds the answer.
const std::vector<FlowTransition> kTransitions = {
    // The sender takes the message; it waits for send quota ([MQTT-4.9.0-1]).
    {S::None, E::Accepted, S::Queued},
    // PUBLISH crosses: from the queue, or first seen on the wire (a capture, a receiver).
    {S::Queued, E::PublishQoS1, S::AwaitingPubAck},
    {S::Queued, E::PublishQoS2, S::AwaitingPubRec},
    {S::None, E::PublishQoS1, S::AwaitingPubAck},
    {S::None, E::PublishQoS2, S::AwaitingPubRec},
    // Resent on a resumed session with DUP = 1 ([MQTT-4.4.0-1]), the same message.
    {S::AwaitingPubAck, E::PublishQoS1, S::AwaitingPubAck},
    {S::AwaitingPubRec, E::PublishQoS2, S::AwaitingPubRec},
    // [MQTT-4.3.3-10] until PUBREL, a PUBLISH with this id is the same message: PUBREC again.
    {S::AwaitingPubRel, E::PublishQoS2, S::AwaitingPubRec},
    // QoS 1 ends with the PUBACK; 5.0 a failing one ends it too.
    {S::AwaitingPubAck, E::PubAck, S::Complete},
    {S::AwaitingPubAck, E::PubAckRefused, S::Failed},
    // QoS 2: PUBREC hands the turn back to the sender, who owes PUBREL ([MQTT-4.3.3-4]) ...
    {S::AwaitingPubRec, E::PubRec, S::AwaitingPubRel},
    {S::AwaitingPubRec, E::PubRecRefused, S::Failed}, // ... unless it fails: the id is free ([MQTT-4.4.0-2])
    // A PUBREC again, whatever its reason: the PUBREL may be lost, the sender sends it again.
    {S::AwaitingPubRel, E::PubRec, S::AwaitingPubRel},
    {S::AwaitingPubComp, E::PubRec, S::AwaitingPubRel},
    {S::AwaitingPubComp, E::PubRecRefused, S::AwaitingPubRel},
    // PUBREL: the receiver owes PUBCOMP ([MQTT-4.3.3-11]); resent on a resumed session.
    {S::AwaitingPubRel, E::PubRel, S::AwaitingPubComp},
    {S::AwaitingPubComp, E::PubRel, S::AwaitingPubComp},
    {S::AwaitingPubComp, E::PubComp, S::Complete},
    {S::AwaitingPubComp, E::PubCompNotFound, S::Failed},
    // The sender gives up before the PUBLISH crossed, or a resend no longer fits the peer.
    {S::Queued, E::NotSent, S::Failed},
    {S::AwaitingPubAck, E::NotSent, S::Failed},
    {S::AwaitingPubRec, E::NotSent, S::Failed},
    // Session Present = 0 ([MQTT-3.2.2-5]): what was on the wire cannot finish. Queued messages
    // never left, so they stay for the next session.
    {S::AwaitingPubAck, E::SessionLost, S::Abandoned},
    {S::AwaitingPubRec, E::SessionLost, S::Abandoned},
    {S::AwaitingPubRel, E::SessionLost, S::Abandoned},
    {S::AwaitingPubComp, E::SessionLost, S::Abandoned},
};

// The table by (from, event), built once: sessions step it on every packet.
const QHash<quint16, FlowState> &transitionIndex()
{
    static const QHash<quint16, FlowState> index = [] {
        QHash<quint16, FlowState> built;
        for (const FlowTransition &t : kTransitions)
            built.insert(quint16(quint16(t.from) << 8 | quint16(t.event)), t.to);
        return built;
    }();
    return index;
}

} // namespace

const std::vector<FlowTransition> &flowTransitions()
{
    return kTransitions;
}

std::optional<FlowState> nextFlowState(FlowState from, FlowEvent event)
{
    const auto &index = transitionIndex();
    const auto it = index.constFind(quint16(quint16(from) << 8 | quint16(event)));
    return it == index.constEnd() ? std::nullopt : std::optional<FlowState>(*it);
}

FlowState followFlow(FlowState from, std::initializer_list<FlowEvent> events)
{
    for (FlowEvent event : events) {
        const auto next = nextFlowState(from, event);
        Q_ASSERT_X(next, "followFlow", "a step the flow table does not have");
        from = next.value_or(from);
    }
    return from;
}

FlowEvent flowEventOf(PacketType type, QoS qos, ReasonCode reason)
{
    switch (type) {
    case PacketType::PubAck: return isFailure(reason) ? E::PubAckRefused : E::PubAck;
    case PacketType::PubRec: return isFailure(reason) ? E::PubRecRefused : E::PubRec;
    case PacketType::PubRel: return E::PubRel;
    case PacketType::PubComp: return reason == ReasonCode::PacketIdentifierNotFound ? E::PubCompNotFound : E::PubComp;
    default: return qos == QoS::AtLeastOnce ? E::PublishQoS1 : E::PublishQoS2;
    }
}

FlowWait waitingFor(FlowState state)
{
    switch (state) {
    case S::Queued: return FlowWait{.forSendQuota = true};
    case S::AwaitingPubAck: return FlowWait{.packet = PacketType::PubAck, .owedBy = FlowParty::Receiver};
    case S::AwaitingPubRec: return FlowWait{.packet = PacketType::PubRec, .owedBy = FlowParty::Receiver};
    case S::AwaitingPubRel: return FlowWait{.packet = PacketType::PubRel, .owedBy = FlowParty::Sender};
    case S::AwaitingPubComp: return FlowWait{.packet = PacketType::PubComp, .owedBy = FlowParty::Receiver};
    case S::None:
    case S::Complete:
    case S::Failed:
    case S::Abandoned: return FlowWait{};
    }
    return FlowWait{};
}

QString waitingForText(FlowState state)
{
    const FlowWait wait = waitingFor(state);
    if (wait.forSendQuota)
        return QStringLiteral("send quota (the peer's Receive Maximum)");
    if (!wait.packet)
        return QString();
    return QStringLiteral("%1 from the %2")
        .arg(packetTypeName(*wait.packet),
             wait.owedBy == FlowParty::Sender ? QStringLiteral("sender") : QStringLiteral("receiver"));
}

QString flowStateName(FlowState state)
{
    switch (state) {
    case FlowState::None: return QStringLiteral("-");
    case FlowState::Queued: return QStringLiteral("Queued");
    case FlowState::AwaitingPubAck: return QStringLiteral("AwaitingPubAck");
    case FlowState::AwaitingPubRec: return QStringLiteral("AwaitingPubRec");
    case FlowState::AwaitingPubComp: return QStringLiteral("AwaitingPubComp");
    case FlowState::AwaitingPubRel: return QStringLiteral("AwaitingPubRel");
    case FlowState::Complete: return QStringLiteral("Complete");
    case FlowState::Failed: return QStringLiteral("Failed");
    case FlowState::Abandoned: return QStringLiteral("Abandoned");
    }
    return QStringLiteral("?");
}

QString directionName(Direction direction)
{
    return direction == Direction::Outbound ? QStringLiteral("outbound") : QStringLiteral("inbound");
}

} // namespace mqs
