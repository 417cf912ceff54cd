#include "fault_gate.h"

#include "protocol/describe.h"

namespace mqs {

HeldPacket HeldPacket::of(quint64 owner, TraceDirection direction, const Packet &packet, const QByteArray &raw,
                          const QString &topic, const QString &clientId)
{
    HeldPacket p;
    p.owner = owner;
    p.direction = direction;
    p.type = packetType(packet);
    p.packetId = packetIdOf(packet).value_or(PacketId());
    p.topic = topic;
    p.clientId = clientId;
    p.raw = raw;
    p.packet = packet;
    return p;
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

} // namespace mqs
