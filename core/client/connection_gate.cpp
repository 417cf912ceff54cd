// Connection, fault rules: carries out the fault gate's verdict on each packet crossing the
// connection, either way (core/faults/fault_gate.h).

#include "connection.h"

#include "protocol/describe.h"
#include "protocol/overloaded.h"

namespace mqs {

void Connection::pass(HeldPacket packet)
{
    const GateVerdict verdict = m_gate.judge(packet, m_trace.clock().nowUs());
    const quint64 generation = packet.owner;
    const quint32 rule = verdict.ruleId;
    std::visit(overloaded{
                   [&](const gate::Cross &) { cross(packet, TraceMark::None, 0); },
                   [&](const gate::Hold &) {
                       record(packet, TraceMark::Held, rule);
                       emit heldPacketsChanged();
                   },
                   [&](const gate::Drop &) { record(packet, TraceMark::Dropped, rule); },
                   [&](const gate::Delay &delay) {
                       QTimer::singleShot(delay.ms, this, [this, packet, generation, rule] {
                           if (isAlive(generation))
                               cross(packet, TraceMark::Delayed, rule);
                       });
                   },
                   [&](const gate::Duplicate &) {
                       cross(packet, TraceMark::None, 0);
                       if (isAlive(generation))
                           cross(packet, TraceMark::Duplicated, rule);
                   },
                   [&](const gate::CutAfter &cutAfter) {
                       cross(packet, TraceMark::None, 0);
                       QTimer::singleShot(0, this, [this, generation, why = cutAfter.why] {
                           if (isAlive(generation))
                               cut(why);
                       });
                   },
               },
               verdict.action);
    if (verdict.actedOn())
        emit faultRuleActed(rule);
}

void Connection::cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId)
{
    if (packet.direction == TraceDirection::Received) {
        process(packet.packet, packet.raw, mark, ruleId);
        return;
    }
    write(packet.raw);
    FlowState state = packet.flowState;
    if (mark == TraceMark::Released && belongsToFlow(packet.type)) {
        // The flow may have moved on while the packet was held.
        const Direction d = flowDirectionOf(packet.type, true);
        state = m_session->flowState(d, packet.packetId);
        if (state == FlowState::None)
            state = d == Direction::Inbound ? FlowState::Complete : packet.flowState;
    }
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

bool Connection::release(quint64 heldId)
{
    const auto packet = m_gate.take(heldId);
    if (!packet)
        return false;
    emit heldPacketsChanged();
    if (isAlive(packet->owner))
        cross(*packet, TraceMark::Released, packet->ruleId);
    return true;
}

bool Connection::drop(quint64 heldId)
{
    const auto packet = m_gate.take(heldId);
    if (!packet)
        return false;
    emit heldPacketsChanged();
    record(*packet, TraceMark::Dropped, packet->ruleId);
    return true;
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
