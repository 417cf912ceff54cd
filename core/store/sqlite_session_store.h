#pragma once
// A SessionStore in one SQLite file (QtSql, WAL journal). Every apply() is one transaction,
// so a kill at any moment leaves either the whole step or none of it.

#include "session_store.h"

#include <QSqlDatabase>
#include <QSqlQuery>

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
    const std::optional<StoreError> &error() const { return m_openError; }

    std::optional<StoreError> apply(const SessionKey &key, const std::vector<StoreChange> &changes) override;
    StoreResult<std::optional<StoredSession>> load(const SessionKey &key) override;
    StoreResult<std::vector<SessionKey>> keys(const QString &scope) override;
    StoreResult<std::vector<Delivery>> history(const SessionKey &key, int limit) override;
    StoreResult<std::vector<ApplicationMessage>> retained(const SessionKey &key) override;
    StoreResult<std::vector<SessionKey>> historyKeys() override;
    QString location() const override { return m_path; }

    // Caps the database file (SQLite max_page_count); a write beyond it fails like a full disk.
    std::optional<StoreError> setMaximumSize(qint64 bytes);
    // The delivery history keeps at most this many rows per session (oldest dropped); default 100,000.
    void setHistoryLimit(int rows) { m_historyLimit = rows; }

private:
    std::optional<StoreError> createSchema();
    StoreError failure(const QString &what, const QString &detail) const;
    // `sql` prepared (kept for the next use), or why it does not compile.
    std::variant<QSqlQuery *, QString> statement(const QString &sql);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::optional<StoreError> m_openError;
    int m_historyLimit = 100000;
    qint64 m_deliveriesSincePrune = 0;
    std::map<QString, QSqlQuery> m_statements;
};

} // namespace mqs
