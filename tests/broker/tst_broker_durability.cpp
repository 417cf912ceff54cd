// The sandbox broker's write-ahead on a real loopback port with a real SQLite store: a step
// whose commit failed sends nothing and closes the connections it concerned (DISCONNECT 0x80 on
// 5.0) so the clients resend and the message arrives exactly once; and a kill at the commit of
// a QoS 2 message (a child process SIGKILLed there) loses nothing: the publisher's flow and the
// subscriber's queued copy are stored together or not at all.

#include "broker/sandbox_broker.h"
#include "client/connection.h"
#include "failing_store.h"
#include "store/memory_session_store.h"
#include "store/sqlite_session_store.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstdio>

using namespace mqs;
using namespace mqs::test;

Q_DECLARE_METATYPE(mqs::ProtocolVersion)
Q_DECLARE_METATYPE(mqs::InboundMethod)

namespace {

const QString kPublisher = QStringLiteral("publisher");
const QString kSubscriber = QStringLiteral("subscriber");
// The child process's environment: it runs the broker and stops itself at the commit.
const char *const kChildStore = "MQS_DURABILITY_CHILD_STORE";
const char *const kChildPort = "MQS_DURABILITY_CHILD_PORT";
const char *const kChildMethod = "MQS_DURABILITY_CHILD_METHOD"; // "A" or "B"
const char *const kChildKill = "MQS_DURABILITY_CHILD_KILL"; // "before" or "after" the commit

ConnectionSettings clientSettings(quint16 port, const QString &clientId, ProtocolVersion version, bool autoReconnect)
{
    ConnectionSettings s;
    s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(port)).value();
    s.clientId = s.name = clientId;
    s.version = version;
    s.cleanStart = false;
    s.sessionExpiry = 3600;
    s.connectTimeoutMs = 5000;
    s.autoReconnect = autoReconnect;
    s.reconnectMinimumMs = 100;
    s.reconnectMaximumMs = 400;
    return s;
}

// The change to the publisher's inbound flow made by the step that routes its message: method B
// routes on PUBLISH (the id is saved), method A on PUBREL (the stored message is deleted).
bool routesThePublishersMessage(const StoreBatch &batch, InboundMethod method)
{
    for (const SessionChanges &session : batch)
        if (session.key.clientId == kPublisher)
            for (const StoreChange &change : session.changes)
                if (method == InboundMethod::B ? std::holds_alternative<SaveInbound>(change)
                                               : std::holds_alternative<DeleteInbound>(change))
                    return true;
    return false;
}

bool carriesACopyFor(const StoreBatch &batch, const QString &clientId)
{
    for (const SessionChanges &session : batch)
        if (session.key.clientId == clientId)
            for (const StoreChange &change : session.changes)
                if (std::holds_alternative<SaveOutbound>(change))
                    return true;
    return false;
}

int received(const TraceLog &trace, PacketType type)
{
    int n = 0;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        n += trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == TraceDirection::Received && trace.typeOf(s) == type;
    return n;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

SandboxBroker::Options brokerOptions(const QString &storePath, quint16 port, InboundMethod method)
{
    SandboxBroker::Options options;
    options.storePath = storePath;
    options.port = port;
    options.core.inboundMethod = method;
    return options;
}

// The child: a sandbox broker on the store, SIGKILLed before or after the commit that routes
// the publisher's QoS 2 message.
int runChildBroker()
{
    const InboundMethod method = qgetenv(kChildMethod) == "A" ? InboundMethod::A : InboundMethod::B;
    const bool killAfter = qgetenv(kChildKill) == "after";
    auto options = brokerOptions(qEnvironmentVariable(kChildStore), quint16(qEnvironmentVariableIntValue(kChildPort)), method);
    options.wrapStore = [method, killAfter](std::unique_ptr<SessionStore> opened) -> std::unique_ptr<SessionStore> {
        auto store = std::make_unique<FailingStore>(std::move(opened));
        auto kill = [method](const StoreBatch &batch) {
            if (routesThePublishersMessage(batch, method))
                std::raise(SIGKILL);
        };
        (killAfter ? store->afterCommit : store->beforeCommit) = kill;
        return store;
    };
    SandboxBroker broker(options, nullptr);
    if (const Status error = broker.start(); !error) {
        std::fprintf(stderr, "%s\n", qPrintable(error.sentence()));
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

class TestBrokerDurability : public QObject
{
    Q_OBJECT

    // Opens `c` and waits until its SUBSCRIBE to `filter` at QoS 2 is acknowledged.
    static void openAndSubscribe(Connection &c, const QString &filter)
    {
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 10000);
        QSignalSpy events(&c, &Connection::sessionEvent);
        c.subscribe({Subscription{filter, {QoS::ExactlyOnce}}});
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.begin(), events.end(),
                                             [](const QList<QVariant> &args) {
                                                 return std::holds_alternative<SubscribeAcknowledged>(args.at(0).value<SessionEvent>());
                                             }),
                                 5000);
    }

    // Waits until both sides have finished every flow: then no further delivery can come.
    static void waitSettled(const Connection &pub, const Connection &sub)
    {
        QTRY_COMPARE_WITH_TIMEOUT(pub.session().outbound().inflight(), 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().flows().size(), std::size_t(0), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().outbound().inflight(), 0, 10000);
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<Delivery>();
        qRegisterMetaType<SessionEvent>();
        qRegisterMetaType<ConnectionState>();
    }

    void failedCommitSendsNothingAndCloses0x80_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<InboundMethod>("method");
        QTest::newRow("5.0 method B") << ProtocolVersion::V5 << InboundMethod::B;
        QTest::newRow("5.0 method A") << ProtocolVersion::V5 << InboundMethod::A;
        QTest::newRow("3.1.1 method B") << ProtocolVersion::V311 << InboundMethod::B;
        QTest::newRow("3.1.1 method A") << ProtocolVersion::V311 << InboundMethod::A;
    }

    // Durability: the broker's commit of the step that routes a QoS 2 message fails. Nothing of
    // the step goes out (no PUBREC in method B, no PUBCOMP in method A, no PUBLISH to the
    // subscriber); the publisher's connection closes, with DISCONNECT 0x80 in 5.0; the publisher
    // resends after reconnecting ([MQTT-4.4.0-1]) and the subscriber gets the message exactly once.
    void failedCommitSendsNothingAndCloses0x80()
    {
        QFETCH(ProtocolVersion, version);
        QFETCH(InboundMethod, method);
        QTemporaryDir dir;
        FailingStore *store = nullptr;
        auto options = brokerOptions(dir.filePath(QStringLiteral("broker.db")), 0, method);
        options.wrapStore = [&store](std::unique_ptr<SessionStore> opened) -> std::unique_ptr<SessionStore> {
            auto wrapped = std::make_unique<FailingStore>(std::move(opened));
            store = wrapped.get();
            return wrapped;
        };
        SandboxBroker broker(options, nullptr);
        QVERIFY(broker.start().ok());
        QSignalSpy notes(&broker, &SandboxBroker::note);

        TraceLog subTrace, pubTrace;
        MemorySessionStore subStore, pubStore;
        Connection sub(clientSettings(broker.port(), kSubscriber, version, true), subTrace, &subStore);
        Connection pub(clientSettings(broker.port(), kPublisher, version, true), pubTrace, &pubStore);
        openAndSubscribe(sub, QStringLiteral("durable/#"));
        pub.open();
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Connected, 10000);
        QSignalSpy delivered(&sub, &Connection::messageReceived);
        QSignalSpy pubEvents(&pub, &Connection::sessionEvent);
        // What the publisher had been told when its connection went down for the first time.
        std::optional<std::pair<int, int>> ackedAtClose; // PUBREC, PUBCOMP
        connect(&pub, &Connection::stateChanged, this, [&](ConnectionState state) {
            if (state != ConnectionState::Connected && !ackedAtClose)
                ackedAtClose = {received(pubTrace, PacketType::PubRec), received(pubTrace, PacketType::PubComp)};
        });
        bool armed = false;
        bool together = false;
        store->beforeCommit = [&](const StoreBatch &batch) {
            if (!armed && carriesACopyFor(batch, kSubscriber)) {
                armed = true;
                together = routesThePublishersMessage(batch, method); // one transaction for both
                store->failNextCommits(1);
            }
        };
        QVERIFY(pub.publish(ApplicationMessage{QStringLiteral("durable/t"), "once", QoS::ExactlyOnce, false, {}}).ticket);

        QTRY_VERIFY_WITH_TIMEOUT(ackedAtClose.has_value(), 10000);
        QCOMPARE(store->failedCommits(), 1);
        QVERIFY(together);
        QCOMPARE(ackedAtClose->first, method == InboundMethod::A ? 1 : 0); // method A: PUBREC came before PUBREL
        QCOMPARE(ackedAtClose->second, 0);
        const bool saidWhy = std::any_of(pubEvents.begin(), pubEvents.end(), [](const QList<QVariant> &args) {
            const SessionEvent event = args.at(0).value<SessionEvent>();
            const auto *d = std::get_if<PeerDisconnected>(&event);
            return d && d->reason == ReasonCode::UnspecifiedError;
        });
        QCOMPARE(saidWhy, version == ProtocolVersion::V5);
        QVERIFY(std::any_of(notes.begin(), notes.end(), [](const QList<QVariant> &args) {
            return args.at(0).toString().contains(QStringLiteral("Nothing of this step was sent"));
        }));

        QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Connected, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.state(), ConnectionState::Connected, 10000);
        waitSettled(pub, sub);
        QCOMPARE(delivered.size(), 1);
        QCOMPARE(delivered.at(0).at(0).value<Delivery>().message.payload, QByteArray("once"));
        pub.close();
        sub.close();
    }

    void killAtTheCommitLosesNothing_data()
    {
        QTest::addColumn<InboundMethod>("method");
        QTest::addColumn<QByteArray>("kill");
        QTest::newRow("method B, killed before the commit") << InboundMethod::B << QByteArray("before");
        QTest::newRow("method B, killed after the commit") << InboundMethod::B << QByteArray("after");
        QTest::newRow("method A, killed before the commit") << InboundMethod::A << QByteArray("before");
        QTest::newRow("method A, killed after the commit") << InboundMethod::A << QByteArray("after");
    }

    // Durability: a broker SIGKILLed at the commit that routes a QoS 2 message (a child process)
    // has, in its store, the subscriber's queued copy whenever it has the publisher's flow moved
    // on, and has not acknowledged the message to the publisher. After a restart on the same store
    // the publisher resends and the subscriber gets the message exactly once: never lost.
    void killAtTheCommitLosesNothing()
    {
        QFETCH(InboundMethod, method);
        QFETCH(QByteArray, kill);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("broker.db"));
        const quint16 port = freePort();
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildStore), path);
        env.insert(QString::fromLatin1(kChildPort), QString::number(port));
        env.insert(QString::fromLatin1(kChildMethod), method == InboundMethod::A ? QStringLiteral("A") : QStringLiteral("B"));
        env.insert(QString::fromLatin1(kChildKill), QString::fromLatin1(kill));
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(), {});
        QTRY_VERIFY_WITH_TIMEOUT(child.canReadLine() || child.state() == QProcess::NotRunning, 10000);
        QCOMPARE(child.readLine().trimmed(), QByteArray("ready"));

        TraceLog subTrace, pubTrace;
        MemorySessionStore subStore, pubStore;
        Connection sub(clientSettings(port, kSubscriber, ProtocolVersion::V5, false), subTrace, &subStore);
        Connection pub(clientSettings(port, kPublisher, ProtocolVersion::V5, false), pubTrace, &pubStore);
        openAndSubscribe(sub, QStringLiteral("kill/#"));
        sub.close(); // offline: its copy waits in its stored session
        QTRY_COMPARE_WITH_TIMEOUT(sub.state(), ConnectionState::Disconnected, 5000);
        pub.open();
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Connected, 10000);
        QVERIFY(pub.publish(ApplicationMessage{QStringLiteral("kill/t"), "survives", QoS::ExactlyOnce, false, {}}).ticket);
        QTRY_COMPARE_WITH_TIMEOUT(child.state(), QProcess::NotRunning, 10000);
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Disconnected, 10000);
        // Not acknowledged: no PUBCOMP (method A), not even PUBREC (method B).
        QCOMPARE(received(pubTrace, PacketType::PubComp), 0);
        QCOMPARE(received(pubTrace, PacketType::PubRec), method == InboundMethod::A ? 1 : 0);

        {
            SqliteSessionStore store(path);
            QVERIFY(store.error().ok());
            auto publisher = store.load(SessionKey{QStringLiteral("broker:sandbox"), kPublisher}).value();
            auto subscriber = store.load(SessionKey{QStringLiteral("broker:sandbox"), kSubscriber}).value();
            QVERIFY(publisher && subscriber);
            const bool routed = method == InboundMethod::B ? !publisher->inbound.empty() : publisher->inbound.empty();
            const bool queued = std::any_of(subscriber->outbound.begin(), subscriber->outbound.end(),
                                            [](const OutboundFlow &f) { return f.message.payload == "survives"; });
            QCOMPARE(queued, routed); // both or neither: the publisher's flow never moves on without the copy
            QCOMPARE(routed, kill == "after");
        }

        SandboxBroker broker(brokerOptions(path, port, method), nullptr);
        QVERIFY(broker.start().ok());
        QSignalSpy delivered(&sub, &Connection::messageReceived);
        pub.open();
        sub.open();
        QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, 15000);
        waitSettled(pub, sub);
        QCOMPARE(delivered.size(), 1);
        QCOMPARE(delivered.at(0).at(0).value<Delivery>().message.payload, QByteArray("survives"));
        pub.close();
        sub.close();
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet(kChildStore))
        return runChildBroker();
    TestBrokerDurability test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_broker_durability.moc"
