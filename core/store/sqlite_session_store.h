#pragma once
// A SessionStore in one SQLite file (QtSql, WAL journal). Every commit() is one transaction,
// so a kill at any moment leaves either the whole step or none of it. Tables: sqlite_schema.h.

#include "session_store.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <QVariant>

#include <initializer_list>
#include <map>
#include <utility>

namespace mqs {

class SqliteSessionStore final : public SessionStore
{
public:
    // Opens (creating when needed) the database at `path`. Check error() before use.
    explicit SqliteSessionStore(const QString &path);
    ~SqliteSessionStore() override;
    SqliteSessionStore(const SqliteSessionStore &) = delete;
    SqliteSessionStore &operator=(const SqliteSessionStore &) = delete;

    // Whether the database opened, and why not.
    [[nodiscard]] const Status &error() const { return m_openError; }

    Status commit(const StoreBatch &batch) override;
    Result<std::optional<StoredSession>> load(const SessionKey &key) override;
    Result<std::vector<SessionKey>> keys(const QString &scope) override;
    Result<std::vector<Delivery>> history(const SessionKey &key, int limit) override;
    Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) override;
    Result<std::vector<SessionKey>> historyKeys() override;
    QString location() const override { return m_path; }

    // Caps the store's files (the database and its WAL) at `bytes`: a transaction that would grow
    // the database past it (SQLite max_page_count), or any once the files reach it, fails like a
    // full disk.
    Status setMaximumSize(qint64 bytes);
    // The delivery history keeps at most this many rows per session (oldest dropped); default 100,000.
    void setHistoryLimit(int rows) { m_historyLimit = rows; }

private:
    Problem failure(const QString &what, const QString &detail) const;
    // `sql` prepared (kept for the next use), or SQLite's reason it does not compile.
    Result<QSqlQuery *> statement(const QString &sql);
    // A named parameter of a statement and its value.
    using Binding = std::pair<QString, QVariant>;
    // Runs `sql` with :session and `bindings` bound. A failure carries SQLite's own words, for
    // failure() to put in a sentence.
    Status run(const QString &sql, qint64 session, std::initializer_list<Binding> bindings);
    // The number of `key`'s session, nothing when none was ever stored.
    Result<std::optional<qint64>> findSession(const SessionKey &key);
    // The number of `key`'s session, given to it in the current transaction when it has none yet.
    Result<qint64> sessionFor(const SessionKey &key);
    // One session's changes inside the open transaction.
    Status applySession(const SessionChanges &session);
    Status applyChange(qint64 session, const StoreChange &change);
    Status pruneHistory(qint64 session);
    // Whether the files have reached setMaximumSize().
    bool isFull() const;

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    Status m_openError;
    std::optional<qint64> m_maximumBytes;
    int m_historyLimit = 100000;
    qint64 m_deliveriesSincePrune = 0;
    std::map<QString, QSqlQuery> m_statements;
    std::map<SessionKey, qint64> m_sessionIds; // committed ones only: a rolled-back number is not kept
};

} // namespace mqs
