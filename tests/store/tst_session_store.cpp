// One suite, run on both stores: what is applied is what loads, in one transaction.

#include "session/session.h"
#include "store/memory_session_store.h"
#include "store/sqlite_session_store.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace mqs;
using namespace std::chrono_literals;

namespace {

const SessionKey kKey{QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("sensor-1")};

ApplicationMessage richMessage()
{
    ApplicationMessage m;
    m.topic = QStringLiteral("sensors/temperature/livingroom");
    m.payload = QByteArray("{\"t\":21.5}");
    m.qos = QoS::ExactlyOnce;
    m.retain = true;
    m.properties.set(PropertyId::ContentType, QStringLiteral("application/json"));
    m.properties.set(PropertyId::MessageExpiryInterval, quint32(120));
    m.properties.addUserProperty(QStringLiteral("unit"), QStringLiteral("celsius"));
    m.properties.addUserProperty(QStringLiteral("unit"), QStringLiteral("again"));
    m.properties.set(PropertyId::CorrelationData, QByteArray("\x01\x02", 2));
    return m;
}

OutboundFlow outboundFlow(quint64 serial, quint16 id, FlowState state)
{
    OutboundFlow f;
    f.serial = serial;
    f.packetId = id;
    f.message = richMessage();
    f.state = state;
    f.sends = 2;
    f.pubRelSends = 1;
    f.reason = ReasonCode::NoMatchingSubscribers;
    f.createdAt = 100ms;
    f.publishedAt = 110ms;
    f.acknowledgedAt = 120ms;
    return f;
}

} // namespace

class TestSessionStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    std::unique_ptr<SessionStore> makeStore(const QString &kind)
    {
        if (kind == QLatin1String("memory"))
            return std::make_unique<MemorySessionStore>();
        auto store = std::make_unique<SqliteSessionStore>(m_dir.filePath(QStringLiteral("store-%1.db").arg(++m_files)));
        if (!store->error())
            qWarning("%s", qPrintable(store->error().sentence()));
        return store;
    }

    void addKinds()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("memory") << QStringLiteral("memory");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
    }

private slots:
    void appliedFlowsLoadBack_data() { addKinds(); }
    void appliedFlowsLoadBack()
    {
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        SessionMeta meta{QStringLiteral("sensor-1"), ProtocolVersion::V5, 3600, true};
        InboundFlow methodA{3, 9, FlowState::AwaitingPubRel, QStringLiteral("in/x"), richMessage(), 50ms, 1};
        InboundFlow methodB{4, 10, FlowState::AwaitingPubRel, QStringLiteral("in/y"), std::nullopt, 60ms, 0};
        QVERIFY(store->apply(kKey, {SaveMeta{meta}, SaveOutbound{outboundFlow(2, 7, FlowState::AwaitingPubComp)},
                                     SaveOutbound{outboundFlow(1, 8, FlowState::AwaitingPubRec)}, SaveInbound{methodA},
                                     SaveInbound{methodB}}).ok());
        auto loaded = store->load(kKey).value();
        QVERIFY(loaded);
        QCOMPARE(loaded->meta, meta);
        QCOMPARE(loaded->outbound.size(), 2u);
        QCOMPARE(loaded->outbound[0], outboundFlow(1, 8, FlowState::AwaitingPubRec)); // serial order
        QCOMPARE(loaded->outbound[1], outboundFlow(2, 7, FlowState::AwaitingPubComp));
        QCOMPARE(loaded->inbound.size(), 2u);
        QCOMPARE(loaded->inbound[0], methodA);
        QCOMPARE(loaded->inbound[1], methodB);

        QVERIFY(store->apply(kKey, {DeleteOutbound{7}, DeleteInbound{9}}).ok());
        loaded = store->load(kKey).value();
        QCOMPARE(loaded->outbound.size(), 1u);
        QCOMPARE(loaded->outbound[0].packetId, PacketId(8));
        QCOMPARE(loaded->inbound.size(), 1u);
        QCOMPARE(loaded->inbound[0].packetId, PacketId(10));
    }

    void unknownSessionLoadsAsNothing_data() { addKinds(); }
    void unknownSessionLoadsAsNothing()
    {
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        QVERIFY(!store->load(kKey).value());
    }

    void historyKeepsOrderAndLimit_data() { addKinds(); }
    void historyKeepsOrderAndLimit()
    {
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        for (int i = 0; i < 5; ++i) {
            ApplicationMessage m = richMessage();
            m.payload = QByteArray::number(i);
            QVERIFY(store->apply(kKey, {RecordDelivery{Delivery{m, PacketId(quint16(i + 1)), Millis(i)}}}).ok());
        }
        const auto all = store->history(kKey, 100).value();
        QCOMPARE(all.size(), 5u);
        QCOMPARE(all.front().message.payload, QByteArray("0"));
        QCOMPARE(all.back().message, [] { auto m = richMessage(); m.payload = "4"; return m; }());
        QCOMPARE(all.back().packetId, std::optional<PacketId>(5));
        const auto last2 = store->history(kKey, 2).value();
        QCOMPARE(last2.size(), 2u);
        QCOMPARE(last2.front().message.payload, QByteArray("3"));
    }

    void subscriptionsRetainedAndKeys_data() { addKinds(); }
    void subscriptionsRetainedAndKeys()
    {
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        Subscription sub{QStringLiteral("sensors/#"), {QoS::ExactlyOnce, true, true, RetainHandling::DoNotSend}};
        const SessionKey broker{QStringLiteral("broker:sandbox"), QStringLiteral("dashboard")};
        QVERIFY(store->apply(broker, {SaveMeta{SessionMeta{QStringLiteral("dashboard")}}, SaveSubscription{sub, 42},
                                       SaveRetained{richMessage()}}).ok());
        const auto loaded = store->load(broker).value();
        QCOMPARE(loaded->subscriptions, (std::vector<StoredSubscription>{{sub, 42}}));
        QCOMPARE(store->retained(broker).value(), std::vector<ApplicationMessage>{richMessage()});
        QCOMPARE(store->keys(QStringLiteral("broker:sandbox")).value(), std::vector<SessionKey>{broker});
        QVERIFY(store->apply(broker, {DeleteSubscription{sub.filter}, DeleteRetained{richMessage().topic}}).ok());
        QVERIFY(store->load(broker).value()->subscriptions.empty());
        QVERIFY(store->retained(broker).value().empty());
        QVERIFY(store->remove(broker).ok());
        QVERIFY(!store->load(broker).value());
    }

    void sessionRoundTripsThroughTheStore_data() { addKinds(); }
    void sessionRoundTripsThroughTheStore()
    {
        // Drive a real session, commit each output as the Connection does, restore into a new one.
        QFETCH(QString, kind);
        auto store = makeStore(kind);
        const Millis t0{1000};
        SessionOptions options;
        options.inboundMethod = InboundMethod::A;
        Session first(options);
        auto commit = [&](const SessionOutput &out) { QVERIFY(store->apply(kKey, out.store).ok()); };
        Connect connect;
        connect.clientId = kKey.clientId;
        connect.cleanStart = false;
        connect.properties.set(PropertyId::SessionExpiryInterval, quint32(600));
        commit(first.connect(connect, t0));
        commit(first.receive(ConnAck{}, t0));
        commit(first.publish(richMessage(), t0).output);
        Publish in;
        in.topic = QStringLiteral("in/z");
        in.qos = QoS::ExactlyOnce;
        in.packetId = 5;
        in.payload = "x";
        commit(first.receive(in, t0));

        const auto loaded = store->load(kKey).value();
        QVERIFY(loaded);
        QVERIFY(loaded->meta.established);
        Session second(options);
        second.restore(loaded->meta, loaded->outbound, loaded->inbound);
        QCOMPARE(second.outbound().flows(), first.outbound().flows());
        QCOMPARE(second.inbound().flows(), first.inbound().flows());
        second.connect(connect, t0 + 5s);
        const auto resumed = second.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 5s);
        QCOMPARE(resumed.sent.size(), 1u);
        QCOMPARE(std::get<Publish>(resumed.sent[0]).dup, true);
        const auto completed = second.receive(PubRel{5}, t0 + 6s);
        QCOMPARE(completed.delivered.size(), 1u); // method A: delivered now, from the stored message
        QCOMPARE(completed.delivered[0].message.topic, QStringLiteral("in/z"));
    }

    void sqliteSurvivesReopen()
    {
        const QString path = m_dir.filePath(QStringLiteral("reopen.db"));
        {
            SqliteSessionStore store(path);
            QVERIFY(store.error().ok());
            QVERIFY(store.apply(kKey, {SaveMeta{SessionMeta{kKey.clientId}}, SaveOutbound{outboundFlow(1, 3, FlowState::AwaitingPubRec)}}).ok());
        }
        SqliteSessionStore again(path);
        const auto loaded = again.load(kKey).value();
        QVERIFY(loaded);
        QCOMPARE(loaded->outbound.at(0), outboundFlow(1, 3, FlowState::AwaitingPubRec));
    }

    void sqliteTransactionIsAllOrNothingWhenTheDiskIsFull()
    {
        SqliteSessionStore store(m_dir.filePath(QStringLiteral("full.db")));
        QVERIFY(store.apply(kKey, {SaveMeta{SessionMeta{kKey.clientId}}}).ok());
        QVERIFY(store.setMaximumSize(64 * 1024).ok());
        std::vector<StoreChange> big{SaveOutbound{outboundFlow(1, 1, FlowState::AwaitingPubRec)}};
        ApplicationMessage huge = richMessage();
        huge.payload = QByteArray(200 * 1024, 'x');
        big.push_back(RecordDelivery{Delivery{huge, PacketId(2), 5ms}});
        const Status error = store.apply(kKey, big);
        QVERIFY(!error.ok());
        QCOMPARE(error.problem().kind, ProblemKind::Store);
        QVERIFY2(error.sentence().contains(QStringLiteral("full")), qPrintable(error.sentence()));
        QVERIFY(error.sentence().contains(QStringLiteral("Free some disk space")));
        // nothing of the failed transaction is kept
        const auto loaded = store.load(kKey).value().value();
        QVERIFY(loaded.outbound.empty());
        QVERIFY(store.history(kKey, 10).value().empty());
    }

    void sqliteReportsAFileThatIsNotAStore()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.txt"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'n'));
        file.close();
        SqliteSessionStore store(path);
        QVERIFY(!store.error().ok());
        QVERIFY2(store.error().sentence().contains(path), qPrintable(store.error().sentence()));
        QVERIFY(!store.apply(kKey, {SaveMeta{}}).ok());
    }

    void sqliteReportsAFolderThatCannotBeMade()
    {
        // A regular file where a folder should be: fails for root too.
        const QString blocker = m_dir.filePath(QStringLiteral("blocker"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        SqliteSessionStore store(blocker + QStringLiteral("/sub/store.db"));
        QVERIFY(!store.error().ok());
        QVERIFY2(store.error().sentence().contains(QStringLiteral("Cannot create the folder")), qPrintable(store.error().sentence()));
    }
};

QTEST_GUILESS_MAIN(TestSessionStore)
#include "tst_session_store.moc"
