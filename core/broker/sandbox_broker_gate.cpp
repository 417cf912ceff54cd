// SandboxBroker, fault rules: how a packet crosses between the broker and one of its clients,
// either way, and how it is traced when it does not; GateEdge (core/faults/fault_gate.h) carries
// out the gate's verdicts with these.

#include "sandbox_broker.h"
#include "sandbox_broker_client.h"

namespace mqs {

void SandboxBroker::pass(HeldPacket packet)
{
    passGate(m_gate, std::move(packet), m_trace ? m_trace->clock().nowUs() : 0);
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
    if (mark == TraceMark::Released && belongsToFlow(packet.type))
        state = stateWhenReleased(packet, flowStateOf(*c, packet.type, packet.packetId, true));
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

bool SandboxBroker::isAlive(const HeldPacket &packet) const
{
    const Client *c = clientOf(packet.owner);
    // What a client sent may still be processed while its transport closes; what we send may not.
    return c && (packet.direction == TraceDirection::Received || (c->transport && c->transport->isOpen()));
}

void SandboxBroker::cutConnection(const HeldPacket &packet, const QString &why)
{
    if (Client *c = clientOf(packet.owner); c && c->transport) {
        traceNote(c, TraceKind::Cut, why);
        c->transport->abort();
    }
}

void SandboxBroker::later(int ms, std::function<void()> work)
{
    QTimer::singleShot(ms, this, std::move(work));
}

void SandboxBroker::heldChanged()
{
    emit heldPacketsChanged();
}

void SandboxBroker::ruleActed(quint32 ruleId)
{
    emit faultRuleActed(ruleId);
}

bool SandboxBroker::release(quint64 heldId)
{
    return settleHeld(m_gate, heldId, TraceMark::Released);
}

bool SandboxBroker::drop(quint64 heldId)
{
    return settleHeld(m_gate, heldId, TraceMark::Dropped);
}

} // namespace mqs
