#pragma once
// A SessionStore in memory: for tests, and for connections the user does not want persisted.

#include "session_store.h"

#include <map>

namespace mqs {

class MemorySessionStore final : public SessionStore
{
public:
    Status commit(const StoreBatch &batch) override;
    Result<std::optional<StoredSession>> load(const SessionKey &key) override;
    Result<std::vector<SessionKey>> keys(const QString &scope) override;
    Result<std::vector<Delivery>> history(const SessionKey &key, int limit) override;
    Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) override;
    Result<std::vector<SessionKey>> historyKeys() override;
    QString location() const override { return QStringLiteral("memory"); }

private:
    void applyTo(const SessionKey &key, const std::vector<StoreChange> &changes);
    struct Entry {
        std::optional<SessionMeta> meta;
        std::map<quint16, OutboundFlow> outbound;
        std::map<quint16, InboundFlow> inbound;
        std::map<QString, StoredSubscription> subscriptions;
        std::map<QString, ApplicationMessage> retained;
        std::vector<Delivery> history;
    };
    std::map<SessionKey, Entry> m_entries;
};

} // namespace mqs
