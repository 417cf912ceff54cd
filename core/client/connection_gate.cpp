// Connection, fault rules: how a packet crosses this connection, either way, and how it is traced
// when it does not; GateEdge (core/faults/fault_gate.h) carries out the gate's verdicts with these.

#include "connection.h"

#include "protocol/describe.h"

namespace mqs {

void Connection::pass(HeldPacket packet)
{
    passGate(m_gate, std::move(packet), m_trace.clock().nowUs());
}

void Connection::cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    if (packet.direction == TraceDirection::Received) {
        process(packet.packet, packet.raw, mark, ruleId);
        return;
    }
    write(packet.raw);
    FlowState state = packet.flowState;
    if (mark == TraceMark::Released && belongsToFlow(packet.type))
        state = stateWhenReleased(packet, m_session->flowState(flowDirectionOf(packet.type, true), packet.packetId));
    trace(TraceDirection::Sent, packet.packet, packet.raw, state, mark, ruleId);
}

void Connection::record(const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    if (packet.direction == TraceDirection::Sent) {
        trace(TraceDirection::Sent, packet.packet, packet.raw, packet.flowState, mark, ruleId);
        return;
    }
    const FlowState state = belongsToFlow(packet.type)
        ? m_session->flowState(flowDirectionOf(packet.type, false), packet.packetId) : FlowState::None;
    trace(TraceDirection::Received, packet.packet, packet.raw, state, mark, ruleId);
}

bool Connection::isAlive(quint64 generation) const
{
    return generation == m_transportGeneration && m_transport && m_transport->isOpen();
}

bool Connection::isAlive(const HeldPacket &packet) const
{
    return isAlive(packet.owner);
}

void Connection::cutConnection(const HeldPacket &, const QString &why)
{
    cut(why);
}

void Connection::later(int ms, std::function<void()> work)
{
    QTimer::singleShot(ms, this, std::move(work));
}

void Connection::heldChanged()
{
    emit heldPacketsChanged();
}

void Connection::ruleActed(quint32 ruleId)
{
    emit faultRuleActed(ruleId);
}

bool Connection::release(quint64 heldId)
{
    return settleHeld(m_gate, heldId, TraceMark::Released);
}

bool Connection::drop(quint64 heldId)
{
    return settleHeld(m_gate, heldId, TraceMark::Dropped);
}

void Connection::discardHeld(quint64 generation)
{
    const std::vector<HeldPacket> gone = m_gate.discard(generation);
    for (const HeldPacket &h : gone)
        traceNote(TraceKind::Note, QStringLiteral("Held %1 id %2 discarded: the connection closed.")
                                       .arg(packetTypeName(h.type))
                                       .arg(h.packetId.value));
    if (!gone.empty())
        emit heldPacketsChanged();
}

} // namespace mqs
