// The SQLite store's file format over versions: a file written by the schema 1 code opens with
// everything it held, and a file from a newer version is refused with a sentence, untouched.

#include "store/sqlite_session_store.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace std::chrono_literals;

namespace {

const SessionKey kSensor{QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("sensor-1")};
const SessionKey kDashboard{QStringLiteral("broker:sandbox"), QStringLiteral("dashboard")};

// Schema 1 as the code before schema 2 created it (sqlite_session_store.cpp at 6eeeced).
const char *const kSchema1[] = {
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
    "INSERT INTO schema_version VALUES (1)",
};

ApplicationMessage reading(const QString &topic, const QByteArray &payload)
{
    ApplicationMessage m;
    m.topic = topic;
    m.payload = payload;
    m.qos = QoS::ExactlyOnce;
    m.properties.set(PropertyId::ContentType, QStringLiteral("application/json"));
    m.properties.addUserProperty(QStringLiteral("unit"), QStringLiteral("celsius"));
    return m;
}

// What the schema 1 file holds, as the store must load it.
struct Schema1Content {
    StoredSession sensor;
    StoredSession dashboard;
    std::vector<Delivery> sensorHistory;
    std::vector<Delivery> dashboardHistory;
    std::vector<ApplicationMessage> dashboardRetained;
};

Schema1Content schema1Content()
{
    Schema1Content c;
    c.sensor.meta = SessionMeta{kSensor.clientId, ProtocolVersion::V5, 3600, true};
    OutboundFlow out;
    out.serial = 7;
    out.packetId = 12;
    out.message = reading(QStringLiteral("out/a"), "1");
    out.state = FlowState::AwaitingPubComp;
    out.sends = 2;
    out.pubRelSends = 1;
    out.reason = ReasonCode::NoMatchingSubscribers;
    out.createdAt = 100ms;
    out.publishedAt = 110ms;
    out.acknowledgedAt = 120ms;
    c.sensor.outbound = {out};
    c.sensor.inbound = {InboundFlow{3, 9, FlowState::AwaitingPubRel, QStringLiteral("in/x"), reading(QStringLiteral("in/x"), "a"), 50ms, 1},
                        InboundFlow{4, 10, FlowState::AwaitingPubRel, QStringLiteral("in/y"), std::nullopt, 60ms, 0}};
    c.dashboard.meta = SessionMeta{kDashboard.clientId, ProtocolVersion::V311, 0, false};
    c.dashboard.subscriptions = {{Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce, true, true, RetainHandling::DoNotSend}}, 42}};
    c.dashboardRetained = {reading(QStringLiteral("sensors/a"), "r1"), reading(QStringLiteral("sensors/b"), "r2")};
    for (int i = 0; i < 6; ++i) { // interleaved, as two sessions write them
        Delivery d{reading(QStringLiteral("in/%1").arg(i), QByteArray::number(i)), PacketId(quint16(i + 1)), Millis(i)};
        (i % 2 ? c.dashboardHistory : c.sensorHistory).push_back(d);
    }
    c.sensorHistory.back().packetId.reset(); // a QoS 0 delivery has no id
    return c;
}

class RawDatabase
{
public:
    explicit RawDatabase(const QString &path)
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        m_db.setDatabaseName(path);
        m_db.open();
    }
    ~RawDatabase()
    {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    }
    // Runs `sql` with `values` bound in order; false (with a warning) when it fails.
    bool exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery q(m_db);
        q.prepare(sql);
        for (const QVariant &value : values)
            q.addBindValue(value);
        if (q.exec())
            return true;
        qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        return false;
    }
    QVariant value(const QString &sql)
    {
        QSqlQuery q(m_db);
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }

private:
    QSqlDatabase m_db;
};

QVariant nullable(const std::optional<PacketId> &id)
{
    return id ? QVariant(id->value) : QVariant(QMetaType::fromType<int>());
}

bool fillSchema1(RawDatabase &db, const Schema1Content &c)
{
    bool ok = true;
    for (const char *statement : kSchema1)
        ok = ok && db.exec(QString::fromLatin1(statement));
    for (const auto &[key, session] : {std::pair{kSensor, c.sensor}, std::pair{kDashboard, c.dashboard}})
        ok = ok && db.exec(QStringLiteral("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)"),
                           {key.scope, key.clientId, int(session.meta.version), qint64(session.meta.sessionExpiry),
                            session.meta.established ? 1 : 0});
    for (const OutboundFlow &f : c.sensor.outbound)
        ok = ok && db.exec(QStringLiteral("INSERT INTO outbound_flows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                           {kSensor.scope, kSensor.clientId, f.packetId.value, qint64(f.serial), int(f.state), f.sends,
                            f.pubRelSends, int(f.reason), qint64(f.createdAt.count()), qint64(f.publishedAt.count()),
                            qint64(f.acknowledgedAt.count()), serializeMessage(f.message)});
    for (const InboundFlow &f : c.sensor.inbound)
        ok = ok && db.exec(QStringLiteral("INSERT INTO inbound_flows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                           {kSensor.scope, kSensor.clientId, f.packetId.value, qint64(f.serial), int(f.state), f.topic,
                            qint64(f.receivedAt.count()), f.duplicates,
                            f.message ? QVariant(serializeMessage(*f.message)) : QVariant(QMetaType::fromType<QByteArray>())});
    for (size_t i = 0; i < c.sensorHistory.size() + c.dashboardHistory.size(); ++i) {
        const bool sensor = i % 2 == 0;
        const Delivery &d = sensor ? c.sensorHistory[i / 2] : c.dashboardHistory[i / 2];
        const SessionKey &key = sensor ? kSensor : kDashboard;
        ok = ok && db.exec(QStringLiteral("INSERT INTO deliveries (scope, client_id, packet_id, at_ms, message) VALUES (?, ?, ?, ?, ?)"),
                           {key.scope, key.clientId, nullable(d.packetId), qint64(d.at.count()), serializeMessage(d.message)});
    }
    for (const StoredSubscription &s : c.dashboard.subscriptions)
        ok = ok && db.exec(QStringLiteral("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                           {kDashboard.scope, kDashboard.clientId, s.subscription.filter, int(qosValue(s.subscription.options.maximumQoS)),
                            s.subscription.options.noLocal ? 1 : 0, s.subscription.options.retainAsPublished ? 1 : 0,
                            int(s.subscription.options.retainHandling), qint64(s.subscriptionIdentifier)});
    for (const ApplicationMessage &m : c.dashboardRetained)
        ok = ok && db.exec(QStringLiteral("INSERT INTO retained VALUES (?, ?, ?, ?)"),
                           {kDashboard.scope, kDashboard.clientId, m.topic, serializeMessage(m)});
    return ok;
}

template<typename T>
T value(Result<T> result)
{
    if (!result)
        qWarning("%s", qPrintable(result.sentence()));
    return std::move(result).value();
}

} // namespace

class TestSqliteSchema : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void schema1FileMigratesWithEverythingItHeld()
    {
        const QString path = m_dir.filePath(QStringLiteral("schema1.db"));
        const Schema1Content content = schema1Content();
        {
            RawDatabase db(path);
            QVERIFY(fillSchema1(db, content));
        }
        {
            SqliteSessionStore store(path);
            QVERIFY2(store.error().ok(), qPrintable(store.error().sentence()));
            QCOMPARE(value(store.load(kSensor)), std::optional<StoredSession>(content.sensor));
            QCOMPARE(value(store.load(kDashboard)), std::optional<StoredSession>(content.dashboard));
            QCOMPARE(value(store.history(kSensor, 100)), content.sensorHistory);
            QCOMPARE(value(store.history(kDashboard, 100)), content.dashboardHistory);
            QCOMPARE(value(store.retained(kDashboard)), content.dashboardRetained);
            QCOMPARE(value(store.historyKeys()), (std::vector<SessionKey>{kDashboard, kSensor}));
            QCOMPARE(value(store.keys(kSensor.scope)), std::vector<SessionKey>{kSensor});
            // a new delivery goes after the migrated ones
            const Delivery next{reading(QStringLiteral("in/next"), "n"), PacketId(99), 99ms};
            QVERIFY(store.apply(kSensor, {RecordDelivery{next}}).ok());
            QCOMPARE(value(store.history(kSensor, 100)).back(), next);
            QCOMPARE(value(store.history(kSensor, 100)).size(), content.sensorHistory.size() + 1);
        }
        RawDatabase db(path);
        QCOMPARE(db.value(QStringLiteral("SELECT version FROM schema_version")).toInt(), 2);
        QCOMPARE(db.value(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name LIKE 'v1_%'")).toInt(), 0);
    }

    void schema1FileWithoutItsVersionRowMigrates()
    {
        // Schema 1 wrote its version after its tables, outside a transaction.
        const QString path = m_dir.filePath(QStringLiteral("schema1-unversioned.db"));
        {
            RawDatabase db(path);
            QVERIFY(fillSchema1(db, schema1Content()));
            QVERIFY(db.exec(QStringLiteral("DELETE FROM schema_version")));
        }
        SqliteSessionStore store(path);
        QVERIFY2(store.error().ok(), qPrintable(store.error().sentence()));
        QCOMPARE(value(store.load(kSensor)), std::optional<StoredSession>(schema1Content().sensor));
    }

    void newerSchemaIsRefusedAndLeftAsItIs()
    {
        const QString path = m_dir.filePath(QStringLiteral("newer.db"));
        {
            SqliteSessionStore store(path);
            QVERIFY(store.apply(kSensor, {SaveMeta{SessionMeta{kSensor.clientId}}}).ok());
        }
        {
            RawDatabase db(path);
            QVERIFY(db.exec(QStringLiteral("UPDATE schema_version SET version = 3")));
        }
        SqliteSessionStore store(path);
        QVERIFY(!store.error().ok());
        const QString sentence = store.error().sentence();
        QVERIFY2(sentence.contains(path) && sentence.contains(QStringLiteral("schema 3"))
                     && sentence.contains(QStringLiteral("up to 2")),
                 qPrintable(sentence));
        QVERIFY(!store.apply(kSensor, {SaveMeta{}}).ok());
        RawDatabase db(path);
        QCOMPARE(db.value(QStringLiteral("SELECT version FROM schema_version")).toInt(), 3);
        QCOMPARE(db.value(QStringLiteral("SELECT count(*) FROM sessions")).toInt(), 1);
    }

    void smallWriteFailsOnceTheFilesFillTheirCap()
    {
        // Compact rows fit in pages the file already has, but a commit still appends to the WAL:
        // a store at its cap takes nothing more, as on a full disk.
        SqliteSessionStore store(m_dir.filePath(QStringLiteral("capped.db")));
        QVERIFY(store.apply(kSensor, {SaveMeta{SessionMeta{kSensor.clientId}}}).ok());
        QVERIFY(store.setMaximumSize(0).ok());
        const Status error = store.apply(kSensor, {SaveInbound{InboundFlow{1, 5, FlowState::AwaitingPubRel, QStringLiteral("t")}}});
        QVERIFY(!error.ok());
        QCOMPARE(error.problem().kind, ProblemKind::Store);
        QVERIFY2(error.sentence().contains(QStringLiteral("Free some disk space")), qPrintable(error.sentence()));
        QVERIFY(value(store.load(kSensor))->inbound.empty());
    }

    void historyOfOneSessionStaysApartFromAnother()
    {
        // Two sessions' rows are two ranges of one key: limits and pruning stay within each.
        SqliteSessionStore store(m_dir.filePath(QStringLiteral("two-histories.db")));
        store.setHistoryLimit(3);
        for (int i = 0; i < 1200; ++i) // past the prune interval
            QVERIFY(store.apply(i % 2 ? kDashboard : kSensor,
                                 {RecordDelivery{Delivery{reading(QStringLiteral("t"), QByteArray::number(i)), PacketId(1), Millis(i)}}}).ok());
        const auto sensor = value(store.history(kSensor, 10000));
        const auto dashboard = value(store.history(kDashboard, 10000));
        QCOMPARE(sensor.size(), 600u); // the store prunes one session per 1,000 deliveries: here the dashboard's
        QCOMPARE(dashboard.size(), 3u + 100u); // trimmed to 3 at its 500th, 100 since
        QCOMPARE(sensor.back().message.payload, QByteArray("1198"));
        QCOMPARE(dashboard.back().message.payload, QByteArray("1199"));
        QCOMPARE(value(store.history(kSensor, 2)).front().message.payload, QByteArray("1196"));
    }
};

QTEST_GUILESS_MAIN(TestSqliteSchema)
#include "tst_sqlite_schema.moc"
