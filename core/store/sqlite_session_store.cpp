#include "sqlite_session_store.h"

#include "sqlite_schema.h"

#include "protocol/overloaded.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace mqs {
namespace {

// The history is trimmed to its limit after this many deliveries: often enough that it never
// grows far past the limit, seldom enough that the trim's index scan costs little per message.
constexpr int kDeliveriesBetweenPrunes = 1000;

// The rows of the session named by :scope and :client.
const QLatin1String kThisSession("session = (SELECT id FROM session_keys WHERE scope = :scope AND client_id = :client)");

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
    m_openError = openSchema(m_db, m_path);
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
    return sqliteFailure(m_path, what, detail);
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

std::optional<QString> SqliteSessionStore::run(const QString &sql, qint64 session, const std::function<void(QSqlQuery &)> &bind)
{
    auto prepared = statement(sql);
    if (const auto *failed = std::get_if<QString>(&prepared))
        return *failed;
    QSqlQuery &q = *std::get<QSqlQuery *>(prepared);
    if (sql.contains(QLatin1String(":session")))
        q.bindValue(QStringLiteral(":session"), session);
    bind(q);
    std::optional<QString> error;
    if (!q.exec())
        error = q.lastError().text();
    q.finish(); // done with it until its next use: it holds no lock meanwhile
    return error;
}

std::variant<std::optional<qint64>, QString> SqliteSessionStore::findSession(const SessionKey &key)
{
    if (const auto it = m_sessionIds.find(key); it != m_sessionIds.end())
        return std::optional<qint64>(it->second);
    auto prepared = statement(QStringLiteral("SELECT id FROM session_keys WHERE scope = :scope AND client_id = :client"));
    if (const auto *failed = std::get_if<QString>(&prepared))
        return *failed;
    QSqlQuery &q = *std::get<QSqlQuery *>(prepared);
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    if (!q.exec())
        return q.lastError().text();
    std::optional<qint64> id;
    if (q.next())
        id = q.value(0).toLongLong();
    q.finish();
    if (id)
        m_sessionIds.emplace(key, *id); // kept by a committed transaction: never deleted
    return id;
}

std::variant<qint64, QString> SqliteSessionStore::sessionFor(const SessionKey &key)
{
    auto found = findSession(key);
    if (const auto *failed = std::get_if<QString>(&found))
        return *failed;
    if (const auto id = std::get<std::optional<qint64>>(found))
        return *id;
    // Remembered by findSession() once the transaction that adds it has committed.
    auto prepared = statement(QStringLiteral("INSERT INTO session_keys (scope, client_id) VALUES (:scope, :client)"));
    if (const auto *failed = std::get_if<QString>(&prepared))
        return *failed;
    QSqlQuery &q = *std::get<QSqlQuery *>(prepared);
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    if (!q.exec())
        return q.lastError().text();
    const qint64 id = q.lastInsertId().toLongLong();
    q.finish();
    if (id > kMaximumSessions)
        return QStringLiteral("it holds the most sessions it can number (%1)").arg(kMaximumSessions);
    return id;
}

std::optional<StoreError> SqliteSessionStore::commit(const StoreBatch &batch)
{
    if (m_openError)
        return m_openError;
    if (std::all_of(batch.begin(), batch.end(), [](const SessionChanges &s) { return s.changes.empty(); }))
        return std::nullopt;
    if (isFull())
        return failure(QStringLiteral("save the session"), QStringLiteral("database or disk is full"));
    if (!m_db.transaction())
        return failure(QStringLiteral("start a transaction"), m_db.lastError().text());
    std::optional<QString> error;
    for (auto session = batch.begin(); !error && session != batch.end(); ++session)
        error = applySession(*session);
    if (!error && !m_db.commit())
        error = m_db.lastError().text();
    if (error) {
        m_db.rollback();
        return failure(QStringLiteral("save the session"), *error);
    }
    return std::nullopt;
}

std::optional<QString> SqliteSessionStore::applySession(const SessionChanges &session)
{
    if (session.changes.empty())
        return std::nullopt;
    auto number = sessionFor(session.key);
    if (const auto *failed = std::get_if<QString>(&number))
        return *failed;
    const qint64 id = std::get<qint64>(number);
    for (const StoreChange &change : session.changes)
        if (auto error = applyChange(id, change))
            return error;
    m_deliveriesSincePrune += std::count_if(session.changes.begin(), session.changes.end(), [](const StoreChange &change) {
        return std::holds_alternative<RecordDelivery>(change);
    });
    if (m_deliveriesSincePrune < kDeliveriesBetweenPrunes)
        return std::nullopt;
    m_deliveriesSincePrune = 0;
    return pruneHistory(id);
}

std::optional<QString> SqliteSessionStore::pruneHistory(qint64 session)
{
    return run(QStringLiteral("DELETE FROM deliveries WHERE row BETWEEN :first AND (SELECT row FROM deliveries WHERE row"
                              " BETWEEN :first AND :last ORDER BY row DESC LIMIT 1 OFFSET :keep)"),
               session, [&](QSqlQuery &q) {
                   q.bindValue(QStringLiteral(":first"), session * kDeliveriesPerSession);
                   q.bindValue(QStringLiteral(":last"), (session + 1) * kDeliveriesPerSession - 1);
                   q.bindValue(QStringLiteral(":keep"), m_historyLimit);
               });
}

std::optional<QString> SqliteSessionStore::applyChange(qint64 session, const StoreChange &change)
{
    return std::visit(
        overloaded{
            [&](const SaveMeta &c) -> std::optional<QString> {
                return run(QStringLiteral("INSERT OR REPLACE INTO sessions VALUES (:session, :version, :expiry, :established)"),
                           session, [&](QSqlQuery &q) {
                               q.bindValue(QStringLiteral(":version"), int(c.meta.version));
                               q.bindValue(QStringLiteral(":expiry"), qint64(c.meta.sessionExpiry));
                               q.bindValue(QStringLiteral(":established"), c.meta.established ? 1 : 0);
                           });
            },
            [&](const SaveOutbound &c) -> std::optional<QString> {
                const OutboundFlow &f = c.flow;
                return run(QStringLiteral("INSERT OR REPLACE INTO outbound_flows VALUES (:session, :id, :serial, :state,"
                                          " :sends, :pubrels, :reason, :created, :published, :acknowledged, :message)"),
                           session, [&](QSqlQuery &q) {
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
            },
            [&](const DeleteOutbound &c) -> std::optional<QString> {
                return run(QStringLiteral("DELETE FROM outbound_flows WHERE session = :session AND packet_id = :id"), session,
                           [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":id"), c.packetId.value); });
            },
            [&](const SaveInbound &c) -> std::optional<QString> {
                const InboundFlow &f = c.flow;
                return run(QStringLiteral("INSERT OR REPLACE INTO inbound_flows VALUES (:session, :id, :serial, :state,"
                                          " :topic, :received, :duplicates, :message)"),
                           session, [&](QSqlQuery &q) {
                               q.bindValue(QStringLiteral(":id"), f.packetId.value);
                               q.bindValue(QStringLiteral(":serial"), qint64(f.serial));
                               q.bindValue(QStringLiteral(":state"), int(f.state));
                               q.bindValue(QStringLiteral(":topic"), f.topic);
                               q.bindValue(QStringLiteral(":received"), qint64(f.receivedAt.count()));
                               q.bindValue(QStringLiteral(":duplicates"), f.duplicates);
                               q.bindValue(QStringLiteral(":message"), f.message ? QVariant(serializeMessage(*f.message))
                                                                                 : QVariant(QMetaType::fromType<QByteArray>()));
                           });
            },
            [&](const DeleteInbound &c) -> std::optional<QString> {
                return run(QStringLiteral("DELETE FROM inbound_flows WHERE session = :session AND packet_id = :id"), session,
                           [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":id"), c.packetId.value); });
            },
            [&](const RecordDelivery &c) -> std::optional<QString> {
                // The next number in the session's range of rows: the end of one b-tree, found in it.
                return run(QStringLiteral("INSERT INTO deliveries VALUES ((SELECT ifnull(max(row), :first - 1) + 1 FROM"
                                          " deliveries WHERE row BETWEEN :first AND :last), :id, :at, :message)"),
                           session, [&](QSqlQuery &q) {
                               q.bindValue(QStringLiteral(":first"), session * kDeliveriesPerSession);
                               q.bindValue(QStringLiteral(":last"), (session + 1) * kDeliveriesPerSession - 1);
                               q.bindValue(QStringLiteral(":id"), c.delivery.packetId ? QVariant(c.delivery.packetId->value)
                                                                                        : QVariant(QMetaType::fromType<int>()));
                               q.bindValue(QStringLiteral(":at"), qint64(c.delivery.at.count()));
                               q.bindValue(QStringLiteral(":message"), serializeMessage(c.delivery.message));
                           });
            },
            [&](const SaveSubscription &c) -> std::optional<QString> {
                const Subscription &s = c.subscription;
                return run(QStringLiteral("INSERT OR REPLACE INTO subscriptions VALUES (:session, :filter, :qos,"
                                          " :nolocal, :rap, :rh, :subid)"),
                           session, [&](QSqlQuery &q) {
                               q.bindValue(QStringLiteral(":filter"), s.filter);
                               q.bindValue(QStringLiteral(":qos"), int(qosValue(s.options.maximumQoS)));
                               q.bindValue(QStringLiteral(":nolocal"), s.options.noLocal ? 1 : 0);
                               q.bindValue(QStringLiteral(":rap"), s.options.retainAsPublished ? 1 : 0);
                               q.bindValue(QStringLiteral(":rh"), int(s.options.retainHandling));
                               q.bindValue(QStringLiteral(":subid"), qint64(c.subscriptionIdentifier));
                           });
            },
            [&](const DeleteSubscription &c) -> std::optional<QString> {
                return run(QStringLiteral("DELETE FROM subscriptions WHERE session = :session AND filter = :filter"), session,
                           [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":filter"), c.filter); });
            },
            [&](const SaveRetained &c) -> std::optional<QString> {
                return run(QStringLiteral("INSERT OR REPLACE INTO retained VALUES (:session, :topic, :message)"), session,
                           [&](QSqlQuery &q) {
                               q.bindValue(QStringLiteral(":topic"), c.message.topic);
                               q.bindValue(QStringLiteral(":message"), serializeMessage(c.message));
                           });
            },
            [&](const DeleteRetained &c) -> std::optional<QString> {
                return run(QStringLiteral("DELETE FROM retained WHERE session = :session AND topic = :topic"), session,
                           [&](QSqlQuery &q) { q.bindValue(QStringLiteral(":topic"), c.topic); });
            },
            [&](const DeleteSession &) -> std::optional<QString> {
                for (const char *table : {"sessions", "outbound_flows", "inbound_flows", "subscriptions"})
                    if (auto error = run(QStringLiteral("DELETE FROM %1 WHERE session = :session").arg(QLatin1String(table)),
                                         session, [](QSqlQuery &) {}))
                        return error;
                return std::nullopt;
            },
        },
        change);
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
    m_maximumBytes = bytes;
    return std::nullopt;
}

bool SqliteSessionStore::isFull() const
{
    // A commit appends its pages to the WAL even when they fit in the database's own pages:
    // a store whose files fill the allowed space has no room for the next one.
    return m_maximumBytes
           && QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size() >= *m_maximumBytes;
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
    if (!select(QStringLiteral("SELECT version, session_expiry, established FROM sessions WHERE %1").arg(kThisSession)))
        return failure(QStringLiteral("be read"), q.lastError().text());
    if (!q.next())
        return std::optional<StoredSession>();
    StoredSession s;
    s.meta.clientId = key.clientId;
    s.meta.version = ProtocolVersion(q.value(0).toInt());
    s.meta.sessionExpiry = quint32(q.value(1).toLongLong());
    s.meta.established = q.value(2).toInt() != 0;

    if (!select(QStringLiteral("SELECT packet_id, serial, state, sends, pubrel_sends, reason, created_ms, published_ms,"
                               " acknowledged_ms, message FROM outbound_flows WHERE %1 ORDER BY serial")
                    .arg(kThisSession)))
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
                               " WHERE %1 ORDER BY serial")
                    .arg(kThisSession)))
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
                               " FROM subscriptions WHERE %1 ORDER BY filter")
                    .arg(kThisSession)))
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
    q.prepare(QStringLiteral("SELECT client_id FROM sessions JOIN session_keys ON id = session WHERE scope = :scope"
                             " ORDER BY client_id"));
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
    q.prepare(QStringLiteral("SELECT packet_id, at_ms, message FROM (SELECT row, packet_id, at_ms, message FROM session_keys"
                             " JOIN deliveries ON row BETWEEN id * %1 AND id * %1 + %2 WHERE scope = :scope AND client_id = :client"
                             " ORDER BY row DESC LIMIT :limit) ORDER BY row")
                  .arg(kDeliveriesPerSession)
                  .arg(kDeliveriesPerSession - 1));
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
    if (!q.exec(QStringLiteral("SELECT scope, client_id FROM session_keys WHERE EXISTS (SELECT 1 FROM deliveries WHERE row"
                               " BETWEEN id * %1 AND id * %1 + %2) ORDER BY scope, client_id")
                    .arg(kDeliveriesPerSession)
                    .arg(kDeliveriesPerSession - 1)))
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
    q.prepare(QStringLiteral("SELECT message FROM retained WHERE %1 ORDER BY topic").arg(kThisSession));
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
