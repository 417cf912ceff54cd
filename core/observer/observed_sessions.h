#pragma once
// A handshake seen from outside, and the flows a client's session still owes when its connection
// ends, kept by client id so its next connection can be held to resending them.

#include "observer_rules.h"

#include "protocol/reason_code.h"
#include "session/flow.h"

#include <QHash>

#include <optional>
#include <vector>

namespace mqs {

// One QoS 1 or 2 handshake on the hop whose PUBLISH `sender` sends, keyed by (sender, packet id).
struct ObservedFlow {
    ObservedSide sender = ObservedSide::Client;
    PacketId packetId{};
    int generation = 0; // the id used again on the same hop after this flow finished
    quint64 order = 0; // flows are numbered in the order they began
    QoS qos = QoS::AtLeastOnce;
    QString topic{};
    FlowState state = FlowState::None;
    qint64 publishUs = -1; // first PUBLISH
    qint64 ackUs = -1; // PUBACK or first PUBREC
    qint64 pubRelUs = -1; // first PUBREL
    qint64 completeUs = -1; // PUBACK or PUBCOMP
    qint64 lastStepUs = 0;
    int resends = 0; // PUBLISH with DUP = 1, PUBREL again
    ReasonCode reason = ReasonCode::Success;
    // Its PUBLISH crossed on this connection, so it takes a unit of the sender's quota
    // ([MQTT-4.9.0-2]); false for a flow carried from an earlier connection or begun before the
    // observation did.
    bool publishedHere = true;
    bool carried = false; // the session's previous connection left it open
    bool pubRelHere = false; // a PUBREL of it crossed on this connection
    bool isOpen() const { return state != FlowState::None && !isFinished(state); }
};

// What a client's session still owed when its connection ended.
struct ObservedSession {
    std::vector<ObservedFlow> openFlows{}; // in the order they began
};

class ObservedSessions
{
public:
    void store(const QString &clientId, ObservedSession session) { m_sessions.insert(clientId, std::move(session)); }
    // The session of `clientId`'s previous connection, once: a connection takes it.
    std::optional<ObservedSession> take(const QString &clientId)
    {
        const auto it = m_sessions.find(clientId);
        if (it == m_sessions.end())
            return std::nullopt;
        ObservedSession session = std::move(*it);
        m_sessions.erase(it);
        return session;
    }
    qsizetype size() const { return m_sessions.size(); }

private:
    QHash<QString, ObservedSession> m_sessions;
};

} // namespace mqs
