// QoS 2 reception against a real mosquitto: the packets read in one turn share one commit that
// precedes every answer; a session that cannot be resumed keeps its inbound ids out of the store;
// a failed commit sends and delivers nothing; and a reader that is behind is not blamed on the peer.

#include "client/connection.h"
#include "failing_store.h"
#include "mosquitto_fixture.h"
#include "store/memory_session_store.h"
#include "store/sqlite_session_store.h"
#include "trace/flow_index.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

int countOf(const std::vector<StoreChange> &changes, auto isKind)
{
    return int(std::count_if(changes.begin(), changes.end(), isKind));
}

int sentOfType(const TraceLog &trace, PacketType type)
{
    int n = 0;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        n += trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == TraceDirection::Sent && trace.typeOf(s) == type;
    return n;
}

int sentPubRecs(const TraceLog &trace)
{
    return sentOfType(trace, PacketType::PubRec);
}

// A real MemorySessionStore that also notes, for each transaction, what it held and how many
// PUBRECs the connection had already sent when it came.
class RecordingStore final : public SessionStore
{
public:
    struct Transaction {
        int savedInbound = 0;
        int deletedInbound = 0;
        int recordedDeliveries = 0;
        int pubRecsAlreadySent = 0;
    };

    explicit RecordingStore(const TraceLog &trace) : m_trace(trace) {}

    Status commit(const StoreBatch &batch) override
    {
        Transaction t{.pubRecsAlreadySent = sentPubRecs(m_trace)};
        for (const SessionChanges &session : batch) {
            const auto &changes = session.changes;
            t.savedInbound += countOf(changes, [](const StoreChange &c) { return std::holds_alternative<SaveInbound>(c); });
            t.deletedInbound += countOf(changes, [](const StoreChange &c) { return std::holds_alternative<DeleteInbound>(c); });
            t.recordedDeliveries += countOf(changes, [](const StoreChange &c) { return std::holds_alternative<RecordDelivery>(c); });
        }
        transactions.push_back(t);
        return m_store.commit(batch);
    }
    Result<std::optional<StoredSession>> load(const SessionKey &key) override { return m_store.load(key); }
    Result<std::vector<SessionKey>> keys(const QString &scope) override { return m_store.keys(scope); }
    Result<std::vector<Delivery>> history(const SessionKey &key, int limit) override { return m_store.history(key, limit); }
    Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) override { return m_store.retained(key); }
    Result<std::vector<SessionKey>> historyKeys() override { return m_store.historyKeys(); }
    QString location() const override { return m_store.location(); }

    int total(int Transaction::*field) const
    {
        int n = 0;
        for (const Transaction &t : transactions)
            n += t.*field;
        return n;
    }

    std::vector<Transaction> transactions;

private:
    const TraceLog &m_trace;
    MemorySessionStore m_store;
};

struct SessionChoice {
    bool cleanStart = true;
    quint32 sessionExpiry = 0;
};

ConnectionSettings settingsFor(const QString &url, const QString &clientId, SessionChoice session)
{
    ConnectionSettings s;
    s.name = clientId;
    s.url = ServerUrl::parse(url).value();
    s.clientId = clientId;
    s.connectTimeoutMs = 5000;
    s.cleanStart = session.cleanStart;
    s.sessionExpiry = session.sessionExpiry;
    s.autoReconnect = false;
    return s;
}

QByteArray readingLines(int count)
{
    QByteArray lines;
    for (int i = 1; i <= count; ++i)
        lines += QByteArray("reading-") + QByteArray::number(i) + '\n';
    return lines;
}

} // namespace

class TestQos2Receive : public QObject
{
    Q_OBJECT

    std::unique_ptr<MosquittoBroker> m_broker;

    void openAndSubscribe(Connection &c, const QString &filter)
    {
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 10000);
        QSignalSpy acked(&c, &Connection::sessionEvent);
        c.subscribe({Subscription{filter, {QoS::ExactlyOnce}}});
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(acked.begin(), acked.end(),
                                             [](const QList<QVariant> &args) {
                                                 return std::holds_alternative<SubscribeAcknowledged>(args.at(0).value<SessionEvent>());
                                             }),
                                 5000);
    }

    // mosquitto_pub sends `count` QoS 2 readings while this process's event loop does not run, so
    // what the broker forwards to our subscriber waits unread in its socket.
    void publishWhileBlocked(const QString &topic, int count)
    {
        const auto pub = runProgram(QStringLiteral("mosquitto_pub"),
                                    {QStringLiteral("-p"), QString::number(m_broker->port()), QStringLiteral("-t"), topic,
                                     QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-l")},
                                    15000, readingLines(count));
        QCOMPARE(pub.exitCode, 0);
        QTest::qSleep(300); // still blocked: let the broker's last packets reach our socket
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<Delivery>();
        qRegisterMetaType<SessionEvent>();
        m_broker = std::make_unique<MosquittoBroker>();
        const Status started = m_broker->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void packetsReadInOneTurnShareOneCommitBeforeAnyAnswer()
    {
        constexpr int kMessages = 200;
        TraceLog trace;
        RecordingStore store(trace);
        Connection sub(settingsFor(m_broker->url(), QStringLiteral("group-commit"), {.cleanStart = false, .sessionExpiry = 600}),
                       trace, &store);
        openAndSubscribe(sub, QStringLiteral("group/#"));
        QSignalSpy received(&sub, &Connection::messageReceived);
        publishWhileBlocked(QStringLiteral("group/t"), kMessages);
        QVERIFY2(sub.backlogPackets() > 1, "the broker's PUBLISHes should wait unread in our socket");

        QTRY_COMPARE_WITH_TIMEOUT(received.size(), kMessages, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().flows().size(), std::size_t(0), 5000);
        // The first turn read many PUBLISHes: their ids and deliveries went into one transaction.
        const auto biggest = std::max_element(store.transactions.begin(), store.transactions.end(),
                                              [](const auto &a, const auto &b) { return a.savedInbound < b.savedInbound; });
        QVERIFY2(biggest->savedInbound > 1, qPrintable(QString::number(biggest->savedInbound)));
        QCOMPARE(biggest->recordedDeliveries, biggest->savedInbound);
        // Write-ahead held for every transaction: no PUBREC went out for an id not yet committed.
        int committed = 0;
        for (const auto &t : store.transactions) {
            QVERIFY2(t.pubRecsAlreadySent <= committed, qPrintable(QStringLiteral("%1 PUBRECs sent, %2 ids committed")
                                                                       .arg(t.pubRecsAlreadySent)
                                                                       .arg(committed)));
            committed += t.savedInbound;
        }
        QCOMPARE(store.total(&RecordingStore::Transaction::recordedDeliveries), kMessages);
        QVERIFY(store.transactions.size() < std::size_t(kMessages)); // one per step would be 2 per message
        sub.close();
    }

    void sessionThatCannotResumeKeepsInboundIdsInMemory_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<bool>("persistent");
        QTest::newRow("5.0 clean start, expiry 0") << ProtocolVersion::V5 << false;
        QTest::newRow("3.1.1 clean session") << ProtocolVersion::V311 << false;
        QTest::newRow("5.0 expiry 600 (stored)") << ProtocolVersion::V5 << true;
    }
    void sessionThatCannotResumeKeepsInboundIdsInMemory()
    {
        QFETCH(ProtocolVersion, version);
        QFETCH(bool, persistent);
        constexpr int kMessages = 50;
        TraceLog trace;
        RecordingStore store(trace);
        auto settings = settingsFor(m_broker->url(), QStringLiteral("memory-%1").arg(QTest::currentDataTag()).remove(QLatin1Char(' ')),
                                    {.cleanStart = !persistent, .sessionExpiry = persistent ? 600u : 0u});
        settings.version = version;
        Connection sub(settings, trace, &store);
        openAndSubscribe(sub, QStringLiteral("memory/#"));
        QSignalSpy received(&sub, &Connection::messageReceived);
        publishWhileBlocked(QStringLiteral("memory/t"), kMessages);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), kMessages, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().flows().size(), std::size_t(0), 5000);

        // Each message delivered once, and recorded in the history whatever the session.
        QCOMPARE(store.total(&RecordingStore::Transaction::recordedDeliveries), kMessages);
        const auto history = store.history(SessionKey{settings.storeScope(), settings.clientId}, 1000).value();
        QCOMPARE(history.size(), std::size_t(kMessages));
        // The inbound ids reach the store only when a later connection could resume them.
        const int saved = store.total(&RecordingStore::Transaction::savedInbound);
        const int deleted = store.total(&RecordingStore::Transaction::deletedInbound);
        QCOMPARE(saved, persistent ? kMessages : 0);
        QCOMPARE(deleted, persistent ? kMessages : 0);
        sub.close();
    }

    void failedCommitSendsAndDeliversNothingOfTheTurn()
    {
        QTemporaryDir dir;
        SqliteSessionStore store(dir.filePath(QStringLiteral("full.db")));
        QVERIFY(store.error().ok());
        TraceLog trace;
        Connection sub(settingsFor(m_broker->url(), QStringLiteral("full-store"), {.cleanStart = false, .sessionExpiry = 600}),
                       trace, &store);
        openAndSubscribe(sub, QStringLiteral("full/#"));
        QSignalSpy received(&sub, &Connection::messageReceived);
        QSignalSpy errors(&sub, &Connection::errorOccurred);
        QVERIFY(store.setMaximumSize(0).ok()); // the next page the store needs is refused, like a full disk
        const int pubRecsBefore = sentPubRecs(trace);
        publishWhileBlocked(QStringLiteral("full/t"), 20);

        QTRY_COMPARE_WITH_TIMEOUT(sub.state(), ConnectionState::Disconnected, 10000);
        QCOMPARE(received.size(), 0);
        QCOMPARE(sentPubRecs(trace), pubRecsBefore);
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.at(0).at(0).value<Problem>().sentence.contains(QStringLiteral("nothing unrecorded is sent")),
                 qPrintable(errors.at(0).at(0).value<Problem>().sentence));
    }

    void failedCommitThenReconnectAcknowledgesOnlyWhatWasRecorded_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::newRow("5.0") << ProtocolVersion::V5;
        QTest::newRow("3.1.1") << ProtocolVersion::V311;
    }

    // Durability: a step whose commit failed leaves the session as the store holds it, so a user
    // Reconnect in the same process does not PUBREC a message that was never delivered or
    // recorded; the broker resends it ([MQTT-4.4.0-1]) and it is delivered once. 5.0 says why
    // with DISCONNECT 0x80.
    void failedCommitThenReconnectAcknowledgesOnlyWhatWasRecorded()
    {
        QFETCH(ProtocolVersion, version);
        QTemporaryDir dir;
        auto sqlite = std::make_unique<SqliteSessionStore>(dir.filePath(QStringLiteral("undo.db")));
        QVERIFY(sqlite->error().ok());
        FailingStore store(std::move(sqlite));
        TraceLog trace;
        auto settings = settingsFor(m_broker->url(), QStringLiteral("undo-%1").arg(QTest::currentDataTag()).remove(QLatin1Char('.')),
                                    {.cleanStart = false, .sessionExpiry = 600});
        settings.version = version;
        Connection sub(settings, trace, &store);
        const QString topic = QStringLiteral("undo/%1").arg(QTest::currentDataTag());
        openAndSubscribe(sub, topic);
        QSignalSpy received(&sub, &Connection::messageReceived);
        store.failNextCommits(1);
        publishWhileBlocked(topic, 1);

        QTRY_COMPARE_WITH_TIMEOUT(sub.state(), ConnectionState::Disconnected, 10000);
        QCOMPARE(store.failedCommits(), 1);
        QCOMPARE(received.size(), 0);
        QCOMPARE(sentPubRecs(trace), 0);
        QCOMPARE(sentOfType(trace, PacketType::Disconnect), version == ProtocolVersion::V5 ? 1 : 0);

        sub.reconnect();
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().flows().size(), std::size_t(0), 5000);
        QCOMPARE(received.at(0).at(0).value<Delivery>().message.payload, QByteArray("reading-1"));
        QCOMPARE(sentPubRecs(trace), 1); // acknowledged once, after it was recorded
        const auto history = store.history(SessionKey{settings.storeScope(), settings.clientId}, 10).value();
        QCOMPARE(history.size(), std::size_t(1));
        sub.close();
    }

    void readerBehindIsNotBlamedOnThePeer()
    {
        TraceLog trace;
        MemorySessionStore store;
        Connection c(settingsFor(m_broker->url(), QStringLiteral("behind"), {}), trace, &store);
        openAndSubscribe(c, QStringLiteral("behind/#"));
        FlowIndex flows(trace);
        constexpr qint64 kThresholdUs = 100'000;
        // Our QoS 2 PUBLISH goes out in one pass of the event loop; then the loop blocks, so the
        // broker's answer (and the stream behind it) waits unread.
        const FlowRecord *waiting = nullptr;
        for (int attempt = 0; attempt < 10 && !waiting; ++attempt) {
            QVERIFY(c.publish(ApplicationMessage{QStringLiteral("elsewhere/x"), "1", QoS::ExactlyOnce, false, {}}).ticket);
            QCoreApplication::processEvents();
            publishWhileBlocked(QStringLiteral("behind/t"), 50);
            flows.update();
            for (const FlowRecord &f : flows.flows())
                if (f.key.direction == Direction::Outbound && f.isOpen() && FlowIndex::waitsForPeer(f))
                    waiting = &f;
        }
        QVERIFY2(waiting, "no flow was left waiting for the broker");
        const qint64 now = waiting->lastStepUs + 2 * kThresholdUs;
        QVERIFY(FlowIndex::isStalled(*waiting, now, kThresholdUs));
        const int behind = c.backlogPackets();
        QVERIFY2(behind > 0, "the broker's packets should wait unread");

        flows.setBacklog(c.traceId(), behind);
        QVERIFY(!flows.isStalledBeyondBacklog(*waiting, now, kThresholdUs));
        QVERIFY2(flows.sentence(*waiting, now).contains(QStringLiteral("MQTT Scope is behind by %1 packets").arg(behind)),
                 qPrintable(flows.sentence(*waiting, now)));
        // Caught up, a wait for the peer is the peer's again.
        flows.setBacklog(c.traceId(), 0);
        QVERIFY(flows.isStalledBeyondBacklog(*waiting, now, kThresholdUs));
        QVERIFY(!flows.sentence(*waiting, now).contains(QStringLiteral("behind")));
        QTRY_COMPARE_WITH_TIMEOUT(c.backlogPackets(), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(c.session().outbound().inflight(), 0, 10000);
        c.close();
    }
};

QTEST_GUILESS_MAIN(TestQos2Receive)
#include "tst_qos2_receive.moc"
