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

// What SQLite said went wrong, for failure() to put in a sentence.
Problem sqliteDetail(const QSqlQuery &q)
{
    return Problem{ProblemKind::Store, q.lastError().text()};
}

// The rows of the session named by :scope and :client.
const QLatin1String kThisSession("session = (SELECT id FROM session_keys WHERE scope = :scope AND client_id = :client)");

} // namespace

SqliteSessionStore::SqliteSessionStore(const QString &path)
    : m_path(path)
    , m_connectionName(QStringLiteral("mqttscope-store-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        m_openError = Problem{ProblemKind::Store, QStringLiteral("Cannot create the folder %1 for the session store. Check its "
                                                                 "permissions or choose another location.")
                                                      .arg(info.absolutePath())};
        return;
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (!m_db.isValid()) {
        m_openError = Problem{ProblemKind::Store, QStringLiteral("The Qt SQLite driver is missing (install libqt6sql6-sqlite).")};
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

Problem SqliteSessionStore::failure(const QString &what, const QString &detail) const
{
    return sqliteFailure(m_path, what, detail);
}

Result<QSqlQuery *> SqliteSessionStore::statement(const QString &sql)
{
    // Prepared once per store: a turn's transaction may hold thousands of changes, and compiling
    // the SQL again for each cost more than running it.
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        QSqlQuery q(m_db);
        if (!q.prepare(sql))
            return sqliteDetail(q);
        it = m_statements.emplace(sql, std::move(q)).first;
    }
    return &it->second;
}

Status SqliteSessionStore::run(const QString &sql, qint64 session, std::initializer_list<Binding> bindings)
{
    auto prepared = statement(sql);
    if (!prepared)
        return prepared.problem();
    QSqlQuery &q = **prepared;
    if (sql.contains(QLatin1String(":session")))
        q.bindValue(QStringLiteral(":session"), session);
    for (const Binding &binding : bindings)
        q.bindValue(binding.first, binding.second);
    Status done;
    if (!q.exec())
        done = sqliteDetail(q);
    q.finish(); // done with it until its next use: it holds no lock meanwhile
    return done;
}

Result<std::optional<qint64>> SqliteSessionStore::findSession(const SessionKey &key)
{
    if (const auto it = m_sessionIds.find(key); it != m_sessionIds.end())
        return std::optional<qint64>(it->second);
    auto prepared = statement(QStringLiteral("SELECT id FROM session_keys WHERE scope = :scope AND client_id = :client"));
    if (!prepared)
        return prepared.problem();
    QSqlQuery &q = **prepared;
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    if (!q.exec())
        return sqliteDetail(q);
    std::optional<qint64> id;
    if (q.next())
        id = q.value(0).toLongLong();
    q.finish();
    if (id)
        m_sessionIds.emplace(key, *id); // kept by a committed transaction: never deleted
    return id;
}

Result<qint64> SqliteSessionStore::sessionFor(const SessionKey &key)
{
    auto found = findSession(key);
    if (!found)
        return found.problem();
    if (const std::optional<qint64> id = *found)
        return *id;
    // Remembered by findSession() once the transaction that adds it has committed.
    auto prepared = statement(QStringLiteral("INSERT INTO session_keys (scope, client_id) VALUES (:scope, :client)"));
    if (!prepared)
        return prepared.problem();
    QSqlQuery &q = **prepared;
    q.bindValue(QStringLiteral(":scope"), key.scope);
    q.bindValue(QStringLiteral(":client"), key.clientId);
    if (!q.exec())
        return sqliteDetail(q);
    const qint64 id = q.lastInsertId().toLongLong();
    q.finish();
    if (id > kMaximumSessions)
        return Problem{ProblemKind::Limit, QStringLiteral("it holds the most sessions it can number (%1)").arg(kMaximumSessions)};
    return id;
}

Status SqliteSessionStore::commit(const StoreBatch &batch)
{
    if (!m_openError)
        return m_openError;
    if (std::all_of(batch.begin(), batch.end(), [](const SessionChanges &s) { return s.changes.empty(); }))
        return {};
    if (isFull())
        return failure(QStringLiteral("save the session"), QStringLiteral("database or disk is full"));
    if (!m_db.transaction())
        return failure(QStringLiteral("start a transaction"), m_db.lastError().text());
    Status applied;
    for (auto session = batch.begin(); applied && session != batch.end(); ++session)
        applied = applySession(*session);
    if (applied && !m_db.commit())
        applied = Problem{ProblemKind::Store, m_db.lastError().text()};
    if (!applied) {
        m_db.rollback();
        return failure(QStringLiteral("save the session"), applied.sentence());
    }
    return {};
}

Status SqliteSessionStore::applySession(const SessionChanges &session)
{
    if (session.changes.empty())
        return {};
    auto number = sessionFor(session.key);
    if (!number)
        return number.problem();
    const qint64 id = *number;
    for (const StoreChange &change : session.changes)
        if (Status applied = applyChange(id, change); !applied)
            return applied;
    m_deliveriesSincePrune += std::count_if(session.changes.begin(), session.changes.end(), [](const StoreChange &change) {
        return std::holds_alternative<RecordDelivery>(change);
    });
    if (m_deliveriesSincePrune < kDeliveriesBetweenPrunes)
        return {};
    m_deliveriesSincePrune = 0;
    return pruneHistory(id);
}

Status SqliteSessionStore::pruneHistory(qint64 session)
{
    return run(QStringLiteral("DELETE FROM deliveries WHERE row BETWEEN :first AND (SELECT row FROM deliveries WHERE row"
                              " BETWEEN :first AND :last ORDER BY row DESC LIMIT 1 OFFSET :keep)"),
               session,
               {{QStringLiteral(":first"), session * kDeliveriesPerSession},
                {QStringLiteral(":last"), (session + 1) * kDeliveriesPerSession - 1},
                {QStringLiteral(":keep"), m_historyLimit}});
}

Status SqliteSessionStore::applyChange(qint64 session, const StoreChange &change)
{
    return std::visit(
        overloaded{
            [&](const SaveMeta &c) {
                return run(QStringLiteral("INSERT OR REPLACE INTO sessions VALUES (:session, :version, :expiry, :established)"),
                           session,
                           {{QStringLiteral(":version"), int(c.meta.version)},
                            {QStringLiteral(":expiry"), qint64(c.meta.sessionExpiry)},
                            {QStringLiteral(":established"), c.meta.established ? 1 : 0}});
            },
            [&](const SaveOutbound &c) {
                const OutboundFlow &f = c.flow;
                return run(QStringLiteral("INSERT OR REPLACE INTO outbound_flows VALUES (:session, :id, :serial, :state,"
                                          " :sends, :pubrels, :reason, :created, :published, :acknowledged, :message)"),
                           session,
                           {{QStringLiteral(":id"), f.packetId.value},
                            {QStringLiteral(":serial"), qint64(f.serial)},
                            {QStringLiteral(":state"), int(f.state)},
                            {QStringLiteral(":sends"), f.sends},
                            {QStringLiteral(":pubrels"), f.pubRelSends},
                            {QStringLiteral(":reason"), int(f.reason)},
                            {QStringLiteral(":created"), qint64(f.createdAt.count())},
                            {QStringLiteral(":published"), qint64(f.publishedAt.count())},
                            {QStringLiteral(":acknowledged"), qint64(f.acknowledgedAt.count())},
                            {QStringLiteral(":message"), serializeMessage(f.message)}});
            },
            [&](const DeleteOutbound &c) {
                return run(QStringLiteral("DELETE FROM outbound_flows WHERE session = :session AND packet_id = :id"), session,
                           {{QStringLiteral(":id"), c.packetId.value}});
            },
            [&](const SaveInbound &c) {
                const InboundFlow &f = c.flow;
                return run(QStringLiteral("INSERT OR REPLACE INTO inbound_flows VALUES (:session, :id, :serial, :state,"
                                          " :topic, :received, :duplicates, :message)"),
                           session,
                           {{QStringLiteral(":id"), f.packetId.value},
                            {QStringLiteral(":serial"), qint64(f.serial)},
                            {QStringLiteral(":state"), int(f.state)},
                            {QStringLiteral(":topic"), f.topic},
                            {QStringLiteral(":received"), qint64(f.receivedAt.count())},
                            {QStringLiteral(":duplicates"), f.duplicates},
                            {QStringLiteral(":message"), f.message ? QVariant(serializeMessage(*f.message))
                                                                   : QVariant(QMetaType::fromType<QByteArray>())}});
            },
            [&](const DeleteInbound &c) {
                return run(QStringLiteral("DELETE FROM inbound_flows WHERE session = :session AND packet_id = :id"), session,
                           {{QStringLiteral(":id"), c.packetId.value}});
            },
            [&](const RecordDelivery &c) {
                // The next number in the session's range of rows: the end of one b-tree, found in it.
                return run(QStringLiteral("INSERT INTO deliveries VALUES ((SELECT ifnull(max(row), :first - 1) + 1 FROM"
                                          " deliveries WHERE row BETWEEN :first AND :last), :id, :at, :message)"),
                           session,
                           {{QStringLiteral(":first"), session * kDeliveriesPerSession},
                            {QStringLiteral(":last"), (session + 1) * kDeliveriesPerSession - 1},
                            {QStringLiteral(":id"), c.delivery.packetId ? QVariant(c.delivery.packetId->value)
                                                                        : QVariant(QMetaType::fromType<int>())},
                            {QStringLiteral(":at"), qint64(c.delivery.at.count())},
                            {QStringLiteral(":message"), serializeMessage(c.delivery.message)}});
            },
            [&](const SaveSubscription &c) {
                const Subscription &s = c.subscription;
                return run(QStringLiteral("INSERT OR REPLACE INTO subscriptions VALUES (:session, :filter, :qos,"
                                          " :nolocal, :rap, :rh, :subid)"),
                           session,
                           {{QStringLiteral(":filter"), s.filter},
                            {QStringLiteral(":qos"), int(qosValue(s.options.maximumQoS))},
                            {QStringLiteral(":nolocal"), s.options.noLocal ? 1 : 0},
                            {QStringLiteral(":rap"), s.options.retainAsPublished ? 1 : 0},
                            {QStringLiteral(":rh"), int(s.options.retainHandling)},
                            {QStringLiteral(":subid"), qint64(c.subscriptionIdentifier)}});
            },
            [&](const DeleteSubscription &c) {
                return run(QStringLiteral("DELETE FROM subscriptions WHERE session = :session AND filter = :filter"), session,
                           {{QStringLiteral(":filter"), c.filter}});
            },
            [&](const SaveRetained &c) {
                return run(QStringLiteral("INSERT OR REPLACE INTO retained VALUES (:session, :topic, :message)"), session,
                           {{QStringLiteral(":topic"), c.message.topic},
                            {QStringLiteral(":message"), serializeMessage(c.message)}});
            },
            [&](const DeleteRetained &c) {
                return run(QStringLiteral("DELETE FROM retained WHERE session = :session AND topic = :topic"), session,
                           {{QStringLiteral(":topic"), c.topic}});
            },
            [&](const DeleteSession &) -> Status {
                for (const char *table : {"sessions", "outbound_flows", "inbound_flows", "subscriptions"})
                    if (Status deleted = run(QStringLiteral("DELETE FROM %1 WHERE session = :session").arg(QLatin1String(table)),
                                             session, {});
                        !deleted)
                        return deleted;
                return {};
            },
        },
        change);
}

Status SqliteSessionStore::setMaximumSize(qint64 bytes)
{
    if (!m_openError)
        return m_openError;
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("PRAGMA page_size")) || !q.next())
        return failure(QStringLiteral("be read"), q.lastError().text());
    const qint64 pages = std::max<qint64>(1, bytes / std::max(1, q.value(0).toInt()));
    if (!q.exec(QStringLiteral("PRAGMA max_page_count = %1").arg(pages)))
        return failure(QStringLiteral("be limited"), q.lastError().text());
    m_maximumBytes = bytes;
    return {};
}

bool SqliteSessionStore::isFull() const
{
    // A commit appends its pages to the WAL even when they fit in the database's own pages:
    // a store whose files fill the allowed space has no room for the next one.
    return m_maximumBytes
           && QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size() >= *m_maximumBytes;
}

Result<std::optional<StoredSession>> SqliteSessionStore::load(const SessionKey &key)
{
    if (!m_openError)
        return m_openError.problem();
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
            return Problem{ProblemKind::Store, QStringLiteral("The session store %1 holds an unreadable message for outbound id %2.")
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

Result<std::vector<SessionKey>> SqliteSessionStore::keys(const QString &scope)
{
    if (!m_openError)
        return m_openError.problem();
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

Result<std::vector<Delivery>> SqliteSessionStore::history(const SessionKey &key, int limit)
{
    if (!m_openError)
        return m_openError.problem();
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

Result<std::vector<SessionKey>> SqliteSessionStore::historyKeys()
{
    if (!m_openError)
        return m_openError.problem();
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

Result<std::vector<ApplicationMessage>> SqliteSessionStore::retained(const SessionKey &key)
{
    if (!m_openError)
        return m_openError.problem();
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
