#include "fault_gate.h"

#include "protocol/describe.h"
#include "protocol/overloaded.h"

namespace mqs {

HeldPacket HeldPacket::of(quint64 owner, TraceDirection direction, Packet packet, QByteArray raw, const QString &topic,
                          const QString &clientId)
{
    // Built in place: the packet is moved in once, not assigned over a default one.
    const PacketType type = packetType(packet);
    const PacketId id = packetIdOf(packet).value_or(PacketId());
    return HeldPacket{.owner = owner,
                      .direction = direction,
                      .type = type,
                      .packetId = id,
                      .topic = topic,
                      .clientId = clientId,
                      .raw = std::move(raw),
                      .packet = std::move(packet)};
}

GateVerdict FaultGate::judge(HeldPacket &packet, qint64 nowUs)
{
    const FaultSubject subject{packet.direction == TraceDirection::Sent ? FaultDirection::Outgoing : FaultDirection::Incoming,
                               packet.type, packet.packetId, packet.topic, packet.clientId};
    const FaultDecision decision = m_rules.decide(subject);
    const quint32 rule = decision.ruleId;
    switch (decision.action) {
    case FaultAction::None:
        return GateVerdict{gate::Cross{}, 0};
    case FaultAction::Hold:
        packet.id = m_nextId++;
        packet.ruleId = rule;
        packet.ruleName = decision.ruleName;
        packet.heldSinceUs = nowUs;
        m_held.emplace(packet.id, packet);
        return GateVerdict{gate::Hold{}, rule};
    case FaultAction::Drop:
        return GateVerdict{gate::Drop{}, rule};
    case FaultAction::Delay:
        return GateVerdict{gate::Delay{int(decision.delayMs)}, rule};
    case FaultAction::Duplicate:
        return GateVerdict{gate::Duplicate{}, rule};
    case FaultAction::CutAfter:
        return GateVerdict{gate::CutAfter{QStringLiteral("cut by rule '%1' after %2 %3")
                                              .arg(decision.ruleName,
                                                   packet.direction == TraceDirection::Sent ? QStringLiteral("sending")
                                                                                            : QStringLiteral("receiving"),
                                                   describe(packet.packet))},
                           rule};
    }
    return GateVerdict{gate::Cross{}, 0};
}

std::vector<HeldPacket> FaultGate::held() const
{
    std::vector<HeldPacket> list;
    for (const auto &[id, packet] : m_held)
        list.push_back(packet);
    return list;
}

std::optional<HeldPacket> FaultGate::take(quint64 id)
{
    const auto it = m_held.find(id);
    if (it == m_held.end())
        return std::nullopt;
    HeldPacket packet = std::move(it->second);
    m_held.erase(it);
    return packet;
}

std::vector<HeldPacket> FaultGate::discard(quint64 owner)
{
    std::vector<HeldPacket> gone;
    for (auto it = m_held.begin(); it != m_held.end();) {
        if (it->second.owner == owner) {
            gone.push_back(std::move(it->second));
            it = m_held.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

HeldPacket resentCopy(HeldPacket packet)
{
    // [MQTT-3.3.1-1] a PUBLISH sent again is a re-delivery and carries DUP = 1 (QoS 0 never does,
    // [MQTT-3.3.1-2]); the flag is bit 3 of the first byte, so the bytes need no new encoding.
    constexpr char kDupFlag = 0x08;
    if (auto *publish = std::get_if<Publish>(&packet.packet); publish && publish->qos != QoS::AtMostOnce && !packet.raw.isEmpty()) {
        publish->dup = true;
        packet.raw[0] = char(packet.raw[0] | kDupFlag);
    }
    return packet;
}

FlowState stateWhenReleased(const HeldPacket &packet, FlowState now)
{
    if (now != FlowState::None)
        return now;
    return flowDirectionOf(packet.type, true) == Direction::Inbound ? FlowState::Complete : packet.flowState;
}

void GateEdge::passGate(FaultGate &gate, HeldPacket packet, qint64 nowUs)
{
    const GateVerdict verdict = gate.judge(packet, nowUs);
    const quint32 rule = verdict.ruleId;
    std::visit(overloaded{
                   [&](const gate::Cross &) { cross(packet, TraceMark::None, 0); },
                   [&](const gate::Hold &) {
                       record(packet, TraceMark::Held, rule);
                       heldChanged();
                   },
                   [&](const gate::Drop &) { record(packet, TraceMark::Dropped, rule); },
                   [&](const gate::Delay &delay) {
                       later(delay.ms, [this, packet, rule] {
                           if (isAlive(packet))
                               cross(packet, TraceMark::Delayed, rule);
                       });
                   },
                   [&](const gate::Duplicate &) {
                       cross(packet, TraceMark::None, 0);
                       if (isAlive(packet))
                           cross(resentCopy(packet), TraceMark::Duplicated, rule);
                   },
                   [&](const gate::CutAfter &cutAfter) {
                       cross(packet, TraceMark::None, 0);
                       later(0, [this, packet, why = cutAfter.why] {
                           if (isAlive(packet))
                               cutConnection(packet, why);
                       });
                   },
               },
               verdict.action);
    if (verdict.actedOn())
        ruleActed(rule);
}

bool GateEdge::settleHeld(FaultGate &gate, quint64 heldId, TraceMark fate)
{
    const auto packet = gate.take(heldId);
    if (!packet)
        return false;
    heldChanged();
    if (fate == TraceMark::Dropped)
        record(*packet, TraceMark::Dropped, packet->ruleId);
    else if (isAlive(*packet))
        cross(*packet, TraceMark::Released, packet->ruleId);
    return true;
}

} // namespace mqs
