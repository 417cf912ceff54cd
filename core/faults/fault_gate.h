#pragma once
// Judges packets crossing one boundary against the fault rules: a verdict (cross, hold, drop,
// delay, duplicate, cut after) that its owner (the client Connection, the sandbox broker for
// each client it serves) carries out, sans-IO like the session: no timers, sockets or signals
// here. Held packets wait in the gate until the owner releases or drops them.

#include "fault_rule_set.h"

#include "protocol/packets.h"
#include "session/flow.h"
#include "trace/trace_event.h"

#include <functional>
#include <map>
#include <optional>
#include <variant>
#include <vector>

namespace mqs {

// A packet at the gate, and once a rule holds it, until the user releases or drops it.
struct HeldPacket {
    quint64 id = 0;
    quint64 owner = 0; // the connection it belongs to (see FaultGate::discard)
    TraceDirection direction = TraceDirection::Sent;
    PacketType type = PacketType::Publish;
    PacketId packetId{};
    QString topic{};
    QString clientId{};
    quint32 ruleId = 0;
    QString ruleName{};
    qint64 heldSinceUs = 0; // trace time
    FlowState flowState = FlowState::None; // sent packets: the state their step left the flow in
    QByteArray raw{};
    Packet packet{};

    // `packet` as it reaches the gate; the gate fills in the id, the rule and the time.
    // `packet` and `raw` by value: a caller done with them (the proxy's decoder) moves them in.
    static HeldPacket of(quint64 owner, TraceDirection direction, Packet packet, QByteArray raw, const QString &topic,
                         const QString &clientId);
};

// What the owner does with a packet, by the rule that matched it (`ruleId` 0: none did).
namespace gate {
struct Cross {}; // let it through now
struct Hold {}; // trace it as held; the gate keeps it until release() or drop()
struct Drop {}; // trace it as dropped; it never crosses
struct Delay { int ms = 0; }; // let it through after `ms`, traced as delayed, if its connection is still there
struct Duplicate {}; // let it through, then once more (see resentCopy), traced as duplicated
// Let it through, then cut the connection as a network failure would, once the current step
// is done (the packet's consequences, e.g. a PUBREL in answer, go out first).
struct CutAfter { QString why{}; };
} // namespace gate

// The copy a Duplicate sends: the same packet, but a QoS 1 or 2 PUBLISH with DUP = 1, as a resend.
HeldPacket resentCopy(HeldPacket packet);

struct GateVerdict {
    std::variant<gate::Cross, gate::Hold, gate::Drop, gate::Delay, gate::Duplicate, gate::CutAfter> action{};
    quint32 ruleId = 0;
    bool actedOn() const { return ruleId != 0; }
};

class FaultGate
{
public:
    explicit FaultGate(FaultRuleSet &rules) : m_rules(rules) {}
    FaultGate(const FaultGate &) = delete;
    FaultGate &operator=(const FaultGate &) = delete;

    // The verdict on `packet` (it fills in direction, type, id, topic, client, raw and packet).
    // Hold: the gate keeps it, with its id, rule and time filled in (`packet` is updated too).
    [[nodiscard]] GateVerdict judge(HeldPacket &packet, qint64 nowUs);

    std::vector<HeldPacket> held() const;
    // The held packet `id`, no longer held, for its owner to let cross (or trace as dropped).
    [[nodiscard]] std::optional<HeldPacket> take(quint64 id);
    // The connection `owner` is gone: its held packets, no longer held.
    [[nodiscard]] std::vector<HeldPacket> discard(quint64 owner);

private:
    FaultRuleSet &m_rules;
    std::map<quint64, HeldPacket> m_held;
    quint64 m_nextId = 1;
};

// The flow state a sent packet is traced with when it is released: its flow's state `now` (the
// flow may have moved on while the packet was held); a flow that is gone shows Complete when it
// was inbound, the state it was held in when outbound.
FlowState stateWhenReleased(const HeldPacket &packet, FlowState now);

// An edge that owns a gate (the client Connection, the sandbox broker for its clients). Carrying
// out a verdict and settling a held packet are written here once; the edge says how a packet
// crosses, how it is traced without crossing, whether its connection is still there, how to wait
// and how to cut.
class GateEdge
{
public:
    virtual ~GateEdge() = default;

protected:
    // Judges `packet` at `gate` and carries out the verdict.
    void passGate(FaultGate &gate, HeldPacket packet, qint64 nowUs);
    // A held packet leaves `gate`: Released, it crosses if its connection is still there;
    // Dropped, it is traced and never crosses. False when `heldId` is not held.
    bool settleHeld(FaultGate &gate, quint64 heldId, TraceMark fate);

private:
    // The packet goes through: written (sent) or processed (received), traced with `mark`.
    virtual void cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId) = 0;
    // Traced without going through (held, dropped).
    virtual void record(const HeldPacket &packet, TraceMark mark, quint32 ruleId) = 0;
    // Whether the packet's connection is still there (checked before delayed work).
    virtual bool isAlive(const HeldPacket &packet) const = 0;
    virtual void cutConnection(const HeldPacket &packet, const QString &why) = 0;
    // Runs `work` after `ms` (0: once the current step is done), unless the edge is gone by then.
    virtual void later(int ms, std::function<void()> work) = 0;
    virtual void heldChanged() = 0;
    virtual void ruleActed(quint32 ruleId) = 0;
};

} // namespace mqs
