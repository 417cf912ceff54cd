// BrokerCore: connections — CONNECT and its refusals, takeover, closing, DISCONNECT.

#include "broker_client_session.h"

#include "protocol/describe.h"
#include "protocol/topic.h"

namespace mqs {

// ---- connections ------------------------------------------------------------------------

BrokerStep BrokerCore::received(ClientHandle client, const Packet &packet, Millis now)
{
    // Once the broker has decided to close a connection, nothing more from it counts: not a
    // CONNECT opening a new session, not a PUBLISH to route ([MQTT-3.1.4-6] for a refused CONNECT).
    if (m_closing.contains(client))
        return {};
    ClientSession *cs = byHandle(client);
    if (!cs) {
        if (const auto *connect = std::get_if<Connect>(&packet)) {
            BrokerStep step = onConnect(client, *connect, now);
            takeWithheld(now, step); // a subscriber back online drains its queue
            return step;
        }
        m_closing.insert(client);
        BrokerStep step;
        ClientOutput refused{client, {}, {}};
        refused.output.close = true;
        step.clients.push_back(std::move(refused));
        step.notes.push_back(QStringLiteral("A client sent %1 before CONNECT; the first packet must be CONNECT "
                                            "[MQTT-3.1.0-1]. Connection closed.")
                                 .arg(packetTypeName(packetType(packet))));
        return step;
    }
    if (auto violation = breach(*cs, packet)) {
        SessionOutput out = closeConnection(*cs, violation->reason, now);
        out.events.insert(out.events.begin(), *violation);
        return onSessionOutput(*cs, std::move(out), now);
    }
    BrokerStep step;
    if (const auto *disconnect = std::get_if<Disconnect>(&packet))
        takeDisconnectExpiry(*cs, *disconnect, step);
    if (!withholds(*cs, packet, now, step))
        step.append(onSessionOutput(*cs, cs->session->receive(packet, now), now));
    takeWithheld(now, step); // what this packet did (a PUBCOMP, a CONNECT, an UNSUBSCRIBE) may have made room
    return step;
}

// 3.1.1's PUBACK and PUBREC cannot refuse a message, and acknowledging one that a full queue
// cannot take would drop it after taking ownership ([MQTT-4.5.0-1]). So the broker leaves it
// unacknowledged until there is room: the publisher keeps it, and it waits in its own session
// (or resends it on its next connection). Every PUBLISH after it from that client waits behind it,
// so that messages on a topic keep their order ([MQTT-4.6.0-5]).
bool BrokerCore::withholds(ClientSession &cs, const Packet &packet, Millis now, BrokerStep &step)
{
    const auto *publish = std::get_if<Publish>(&packet);
    if (!publish || cs.session->link().isV5())
        return false;
    const bool resent = publish->packetId && std::any_of(cs.withheld.begin(), cs.withheld.end(), [&](const Publish &w) {
        return w.packetId == publish->packetId;
    });
    if (resent)
        return true; // it waits once
    if (cs.withheld.empty()) {
        if (publish->packetId && cs.session->inbound().flow(*publish->packetId))
            return false; // a resend of a message already taken: PUBREC again
        const std::optional<QString> full = fullQueueFor(cs.clientId, toMessage(*publish));
        if (!full)
            return false;
        step.notes.push_back(QStringLiteral("The queue of '%1' is full (%2 messages): PUBLISH id %3 from '%4' waits unacknowledged "
                                            "until it has room (MQTT 3.1.1 cannot refuse a message).")
                                 .arg(*full).arg(m_options.maximumQueuedPerClient).arg(publish->packetId->value).arg(cs.clientId));
    }
    const qint64 bytes = publish->topic.size() + publish->payload.size();
    if (int(cs.withheld.size()) >= kMostWithheldMessages || cs.withheldBytes + bytes > kMostWithheldBytes) {
        step.notes.push_back(QStringLiteral("Client '%1' sent %2 messages (%3 bytes) while its first waited for room, more than the "
                                            "broker holds; connection closed (they are still the client's to send).")
                                 .arg(cs.clientId).arg(cs.withheld.size()).arg(cs.withheldBytes));
        step.append(onSessionOutput(cs, closeConnection(cs, ReasonCode::QuotaExceeded, now), now));
        return true;
    }
    cs.withheld.push_back(*publish);
    cs.withheldBytes += bytes;
    return true;
}

void BrokerCore::takeWithheld(Millis now, BrokerStep &step)
{
    std::vector<QString> waiting;
    for (const auto &[id, cs] : m_sessions)
        if (!cs->withheld.empty())
            waiting.push_back(id);
    for (const QString &id : waiting) {
        for (;;) {
            const auto it = m_sessions.find(id); // a step may end a session
            if (it == m_sessions.end() || !it->second->handle || m_closing.contains(*it->second->handle) || it->second->withheld.empty())
                break;
            ClientSession &cs = *it->second;
            if (fullQueueFor(id, toMessage(cs.withheld.front())))
                break;
            const Publish publish = std::move(cs.withheld.front());
            cs.withheld.pop_front();
            cs.withheldBytes -= publish.topic.size() + publish.payload.size();
            if (cs.withheld.empty())
                step.notes.push_back(QStringLiteral("The messages from '%1' that waited for room are taken.").arg(id));
            step.append(onSessionOutput(cs, cs.session->receive(publish, now), now));
        }
    }
}

// What the session does not check because only a server knows it: a rule broken by this packet
// that ends the connection.
std::optional<PeerViolation> BrokerCore::breach(const ClientSession &cs, const Packet &packet) const
{
    if (!cs.session->link().isV5())
        return std::nullopt;
    if (const auto *publish = std::get_if<Publish>(&packet)) {
        if (publish->properties.contains(PropertyId::SubscriptionIdentifier))
            return PeerViolation{.rule = QStringLiteral("[MQTT-3.3.4-6]"),
                                 .message = QStringLiteral("PUBLISH from a client carries a Subscription Identifier "
                                                           "[MQTT-3.3.4-6]. Connection closed."),
                                 .closes = true};
        if (publish->retain && !m_options.retainAvailable)
            return PeerViolation{.rule = QStringLiteral("[MQTT-3.2.2-14]"),
                                 .message = QStringLiteral("PUBLISH with RETAIN 1, but CONNACK said Retain Available 0 "
                                                           "[MQTT-3.2.2-14]. Connection closed."),
                                 .closes = true,
                                 .reason = ReasonCode::RetainNotSupported};
    }
    if (const auto *disconnect = std::get_if<Disconnect>(&packet)) {
        const auto expiry = disconnect->properties.integer(PropertyId::SessionExpiryInterval);
        if (expiry && *expiry != 0 && cs.sessionExpiry == 0)
            return PeerViolation{.rule = QStringLiteral("section 3.14.2.2.2"),
                                 .message = QStringLiteral("DISCONNECT sets Session Expiry Interval %1 s, but CONNECT had 0: "
                                                           "a session that ends with its connection cannot be kept "
                                                           "(3.14.2.2.2). Connection closed.")
                                                .arg(*expiry),
                                 .closes = true};
    }
    return std::nullopt;
}

// A 5.0 DISCONNECT may change the Session Expiry Interval (3.14.2.2.2): raised, the session
// outlives the connection for longer; 0, it ends with it. The stored session says so too.
void BrokerCore::takeDisconnectExpiry(ClientSession &cs, const Disconnect &disconnect, BrokerStep &step)
{
    const auto expiry = disconnect.properties.integer(PropertyId::SessionExpiryInterval);
    if (!expiry || !cs.session->link().isV5() || *expiry == cs.sessionExpiry)
        return;
    step.notes.push_back(QStringLiteral("Client '%1' changed its Session Expiry Interval from %2 s to %3 s on DISCONNECT.")
                             .arg(cs.clientId)
                             .arg(cs.sessionExpiry)
                             .arg(*expiry));
    cs.sessionExpiry = *expiry;
    SessionMeta meta = cs.session->meta();
    meta.sessionExpiry = *expiry;
    meta.established = *expiry > 0;
    step.store.push_back({SessionKey{storeScope(), cs.clientId}, {SaveMeta{meta}}});
}

// The broker ends `cs`'s connection: 5.0 says why in a DISCONNECT; a 3.1.1 server never sends
// DISCONNECT (it is a client-to-server packet there), so it just closes.
SessionOutput BrokerCore::closeConnection(ClientSession &cs, ReasonCode reason, Millis now)
{
    SessionOutput out = cs.session->link().isV5() ? cs.session->disconnect(now, reason) : cs.session->connectionLost(now);
    out.close = true;
    return out;
}

BrokerStep BrokerCore::protocolError(ClientHandle client, const ProtocolError &error, Millis now)
{
    if (m_closing.contains(client))
        return {};
    ClientSession *cs = byHandle(client);
    if (!cs) {
        m_closing.insert(client);
        BrokerStep step;
        ClientOutput refused{client, {}, {}};
        // 3.1.1 [MQTT-3.1.2-2]: an unsupported protocol level gets CONNACK 0x01 before the close
        // (encoded in 3.1.1's format, which 3.1 clients read too); 5.0 allows 0x84 the same way.
        if (error.code == ReasonCode::UnsupportedProtocolVersion)
            refused.output.sent.push_back(ConnAck{false, ReasonCode::UnsupportedProtocolVersion, {}});
        refused.output.close = true;
        step.clients.push_back(std::move(refused));
        step.notes.push_back(QStringLiteral("A client's first bytes are not a valid CONNECT: %1").arg(error.toString()));
        return step;
    }
    return onSessionOutput(*cs, cs->session->protocolError(error, now), now);
}

QString BrokerCore::assignClientId()
{
    // [MQTT-3.2.2-16] (3.1.1 [MQTT-3.1.3-6]): an id no session uses, not even one a client chose.
    QString id;
    do
        id = QStringLiteral("sandbox-%1").arg(++m_assignedIds);
    while (m_sessions.count(id));
    return id;
}

// Why a CONNECT is refused before any session is touched, with the CONNACK reason; or nothing.
std::optional<std::pair<ReasonCode, QString>> BrokerCore::connectRefusal(const Connect &connect) const
{
    if (connect.version != ProtocolVersion::V5) {
        if (connect.clientId.isEmpty() && !connect.cleanStart)
            return std::pair{ReasonCode::ClientIdentifierNotValid,
                             QStringLiteral("Refused a 3.1.1 client with an empty client id and Clean Session 0 [MQTT-3.1.3-8].")};
        return std::nullopt;
    }
    if (connect.properties.contains(PropertyId::AuthenticationData) && !connect.properties.contains(PropertyId::AuthenticationMethod))
        return std::pair{ReasonCode::ProtocolError,
                         QStringLiteral("Refused a CONNECT with Authentication Data but no Authentication Method: a "
                                        "Protocol Error (3.1.2.11.10).")};
    if (connect.will && m_options.maximumQoS && connect.will->qos > *m_options.maximumQoS)
        return std::pair{ReasonCode::QoSNotSupported,
                         QStringLiteral("Refused a CONNECT whose will has QoS %1, above the Maximum QoS %2 [MQTT-3.2.2-12].")
                             .arg(qosValue(connect.will->qos))
                             .arg(qosValue(*m_options.maximumQoS))};
    if (connect.will && connect.will->retain && !m_options.retainAvailable)
        return std::pair{ReasonCode::RetainNotSupported,
                         QStringLiteral("Refused a CONNECT with a retained will: retained messages are off "
                                        "[MQTT-3.2.2-13].")};
    return std::nullopt;
}

BrokerStep BrokerCore::refuse(ClientHandle client, ReasonCode reason, const QString &why)
{
    m_closing.insert(client);
    BrokerStep step;
    ClientOutput refused{client, {}, {}};
    refused.output.sent.push_back(ConnAck{false, reason, {}});
    refused.output.close = true;
    step.clients.push_back(std::move(refused));
    step.notes.push_back(why);
    return step;
}

// A second connection with a live client's id: the first one ends as any lost connection does
// (its will goes out, a session with expiry 0 ends with it), then the new one starts.
void BrokerCore::takeOver(const QString &clientId, const Connect &connect, Millis now, BrokerStep &step)
{
    const auto existing = m_sessions.find(clientId);
    if (existing != m_sessions.end() && existing->second->handle) {
        ClientSession &old = *existing->second;
        const ClientHandle oldHandle = *old.handle;
        // [MQTT-3.1.4-3] 5.0: DISCONNECT 0x8E, then close; 3.1.1 [MQTT-3.1.4-2]: just close.
        SessionOutput out = closeConnection(old, ReasonCode::SessionTakenOver, now);
        step.clients.push_back(ClientOutput{oldHandle, SessionKey{storeScope(), clientId}, std::move(out)});
        step.notes.push_back(QStringLiteral("Client '%1' connected again; the earlier connection was taken over.").arg(clientId));
        m_closing.insert(oldHandle);
        endConnection(old, false, now, step); // may end the session
    }
    const bool resumes = !connect.cleanStart && m_sessions.count(clientId);
    settlePendingWill(clientId, !resumes, now, step);
}

// A will waiting out its delay: a new connection to the session cancels it ([MQTT-3.1.3-9]); a
// session that ends now (Clean Start) publishes it now (3.1.2.5: the delay or the session's end,
// whichever comes first).
void BrokerCore::settlePendingWill(const QString &clientId, bool sessionEnds, Millis now, BrokerStep &step)
{
    std::vector<PendingWill> ending;
    std::erase_if(m_wills, [&](const PendingWill &w) {
        if (w.clientId != clientId)
            return false;
        if (sessionEnds)
            ending.push_back(w);
        else
            step.store.push_back({SessionKey{storeScope(), clientId}, {DeleteRetained{w.will.topic}}});
        return true;
    });
    for (const PendingWill &w : ending)
        publishWill(w.clientId, w.will, now, step);
}

BrokerStep BrokerCore::onConnect(ClientHandle client, const Connect &connect, Millis now)
{
    if (const auto refusal = connectRefusal(connect))
        return refuse(client, refusal->first, refusal->second);
    BrokerStep step;
    const bool v5 = connect.version == ProtocolVersion::V5;
    const QString clientId = connect.clientId.isEmpty() ? assignClientId() : connect.clientId;
    Properties ackProperties;
    if (v5 && connect.clientId.isEmpty())
        ackProperties.set(PropertyId::AssignedClientIdentifier, clientId);
    if (v5 && !m_options.retainAvailable)
        ackProperties.set(PropertyId::RetainAvailable, quint32(0));
    takeOver(clientId, connect, now, step);

    const SessionKey key{storeScope(), clientId};
    auto existing = m_sessions.find(clientId);
    const bool sessionPresent = existing != m_sessions.end() && !connect.cleanStart;
    if (!sessionPresent) {
        if (existing != m_sessions.end()) {
            m_sessions.erase(existing);
            step.store.push_back({key, {DeleteSession{}}});
        }
        existing = m_sessions.emplace(clientId, makeSession(clientId)).first;
    }
    ClientSession &cs = *existing->second;
    cs.handle = client;
    cs.will = connect.will;
    if (connect.will)
        step.store.push_back({key, {SaveRetained{storedWill(*connect.will)}}});
    cs.expiresAt.reset();
    cs.sessionExpiry = v5 ? connect.properties.integer(PropertyId::SessionExpiryInterval).value_or(0)
                          : (connect.cleanStart ? 0 : kSessionNeverExpires);
    m_handles.insert(client, clientId);

    Connect effective = connect;
    effective.clientId = clientId;
    SessionOutput out = cs.session->accept(effective, ConnAck{sessionPresent, ReasonCode::Success, ackProperties}, now);
    step.append(onSessionOutput(cs, std::move(out), now));
    return step;
}

BrokerStep BrokerCore::onSessionOutput(ClientSession &cs, SessionOutput out, Millis now)
{
    BrokerStep step;
    const QString clientId = cs.clientId;
    for (const Delivery &delivery : out.delivered)
        route(delivery.message, clientId, now, step);
    bool ended = false;
    bool graceful = false;
    for (const SessionEvent &event : out.events) {
        if (const auto *subscribe = std::get_if<SubscribeRequested>(&event)) {
            this->subscribe(cs, subscribe->request, now, step);
        } else if (const auto *unsubscribe = std::get_if<UnsubscribeRequested>(&event)) {
            this->unsubscribe(cs, unsubscribe->request, now, step);
        } else if (const auto *disconnect = std::get_if<PeerDisconnected>(&event)) {
            ended = true;
            graceful = !disconnect->willRequested;
        } else if (const auto *violation = std::get_if<PeerViolation>(&event)) {
            step.notes.push_back(violation->closes
                                     ? QStringLiteral("Client '%1' broke the protocol: %2").arg(clientId, violation->message)
                                     : QStringLiteral("Client '%1': %2").arg(clientId, violation->message));
        } else if (const auto *expired = std::get_if<KeepAliveExpired>(&event)) {
            step.notes.push_back(QStringLiteral("Client '%1': %2").arg(clientId, expired->message));
        }
    }
    if (out.close)
        ended = true;
    const ClientHandle handle = cs.handle.value_or(0);
    // The client's own answer goes before what was routed to others.
    step.clients.insert(step.clients.begin(), ClientOutput{handle, SessionKey{storeScope(), clientId}, std::move(out)});
    if (ended && cs.handle) {
        m_closing.insert(handle);
        endConnection(cs, graceful, now, step); // may destroy `cs`
    }
    return step;
}

void BrokerCore::endConnection(ClientSession &cs, bool graceful, Millis now, BrokerStep &step)
{
    if (cs.handle)
        m_handles.remove(*cs.handle);
    cs.handle.reset();
    cs.withheld.clear(); // never acknowledged: the client still owns them
    cs.withheldBytes = 0;
    const quint32 expiry = cs.sessionExpiry;
    if (cs.will && !graceful) {
        const Millis due = willDue(*cs.will, expiry, now);
        if (due <= now)
            publishWill(cs.clientId, *cs.will, now, step);
        else
            m_wills.push_back(PendingWill{cs.clientId, *cs.will, due});
    } else if (cs.will) {
        step.store.push_back({SessionKey{storeScope(), cs.clientId}, {DeleteRetained{cs.will->topic}}});
    }
    cs.will.reset(); // [MQTT-3.1.2-10] a DISCONNECT 0x00 discards it
    if (expiry == 0) {
        step.store.push_back({SessionKey{storeScope(), cs.clientId}, {DeleteSession{}}});
        m_sessions.erase(cs.clientId); // `cs` is gone from here on
        return;
    }
    if (expiry != kSessionNeverExpires)
        cs.expiresAt = now + Millis(qint64(expiry) * 1000);
}

BrokerStep BrokerCore::disconnected(ClientHandle client, Millis now)
{
    BrokerStep step;
    m_closing.remove(client);
    ClientSession *cs = byHandle(client);
    if (!cs)
        return step;
    SessionOutput out = cs->session->connectionLost(now);
    step.clients.push_back(ClientOutput{0, SessionKey{storeScope(), cs->clientId}, std::move(out)});
    endConnection(*cs, false, now, step);
    takeWithheld(now, step); // a session that ended frees its queue
    return step;
}

} // namespace mqs
