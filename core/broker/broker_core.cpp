#include "broker_core.h"

#include "protocol/describe.h"
#include "protocol/topic.h"

namespace mqs {

struct BrokerCore::ClientSession {
    QString clientId;
    std::unique_ptr<Session> session;
    std::map<QString, StoredSubscription> subscriptions;
    std::optional<ClientHandle> handle; // set while connected
    std::optional<Will> will;
    std::optional<Millis> expiresAt; // while offline with a finite Session Expiry Interval
};

void BrokerStep::append(BrokerStep &&other)
{
    clients.insert(clients.end(), std::make_move_iterator(other.clients.begin()), std::make_move_iterator(other.clients.end()));
    store.insert(store.end(), std::make_move_iterator(other.store.begin()), std::make_move_iterator(other.store.end()));
    notes.insert(notes.end(), std::make_move_iterator(other.notes.begin()), std::make_move_iterator(other.notes.end()));
}

BrokerCore::BrokerCore(BrokerOptions options)
    : m_options(std::move(options))
{
}

BrokerCore::~BrokerCore() = default;

std::unique_ptr<BrokerCore::ClientSession> BrokerCore::makeSession(const QString &clientId)
{
    SessionOptions options;
    options.role = SessionRole::Server;
    options.inboundMethod = m_options.inboundMethod;
    options.receiveMaximum = m_options.receiveMaximum;
    options.maximumQueued = m_options.maximumQueuedPerClient;
    options.maximumQoS = m_options.maximumQoS;
    options.topicAliasMaximum = m_options.topicAliasMaximum;
    options.maximumPacketSize = m_options.maximumPacketSize;
    auto cs = std::make_unique<ClientSession>();
    cs->clientId = clientId;
    cs->session = std::make_unique<Session>(options);
    cs->session->inbound().setAcceptance(
        [this, clientId](const ApplicationMessage &message) { return acceptance(clientId, message); });
    return cs;
}

BrokerCore::ClientSession *BrokerCore::byHandle(ClientHandle client)
{
    const auto id = m_handles.constFind(client);
    if (id == m_handles.constEnd())
        return nullptr;
    const auto it = m_sessions.find(*id);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

std::optional<BrokerClientInfo> BrokerCore::client(ClientHandle handle) const
{
    const auto id = m_handles.constFind(handle);
    if (id == m_handles.constEnd())
        return std::nullopt;
    const auto it = m_sessions.find(*id);
    if (it == m_sessions.end())
        return std::nullopt;
    return BrokerClientInfo{handle, *id, it->second->session->link().version, true};
}

std::vector<QString> BrokerCore::sessionIds() const
{
    std::vector<QString> ids;
    for (const auto &[id, cs] : m_sessions)
        ids.push_back(id);
    return ids;
}

std::vector<StoredSubscription> BrokerCore::subscriptions(const QString &clientId) const
{
    std::vector<StoredSubscription> list;
    const auto it = m_sessions.find(clientId);
    if (it != m_sessions.end())
        for (const auto &[filter, sub] : it->second->subscriptions)
            list.push_back(sub);
    return list;
}

std::vector<ApplicationMessage> BrokerCore::retainedMessages() const
{
    std::vector<ApplicationMessage> list;
    for (const auto &[topic, message] : m_retained)
        list.push_back(message);
    return list;
}

const Session *BrokerCore::session(const QString &clientId) const
{
    const auto it = m_sessions.find(clientId);
    return it == m_sessions.end() ? nullptr : it->second->session.get();
}

void BrokerCore::clear()
{
    m_sessions.clear();
    m_handles.clear();
    m_retained.clear();
    m_wills.clear();
}

std::optional<StoreError> BrokerCore::restore(SessionStore &store, Millis now)
{
    clear();
    auto keys = store.keys(storeScope());
    if (const auto *error = std::get_if<StoreError>(&keys))
        return *error;
    for (const SessionKey &key : std::get<std::vector<SessionKey>>(keys)) {
        if (key.clientId.isEmpty())
            continue;
        auto loaded = store.load(key);
        if (const auto *error = std::get_if<StoreError>(&loaded))
            return *error;
        const auto &stored = std::get<std::optional<StoredSession>>(loaded);
        if (!stored)
            continue;
        if (stored->meta.sessionExpiry == 0) { // it ended with the connection the restart cut
            if (auto error = store.remove(key))
                return *error;
            continue;
        }
        auto cs = makeSession(key.clientId);
        if (stored->meta.sessionExpiry != 0xFFFFFFFF)
            cs->expiresAt = now + Millis(qint64(stored->meta.sessionExpiry) * 1000);
        cs->session->restore(stored->meta, stored->outbound, stored->inbound);
        for (const StoredSubscription &sub : stored->subscriptions)
            cs->subscriptions[sub.subscription.filter] = sub;
        m_sessions[key.clientId] = std::move(cs);
    }
    auto retained = store.retained(retainedKey());
    if (const auto *error = std::get_if<StoreError>(&retained))
        return *error;
    for (ApplicationMessage &message : std::get<std::vector<ApplicationMessage>>(retained))
        m_retained[message.topic] = std::move(message);
    return std::nullopt;
}

ReasonCode BrokerCore::acceptance(const QString &publisher, const ApplicationMessage &message) const
{
    for (const auto &[id, cs] : m_sessions)
        for (const auto &[filter, sub] : cs->subscriptions)
            if (topicMatches(filter, message.topic) && !(sub.subscription.options.noLocal && id == publisher))
                return ReasonCode::Success;
    return ReasonCode::NoMatchingSubscribers;
}

// ---- connections ------------------------------------------------------------------------

BrokerStep BrokerCore::received(ClientHandle client, const Packet &packet, Millis now)
{
    ClientSession *cs = byHandle(client);
    if (!cs) {
        if (const auto *connect = std::get_if<Connect>(&packet))
            return onConnect(client, *connect, now);
        BrokerStep step;
        ClientOutput refused{client, {}, {}};
        refused.output.close = true;
        step.clients.push_back(std::move(refused));
        step.notes.push_back(QStringLiteral("A client sent %1 before CONNECT; the first packet must be CONNECT "
                                            "[MQTT-3.1.0-1]. Connection closed.")
                                 .arg(packetTypeName(packetType(packet))));
        return step;
    }
    return onSessionOutput(*cs, cs->session->receive(packet, now), now);
}

BrokerStep BrokerCore::protocolError(ClientHandle client, const ProtocolError &error, Millis now)
{
    ClientSession *cs = byHandle(client);
    if (!cs) {
        BrokerStep step;
        ClientOutput refused{client, {}, {}};
        refused.output.close = true;
        step.clients.push_back(std::move(refused));
        step.notes.push_back(QStringLiteral("A client's first bytes are not a valid CONNECT: %1").arg(error.toString()));
        return step;
    }
    return onSessionOutput(*cs, cs->session->protocolError(error, now), now);
}

BrokerStep BrokerCore::onConnect(ClientHandle client, const Connect &connect, Millis now)
{
    BrokerStep step;
    const bool v5 = connect.version == ProtocolVersion::V5;
    QString clientId = connect.clientId;
    Properties ackProperties;
    if (clientId.isEmpty()) {
        if (!v5 && !connect.cleanStart) {
            // [MQTT-3.1.3-8] an empty id needs Clean Session in 3.1.1
            ClientOutput refused{client, {}, {}};
            refused.output.sent.push_back(ConnAck{false, ReasonCode::ClientIdentifierNotValid, {}});
            refused.output.close = true;
            step.clients.push_back(std::move(refused));
            step.notes.push_back(QStringLiteral("Refused a 3.1.1 client with an empty client id and Clean Session 0."));
            return step;
        }
        clientId = QStringLiteral("sandbox-%1").arg(++m_assignedIds);
        if (v5)
            ackProperties.set(PropertyId::AssignedClientIdentifier, clientId);
    }
    if (!m_options.retainAvailable && v5)
        ackProperties.set(PropertyId::RetainAvailable, quint32(0));

    auto existing = m_sessions.find(clientId);
    if (existing != m_sessions.end() && existing->second->handle) {
        // [MQTT-3.1.4-3] a second connection with the same client id takes the session over.
        ClientSession &old = *existing->second;
        const ClientHandle oldHandle = *old.handle;
        SessionOutput out = old.session->disconnect(now, ReasonCode::SessionTakenOver);
        step.clients.push_back(ClientOutput{oldHandle, SessionKey{storeScope(), clientId}, std::move(out)});
        step.notes.push_back(QStringLiteral("Client '%1' connected again; the earlier connection was taken over.").arg(clientId));
        m_handles.remove(oldHandle);
        old.handle.reset();
    }
    // A reconnect within the Will Delay Interval cancels the will ([MQTT-3.1.3-9]).
    std::erase_if(m_wills, [&](const PendingWill &w) { return w.clientId == clientId; });

    const SessionKey key{storeScope(), clientId};
    bool sessionPresent = false;
    if (existing != m_sessions.end() && !connect.cleanStart) {
        sessionPresent = true;
    } else {
        if (existing != m_sessions.end()) {
            m_sessions.erase(existing);
            step.store.push_back({key, {DeleteSession{}}});
        }
        existing = m_sessions.emplace(clientId, makeSession(clientId)).first;
    }
    ClientSession &cs = *existing->second;
    cs.handle = client;
    cs.will = connect.will;
    cs.expiresAt.reset();
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
        } else if (const auto *violation = std::get_if<ProtocolViolation>(&event)) {
            step.notes.push_back(QStringLiteral("Client '%1' broke the protocol: %2").arg(clientId, violation->message));
        } else if (const auto *violation = std::get_if<Violation>(&event)) {
            step.notes.push_back(QStringLiteral("Client '%1': %2").arg(clientId, violation->message));
        } else if (const auto *expired = std::get_if<KeepAliveExpired>(&event)) {
            step.notes.push_back(QStringLiteral("Client '%1': %2").arg(clientId, expired->message));
        }
    }
    if (out.close)
        ended = true;
    const ClientHandle handle = cs.handle.value_or(0);
    // The client's own answer goes before what was routed to others.
    step.clients.insert(step.clients.begin(), ClientOutput{handle, SessionKey{storeScope(), clientId}, std::move(out)});
    if (ended && cs.handle)
        endConnection(cs, graceful, now, step); // may destroy `cs`
    return step;
}

void BrokerCore::endConnection(ClientSession &cs, bool graceful, Millis now, BrokerStep &step)
{
    if (cs.handle)
        m_handles.remove(*cs.handle);
    cs.handle.reset();
    const quint32 expiry = cs.session->meta().sessionExpiry;
    if (cs.will && !graceful) {
        const quint32 delay = cs.will->properties.integer(PropertyId::WillDelayInterval).value_or(0);
        const quint32 effective = std::min(delay, expiry); // the will goes at the latest when the session ends
        if (effective == 0)
            publishWill(cs.clientId, *cs.will, now, step);
        else
            m_wills.push_back(PendingWill{cs.clientId, *cs.will, now + Millis(qint64(effective) * 1000)});
    }
    cs.will.reset(); // [MQTT-3.1.2-10] a DISCONNECT 0x00 discards it
    if (expiry == 0) {
        step.store.push_back({SessionKey{storeScope(), cs.clientId}, {DeleteSession{}}});
        m_sessions.erase(cs.clientId); // `cs` is gone from here on
        return;
    }
    if (expiry != 0xFFFFFFFF)
        cs.expiresAt = now + Millis(qint64(expiry) * 1000);
}

BrokerStep BrokerCore::disconnected(ClientHandle client, Millis now)
{
    BrokerStep step;
    ClientSession *cs = byHandle(client);
    if (!cs)
        return step;
    SessionOutput out = cs->session->connectionLost(now);
    step.clients.push_back(ClientOutput{0, SessionKey{storeScope(), cs->clientId}, std::move(out)});
    endConnection(*cs, false, now, step);
    return step;
}

// ---- messages ---------------------------------------------------------------------------

void BrokerCore::route(const ApplicationMessage &message, const QString &publisher, Millis now, BrokerStep &step)
{
    if (message.retain && m_options.retainAvailable) {
        if (message.payload.isEmpty()) {
            m_retained.erase(message.topic); // [MQTT-3.3.1-6] an empty retained message clears the topic
            step.store.push_back({retainedKey(), {DeleteRetained{message.topic}}});
        } else {
            m_retained[message.topic] = message;
            step.store.push_back({retainedKey(), {SaveRetained{message}}});
        }
    }
    int receivers = 0;
    for (auto &[id, cs] : m_sessions) {
        std::optional<QoS> granted;
        bool retainAsPublished = false;
        std::vector<quint32> identifiers;
        for (const auto &[filter, sub] : cs->subscriptions) {
            if (!topicMatches(filter, message.topic))
                continue;
            if (sub.subscription.options.noLocal && id == publisher)
                continue; // [MQTT-3.8.3-3]
            granted = std::max(granted.value_or(QoS::AtMostOnce), sub.subscription.options.maximumQoS);
            retainAsPublished = retainAsPublished || sub.subscription.options.retainAsPublished;
            if (sub.subscriptionIdentifier)
                identifiers.push_back(sub.subscriptionIdentifier);
        }
        if (!granted)
            continue;
        ApplicationMessage copy = message;
        copy.qos = std::min(message.qos, *granted); // QoS downgrade to the granted QoS
        copy.retain = retainAsPublished && message.retain; // [MQTT-3.3.1-12]
        copy.properties.remove(PropertyId::SubscriptionIdentifier);
        for (quint32 identifier : identifiers)
            copy.properties.append(Property{PropertyId::SubscriptionIdentifier, identifier});
        PublishResult result = cs->session->publish(copy, now);
        if (!result.ticket) {
            step.notes.push_back(QStringLiteral("Message on '%1' not delivered to '%2': %3").arg(message.topic, id, result.refusal));
            continue;
        }
        ++receivers;
        step.clients.push_back(ClientOutput{cs->handle.value_or(0), SessionKey{storeScope(), id}, std::move(result.output)});
    }
    if (receivers == 0)
        step.notes.push_back(QStringLiteral("No subscriber for '%1' (from '%2').").arg(message.topic, publisher));
}

void BrokerCore::subscribe(ClientSession &cs, const Subscribe &request, Millis now, BrokerStep &step)
{
    const bool v5 = cs.session->link().isV5();
    const auto identifiers = request.properties.subscriptionIdentifiers();
    const quint32 identifier = identifiers.empty() ? 0 : identifiers.front();
    std::vector<ReasonCode> reasons;
    SessionOutput saved;
    std::vector<std::pair<StoredSubscription, bool>> granted; // subscription, was new
    for (const Subscription &requested : request.subscriptions) {
        if (isSharedSubscription(requested.filter)) {
            reasons.push_back(v5 ? ReasonCode::SharedSubscriptionsNotSupported : ReasonCode::UnspecifiedError);
            continue;
        }
        Subscription sub = requested;
        sub.options.maximumQoS = std::min(requested.options.maximumQoS, m_options.maximumQoS.value_or(QoS::ExactlyOnce));
        const bool isNew = !cs.subscriptions.contains(sub.filter);
        StoredSubscription stored{sub, identifier};
        cs.subscriptions[sub.filter] = stored;
        saved.store.push_back(SaveSubscription{sub, identifier});
        reasons.push_back(ReasonCode(qosValue(sub.options.maximumQoS)));
        granted.emplace_back(stored, isNew);
    }
    SessionOutput ack = cs.session->acknowledgeSubscribe(request.packetId, reasons, now);
    saved.append(std::move(ack));
    step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(saved)});
    // Retained messages follow the SUBACK, as Retain Handling says ([MQTT-3.3.1-9], [MQTT-3.3.1-10]).
    for (const auto &[stored, isNew] : granted) {
        const RetainHandling handling = stored.subscription.options.retainHandling;
        if (handling == RetainHandling::DoNotSend || (handling == RetainHandling::SendAtSubscribeIfNew && !isNew))
            continue;
        for (const auto &[topic, retained] : m_retained) {
            if (!topicMatches(stored.subscription.filter, topic))
                continue;
            ApplicationMessage copy = retained;
            copy.qos = std::min(retained.qos, stored.subscription.options.maximumQoS);
            copy.retain = true;
            copy.properties.remove(PropertyId::SubscriptionIdentifier);
            if (stored.subscriptionIdentifier)
                copy.properties.append(Property{PropertyId::SubscriptionIdentifier, stored.subscriptionIdentifier});
            PublishResult result = cs.session->publish(copy, now);
            if (result.ticket)
                step.clients.push_back(
                    ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(result.output)});
        }
    }
}

void BrokerCore::unsubscribe(ClientSession &cs, const Unsubscribe &request, Millis now, BrokerStep &step)
{
    std::vector<ReasonCode> reasons;
    SessionOutput out;
    for (const QString &filter : request.filters) {
        if (cs.subscriptions.erase(filter)) {
            reasons.push_back(ReasonCode::Success);
            out.store.push_back(DeleteSubscription{filter});
        } else {
            reasons.push_back(ReasonCode::NoSubscriptionExisted);
        }
    }
    out.append(cs.session->acknowledgeUnsubscribe(request.packetId, reasons, now));
    step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(out)});
}

void BrokerCore::publishWill(const QString &clientId, const Will &will, Millis now, BrokerStep &step)
{
    ApplicationMessage message;
    message.topic = will.topic;
    message.payload = will.payload;
    message.qos = will.qos;
    message.retain = will.retain;
    message.properties = will.properties;
    message.properties.remove(PropertyId::WillDelayInterval);
    step.notes.push_back(QStringLiteral("Publishing the will of '%1' to '%2'.").arg(clientId, will.topic));
    route(message, clientId, now, step);
}

// ---- time -------------------------------------------------------------------------------

BrokerStep BrokerCore::tick(Millis now)
{
    BrokerStep step;
    std::vector<QString> ids;
    for (const auto &[id, cs] : m_sessions)
        ids.push_back(id);
    for (const QString &id : ids) {
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end())
            continue;
        ClientSession &cs = *it->second;
        if (cs.handle) {
            SessionOutput out = cs.session->tick(now);
            if (!out.isEmpty())
                step.append(onSessionOutput(cs, std::move(out), now));
        } else if (cs.expiresAt && now >= *cs.expiresAt) {
            step.notes.push_back(QStringLiteral("Session of '%1' expired after %2 s offline.")
                                     .arg(id)
                                     .arg(cs.session->meta().sessionExpiry));
            step.store.push_back({SessionKey{storeScope(), id}, {DeleteSession{}}});
            m_sessions.erase(it);
        }
    }
    std::vector<PendingWill> due;
    std::erase_if(m_wills, [&](const PendingWill &w) {
        if (now < w.due)
            return false;
        due.push_back(w);
        return true;
    });
    for (const PendingWill &w : due)
        publishWill(w.clientId, w.will, now, step);
    return step;
}

std::optional<Millis> BrokerCore::nextDeadline() const
{
    std::optional<Millis> next;
    auto consider = [&](std::optional<Millis> t) {
        if (t && (!next || *t < *next))
            next = t;
    };
    for (const auto &[id, cs] : m_sessions) {
        consider(cs->handle ? cs->session->nextDeadline() : cs->expiresAt);
    }
    for (const PendingWill &w : m_wills)
        consider(w.due);
    return next;
}

} // namespace mqs
