#include "flow.h"

namespace mqs {

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
