#pragma once
// A real SessionStore (SQLite or memory) behind a switch: commits fail on demand, as a full disk
// or a broken file would make them, while reads still work. Below the session boundary: the
// client and the broker under test see a store, nothing else.

#include "store/session_store.h"

#include <functional>
#include <memory>

namespace mqs::test {

class FailingStore final : public SessionStore
{
public:
    explicit FailingStore(std::unique_ptr<SessionStore> real) : m_real(std::move(real)) {}

    // The next `count` commits fail (and keep nothing).
    void failNextCommits(int count) { m_failures = count; }
    int failedCommits() const { return m_failed; }
    // Called with each batch before it is committed (e.g. to stop the process there).
    std::function<void(const StoreBatch &)> beforeCommit;
    // Called with each batch once it is committed.
    std::function<void(const StoreBatch &)> afterCommit;

    Status commit(const StoreBatch &batch) override
    {
        if (beforeCommit)
            beforeCommit(batch);
        if (m_failures > 0) {
            --m_failures;
            ++m_failed;
            return Problem{ProblemKind::Store, QStringLiteral("Could not save the session to %1: disk full (test).").arg(location())};
        }
        Status committed = m_real->commit(batch);
        if (committed && afterCommit)
            afterCommit(batch);
        return committed;
    }
    Result<std::optional<StoredSession>> load(const SessionKey &key) override { return m_real->load(key); }
    Result<std::vector<SessionKey>> keys(const QString &scope) override { return m_real->keys(scope); }
    Result<std::vector<Delivery>> history(const SessionKey &key, int limit) override { return m_real->history(key, limit); }
    Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) override { return m_real->retained(key); }
    Result<std::vector<SessionKey>> historyKeys() override { return m_real->historyKeys(); }
    QString location() const override { return m_real->location(); }

private:
    std::unique_ptr<SessionStore> m_real;
    int m_failures = 0;
    int m_failed = 0;
};

} // namespace mqs::test
