#pragma once
// A SessionStore in one SQLite file (QtSql, WAL journal). Every commit() is one transaction,
// so a kill at any moment leaves either the whole step or none of it. Tables: sqlite_schema.h.

#include "session_store.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <functional>
#include <map>

namespace mqs {

class SqliteSessionStore final : public SessionStore
{
public:
    // Opens (creating when needed) the database at `path`. Check error() before use.
    explicit SqliteSessionStore(const QString &path);
    ~SqliteSessionStore() override;
    SqliteSessionStore(const SqliteSessionStore &) = delete;
    SqliteSessionStore &operator=(const SqliteSessionStore &) = delete;

    // Why the database could not be opened, or nothing.
    [[nodiscard]] const std::optional<StoreError> &error() const { return m_openError; }

    [[nodiscard]] std::optional<StoreError> commit(const StoreBatch &batch) override;
    [[nodiscard]] StoreResult<std::optional<StoredSession>> load(const SessionKey &key) override;
    [[nodiscard]] StoreResult<std::vector<SessionKey>> keys(const QString &scope) override;
    [[nodiscard]] StoreResult<std::vector<Delivery>> history(const SessionKey &key, int limit) override;
    [[nodiscard]] StoreResult<std::vector<ApplicationMessage>> retained(const SessionKey &key) override;
    [[nodiscard]] StoreResult<std::vector<SessionKey>> historyKeys() override;
    QString location() const override { return m_path; }

    // Caps the store's files (the database and its WAL) at `bytes`: a transaction that would grow
    // the database past it (SQLite max_page_count), or any once the files reach it, fails like a
    // full disk.
    [[nodiscard]] std::optional<StoreError> setMaximumSize(qint64 bytes);
    // The delivery history keeps at most this many rows per session (oldest dropped); default 100,000.
    void setHistoryLimit(int rows) { m_historyLimit = rows; }

private:
    StoreError failure(const QString &what, const QString &detail) const;
    // `sql` prepared (kept for the next use), or why it does not compile.
    [[nodiscard]] std::variant<QSqlQuery *, QString> statement(const QString &sql);
    // Runs `sql` with :session bound and what `bind` binds; why it failed, or nothing.
    [[nodiscard]] std::optional<QString> run(const QString &sql, qint64 session, const std::function<void(QSqlQuery &)> &bind);
    // The number of `key`'s session, nothing when none was ever stored.
    [[nodiscard]] std::variant<std::optional<qint64>, QString> findSession(const SessionKey &key);
    // The number of `key`'s session, given to it in the current transaction when it has none yet.
    [[nodiscard]] std::variant<qint64, QString> sessionFor(const SessionKey &key);
    // One session's changes inside the open transaction; why they failed, or nothing.
    [[nodiscard]] std::optional<QString> applySession(const SessionChanges &session);
    [[nodiscard]] std::optional<QString> applyChange(qint64 session, const StoreChange &change);
    [[nodiscard]] std::optional<QString> pruneHistory(qint64 session);
    // Whether the files have reached setMaximumSize().
    bool isFull() const;

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::optional<StoreError> m_openError;
    std::optional<qint64> m_maximumBytes;
    int m_historyLimit = 100000;
    qint64 m_deliveriesSincePrune = 0;
    std::map<QString, QSqlQuery> m_statements;
    std::map<SessionKey, qint64> m_sessionIds; // committed ones only: a rolled-back number is not kept
};

} // namespace mqs
