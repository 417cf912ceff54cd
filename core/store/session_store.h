#pragma once
// Where sessions outlive the process: the flows, the delivered-message history and (for the
// sandbox broker) subscriptions and retained messages. The StoreChanges of one step, of every
// session it touched, are committed in one transaction before any packet of that step is sent
// (write-ahead).

#include "protocol/result.h"
#include "session/session_output.h"

#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace mqs {

// Sessions are kept per (scope, client id): the scope says whose session it is, e.g. the server
// URL for a client ("mqtt://127.0.0.1:1883") or "broker:<name>" for the sandbox broker.
struct SessionKey {
    QString scope{};
    QString clientId{};
    bool operator==(const SessionKey &) const = default;
    bool operator<(const SessionKey &other) const
    {
        return scope != other.scope ? scope < other.scope : clientId < other.clientId;
    }
};

struct StoredSubscription {
    Subscription subscription{};
    quint32 subscriptionIdentifier = 0;
    bool operator==(const StoredSubscription &) const = default;
};

struct StoredSession {
    SessionMeta meta{};
    std::vector<OutboundFlow> outbound{}; // in serial order
    std::vector<InboundFlow> inbound{}; // in arrival order
    std::vector<StoredSubscription> subscriptions{};
    bool operator==(const StoredSession &) const = default;
};


// One session's share of a transaction.
struct SessionChanges {
    SessionKey key{};
    std::vector<StoreChange> changes{};
};
// The changes of one step, of every session it touched (the broker: a publisher's flow and its
// subscribers' queued copies), committed together so that a kill keeps all of them or none.
using StoreBatch = std::vector<SessionChanges>;

class SessionStore
{
public:
    virtual ~SessionStore() = default;

    // Every change of `batch` in one transaction: all of them are kept, or none (and a Store problem says why).
    virtual Status commit(const StoreBatch &batch) = 0;
    // One session's changes in one transaction.
    Status apply(const SessionKey &key, std::vector<StoreChange> changes)
    {
        return commit(StoreBatch{SessionChanges{key, std::move(changes)}});
    }
    // Nothing when no session is stored for `key`.
    virtual Result<std::optional<StoredSession>> load(const SessionKey &key) = 0;
    // Forgets the session (flows, subscriptions; the delivery history stays).
    Status remove(const SessionKey &key) { return apply(key, {DeleteSession{}}); }
    virtual Result<std::vector<SessionKey>> keys(const QString &scope) = 0;
    // The delivered messages of `key`, oldest first (at most `limit`, the newest ones).
    virtual Result<std::vector<Delivery>> history(const SessionKey &key, int limit = 100000) = 0;
    // Every session that has a delivery history, for listing it.
    virtual Result<std::vector<SessionKey>> historyKeys() = 0;
    // The retained messages kept under `key`, by topic.
    virtual Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) = 0;
    // Where it keeps things, for messages ("memory", a file path).
    virtual QString location() const = 0;
};

// Messages are kept as the bytes of an MQTT 5.0 PUBLISH, which carries every property.
QByteArray serializeMessage(const ApplicationMessage &message);
std::optional<ApplicationMessage> deserializeMessage(const QByteArray &bytes);

} // namespace mqs
