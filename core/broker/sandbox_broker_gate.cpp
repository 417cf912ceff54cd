// SandboxBroker, fault rules: carries out the fault gate's verdict on each packet between the
// broker and one of its clients, either way (core/faults/fault_gate.h).

#include "sandbox_broker.h"
#include "sandbox_broker_client.h"

#include "protocol/overloaded.h"

namespace mqs {

void SandboxBroker::pass(HeldPacket packet)
{
    const GateVerdict verdict = m_gate.judge(packet, m_trace ? m_trace->clock().nowUs() : 0);
    const ClientHandle handle = packet.owner;
    const TraceDirection direction = packet.direction;
    const quint32 rule = verdict.ruleId;
    std::visit(overloaded{
                   [&](const gate::Cross &) { cross(packet, TraceMark::None, 0); },
                   [&](const gate::Hold &) {
                       record(packet, TraceMark::Held, rule);
                       emit heldPacketsChanged();
                   },
                   [&](const gate::Drop &) { record(packet, TraceMark::Dropped, rule); },
                   [&](const gate::Delay &delay) {
                       QTimer::singleShot(delay.ms, this, [this, packet, handle, direction, rule] {
                           if (isAlive(handle, direction))
                               cross(packet, TraceMark::Delayed, rule);
                       });
                   },
                   [&](const gate::Duplicate &) {
                       cross(packet, TraceMark::None, 0);
                       if (isAlive(handle, direction))
                           cross(packet, TraceMark::Duplicated, rule);
                   },
                   [&](const gate::CutAfter &cutAfter) {
                       cross(packet, TraceMark::None, 0);
                       QTimer::singleShot(0, this, [this, handle, direction, why = cutAfter.why] {
                           if (isAlive(handle, direction))
                               cutConnection(handle, why);
                       });
                   },
               },
               verdict.action);
    if (verdict.actedOn())
        emit faultRuleActed(rule);
}

void SandboxBroker::cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    if (packet.direction == TraceDirection::Received) {
        process(packet.owner, packet.packet, packet.raw, mark, ruleId);
        return;
    }
    Client *c = clientOf(packet.owner);
    if (!c || !c->transport)
        return;
    c->transport->write(packet.raw);
    FlowState state = packet.flowState;
    if (mark == TraceMark::Released && belongsToFlow(packet.type)) {
        state = flowStateOf(*c, packet.type, packet.packetId, true);
        if (state == FlowState::None)
            state = flowDirectionOf(packet.type, true) == Direction::Inbound ? FlowState::Complete : packet.flowState;
    }
    tracePacket(*c, TraceDirection::Sent, packet.packet, packet.raw, state, mark, ruleId);
}

void SandboxBroker::record(const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    const Client *c = clientOf(packet.owner);
    if (!c)
        return;
    const bool sent = packet.direction == TraceDirection::Sent;
    const FlowState state = sent ? packet.flowState : flowStateOf(*c, packet.type, packet.packetId, false);
    tracePacket(*c, packet.direction, packet.packet, packet.raw, state, mark, ruleId);
}

bool SandboxBroker::isAlive(ClientHandle handle, TraceDirection direction) const
{
    const Client *c = clientOf(handle);
    // What a client sent may still be processed while its transport closes; what we send may not.
    return c && (direction == TraceDirection::Received || (c->transport && c->transport->isOpen()));
}

void SandboxBroker::cutConnection(ClientHandle handle, const QString &why)
{
    if (Client *c = clientOf(handle); c && c->transport) {
        traceNote(c, TraceKind::Cut, why);
        c->transport->abort();
    }
}

bool SandboxBroker::release(quint64 heldId)
{
    const auto packet = m_gate.take(heldId);
    if (!packet)
        return false;
    emit heldPacketsChanged();
    if (isAlive(packet->owner, packet->direction))
        cross(*packet, TraceMark::Released, packet->ruleId);
    return true;
}

bool SandboxBroker::drop(quint64 heldId)
{
    const auto packet = m_gate.take(heldId);
    if (!packet)
        return false;
    emit heldPacketsChanged();
    record(*packet, TraceMark::Dropped, packet->ruleId);
    return true;
}

} // namespace mqs
