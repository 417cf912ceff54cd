#include "fault_gate.h"

#include "protocol/describe.h"

#include <QPointer>
#include <QTimer>

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

void FaultGate::pass(HeldPacket packet, qint64 nowUs, const Handlers &handlers)
{
    const FaultSubject subject{packet.direction == TraceDirection::Sent ? FaultDirection::Outgoing : FaultDirection::Incoming,
                               packet.type, packet.packetId, packet.topic, packet.clientId};
    const FaultDecision decision = m_rules.decide(subject);
    act(decision, std::move(packet), nowUs, handlers);
    if (decision.action != FaultAction::None)
        emit ruleActed(decision.ruleId);
}

void FaultGate::act(const FaultDecision &decision, HeldPacket packet, qint64 nowUs, const Handlers &handlers)
{
    switch (decision.action) {
    case FaultAction::None:
        handlers.cross(packet, TraceMark::None, 0);
        return;
    case FaultAction::Hold:
        packet.id = m_nextId++;
        packet.ruleId = decision.ruleId;
        packet.ruleName = decision.ruleName;
        packet.heldSinceUs = nowUs;
        handlers.record(packet, TraceMark::Held, decision.ruleId);
        m_held.emplace(packet.id, std::make_pair(packet, handlers));
        emit heldChanged();
        return;
    case FaultAction::Drop:
        handlers.record(packet, TraceMark::Dropped, decision.ruleId);
        return;
    case FaultAction::Delay:
        QTimer::singleShot(int(decision.delayMs), this, [packet, handlers, rule = decision.ruleId] {
            if (handlers.alive())
                handlers.cross(packet, TraceMark::Delayed, rule);
        });
        return;
    case FaultAction::Duplicate:
        handlers.cross(packet, TraceMark::None, 0);
        if (handlers.alive())
            handlers.cross(packet, TraceMark::Duplicated, decision.ruleId);
        return;
    case FaultAction::CutAfter: {
        handlers.cross(packet, TraceMark::None, 0);
        const QString why = QStringLiteral("cut by rule '%1' after %2 %3")
                                .arg(decision.ruleName,
                                     packet.direction == TraceDirection::Sent ? QStringLiteral("sending") : QStringLiteral("receiving"),
                                     describe(packet.packet));
        // After the current step: the packet's consequences (e.g. a PUBREL in answer) go out first.
        QTimer::singleShot(0, this, [handlers, why] {
            if (handlers.alive())
                handlers.cut(why);
        });
        return;
    }
    }
}

std::vector<HeldPacket> FaultGate::held() const
{
    std::vector<HeldPacket> list;
    for (const auto &[id, entry] : m_held)
        list.push_back(entry.first);
    return list;
}

std::optional<std::pair<HeldPacket, FaultGate::Handlers>> FaultGate::take(quint64 id)
{
    const auto it = m_held.find(id);
    if (it == m_held.end())
        return std::nullopt;
    auto entry = std::move(it->second);
    m_held.erase(it);
    emit heldChanged();
    return entry;
}

bool FaultGate::release(quint64 id)
{
    auto entry = take(id);
    if (!entry)
        return false;
    auto &[packet, handlers] = *entry;
    if (handlers.alive())
        handlers.cross(packet, TraceMark::Released, packet.ruleId);
    return true;
}

bool FaultGate::drop(quint64 id)
{
    auto entry = take(id);
    if (!entry)
        return false;
    auto &[packet, handlers] = *entry;
    handlers.record(packet, TraceMark::Dropped, packet.ruleId);
    return true;
}

void FaultGate::discard(quint64 owner, const std::function<void(const HeldPacket &)> &traceDiscarded)
{
    bool changed = false;
    for (auto it = m_held.begin(); it != m_held.end();) {
        if (it->second.first.owner == owner) {
            traceDiscarded(it->second.first);
            it = m_held.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    if (changed)
        emit heldChanged();
}

} // namespace mqs
