#include "broker_client_session.h"

#include "protocol/describe.h"
#include "protocol/topic.h"

namespace mqs {

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
    for (const auto &[topic, retained] : m_retained)
        list.push_back(retained.message);
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
    m_closing.clear();
    m_sharedTurns.clear();
    m_retained.clear();
    m_wills.clear();
}

Status BrokerCore::restore(SessionStore &store, Millis now)
{
    clear();
    auto keys = store.keys(storeScope());
    if (!keys)
        return keys.problem();
    for (const SessionKey &key : *keys) {
        if (key.clientId.isEmpty())
            continue;
        auto loaded = store.load(key);
        if (!loaded)
            return loaded.problem();
        const std::optional<StoredSession> &stored = *loaded;
        if (!stored)
            continue;
        if (Status will = restoreWill(store, key, stored->meta.sessionExpiry, now); !will)
            return will;
        if (stored->meta.sessionExpiry == 0) { // it ended with the connection the restart cut
            if (Status removed = store.remove(key); !removed)
                return removed;
            continue;
        }
        auto cs = makeSession(key.clientId);
        cs->sessionExpiry = stored->meta.sessionExpiry;
        if (stored->meta.sessionExpiry != kSessionNeverExpires)
            cs->expiresAt = now + Millis(qint64(stored->meta.sessionExpiry) * 1000);
        cs->session->restore(stored->meta, stored->outbound, stored->inbound);
        for (const StoredSubscription &sub : stored->subscriptions)
            cs->subscriptions[sub.subscription.filter] = sub;
        m_sessions[key.clientId] = std::move(cs);
    }
    auto retained = store.retained(retainedKey());
    if (!retained)
        return retained.problem();
    for (ApplicationMessage &message : *retained) // expiry counts from the restart
        m_retained[message.topic] = RetainedMessage{message, expiryOf(message, now)};
    return {};
}

std::vector<ClientHandle> BrokerCore::revert(SessionStore &store, const std::vector<QString> &clientIds, Millis now)
{
    std::vector<ClientHandle> closing;
    for (const QString &id : clientIds)
        if (const auto handle = revertSession(store, id, now))
            closing.push_back(*handle);
    revertRetained(store, now);
    return closing;
}

std::optional<ClientHandle> BrokerCore::revertSession(SessionStore &store, const QString &id, Millis now)
{
    auto loaded = store.load(SessionKey{storeScope(), id});
    const std::optional<StoredSession> stored = !loaded
        ? std::nullopt // unreadable as well: forget it in memory; a restart reads what the file holds
        : *loaded;
    const auto existing = m_sessions.find(id);
    const std::optional<ClientHandle> handle = existing != m_sessions.end() ? existing->second->handle : std::nullopt;
    if (!stored && !handle) {
        if (existing != m_sessions.end())
            m_sessions.erase(existing);
        return std::nullopt;
    }
    auto fresh = makeSession(id);
    if (stored) {
        fresh->session->restore(stored->meta, stored->outbound, stored->inbound);
        for (const StoredSubscription &sub : stored->subscriptions)
            fresh->subscriptions[sub.subscription.filter] = sub;
        fresh->sessionExpiry = stored->meta.sessionExpiry;
        if (!handle && fresh->sessionExpiry != kSessionNeverExpires)
            fresh->expiresAt = now + Millis(qint64(fresh->sessionExpiry) * 1000);
    }
    if (existing != m_sessions.end()) { // what the connection brought, not the store
        fresh->handle = handle;
        fresh->will = existing->second->will;
        if (!stored)
            fresh->sessionExpiry = existing->second->sessionExpiry;
    }
    m_sessions[id] = std::move(fresh);
    if (handle)
        m_closing.insert(*handle);
    return handle;
}

void BrokerCore::revertRetained(SessionStore &store, Millis now)
{
    auto retained = store.retained(retainedKey());
    if (!retained)
        return; // unreadable: keep what memory holds
    std::map<QString, RetainedMessage> kept;
    for (ApplicationMessage &message : *retained) {
        const auto before = m_retained.find(message.topic);
        const auto expiresAt = before != m_retained.end() ? before->second.expiresAt : expiryOf(message, now);
        kept[message.topic] = RetainedMessage{std::move(message), expiresAt};
    }
    m_retained = std::move(kept);
}

// A stored will belongs to a connection the restart cut, or one already waiting out its Will
// Delay: either way it is due its delay from now (at once if the session ended with it).
Status BrokerCore::restoreWill(SessionStore &store, const SessionKey &key, quint32 sessionExpiry, Millis now)
{
    auto wills = store.retained(key);
    if (!wills)
        return wills.problem();
    for (const ApplicationMessage &stored : *wills) {
        const Will will = willFrom(stored);
        m_wills.push_back(PendingWill{key.clientId, will, willDue(will, sessionExpiry, now)});
    }
    return {};
}

ReasonCode BrokerCore::acceptance(const QString &publisher, const ApplicationMessage &message) const
{
    // Taking ownership (PUBREC, PUBACK) binds us to deliver to every matching session
    // ([MQTT-4.5.0-1]); a full queue would drop the copy silently, as mosquitto does, so the
    // 5.0 publisher hears "Quota exceeded" instead and keeps the message. (3.1.1: withholds().)
    if (fullQueueFor(publisher, message))
        return ReasonCode::QuotaExceeded;
    for (const auto &[id, cs] : m_sessions)
        for (const auto &[filter, sub] : cs->subscriptions)
            if (topicMatches(filterWithoutShare(filter), message.topic) && !(sub.subscription.options.noLocal && id == publisher))
                return ReasonCode::Success;
    return ReasonCode::NoMatchingSubscribers;
}

std::optional<QString> BrokerCore::fullQueueFor(const QString &publisher, const ApplicationMessage &message) const
{
    if (message.qos == QoS::AtMostOnce)
        return std::nullopt;
    for (const auto &[id, cs] : m_sessions) {
        if (cs->session->outbound().queued() < m_options.maximumQueuedPerClient)
            continue;
        for (const auto &[filter, sub] : cs->subscriptions)
            if (!isSharedSubscription(filter) && topicMatches(filter, message.topic)
                && sub.subscription.options.maximumQoS != QoS::AtMostOnce && !(sub.subscription.options.noLocal && id == publisher))
                return id;
    }
    return std::nullopt;
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
    takeWithheld(now, step); // an expired session frees its queue
    std::erase_if(m_retained, [&](const auto &entry) {
        if (!entry.second.expiresAt || now < *entry.second.expiresAt)
            return false;
        step.store.push_back({retainedKey(), {DeleteRetained{entry.first}}}); // [MQTT-3.3.2-5]
        return true;
    });
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
