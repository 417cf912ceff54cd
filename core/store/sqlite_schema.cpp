#include "sqlite_schema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

namespace mqs {
namespace {

// A commit writes every page it touched, whole, to the WAL (and later once more to the file).
// Small pages write less for the few rows of one turn of QoS 2 traffic (tests/bench/README.md,
// bench_qos2_receive); SQLite's default is 4096. Takes effect only in a new file.
constexpr int kPageSize = 1024;

// Flows and subscriptions are WITHOUT ROWID tables: their key is the row's place in one b-tree,
// where a rowid table would add an index on the same columns that every commit writes too.
const char *const kSchema2[] = {
    "CREATE TABLE session_keys (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, client_id TEXT NOT NULL,"
    " UNIQUE (scope, client_id))",
    "CREATE TABLE sessions (session INTEGER PRIMARY KEY, version INTEGER NOT NULL, session_expiry INTEGER NOT NULL,"
    " established INTEGER NOT NULL)",
    "CREATE TABLE outbound_flows (session INTEGER NOT NULL, packet_id INTEGER NOT NULL, serial INTEGER NOT NULL,"
    " state INTEGER NOT NULL, sends INTEGER NOT NULL, pubrel_sends INTEGER NOT NULL, reason INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, published_ms INTEGER NOT NULL, acknowledged_ms INTEGER NOT NULL,"
    " message BLOB NOT NULL, PRIMARY KEY (session, packet_id)) WITHOUT ROWID",
    "CREATE TABLE inbound_flows (session INTEGER NOT NULL, packet_id INTEGER NOT NULL, serial INTEGER NOT NULL,"
    " state INTEGER NOT NULL, topic TEXT NOT NULL, received_ms INTEGER NOT NULL, duplicates INTEGER NOT NULL,"
    " message BLOB, PRIMARY KEY (session, packet_id)) WITHOUT ROWID",
    // row: see kDeliveriesPerSession. A rowid table keeps messages up to ~1 KB in its leaves.
    "CREATE TABLE deliveries (row INTEGER PRIMARY KEY, packet_id INTEGER, at_ms INTEGER NOT NULL, message BLOB NOT NULL)",
    "CREATE TABLE subscriptions (session INTEGER NOT NULL, filter TEXT NOT NULL, qos INTEGER NOT NULL,"
    " no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL, retain_handling INTEGER NOT NULL,"
    " subscription_id INTEGER NOT NULL, PRIMARY KEY (session, filter)) WITHOUT ROWID",
    "CREATE TABLE retained (session INTEGER NOT NULL, topic TEXT NOT NULL, message BLOB NOT NULL,"
    " PRIMARY KEY (session, topic))",
};

// Schema 1's tables that hold rows keyed by (scope, client_id); renamed aside, copied, dropped.
const char *const kSchema1Tables[] = {"sessions", "outbound_flows", "inbound_flows", "deliveries", "subscriptions", "retained"};

QString schema1Copies()
{
    return QStringLiteral(
        "INSERT INTO session_keys (scope, client_id) SELECT scope, client_id FROM v1_sessions"
        " UNION SELECT scope, client_id FROM v1_outbound_flows UNION SELECT scope, client_id FROM v1_inbound_flows"
        " UNION SELECT scope, client_id FROM v1_deliveries UNION SELECT scope, client_id FROM v1_subscriptions"
        " UNION SELECT scope, client_id FROM v1_retained ORDER BY 1, 2;"
        "INSERT INTO sessions SELECT k.id, version, session_expiry, established FROM v1_sessions"
        " JOIN session_keys k USING (scope, client_id);"
        "INSERT INTO outbound_flows SELECT k.id, packet_id, serial, state, sends, pubrel_sends, reason, created_ms,"
        " published_ms, acknowledged_ms, message FROM v1_outbound_flows JOIN session_keys k USING (scope, client_id);"
        "INSERT INTO inbound_flows SELECT k.id, packet_id, serial, state, topic, received_ms, duplicates, message"
        " FROM v1_inbound_flows JOIN session_keys k USING (scope, client_id);"
        // Schema 1's AUTOINCREMENT row keeps each session's order as its number in the history.
        "INSERT INTO deliveries SELECT k.id * %1 + row, packet_id, at_ms, message FROM v1_deliveries"
        " JOIN session_keys k USING (scope, client_id);"
        "INSERT INTO subscriptions SELECT k.id, filter, qos, no_local, retain_as_published, retain_handling,"
        " subscription_id FROM v1_subscriptions JOIN session_keys k USING (scope, client_id);"
        "INSERT INTO retained SELECT k.id, topic, message FROM v1_retained JOIN session_keys k USING (scope, client_id)")
        .arg(kDeliveriesPerSession);
}

class SchemaOpening
{
public:
    SchemaOpening(QSqlDatabase &db, const QString &path) : m_db(db), m_path(path), m_query(db) {}

    Status run()
    {
        m_query.exec(QStringLiteral("PRAGMA page_size=%1").arg(kPageSize));
        m_query.exec(QStringLiteral("PRAGMA busy_timeout=5000"));
        const auto version = storedVersion();
        if (!version)
            return version.problem();
        const int stored = *version;
        if (stored > kSqliteSchemaVersion)
            return Problem{ProblemKind::Store,
                           QStringLiteral("The session store %1 was written by a newer MQTT Scope (schema %2); this "
                                          "version reads schemas up to %3 and leaves the file as it is. Use the "
                                          "newer version or another file.")
                               .arg(m_path)
                               .arg(stored)
                               .arg(kSqliteSchemaVersion)};
        if (Status journal = setUpJournal(); !journal)
            return journal;
        if (stored == kSqliteSchemaVersion)
            return {};
        return inTransaction(stored == 0 ? QStringLiteral("be set up") : QStringLiteral("be brought to schema 2"),
                             [&] { return stored == 0 ? create() : migrateFrom1(); });
    }

private:
    Status setUpJournal()
    {
        // WAL: readers never block the writer. synchronous=NORMAL: a commit is in the WAL file
        // when it returns, so a killed process loses nothing it committed; only a power cut or
        // an OS crash can take back the last commits (FULL would fsync each one, for that case).
        if (!m_query.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !m_query.exec(QStringLiteral("PRAGMA synchronous=NORMAL")))
            return sqliteFailure(m_path, QStringLiteral("be set up"), m_query.lastError().text());
        return {};
    }

    // 0 for a file without tables of ours.
    Result<int> storedVersion()
    {
        if (!m_query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'")) || !m_query.next())
            return sqliteFailure(m_path, QStringLiteral("be read"), m_query.lastError().text());
        if (m_query.value(0).toInt() == 0)
            return 0;
        if (!m_query.exec(QStringLiteral("SELECT version FROM schema_version")))
            return sqliteFailure(m_path, QStringLiteral("be read"), m_query.lastError().text());
        // Schema 1 made its tables before it wrote its version, outside a transaction.
        return m_query.next() ? m_query.value(0).toInt() : 1;
    }

    template<typename Step>
    Status inTransaction(const QString &what, Step step)
    {
        if (!m_db.transaction())
            return sqliteFailure(m_path, what, m_db.lastError().text());
        Status done = step();
        if (done && !m_db.commit())
            done = Problem{ProblemKind::Store, m_db.lastError().text()};
        if (done)
            return {};
        m_db.rollback();
        return sqliteFailure(m_path, what, done.sentence());
    }

    // A failure carries SQLite's own words, for sqliteFailure() to put in a sentence.
    Status exec(const QString &sql)
    {
        for (const QString &statement : sql.split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (!m_query.exec(statement))
                return Problem{ProblemKind::Store, m_query.lastError().text()};
        return {};
    }

    Status create()
    {
        if (Status done = exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")); !done)
            return done;
        for (const char *statement : kSchema2)
            if (Status done = exec(QString::fromLatin1(statement)); !done)
                return done;
        return exec(QStringLiteral("DELETE FROM schema_version; INSERT INTO schema_version VALUES (%1)").arg(kSqliteSchemaVersion));
    }

    Status migrateFrom1()
    {
        for (const char *table : kSchema1Tables)
            if (Status done = exec(QStringLiteral("ALTER TABLE %1 RENAME TO v1_%1").arg(QLatin1String(table))); !done)
                return done;
        if (Status done = create(); !done)
            return done;
        if (Status done = exec(schema1Copies()); !done)
            return done;
        for (const char *table : kSchema1Tables) // drops schema 1's index on deliveries with its table
            if (Status done = exec(QStringLiteral("DROP TABLE v1_%1").arg(QLatin1String(table))); !done)
                return done;
        return {};
    }

    QSqlDatabase &m_db;
    const QString &m_path;
    QSqlQuery m_query;
};

} // namespace

Problem sqliteFailure(const QString &path, const QString &what, const QString &detail)
{
    QString text = QStringLiteral("The session store %1 could not %2: %3.").arg(path, what, detail.trimmed());
    if (detail.contains(QLatin1String("full"), Qt::CaseInsensitive))
        text += QStringLiteral(" Free some disk space; nothing was sent that the store did not record.");
    else if (detail.contains(QLatin1String("readonly"), Qt::CaseInsensitive) || detail.contains(QLatin1String("permission")))
        text += QStringLiteral(" Check the file's permissions.");
    else if (detail.contains(QLatin1String("not a database"), Qt::CaseInsensitive) || detail.contains(QLatin1String("malformed")))
        text += QStringLiteral(" The file is damaged or not a session store; move it aside to start afresh.");
    return Problem{ProblemKind::Store, text};
}

Status openSchema(QSqlDatabase &db, const QString &path)
{
    return SchemaOpening(db, path).run();
}

} // namespace mqs
