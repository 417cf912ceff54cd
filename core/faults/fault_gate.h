#pragma once
// Carries out fault rules on packets crossing one boundary: holds them until released, drops,
// delays (with a Qt timer), duplicates, or cuts the connection after them. Used by the client
// Connection and by the sandbox broker for each client it serves.

#include "fault_rule_set.h"

#include "protocol/packets.h"
#include "trace/trace_event.h"

#include <QObject>

#include <functional>
#include <map>
#include <optional>

namespace mqs {

// A packet a rule holds until the user releases or drops it.
struct HeldPacket {
    quint64 id = 0;
    quint64 owner = 0; // the connection it belongs to (see FaultGate::pass)
    TraceDirection direction = TraceDirection::Sent;
    PacketType type = PacketType::Publish;
    PacketId packetId{};
    QString topic{};
    QString clientId{};
    quint32 ruleId = 0;
    QString ruleName{};
    qint64 heldSinceUs = 0; // trace time
    QByteArray raw{};
    Packet packet{};

    // `packet` as it reaches the gate; the gate fills in the id, the rule and the time.
    static HeldPacket of(quint64 owner, TraceDirection direction, const Packet &packet, const QByteArray &raw,
                         const QString &topic, const QString &clientId);
};

class FaultGate : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultGate)
public:
    struct Handlers {
        // Let the packet cross now (write it, or feed it to the session), traced with `mark`.
        std::function<void(const HeldPacket &, TraceMark mark, quint32 ruleId)> cross;
        // Trace it without letting it cross (held, dropped).
        std::function<void(const HeldPacket &, TraceMark mark, quint32 ruleId)> record;
        // Close the connection now, as a network failure would.
        std::function<void(const QString &why)> cut;
        // False once the connection the packet belongs to is gone (checked before delayed work).
        std::function<bool()> alive;
    };

    FaultGate(FaultRuleSet &rules, QObject *parent = nullptr) : QObject(parent), m_rules(rules) {}

    // `packet` fills in direction, type, id, topic, client, raw and packet; the gate the rest.
    void pass(HeldPacket packet, qint64 nowUs, const Handlers &handlers);

    std::vector<HeldPacket> held() const;
    bool release(quint64 id);
    bool drop(quint64 id);
    // The connection `owner` is gone: its held packets go too (each traced by `why`).
    void discard(quint64 owner, const std::function<void(const HeldPacket &)> &traceDiscarded);

signals:
    void heldChanged();
    // A rule acted on a packet (its hit count grew); after the action was carried out.
    void ruleActed(quint32 ruleId);

private:
    void act(const FaultDecision &decision, HeldPacket packet, qint64 nowUs, const Handlers &handlers);
    // The held packet `id` and its handlers, no longer held; nothing when it is not held.
    std::optional<std::pair<HeldPacket, Handlers>> take(quint64 id);

    FaultRuleSet &m_rules;
    std::map<quint64, std::pair<HeldPacket, Handlers>> m_held;
    quint64 m_nextId = 1;
};

} // namespace mqs
