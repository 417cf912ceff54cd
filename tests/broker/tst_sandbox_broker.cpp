// The sandbox broker on a real loopback port: third-party clients (mosquitto_pub and
// mosquitto_sub) as peers at every QoS and both versions; broker-side fault rules; restart
// with and without state; the demo headless.

#include "broker/sandbox_broker.h"
#include "client/connection.h"
#include "mosquitto_fixture.h"
#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "store/memory_session_store.h"
#include "trace/trace_text.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

// Our own client of `broker`, named `clientId`; `persistent`: a session that outlives the
// connection and reconnects at once when the broker goes away.
ConnectionSettings clientOf(const SandboxBroker &broker, const QString &clientId, bool persistent = false)
{
    ConnectionSettings s;
    s.url = ServerUrl::parse(broker.url()).value();
    s.clientId = s.name = clientId;
    s.peerName = QStringLiteral("sandbox broker");
    if (persistent) {
        s.cleanStart = false;
        s.sessionExpiry = 3600;
        s.autoReconnect = true;
        s.reconnectMinimumMs = 100;
    }
    return s;
}

QStringList at(const SandboxBroker &broker)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(broker.port())};
}

// The trace lines that mention `text`.
QStringList linesWith(const TraceLog &trace, const QString &text)
{
    QStringList lines;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        const QString line = traceLine(trace, s);
        if (line.contains(text))
            lines << line;
    }
    return lines;
}

// mosquitto_sub in the background; waitSubscribed() waits until the broker has its subscription.
class Subscriber
{
public:
    Subscriber(const SandboxBroker &broker, const QStringList &arguments)
    {
        m_process.start(QStringLiteral("mosquitto_sub"), at(broker) + arguments);
    }
    bool waitSubscribed(const SandboxBroker &broker, const QString &clientId)
    {
        for (int i = 0; i < 200; ++i) {
            QTest::qWait(10);
            if (!broker.core().subscriptions(clientId).empty())
                return true;
        }
        return false;
    }
    // Waits (keeping the event loop going) for it to exit; its stdout.
    QByteArray finish(int timeoutMs = 10000)
    {
        for (int waited = 0; m_process.state() != QProcess::NotRunning && waited < timeoutMs; waited += 10)
            QTest::qWait(10);
        return m_process.readAllStandardOutput();
    }
    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};

} // namespace

class TestSandboxBroker : public QObject
{
    Q_OBJECT

private slots:
    void mosquittoClientsAtEveryQos_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<QString>("qos");
        for (const char *v : {"mqttv311", "mqttv5"})
            for (const char *q : {"0", "1", "2"})
                QTest::addRow("%s qos %s", v, q) << QString::fromLatin1(v) << QString::fromLatin1(q);
    }
    void mosquittoClientsAtEveryQos()
    {
        QFETCH(QString, version);
        QFETCH(QString, qos);
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        const QString id = QStringLiteral("sub-%1-%2").arg(version, qos);
        Subscriber sub(broker, {QStringLiteral("-V"), version, QStringLiteral("-i"), id, QStringLiteral("-q"), qos,
                                QStringLiteral("-t"), QStringLiteral("sensors/+/livingroom"), QStringLiteral("-C"),
                                QStringLiteral("2"), QStringLiteral("-v")});
        QVERIFY(sub.waitSubscribed(broker, id));
        const auto pub = runProgramAsync(QStringLiteral("mosquitto_pub"),
                                         at(broker) + QStringList{QStringLiteral("-V"), version, QStringLiteral("-q"), qos,
                                                                  QStringLiteral("-t"), QStringLiteral("sensors/temperature/livingroom"),
                                                                  QStringLiteral("-l")},
                                         15000, "21.5\n21.6\n");
        QCOMPARE(pub.exitCode, 0);
        QCOMPARE(sub.finish(), QByteArray("sensors/temperature/livingroom 21.5\nsensors/temperature/livingroom 21.6\n"));
        if (qos == QLatin1String("2")) {
            // both hops traced: the publisher's handshake and the broker's own toward the subscriber
            QCOMPARE(linesWith(trace, QStringLiteral("→ sandbox broker  PUBREL")).size(), 2);
            QCOMPARE(linesWith(trace, QStringLiteral("sandbox broker → %1  PUBREL").arg(id)).size(), 2);
        }
    }

    void retainedWillsAndWildcards()
    {
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        QCOMPARE(runProgramAsync(QStringLiteral("mosquitto_pub"),
                                 at(broker) + QStringList{QStringLiteral("-t"), QStringLiteral("sensors/temperature/attic"),
                                                          QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-r"),
                                                          QStringLiteral("-m"), QStringLiteral("{\"t\":19.25}")})
                     .exitCode,
                 0);
        // a late subscriber with a wildcard gets the retained reading at once
        auto late = runProgramAsync(QStringLiteral("mosquitto_sub"),
                                    at(broker) + QStringList{QStringLiteral("-t"), QStringLiteral("sensors/#"), QStringLiteral("-C"),
                                                             QStringLiteral("1"), QStringLiteral("-v"), QStringLiteral("-R"),
                                                             QStringLiteral("-W"), QStringLiteral("1")});
        QCOMPARE(late.out, QByteArray()); // -R skips retained messages: nothing else arrived
        late = runProgramAsync(QStringLiteral("mosquitto_sub"),
                               at(broker) + QStringList{QStringLiteral("-t"), QStringLiteral("sensors/+/attic"), QStringLiteral("-C"),
                                                        QStringLiteral("1"), QStringLiteral("-v"), QStringLiteral("-W"), QStringLiteral("5")});
        QCOMPARE(late.out, QByteArray("sensors/temperature/attic {\"t\":19.25}\n"));
        // a will published when its client vanishes
        Subscriber watcher(broker, {QStringLiteral("-i"), QStringLiteral("watcher"), QStringLiteral("-t"), QStringLiteral("status/#"),
                                    QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-v")});
        QVERIFY(watcher.waitSubscribed(broker, QStringLiteral("watcher")));
        QProcess doomed;
        doomed.start(QStringLiteral("mosquitto_sub"), at(broker) + QStringList{QStringLiteral("-i"), QStringLiteral("doomed"),
                                                                               QStringLiteral("-t"), QStringLiteral("x"),
                                                                               QStringLiteral("--will-topic"), QStringLiteral("status/doomed"),
                                                                               QStringLiteral("--will-payload"), QStringLiteral("offline")});
        QVERIFY(Subscriber(broker, {}).waitSubscribed(broker, QStringLiteral("doomed")));
        doomed.kill();
        QCOMPARE(watcher.finish(), QByteArray("status/doomed offline\n"));
        // $-topics are not matched by a leading wildcard
        Subscriber all(broker, {QStringLiteral("-i"), QStringLiteral("all"), QStringLiteral("-t"), QStringLiteral("#"),
                                QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-v"), QStringLiteral("-R")});
        QVERIFY(all.waitSubscribed(broker, QStringLiteral("all")));
        runProgramAsync(QStringLiteral("mosquitto_pub"), at(broker) + QStringList{QStringLiteral("-t"), QStringLiteral("$SYS/x"),
                                                                                  QStringLiteral("-m"), QStringLiteral("hidden")});
        runProgramAsync(QStringLiteral("mosquitto_pub"), at(broker) + QStringList{QStringLiteral("-t"), QStringLiteral("plain"),
                                                                                  QStringLiteral("-m"), QStringLiteral("seen")});
        QCOMPARE(all.finish(), QByteArray("plain seen\n"));
    }

    void sharedSubscriptionSplitsMessagesBetweenMosquittoSubscribers()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        std::vector<std::unique_ptr<Subscriber>> members;
        for (const char *id : {"member-a", "member-b"}) {
            members.push_back(std::make_unique<Subscriber>(
                broker, QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-i"), QString::fromLatin1(id),
                                    QStringLiteral("-t"), QStringLiteral("$share/line/jobs/#"), QStringLiteral("-q"), QStringLiteral("1"),
                                    QStringLiteral("-C"), QStringLiteral("2")}));
            QVERIFY(members.back()->waitSubscribed(broker, QString::fromLatin1(id)));
        }
        QCOMPARE(runProgramAsync(QStringLiteral("mosquitto_pub"), at(broker) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"),
                                                                                         QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-t"),
                                                                                         QStringLiteral("jobs/1"), QStringLiteral("-l")},
                                 15000, "j1\nj2\nj3\nj4\n")
                     .exitCode,
                 0);
        // round robin: each member gets every other job, and -C 2 lets each exit after two
        QCOMPARE(members[0]->finish(), QByteArray("j1\nj3\n"));
        QCOMPARE(members[1]->finish(), QByteArray("j2\nj4\n"));
    }

    void persistentSessionResumesWithQueuedQos2ExactlyOnce_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("3.1.1") << QStringLiteral("mqttv311");
        QTest::newRow("5.0") << QStringLiteral("mqttv5");
    }
    void persistentSessionResumesWithQueuedQos2ExactlyOnce()
    {
        QFETCH(QString, version);
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        QStringList persistent{QStringLiteral("-V"), version, QStringLiteral("-i"), QStringLiteral("dash-resume"), QStringLiteral("-c"),
                               QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("plant/#")};
        if (version == QLatin1String("mqttv5"))
            persistent << QStringLiteral("-x") << QStringLiteral("3600");
        // create the session, leave
        runProgramAsync(QStringLiteral("mosquitto_sub"), at(broker) + persistent + QStringList{QStringLiteral("-W"), QStringLiteral("1")});
        for (const char *v : {"71.0", "72.0", "73.0"})
            QCOMPARE(runProgramAsync(QStringLiteral("mosquitto_pub"),
                                     at(broker) + QStringList{QStringLiteral("-V"), version, QStringLiteral("-q"), QStringLiteral("2"),
                                                              QStringLiteral("-t"), QStringLiteral("plant/line1/temp"), QStringLiteral("-m"),
                                                              QString::fromLatin1(v)})
                         .exitCode,
                     0);
        QCOMPARE(broker.core().session(QStringLiteral("dash-resume"))->outbound().queued(), 3);
        const auto resumed = runProgramAsync(QStringLiteral("mosquitto_sub"), at(broker) + persistent
                                                                                   + QStringList{QStringLiteral("-C"), QStringLiteral("3"),
                                                                                                 QStringLiteral("-W"), QStringLiteral("5")});
        QCOMPARE(resumed.out, QByteArray("71.0\n72.0\n73.0\n"));
        // and none again on the next resume
        const auto again = runProgramAsync(QStringLiteral("mosquitto_sub"), at(broker) + persistent
                                                                                 + QStringList{QStringLiteral("-W"), QStringLiteral("1")});
        QCOMPARE(again.out, QByteArray());
    }

    void brokerSideFaultsStallUntilLifted_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("stalled"); // the held packet, as the trace shows it
        QTest::newRow("withhold PUBCOMP from the publisher") << QStringLiteral("hold out PUBCOMP client publisher")
                                                            << QStringLiteral("sandbox broker → publisher  PUBCOMP id=1");
        QTest::newRow("withhold PUBREC from the publisher") << QStringLiteral("hold out PUBREC client publisher")
                                                           << QStringLiteral("sandbox broker → publisher  PUBREC id=1");
        QTest::newRow("delay PUBREL to the subscriber") << QStringLiteral("hold out PUBREL client subscriber")
                                                       << QStringLiteral("sandbox broker → subscriber  PUBREL id=1");
    }
    void brokerSideFaultsStallUntilLifted()
    {
        QFETCH(QString, rule);
        QFETCH(QString, stalled);
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        broker.faults().add(FaultRule::parse(rule).value());
        QVERIFY(broker.start().ok());
        Connection sub(clientOf(broker, QStringLiteral("subscriber")), trace, nullptr);
        Connection pub(clientOf(broker, QStringLiteral("publisher")), trace, nullptr);
        sub.open();
        pub.open();
        QTRY_COMPARE(sub.state(), ConnectionState::Connected);
        QTRY_COMPARE(pub.state(), ConnectionState::Connected);
        sub.subscribe({Subscription{QStringLiteral("t/#"), {QoS::ExactlyOnce}}});
        QTRY_VERIFY(!broker.core().subscriptions(QStringLiteral("subscriber")).empty());
        (void)pub.publish(ApplicationMessage{QStringLiteral("t/x"), "1", QoS::ExactlyOnce, false, {}});
        QTRY_COMPARE_WITH_TIMEOUT(broker.heldPackets().size(), 1u, 5000);
        QTest::qWait(200);
        QVERIFY2(linesWith(trace, stalled).filter(QStringLiteral("[held by a fault rule]")).size() == 1,
                 qPrintable(linesWith(trace, stalled).join(QLatin1Char('\n'))));
        const bool publisherStalls = stalled.contains(QStringLiteral("publisher"));
        QVERIFY((publisherStalls ? pub.session().outbound().inflight() : sub.session().inbound().awaitingPubRel()) == 1);
        QVERIFY(broker.release(broker.heldPackets().front().id));
        QTRY_COMPARE_WITH_TIMEOUT(pub.session().outbound().inflight(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().awaitingPubRel(), 0, 5000);
        QCOMPARE(linesWith(trace, stalled).filter(QStringLiteral("[released]")).size(), 1);
    }

    void restartKeepingStateCompletesUnfinishedFlows()
    {
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        MemorySessionStore store;
        Connection sub(clientOf(broker, QStringLiteral("keeper"), true), trace, &store);
        QSignalSpy received(&sub, &Connection::messageReceived);
        sub.open();
        QTRY_COMPARE(sub.state(), ConnectionState::Connected);
        sub.subscribe({Subscription{QStringLiteral("k/#"), {QoS::ExactlyOnce}}});
        QTRY_VERIFY(!broker.core().subscriptions(QStringLiteral("keeper")).empty());
        // the broker withholds its PUBREL: the subscriber's flow stays open across the restart
        const quint32 rule = broker.faults().add(FaultRule::parse(QStringLiteral("drop out PUBREL client keeper")).value());
        QVERIFY(runProgramAsync(QStringLiteral("mosquitto_pub"),
                                at(broker) + QStringList{QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-t"),
                                                         QStringLiteral("k/1"), QStringLiteral("-m"), QStringLiteral("kept")})
                    .exitCode == 0);
        QTRY_COMPARE(sub.session().inbound().awaitingPubRel(), 1);
        QCOMPARE(received.size(), 1);
        broker.faults().remove(rule);
        QVERIFY(broker.restart(true).ok());
        QTRY_COMPARE_WITH_TIMEOUT(sub.state(), ConnectionState::Connected, 5000);
        // resumed: the broker resends its PUBREL, the flow completes, nothing is delivered twice
        QTRY_COMPARE_WITH_TIMEOUT(sub.session().inbound().awaitingPubRel(), 0, 5000);
        QCOMPARE(received.size(), 1);
        QVERIFY(!linesWith(trace, QStringLiteral("restarting with its session state")).isEmpty());
        // after the restart: the broker resends PUBREL, the subscriber completes with PUBCOMP
        QCOMPARE(linesWith(trace, QStringLiteral("keeper → sandbox broker  PUBCOMP id=1  Complete")).size(), 2); // both ends trace it
        sub.close();
    }

    void restartDroppingStateShowsTheLoss()
    {
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        MemorySessionStore store;
        Connection pub(clientOf(broker, QStringLiteral("loser"), true), trace, &store);
        broker.faults().add(FaultRule::parse(QStringLiteral("drop out PUBCOMP client loser")).value());
        pub.open();
        QTRY_COMPARE(pub.state(), ConnectionState::Connected);
        (void)pub.publish(ApplicationMessage{QStringLiteral("l/1"), "lost?", QoS::ExactlyOnce, false, {}});
        QTRY_COMPARE(pub.session().flowState(Direction::Outbound, 1), FlowState::AwaitingPubComp);
        QVERIFY(broker.restart(false).ok());
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Connected, 5000);
        QTRY_COMPARE(pub.session().outbound().inflight(), 0);
        const QStringList lost = linesWith(trace, QStringLiteral("[abandoned]"));
        QCOMPARE(lost.size(), 1);
        QVERIFY2(lost.front().contains(QStringLiteral("outbound id 1 'l/1'")), qPrintable(lost.front()));
        QVERIFY(!linesWith(trace, QStringLiteral("restarting without any state")).isEmpty());
        pub.close();
    }

    void demoRunsHeadless()
    {
        const auto run = runProgram(QStringLiteral(MQTTSCOPE_CLI), {QStringLiteral("demo"), QStringLiteral("--count"), QStringLiteral("5"),
                                                                     QStringLiteral("--interval"), QStringLiteral("100")},
                                    30000);
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = QString::fromUtf8(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        // five complete four-packet handshakes on each hop, each with its own ids
        for (int id = 1; id <= 5; ++id) {
            for (const QString &expected :
                 {QStringLiteral("living-room sensor → sandbox broker  PUBLISH id=%1 qos=2"),
                  QStringLiteral("sandbox broker → living-room sensor  PUBREC id=%1  AwaitingPubRel"),
                  QStringLiteral("living-room sensor → sandbox broker  PUBREL id=%1  AwaitingPubComp"),
                  QStringLiteral("sandbox broker → living-room sensor  PUBCOMP id=%1  Complete"),
                  QStringLiteral("sandbox broker → dashboard  PUBLISH id=%1 qos=2"),
                  QStringLiteral("dashboard → sandbox broker  PUBREC id=%1  AwaitingPubRel"),
                  QStringLiteral("sandbox broker → dashboard  PUBREL id=%1  AwaitingPubComp"),
                  QStringLiteral("dashboard → sandbox broker  PUBCOMP id=%1  Complete")})
                QVERIFY2(lines.filter(expected.arg(id)).size() == 1, qPrintable(expected.arg(id) + QLatin1Char('\n') + run.out));
        }
    }

    void cliBrokerServesMosquittoClients()
    {
        QProcess broker;
        broker.start(QStringLiteral(MQTTSCOPE_CLI), {QStringLiteral("broker"), QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(broker.waitForReadyRead(5000));
        const QString line = QString::fromUtf8(broker.readLine()).trimmed();
        QVERIFY2(line.startsWith(QStringLiteral("Sandbox broker listening on mqtt://127.0.0.1:")), qPrintable(line));
        const QString port = line.section(QLatin1Char(':'), -1);
        QProcess sub;
        sub.start(QStringLiteral("mosquitto_sub"), {QStringLiteral("-p"), port, QStringLiteral("-t"), QStringLiteral("a"),
                                                    QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-q"), QStringLiteral("2")});
        QTest::qWait(300);
        QCOMPARE(runProgram(QStringLiteral("mosquitto_pub"), {QStringLiteral("-p"), port, QStringLiteral("-t"), QStringLiteral("a"),
                                                               QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-m"),
                                                               QStringLiteral("via cli broker")})
                     .exitCode,
                 0);
        QVERIFY(sub.waitForFinished(5000));
        QCOMPARE(sub.readAllStandardOutput(), QByteArray("via cli broker\n"));
        broker.terminate();
        QVERIFY(broker.waitForFinished(5000));
        QCOMPARE(broker.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSandboxBroker)
#include "tst_sandbox_broker.moc"
