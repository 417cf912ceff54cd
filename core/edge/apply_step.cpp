#include "apply_step.h"

namespace mqs {

Status applyStep(SessionStore *store, const StoreBatch &changes, const std::vector<StepPart> &parts)
{
    // 1. Write-ahead: the step's state is recorded before any of its packets goes out.
    if (store)
        if (Status committed = store->commit(changes); !committed)
            return committed;
    // 2.-4. Each session's packets, deliveries and close, in the order the engine produced them.
    for (const StepPart &part : parts)
        if (part.target && part.output)
            carryOut(*part.target, *part.output);
    return {};
}

void carryOut(StepTarget &target, const SessionOutput &output)
{
    for (const Packet &packet : output.sent) {
        const PacketType type = packetType(packet);
        FlowState state = FlowState::None;
        if (belongsToFlow(type)) {
            const Direction direction = flowDirectionOf(type, true);
            const PacketId id = packetIdOf(packet).value_or(PacketId());
            state = stateAfter(output, direction, id, target.currentFlowState(direction, id));
        }
        target.send(packet, state);
    }
    for (const Delivery &delivery : output.delivered)
        target.deliver(delivery);
    target.report(output);
    if (output.close)
        target.close();
}

SessionOutput storeFailureClose(ProtocolVersion version, bool connectionAccepted)
{
    SessionOutput out;
    if (version == ProtocolVersion::V5 && connectionAccepted)
        out.sent.push_back(Disconnect{ReasonCode::UnspecifiedError, {}});
    out.close = true;
    return out;
}

} // namespace mqs
