#pragma once
// BrokerCore's record of one client's session, shared by the files that implement BrokerCore
// (broker_core.cpp, broker_connections.cpp, broker_messages.cpp).

#include "broker_core.h"

#include <deque>

namespace mqs {

struct BrokerCore::ClientSession {
    QString clientId;
    std::unique_ptr<Session> session;
    std::map<QString, StoredSubscription> subscriptions; // by filter ("$share/…" included)
    std::optional<ClientHandle> handle; // set while connected
    std::optional<Will> will;
    std::optional<Millis> expiresAt; // while offline with a finite Session Expiry Interval
    quint32 sessionExpiry = 0; // seconds, from CONNECT, changed by a 5.0 DISCONNECT
    // 3.1.1: PUBLISHes from this client read but not yet taken, in arrival order, because a full
    // queue could not take the first of them (BrokerCore::withholds); this connection only.
    std::deque<Publish> withheld;
    qint64 withheldBytes = 0; // their topics and payloads
};

// What the broker holds of one client's withheld PUBLISHes at most before it closes the connection:
// as many as a client can have unacknowledged (its 65,535 packet ids), and a bound on memory that a
// flood of QoS 0 messages behind them (which take no id) cannot pass.
inline constexpr int kMostWithheldMessages = 65535;
inline constexpr qint64 kMostWithheldBytes = 64 * 1024 * 1024;

// When a message that arrived at `now` expires (5.0 Message Expiry Interval), if it does.
inline std::optional<Millis> expiryOf(const ApplicationMessage &message, Millis now)
{
    if (const auto seconds = message.properties.integer(PropertyId::MessageExpiryInterval))
        return now + Millis(qint64(*seconds) * 1000);
    return std::nullopt;
}

// A session's will is kept in the store beside the session, as one message under the session's
// own key in the store's table of retained messages (by topic), so that a restart finds it
// ([MQTT-3.1.2-7]: the will is stored with the session). Will Delay Interval stays a property.
inline ApplicationMessage storedWill(const Will &will)
{
    return ApplicationMessage{will.topic, will.payload, will.qos, will.retain, will.properties};
}

inline Will willFrom(const ApplicationMessage &stored)
{
    return Will{stored.topic, stored.payload, stored.qos, stored.retain, stored.properties};
}

// When a will goes out after its connection closed at `closed`: after its Will Delay Interval,
// or when the session ends if that is sooner (3.1.2.5).
inline Millis willDue(const Will &will, quint32 sessionExpiry, Millis closed)
{
    const quint32 delay = will.properties.integer(PropertyId::WillDelayInterval).value_or(0);
    return closed + Millis(qint64(std::min(delay, sessionExpiry)) * 1000);
}

} // namespace mqs
