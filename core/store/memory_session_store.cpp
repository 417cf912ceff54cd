#include "memory_session_store.h"

#include "protocol/overloaded.h"

#include <algorithm>

namespace mqs {

Status MemorySessionStore::commit(const StoreBatch &batch)
{
    for (const SessionChanges &session : batch)
        applyTo(session.key, session.changes);
    return {};
}

void MemorySessionStore::applyTo(const SessionKey &key, const std::vector<StoreChange> &changes)
{
    Entry &e = m_entries[key];
    for (const StoreChange &change : changes) {
        std::visit(overloaded{
                       [&](const SaveMeta &c) { e.meta = c.meta; },
                       [&](const SaveOutbound &c) { e.outbound[c.flow.packetId.value] = c.flow; },
                       [&](const DeleteOutbound &c) { e.outbound.erase(c.packetId.value); },
                       [&](const SaveInbound &c) { e.inbound[c.flow.packetId.value] = c.flow; },
                       [&](const DeleteInbound &c) { e.inbound.erase(c.packetId.value); },
                       [&](const RecordDelivery &c) { e.history.push_back(c.delivery); },
                       [&](const SaveSubscription &c) {
                           e.subscriptions[c.subscription.filter] = StoredSubscription{c.subscription, c.subscriptionIdentifier};
                       },
                       [&](const DeleteSubscription &c) { e.subscriptions.erase(c.filter); },
                       [&](const SaveRetained &c) { e.retained[c.message.topic] = c.message; },
                       [&](const DeleteRetained &c) { e.retained.erase(c.topic); },
                       [&](const DeleteSession &) {
                           e.meta.reset();
                           e.outbound.clear();
                           e.inbound.clear();
                           e.subscriptions.clear();
                       },
                   },
            change);
    }
}

Result<std::optional<StoredSession>> MemorySessionStore::load(const SessionKey &key)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end() || !it->second.meta)
        return std::optional<StoredSession>();
    const Entry &e = it->second;
    StoredSession s;
    s.meta = *e.meta;
    for (const auto &[id, flow] : e.outbound)
        s.outbound.push_back(flow);
    std::sort(s.outbound.begin(), s.outbound.end(), [](const auto &a, const auto &b) { return a.serial < b.serial; });
    for (const auto &[id, flow] : e.inbound)
        s.inbound.push_back(flow);
    std::sort(s.inbound.begin(), s.inbound.end(), [](const auto &a, const auto &b) { return a.serial < b.serial; });
    for (const auto &[filter, sub] : e.subscriptions)
        s.subscriptions.push_back(sub);
    return std::optional<StoredSession>(std::move(s));
}

Result<std::vector<SessionKey>> MemorySessionStore::keys(const QString &scope)
{
    std::vector<SessionKey> keys;
    for (const auto &[key, entry] : m_entries)
        if (key.scope == scope && entry.meta)
            keys.push_back(key);
    return keys;
}

Result<std::vector<Delivery>> MemorySessionStore::history(const SessionKey &key, int limit)
{
    const auto it = m_entries.find(key);
    if (it == m_entries.end())
        return std::vector<Delivery>();
    const auto &all = it->second.history;
    const auto first = all.size() > std::size_t(limit) ? all.end() - limit : all.begin();
    return std::vector<Delivery>(first, all.end());
}

Result<std::vector<SessionKey>> MemorySessionStore::historyKeys()
{
    std::vector<SessionKey> keys;
    for (const auto &[key, entry] : m_entries)
        if (!entry.history.empty())
            keys.push_back(key);
    return keys;
}

Result<std::vector<ApplicationMessage>> MemorySessionStore::retained(const SessionKey &key)
{
    std::vector<ApplicationMessage> messages;
    const auto it = m_entries.find(key);
    if (it != m_entries.end())
        for (const auto &[topic, message] : it->second.retained)
            messages.push_back(message);
    return messages;
}

} // namespace mqs
