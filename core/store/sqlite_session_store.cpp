#include "sqlite_session_store.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace mqs {
namespace {

constexpr int kSchemaVersion = 1;
// A commit writes every page it touched, whole, to the WAL (and later once more to the file). A
// turn of QoS 2 traffic touches about five pages with rows of ~100 bytes, so small pages write
// a quarter of what SQLite's default 4096 would: ~1.1 KB instead of ~2.2 KB per message at 20
// messages per commit (tests/bench/README.md, bench_qos2_receive).
constexpr int kPageSize = 1024;
// The history is trimmed to its limit after this many deliveries: often enough that it never
// grows far past the limit, seldom enough that the trim's index scan costs little per message.
constexpr int kDeliveriesBetweenPrunes = 1000;

const char *const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (scope TEXT NOT NULL, client_id TEXT NOT NULL, version INTEGER NOT NULL,"
    " session_expiry INTEGER NOT NULL, established INTEGER NOT NULL, PRIMARY KEY (scope, client_id))",
    "CREATE TABLE IF NOT EXISTS outbound_flows (scope TEXT NOT NULL, client_id TEXT NOT NULL, packet_id INTEGER NOT NULL,"
    " serial INTEGER NOT NULL, state INTEGER NOT NULL, sends INTEGER NOT NULL, pubrel_sends INTEGER NOT NULL,"
    " reason INTEGER NOT NULL, created_ms INTEGER NOT NULL, published_ms INTEGER NOT NULL,"
    " acknowledged_ms INTEGER NOT NULL, message BLOB NOT NULL, PRIMARY KEY (scope, client_id, packet_id))",
    "CREATE TABLE IF NOT EXISTS inbound_flows (scope TEXT NOT NULL, client_id TEXT NOT NULL, packet_id INTEGER NOT NULL,"
    " serial INTEGER NOT NULL, state INTEGER NOT NULL, topic TEXT NOT NULL, received_ms INTEGER NOT NULL,"
    " duplicates INTEGER NOT NULL, message BLOB, PRIMARY KEY (scope, client_id, packet_id))",
    "CREATE TABLE IF NOT EXISTS deliveries (row INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL,"
    " client_id TEXT NOT NULL, packet_id INTEGER, at_ms INTEGER NOT NULL, message BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS deliveries_by_session ON deliveries (scope, client_id, row)",
    "CREATE TABLE IF NOT EXISTS subscriptions (scope TEXT NOT NULL, client_id TEXT NOT NULL, filter TEXT NOT NULL,"
    " qos INTEGER NOT NULL, no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL,"
    " retain_handling INTEGER NOT NULL, subscription_id INTEGER NOT NULL, PRIMARY KEY (scope, client_id, filter))",
    "CREATE TABLE IF NOT EXISTS retained (scope TEXT NOT NULL, client_id TEXT NOT NULL, topic TEXT NOT NULL,"
    " message BLOB NOT NULL, PRIMARY KEY (scope, client_id, topic))",
};


} // namespace

SqliteSessionStore::SqliteSessionStore(const QString &path)
    : m_path(path)
    , m_connectionName(QStringLiteral("mqttscope-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        m_openError = StoreError{QStringLiteral("Cannot create the folder %1 for the session store. Check its "
                                                "permissions or choose another location.")
                                     .arg(info.absolutePath())};
        return;
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (!m_db.isValid()) {
        m_openError = StoreError{QStringLiteral("The Qt SQLite driver is missing (install libqt6sql6-sqlite).")};
        return;
    }
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        m_openError = failure(QStringLiteral("open"), m_db.lastError().text());
        return;
    }
    m_openError = createSchema();
}

SqliteSessionStore::~SqliteSessionStore()
{
    m_statements.clear(); // prepared statements go before their database
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

StoreError SqliteSessionStore::failure(const QString &what, const QString &detail) const
{
    QString text = QStringLiteral("The session store %1 could not %2: %3.").arg(m_path, what, detail.trimmed());
    if (detail.contains(QLatin1String("full"), Qt::CaseInsensitive))
        text += QStringLiteral(" Free some disk space; nothing was sent that the store did not record.");
    else if (detail.contains(QLatin1String("readonly"), Qt::CaseInsensitive) || detail.contains(QLatin1String("permission")))
        text += QStringLiteral(" Check the file's permissions.");
    else if (detail.contains(QLatin1String("not a database"), Qt::CaseInsensitive) || detail.contains(QLatin1String("malformed")))
        text += QStringLiteral(" The file is damaged or not a session store; move it aside to start afresh.");
    return StoreError{text};
}

std::optional<StoreError> SqliteSessionStore::createSchema()
{
    QSqlQuery q(m_db);
    // Takes effect only in a new file (before its first table); older files keep their size.
    q.exec(QStringLiteral("PRAGMA page_size=%1").arg(kPageSize));
    // WAL: readers never block the writer; NORMAL sync survives a killed process (not a power cut).
    if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !q.exec(QStringLiteral("PRAGMA synchronous=NORMAL")))
        return failure(QStringLiteral("be set up"), q.lastError().text());
    q.exec(QStringLiteral("PRAGMA busy_timeout=5000"));
    for (const char *statement : kSchema)
        if (!q.exec(QString::fromLatin1(statement)))
            return failure(QStringLiteral("be set up"), q.lastError().text());
    if (!q.exec(QStringLiteral("SELECT version FROM schema_version")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    if (!q.next()) {
        q.exec(QStringLiteral("INSERT INTO schema_version VALUES (%1)").arg(kSchemaVersion));
    } else if (q.value(0).toInt() > kSchemaVersion) {
        return StoreError{QStringLiteral("The session store %1 was written by a newer MQTT Scope (schema %2); this "
                                         "version reads schema %3. Use the newer version or another file.")
                              .arg(m_path)
                              .arg(q.value(0).toInt())
                              .arg(kSchemaVersion)};
    }
    return std::nullopt;
}

std::variant<QSqlQuery *, QString> SqliteSessionStore::statement(const QString &sql)
{
    // Prepared once per store: a turn's transaction may hold thousands of changes, and compiling
    // the SQL again for each cost more than running it.
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery q(m_db);
        if (!q.prepare(sql))
            return q.lastError().text();
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    return &it->second;
}

std::optional<StoreError> SqliteSessionStore::apply(const SessionKey &key, const std::vector<StoreChange> &changes)
{
    if (m_openError)
        return m_openError;
    if (changes.empty())
        return std::nullopt;
    if (!m_db.transaction())
        return failure(QStringLiteral("start a transaction"), m_db.lastError().text());
    std::optional<QString> error;
    auto run = [&](const QString &sql, auto &&bind) {
        if (error)
            return;
        auto prepared = statement(sql);
        if (const auto *failed = std::get_if<QString>(&prepared)) {
            error = *failed;
            return;
        }
        QSqlQuery &q = *std::get<QSqlQuery *>(prepared);
        q.bindValue(QStringLiteral(":scope"), key.scope);
        q.bindValue(QStringLiteral(":client"), key.clientId);
        bind(q);
        if (!q.exec())
            error = q.lastError().text();
        q.finish(); // done with it until its next use: it holds no lock meanwhile
    };
    for (const StoreChange &change : changes) {
        std::visit(
            [&](const auto &c) {
                using C = std::decay_t<decltype(c)>;
                if constexpr (std::is_same_v<C, SaveMeta>) {
                    run(QStringLiteral("INSERT OR REPLACE INTO sessions VALUES (:scope, :client, :version, :expiry, :established)"),
                        [&](QSqlQuery &q) {
                            q.bindValue(QStringLiteral(":version"), int(c.meta.version));
                            q.bindValue(QStringLiteral(":expiry"), qint64(c.meta.sessionExpiry));
                            q.bindValue(QStringLiteral(":established"), c.meta.established ? 1 : 0);
                        });
                } else if constexpr (std::is_same_v<C, SaveOutbound>) {
                    const OutboundFlow &f = c.flow;
                    run(QStringLiteral("INSERT OR REPLACE INTO outbound_flows VALUES (:scope, :client, :id, :serial, :state,"
                                       " :sends, :pubrels, :reason, :created, :published, :acknowledged, :message)"),
                        [&](QSqlQuery &q) {
                            q.bindValue(QStringLiteral(":id"), f.packetId.value);
                            q.bindValue(QStringLiteral(":serial"), qint64(f.serial));
                            q.bindValue(QStringLiteral(":state"), int(f.state));
                            q.bindValue(QStringLiteral(":sends"), f.sends);
                            q.bindValue(QStringLiteral(":pubrels"), f.pubRelSends);
                            q.bindValue(QStringLiteral(":reason"), int(f.reason));
                            q.bindValue(QStringLiteral(":created"), qint64(f.createdAt.count()));
                            q.bindValue(QStringLiteral(":published"), qint64(f.publishedAt.count()));
                            q.bindValue(QStringLiteral(":acknowledged"), qint64(f.acknowledgedAt.count()));
                            q.bindValue(QStringLiteral(":message"), serializeMessage(f.message));
                        });
                } else if constexpr (std::is_same_v<C, DeleteOutbound>) {
                    run(QStringLiteral("DELETE FROM outbound_flows WHERE scope = :scope AND client_id = :client AND packet_id = :id"),
                        [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":id"), c.packetId.value); });
                } else if constexpr (std::is_same_v<C, SaveInbound>) {
                    const InboundFlow &f = c.flow;
                    run(QStringLiteral("INSERT OR REPLACE INTO inbound_flows VALUES (:scope, :client, :id, :serial, :state,"
                                       " :topic, :received, :duplicates, :message)"),
                        [&](QSqlQuery &q) {
                            q.bindValue(QStringLiteral(":id"), f.packetId.value);
                            q.bindValue(QStringLiteral(":serial"), qint64(f.serial));
                            q.bindValue(QStringLiteral(":state"), int(f.state));
                            q.bindValue(QStringLiteral(":topic"), f.topic);
                            q.bindValue(QStringLiteral(":received"), qint64(f.receivedAt.count()));
                            q.bindValue(QStringLiteral(":duplicates"), f.duplicates);
                            q.bindValue(QStringLiteral(":message"),
                                        f.message ? QVariant(serializeMessage(*f.message)) : QVariant(QMetaType::fromType<QByteArray>()));
                        });
                } else if constexpr (std::is_same_v<C, DeleteInbound>) {
                    run(QStringLiteral("DELETE FROM inbound_flows WHERE scope = :scope AND client_id = :client AND packet_id = :id"),
                        [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":id"), c.packetId.value); });
                } else if constexpr (std::is_same_v<C, RecordDelivery>) {
                    run(QStringLiteral("INSERT INTO deliveries (scope, client_id, packet_id, at_ms, message)"
                                       " VALUES (:scope, :client, :id, :at, :message)"),
                        [&](QSqlQuery &q) {
                            q.bindValue(QStringLiteral(":id"), c.delivery.packetId ? QVariant(c.delivery.packetId->value)
                                                                                     : QVariant(QMetaType::fromType<int>()));
                            q.bindValue(QStringLiteral(":at"), qint64(c.delivery.at.count()));
                            q.bindValue(QStringLiteral(":message"), serializeMessage(c.delivery.message));
                        });
                } else if constexpr (std::is_same_v<C, SaveSubscription>) {
                    const Subscription &s = c.subscription;
                    run(QStringLiteral("INSERT OR REPLACE INTO subscriptions VALUES (:scope, :client, :filter, :qos,"
                                       " :nolocal, :rap, :rh, :subid)"),
                        [&](QSqlQuery &q) {
                            q.bindValue(QStringLiteral(":filter"), s.filter);
                            q.bindValue(QStringLiteral(":qos"), int(qosValue(s.options.maximumQoS)));
                            q.bindValue(QStringLiteral(":nolocal"), s.options.noLocal ? 1 : 0);
                            q.bindValue(QStringLiteral(":rap"), s.options.retainAsPublished ? 1 : 0);
                            q.bindValue(QStringLiteral(":rh"), int(s.options.retainHandling));
                            q.bindValue(QStringLiteral(":subid"), qint64(c.subscriptionIdentifier));
                        });
                } else if constexpr (std::is_same_v<C, DeleteSubscription>) {
                    run(QStringLiteral("DELETE FROM subscriptions WHERE scope = :scope AND client_id = :client AND filter = :filter"),
                        [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":filter"), c.filter); });
                } else if constexpr (std::is_same_v<C, SaveRetained>) {
                    run(QStringLiteral("INSERT OR REPLACE INTO retained VALUES (:scope, :client, :topic, :message)"), [&](QSqlQuery &q) {
                        q.bindValue(QStringLiteral(":topic"), c.message.topic);
                        q.bindValue(QStringLiteral(":message"), serializeMessage(c.message));
                    });
                } else if constexpr (std::is_same_v<C, DeleteRetained>) {
                    run(QStringLiteral("DELETE FROM retained WHERE scope = :scope AND client_id = :client AND topic = :topic"),
                        [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":topic"), c.topic); });
                } else if constexpr (std::is_same_v<C, DeleteSession>) {
                    for (const char *table : {"sessions", "outbound_flows", "inbound_flows", "subscriptions"})
                        run(QStringLiteral("DELETE FROM %1 WHERE scope = :scope AND client_id = :client").arg(QLatin1String(table)),
                            [](QSqlQuery &) {});
                }
            },
            change);
    }
    m_deliveriesSincePrune += std::count_if(changes.begin(), changes.end(), [](const StoreChange &change) {
        return std::holds_alternative<RecordDelivery>(change);
    });
    if (!error && m_deliveriesSincePrune >= kDeliveriesBetweenPrunes) {
        m_deliveriesSincePrune = 0;
        run(QStringLiteral("DELETE FROM deliveries WHERE scope = :scope AND client_id = :client AND row <= "
                           "(SELECT row FROM deliveries WHERE scope = :scope AND client_id = :client ORDER BY row DESC "
                           "LIMIT 1 OFFSET :keep)"),
            [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":keep"), m_historyLimit); });
    }
    if (error) {
        m_db.rollback();
        return failure(QStringLiteral("save the session"), *error);
    }
    if (!m_db.commit()) {
        const QString detail = m_db.lastError().text();
        m_db.rollback();
        return failure(QStringLiteral("save the session"), detail);
    }
    return std::nullopt;
}

std::optional<StoreError> SqliteSessionStore::setMaximumSize(qint64 bytes)
{
    if (m_openError)
        return m_openError;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA page_size")) || !q.next())
        return failure(QStringLiteral("be read"), q.lastError().text());
    const qint64 pages = std::max<qint64>(1, bytes / std::max(1, q.value(0).toInt()));
    if (!q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages)))
        return failure(QStringLiteral("be limited"), q.lastError().text());
    return std::nullopt;
}

StoreResult<std::optional<StoredSession>> SqliteSessionStore::load(const SessionKey &key)
{
    if (m_openError)
        return *m_openError;
    QSqlQuery q(m_db);
    auto select = [&](const QString &sql) {
        q.prepare(sql);
        q.bindValue(QStringLiteral(":scope"), key.scope);
        q.bindValue(QStringLiteral(":client"), key.clientId);
        return q.exec();
    };
    if (!select(QStringLiteral("SELECT version, session_expiry, established FROM sessions WHERE scope = :scope AND client_id = :client")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    if (!q.next())
        return std::optional<StoredSession>();
    StoredSession s;
    s.meta.clientId = key.clientId;
    s.meta.version = ProtocolVersion(q.value(0).toInt());
    s.meta.sessionExpiry = quint32(q.value(1).toLongLong());
    s.meta.established = q.value(2).toInt() != 0;

    if (!select(QStringLiteral("SELECT packet_id, serial, state, sends, pubrel_sends, reason, created_ms, published_ms,"
                               " acknowledged_ms, message FROM outbound_flows WHERE scope = :scope AND client_id = :client"
                               " ORDER BY serial")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    while (q.next()) {
        OutboundFlow f;
        f.packetId = PacketId(quint16(q.value(0).toInt()));
        f.serial = quint64(q.value(1).toLongLong());
        f.state = FlowState(q.value(2).toInt());
        f.sends = q.value(3).toInt();
        f.pubRelSends = q.value(4).toInt();
        f.reason = ReasonCode(q.value(5).toInt());
        f.createdAt = Millis(q.value(6).toLongLong());
        f.publishedAt = Millis(q.value(7).toLongLong());
        f.acknowledgedAt = Millis(q.value(8).toLongLong());
        const auto message = deserializeMessage(q.value(9).toByteArray());
        if (!message)
            return StoreError{QStringLiteral("The session store %1 holds an unreadable message for outbound id %2.")
                                  .arg(m_path)
                                  .arg(f.packetId.value)};
        f.message = *message;
        s.outbound.push_back(std::move(f));
    }
    if (!select(QStringLiteral("SELECT packet_id, serial, state, topic, received_ms, duplicates, message FROM inbound_flows"
                               " WHERE scope = :scope AND client_id = :client ORDER BY serial")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    while (q.next()) {
        InboundFlow f;
        f.packetId = PacketId(quint16(q.value(0).toInt()));
        f.serial = quint64(q.value(1).toLongLong());
        f.state = FlowState(q.value(2).toInt());
        f.topic = q.value(3).toString();
        f.receivedAt = Millis(q.value(4).toLongLong());
        f.duplicates = q.value(5).toInt();
        if (!q.value(6).isNull())
            f.message = deserializeMessage(q.value(6).toByteArray());
        s.inbound.push_back(std::move(f));
    }
    if (!select(QStringLiteral("SELECT filter, qos, no_local, retain_as_published, retain_handling, subscription_id"
                               " FROM subscriptions WHERE scope = :scope AND client_id = :client ORDER BY filter")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    while (q.next()) {
        StoredSubscription sub;
        sub.subscription.filter = q.value(0).toString();
        sub.subscription.options.maximumQoS = QoS(q.value(1).toInt());
        sub.subscription.options.noLocal = q.value(2).toInt() != 0;
        sub.subscription.options.retainAsPublished = q.value(3).toInt() != 0;
        sub.subscription.options.retainHandling = RetainHandling(q.value(4).toInt());
        sub.subscriptionIdentifier = quint32(q.value(5).toLongLong());
        s.subscriptions.push_back(std::move(sub));
    }
    return std::optional<StoredSession>(std::move(s));
}

StoreResult<std::vector<SessionKey>> SqliteSessionStore::keys(const QString &scope)
{
    if (m_openError)
        return *m_openError;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT client_id FROM sessions WHERE scope = :scope ORDER BY client_id"));
    q.bindValue(QStringLiteral(":scope"), scope);
    if (!q.exec())
        return failure(QStringLiteral("be read"), q.lastError().text());
    std::vector<SessionKey> keys;
    while (q.next())
        keys.push_back(SessionKey{scope, q.value(0).toString()});
    return keys;
}

StoreResult<std::vector<Delivery>> SqliteSessionStore::history(const SessionKey &key, int limit)
{
    if (m_openError)
        return *m_openError;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT packet_id, at_ms, message FROM (SELECT row, packet_id, at_ms, message FROM deliveries"
                             " WHERE scope = :scope AND client_id = :client ORDER BY row DESC LIMIT :limit) ORDER BY row"));
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!q.exec())
        return failure(QStringLiteral("be read"), q.lastError().text());
    std::vector<Delivery> deliveries;
    while (q.next()) {
        Delivery d;
        if (!q.value(0).isNull())
            d.packetId = PacketId(quint16(q.value(0).toInt()));
        d.at = Millis(q.value(1).toLongLong());
        if (auto message = deserializeMessage(q.value(2).toByteArray()))
            d.message = std::move(*message);
        deliveries.push_back(std::move(d));
    }
    return deliveries;
}

StoreResult<std::vector<SessionKey>> SqliteSessionStore::historyKeys()
{
    if (m_openError)
        return *m_openError;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT DISTINCT scope, client_id FROM deliveries ORDER BY scope, client_id")))
        return failure(QStringLiteral("be read"), q.lastError().text());
    std::vector<SessionKey> keys;
    while (q.next())
        keys.push_back(SessionKey{q.value(0).toString(), q.value(1).toString()});
    return keys;
}

StoreResult<std::vector<ApplicationMessage>> SqliteSessionStore::retained(const SessionKey &key)
{
    if (m_openError)
        return *m_openError;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT message FROM retained WHERE scope = :scope AND client_id = :client ORDER BY topic"));
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    if (!q.exec())
        return failure(QStringLiteral("be read"), q.lastError().text());
    std::vector<ApplicationMessage> messages;
    while (q.next())
        if (auto message = deserializeMessage(q.value(0).toByteArray()))
            messages.push_back(std::move(*message));
    return messages;
}

} // namespace mqs
