#pragma once
// The sandbox broker's logic, sans-IO like the session it is built from: client sessions in
// the server role, subscriptions with + and # and 5.0 options, retained messages, wills (with
// 5.0 Will Delay), persistent sessions with expiry and bounded queues. No sockets, no clock:
// SandboxBroker feeds it and carries out what it returns.

#include "session/session.h"
#include "store/session_store.h"

#include <QHash>
#include <QSet>

#include <map>
#include <memory>

namespace mqs {

// One network connection to the broker (a client may reconnect on a new one).
using ClientHandle = quint64;

struct BrokerOptions {
    QString name = QStringLiteral("sandbox"); // the store scope is "broker:<name>"
    InboundMethod inboundMethod = InboundMethod::B;
    quint16 receiveMaximum = 20; // what we accept from each client
    int maximumQueuedPerClient = 1000; // QoS 1/2 messages kept for an offline (or slow) client
    std::optional<QoS> maximumQoS{}; // nothing: QoS 2; announced (5.0) and enforced, wills included
    bool retainAvailable = true; // false: announced (5.0); retained PUBLISHes and wills are refused
    quint16 topicAliasMaximum = 10;
    // Announced in every 5.0 CONNACK and enforced by the owner's decoder for both versions
    // (0: no limit). A sandbox's test messages are small; the bound keeps a client that claims a
    // huge packet from making the broker buffer it.
    quint32 maximumPacketSize = kSandboxMaximumPacketSize;
    static constexpr quint32 kSandboxMaximumPacketSize = 1024 * 1024;
};

// What the owner must do for one client after a step, in order: commit `output.store` under
// `key`, send `output.sent`, then close if `output.close`.
struct ClientOutput {
    ClientHandle client = 0;
    SessionKey key{};
    SessionOutput output{};
};

struct BrokerStep {
    std::vector<ClientOutput> clients{};
    StoreBatch store{}; // broker-level changes (retained, subscriptions)
    std::vector<QString> notes{}; // for the trace: routing, wills, expiry, refusals
    void append(BrokerStep &&other);
};

// What one connected client looks like from outside (for lanes and tests).
struct BrokerClientInfo {
    ClientHandle handle = 0;
    QString clientId{};
    ProtocolVersion version = ProtocolVersion::V5;
    bool connected = false;
};

class BrokerCore
{
public:
    explicit BrokerCore(BrokerOptions options = {});
    ~BrokerCore();

    const BrokerOptions &options() const { return m_options; }
    QString storeScope() const { return QStringLiteral("broker:") + m_options.name; }
    SessionKey retainedKey() const { return SessionKey{storeScope(), QString()}; }

    // Sessions, subscriptions and retained messages an earlier run stored. Every client is
    // offline now: sessions that ended with their connection (expiry 0) are removed, the
    // others count their expiry from `now`.
    Status restore(SessionStore &store, Millis now);
    // Forget everything (restart without state).
    void clear();
    // A step's commit failed: the sessions of `clientIds` (and the retained messages) go back to
    // what `store` holds, so that nothing the store does not hold is acknowledged or sent later.
    // Returns their connections, now closing (nothing they send counts until disconnected()).
    std::vector<ClientHandle> revert(SessionStore &store, const std::vector<QString> &clientIds, Millis now);

    BrokerStep received(ClientHandle client, const Packet &packet, Millis now);
    BrokerStep protocolError(ClientHandle client, const ProtocolError &error, Millis now);
    // Whether the broker has decided to close `client`'s connection: nothing it sends from then
    // on is processed (received() and protocolError() ignore it) until disconnected().
    bool isClosing(ClientHandle client) const { return m_closing.contains(client); }
    // The connection is gone (closed by either side or lost).
    BrokerStep disconnected(ClientHandle client, Millis now);
    // Keep alive, will delays, session expiry.
    BrokerStep tick(Millis now);
    std::optional<Millis> nextDeadline() const;

    std::optional<BrokerClientInfo> client(ClientHandle handle) const;
    std::vector<QString> sessionIds() const; // every session kept, online or not
    std::vector<StoredSubscription> subscriptions(const QString &clientId) const;
    std::vector<ApplicationMessage> retainedMessages() const;
    const Session *session(const QString &clientId) const;

private:
    struct ClientSession;
    struct PendingWill {
        QString clientId;
        Will will;
        Millis due{0};
    };

    BrokerStep onConnect(ClientHandle client, const Connect &connect, Millis now);
    BrokerStep onSessionOutput(ClientSession &session, SessionOutput out, Millis now);
    // What a client's matching subscriptions together ask for one message.
    struct Matched {
        std::optional<QoS> granted;
        bool retainAsPublished = false;
        std::vector<quint32> identifiers;
        void add(const StoredSubscription &sub);
    };
    void route(const ApplicationMessage &message, const QString &publisher, Millis now, BrokerStep &step);
    int routeShared(const ApplicationMessage &message, Millis now, BrokerStep &step);
    bool deliver(ClientSession &session, const ApplicationMessage &message, const Matched &matched, Millis now, BrokerStep &step);
    void subscribe(ClientSession &session, const Subscribe &request, Millis now, BrokerStep &step);
    void unsubscribe(ClientSession &session, const Unsubscribe &request, Millis now, BrokerStep &step);
    void endConnection(ClientSession &session, bool graceful, Millis now, BrokerStep &step);
    void publishWill(const QString &clientId, const Will &will, Millis now, BrokerStep &step);
    ReasonCode acceptance(const QString &clientId, const ApplicationMessage &message) const;
    // The subscriber whose full queue could not take a copy of `message` from `publisher`; nothing
    // when every matching session has room (or the message is QoS 0, which is never queued as owed).
    std::optional<QString> fullQueueFor(const QString &publisher, const ApplicationMessage &message) const;
    // 3.1.1: whether `packet` waits unacknowledged in `cs.withheld` rather than being taken now.
    bool withholds(ClientSession &cs, const Packet &packet, Millis now, BrokerStep &step);
    // Takes the withheld PUBLISHes whose subscribers have room again, in order.
    void takeWithheld(Millis now, BrokerStep &step);
    ClientSession *byHandle(ClientHandle client);
    std::unique_ptr<ClientSession> makeSession(const QString &clientId);
    // `id`'s session as `store` holds it; its connection, if it has one, closing.
    [[nodiscard]] std::optional<ClientHandle> revertSession(SessionStore &store, const QString &id, Millis now);
    void revertRetained(SessionStore &store, Millis now);
    Status restoreWill(SessionStore &store, const SessionKey &key, quint32 sessionExpiry, Millis now);
    QString assignClientId();
    std::optional<std::pair<ReasonCode, QString>> connectRefusal(const Connect &connect) const;
    BrokerStep refuse(ClientHandle client, ReasonCode reason, const QString &why);
    void takeOver(const QString &clientId, const Connect &connect, Millis now, BrokerStep &step);
    void settlePendingWill(const QString &clientId, bool sessionEnds, Millis now, BrokerStep &step);
    std::optional<PeerViolation> breach(const ClientSession &session, const Packet &packet) const;
    void takeDisconnectExpiry(ClientSession &session, const Disconnect &disconnect, BrokerStep &step);
    SessionOutput closeConnection(ClientSession &session, ReasonCode reason, Millis now);
    void deliverRetained(ClientSession &session, const StoredSubscription &stored, Millis now, BrokerStep &step);

    BrokerOptions m_options;
    std::map<QString, std::unique_ptr<ClientSession>> m_sessions; // by client id
    QHash<ClientHandle, QString> m_handles; // connected handles → client id
    struct RetainedMessage {
        ApplicationMessage message;
        std::optional<Millis> expiresAt; // 5.0 Message Expiry Interval, counted from arrival
    };
    std::map<QString, RetainedMessage> m_retained; // by topic
    QSet<ClientHandle> m_closing; // connections the broker decided to close
    std::map<QString, quint64> m_sharedTurns; // by "$share/{group}/{filter}": messages handed out so far
    std::vector<PendingWill> m_wills;
    quint64 m_assignedIds = 0;
};

} // namespace mqs
