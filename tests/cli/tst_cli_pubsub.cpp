// mqttscope-cli pub / sub / history against a real mosquitto, beside mosquitto_pub and
// mosquitto_sub; and the kill test: a subscriber SIGKILLed again and again keeps each QoS 2
// message exactly once in its persisted history.

#include "mosquitto_fixture.h"
#include "store/sqlite_session_store.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <set>

using namespace mqs;
using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);

QStringList portArgs(quint16 port)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)};
}

// Starts a subscriber in the background and waits until its SUBACK is in its trace.
// SIGKILL, as a crash or a power cut would end it; never signals anything but a running child.
void killHard(QProcess &process)
{
    if (process.state() == QProcess::Running && process.processId() > 0)
        ::kill(pid_t(process.processId()), SIGKILL);
}

bool startSubscriber(QProcess &process, const QString &program, const QStringList &arguments, bool ours = true)
{
    process.start(program, arguments);
    if (!process.waitForStarted(5000))
        return false;
    if (!ours) {
        QTest::qWait(500); // mosquitto_sub prints nothing when subscribed
        return true;
    }
    QByteArray err;
    for (int i = 0; i < 100 && !err.contains("SUBACK"); ++i) {
        process.waitForReadyRead(100);
        err += process.readAllStandardError();
    }
    return err.contains("SUBACK");
}
} // namespace

class TestCliPubSub : public QObject
{
    Q_OBJECT
    std::unique_ptr<MosquittoBroker> m_broker;

private slots:
    void initTestCase()
    {
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("max_queued_messages 0"); // keep every message for the kill test
        m_broker = std::make_unique<MosquittoBroker>(options);
        const Status started = m_broker->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void ourPubToOurSubBothVersions_data()
    {
        QTest::addColumn<QString>("version");
        QTest::newRow("3.1.1") << QStringLiteral("mqttv311");
        QTest::newRow("5.0") << QStringLiteral("mqttv5");
    }
    void ourPubToOurSubBothVersions()
    {
        QFETCH(QString, version);
        QProcess sub;
        QVERIFY(startSubscriber(sub, kCli, QStringList{QStringLiteral("sub")} + portArgs(m_broker->port())
                                               + QStringList{QStringLiteral("-V"), version, QStringLiteral("-t"),
                                                             QStringLiteral("cli/%1/#").arg(version), QStringLiteral("-q"),
                                                             QStringLiteral("2"), QStringLiteral("-v"), QStringLiteral("-C"),
                                                             QStringLiteral("3"), QStringLiteral("--trace")}));
        const auto pub = runProgram(kCli, QStringList{QStringLiteral("pub")} + portArgs(m_broker->port())
                                              + QStringList{QStringLiteral("-V"), version, QStringLiteral("-t"),
                                                            QStringLiteral("cli/%1/t").arg(version), QStringLiteral("-q"),
                                                            QStringLiteral("2"), QStringLiteral("-l")},
                                    15000, "21.5\n21.6\n21.7\n");
        QVERIFY2(pub.exitCode == 0, pub.err.constData());
        QVERIFY(sub.state() == QProcess::NotRunning || sub.waitForFinished(10000));
        QCOMPARE(sub.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(sub.readAllStandardOutput()),
                 QStringLiteral("cli/%1/t 21.5\ncli/%1/t 21.6\ncli/%1/t 21.7\n").arg(version));
    }

    void interoperatesWithMosquittoClients()
    {
        // our pub → mosquitto_sub
        QProcess mosquittoSub;
        QVERIFY(startSubscriber(mosquittoSub, QStringLiteral("mosquitto_sub"),
                                portArgs(m_broker->port()) + QStringList{QStringLiteral("-t"), QStringLiteral("interop/a"),
                                                                         QStringLiteral("-q"), QStringLiteral("2"),
                                                                         QStringLiteral("-C"), QStringLiteral("1")},
                                false));
        auto run = runProgram(kCli, QStringList{QStringLiteral("pub")} + portArgs(m_broker->port())
                                        + QStringList{QStringLiteral("-t"), QStringLiteral("interop/a"), QStringLiteral("-q"),
                                                      QStringLiteral("2"), QStringLiteral("-m"), QStringLiteral("from scope")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(mosquittoSub.state() == QProcess::NotRunning || mosquittoSub.waitForFinished(10000));
        QCOMPARE(mosquittoSub.readAllStandardOutput(), QByteArray("from scope\n"));
        // mosquitto_pub → our sub
        QProcess ourSub;
        QVERIFY(startSubscriber(ourSub, kCli, QStringList{QStringLiteral("sub")} + portArgs(m_broker->port())
                                                  + QStringList{QStringLiteral("-t"), QStringLiteral("interop/b"),
                                                                QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-C"),
                                                                QStringLiteral("1"), QStringLiteral("--trace")}));
        run = runProgram(QStringLiteral("mosquitto_pub"), portArgs(m_broker->port()) + QStringList{QStringLiteral("-t"),
                                                                                            QStringLiteral("interop/b"),
                                                                                            QStringLiteral("-q"), QStringLiteral("1"),
                                                                                            QStringLiteral("-m"), QStringLiteral("from mosquitto")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(ourSub.state() == QProcess::NotRunning || ourSub.waitForFinished(10000));
        QCOMPARE(ourSub.readAllStandardOutput(), QByteArray("from mosquitto\n"));
    }

    void traceShowsEveryPacketWithItsState()
    {
        const auto run = runProgram(kCli, QStringList{QStringLiteral("pub")} + portArgs(m_broker->port())
                                              + QStringList{QStringLiteral("-t"), QStringLiteral("trace/x"), QStringLiteral("-q"),
                                                            QStringLiteral("2"), QStringLiteral("-m"), QStringLiteral("1"),
                                                            QStringLiteral("-i"), QStringLiteral("tracer"), QStringLiteral("--trace")});
        QCOMPARE(run.exitCode, 0);
        const QString trace = QString::fromUtf8(run.err);
        QVERIFY2(trace.contains(QStringLiteral("tracer → broker 127.0.0.1:%1  PUBLISH id=1 qos=2 dup=0 retain=0 trace/x (1 B)  AwaitingPubRec")
                                    .arg(m_broker->port())),
                 qPrintable(trace));
        QVERIFY(trace.contains(QStringLiteral("→ tracer  PUBREC id=1  AwaitingPubComp")));
        QVERIFY(trace.contains(QStringLiteral("tracer → broker 127.0.0.1:%1  PUBREL id=1  AwaitingPubComp").arg(m_broker->port())));
        QVERIFY(trace.contains(QStringLiteral("→ tracer  PUBCOMP id=1  Complete")));
    }

    void errorsGoToStderrWithNonZeroExit_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("says");
        QTest::newRow("refused connection") << QStringList{QStringLiteral("pub"), QStringLiteral("-p"), QString::number(freePort()),
                                                           QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")}
                                            << 1 << QStringLiteral("Connection refused");
        QTest::newRow("wildcard topic") << QStringList{QStringLiteral("pub"), QStringLiteral("-t"), QStringLiteral("a/+"),
                                                       QStringLiteral("-m"), QStringLiteral("x")}
                                        << 2 << QStringLiteral("wildcard");
        QTest::newRow("bad filter") << QStringList{QStringLiteral("sub"), QStringLiteral("-t"), QStringLiteral("a/#/b")} << 2
                                    << QStringLiteral("'#' must stand alone");
        QTest::newRow("bad QoS") << QStringList{QStringLiteral("pub"), QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-q"),
                                                QStringLiteral("3"), QStringLiteral("-m"), QStringLiteral("x")}
                                 << 2 << QStringLiteral("-q must be 0, 1 or 2");
        QTest::newRow("bad version") << QStringList{QStringLiteral("pub"), QStringLiteral("-V"), QStringLiteral("mqttv6"),
                                                    QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")}
                                     << 2 << QStringLiteral("-V must be mqttv311 or mqttv5");
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("sub"), QStringLiteral("--frobnicate")} << 2
                                      << QStringLiteral("Unknown option 'frobnicate'");
        QTest::newRow("missing CA file") << QStringList{QStringLiteral("pub"), QStringLiteral("--cafile"), QStringLiteral("/nonexistent.pem"),
                                                        QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")}
                                         << 1 << QStringLiteral("does not exist");
        QTest::newRow("bad -D property") << QStringList{QStringLiteral("pub"), QStringLiteral("-D"), QStringLiteral("publish"),
                                                        QStringLiteral("session-expiry-interval"), QStringLiteral("5"),
                                                        QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")}
                                         << 2 << QStringLiteral("not allowed in publish");
        QTest::newRow("bad fault rule") << QStringList{QStringLiteral("pub"), QStringLiteral("--fault"), QStringLiteral("stall out PUBREL"),
                                                       QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")}
                                        << 2 << QStringLiteral("must start with hold, drop, delay");
    }
    void errorsGoToStderrWithNonZeroExit()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, says);
        const auto run = runProgram(kCli, arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(QString::fromUtf8(run.err).contains(says), run.err.constData());
    }

    void refusedByTheBrokerSaysWhy()
    {
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("allow_anonymous false");
        MosquittoBroker strict(options);
        const Status started = strict.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const auto run = runProgram(kCli, QStringList{QStringLiteral("pub")} + portArgs(strict.port())
                                              + QStringList{QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"),
                                                            QStringLiteral("x")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("The broker refused the connection: Not authorized (CONNACK 0x87)"), run.err.constData());
    }

    void untrustedBrokerCertificateNamesTheOptions()
    {
        MosquittoBroker::Options options;
        options.tls = true;
        MosquittoBroker tls(options);
        const Status started = tls.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        // No --cafile: the broker's certificate (from the fixture's own CA) is not trusted.
        const auto run = runProgram(kCli, QStringList{QStringLiteral("pub"), QStringLiteral("-h"), QStringLiteral("localhost"),
                                                      QStringLiteral("-p"), QString::number(tls.tlsPort()), QStringLiteral("--tls"),
                                                      QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"),
                                                      QStringLiteral("x")});
        QCOMPARE(run.exitCode, 1);
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(err.contains(QStringLiteral("The broker's certificate for 'localhost' is not trusted")), run.err.constData());
        // core said what went wrong; the CLI says which of its options change it
        QVERIFY2(err.contains(QStringLiteral("Give the broker's CA with --cafile")), run.err.constData());
        QVERIFY2(err.contains(QStringLiteral("or use --insecure to skip verification.")), run.err.constData());
    }

    void emptyClientIdRefusedSaysWhatToDo()
    {
        // mosquitto 2.0.11 answers 3.1.1 with return code 0x02 but 5.0 with a bare 0x80; both must say why.
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("allow_zero_length_clientid false");
        MosquittoBroker strict(options);
        const Status started = strict.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        for (const auto &[version, says] :
             {std::pair{"mqttv311", "identifier rejected (CONNACK 0x02). The broker does not assign client ids; enter one."},
              std::pair{"mqttv5", "Unspecified error (CONNACK 0x80). The client id was empty"}}) {
            const auto run = runProgram(kCli, QStringList{QStringLiteral("pub")} + portArgs(strict.port())
                                                  + QStringList{QStringLiteral("-V"), QLatin1String(version), QStringLiteral("-i"),
                                                                QString(), QStringLiteral("-t"), QStringLiteral("a"),
                                                                QStringLiteral("-m"), QStringLiteral("x")});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains(says), run.err.constData());
        }
    }

    void killedSubscriberKeepsEachMessageExactlyOnce_data()
    {
        QTest::addColumn<QString>("clientId"); // a session of its own at the broker
        QTest::addColumn<QStringList>("limits");
        QTest::addColumn<int>("minimumMidStream");
        // One message at a time: each commit holds one step, and the queue drains slowly enough
        // for ten kills to land in it.
        QTest::newRow("one in flight") << QStringLiteral("kill-test-cli") << QStringList{QStringLiteral("-D"), QStringLiteral("connect"), QStringLiteral("receive-maximum"),
                                                      QStringLiteral("1")}
                                       << 10;
        // mosquitto's 20 in flight: a turn's steps share one commit, so kills land between and
        // inside group commits; the queue drains in a few runs.
        QTest::newRow("twenty in flight, group commits") << QStringLiteral("kill-test-cli-grouped") << QStringList{} << 2;
    }

    void killedSubscriberKeepsEachMessageExactlyOnce()
    {
        QFETCH(QString, clientId);
        QFETCH(QStringList, limits);
        QFETCH(int, minimumMidStream);
        // The subscriber's SUBACK shows in its --trace; later runs go without it (less output).
        constexpr int kMessages = 20000; // a run drains several hundred before its kill lands
        constexpr int kKills = 14;
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("sub.db"));
        const QStringList subArgs = QStringList{QStringLiteral("sub")} + portArgs(m_broker->port())
                                    + QStringList{QStringLiteral("-i"), clientId, QStringLiteral("-c"),
                                                  QStringLiteral("-x"), QStringLiteral("3600"), QStringLiteral("-q"),
                                                  QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("kill/#"),
                                                  QStringLiteral("--store"), store}
                                    + limits;
        QProcess sub;
        QVERIFY(startSubscriber(sub, kCli, subArgs + QStringList{QStringLiteral("--trace")}));

        auto history = [&] {
            SqliteSessionStore reader(store);
            const auto keys = reader.historyKeys().value();
            return keys.empty() ? std::vector<Delivery>()
                                : reader.history(keys.front(), 10 * kMessages).value();
        };
        // The subscriber goes offline; its broker queues every reading for the persistent session.
        killHard(sub);
        QVERIFY(sub.waitForFinished(5000));
        QByteArray lines;
        for (int i = 1; i <= kMessages; ++i)
            lines += QByteArray("reading-") + QByteArray::number(i) + '\n';
        const auto pub = runProgram(QStringLiteral("mosquitto_pub"),
                                    portArgs(m_broker->port()) + QStringList{QStringLiteral("-t"), QStringLiteral("kill/t"),
                                                                             QStringLiteral("-q"), QStringLiteral("2"),
                                                                             QStringLiteral("-l")},
                                    30000, lines);
        QCOMPARE(pub.exitCode, 0);
        // Each run resumes the session and is killed while the queue streams in.
        QRandomGenerator random(7);
        int midStream = 0;
        for (int kill = 0; kill < kKills; ++kill) {
            const std::size_t before = history().size();
            if (before >= std::size_t(kMessages))
                break; // all delivered: no stream left to cut into
            sub.start(kCli, subArgs);
            QVERIFY(sub.waitForStarted());
            QTRY_VERIFY2_WITH_TIMEOUT(history().size() > before || sub.state() == QProcess::NotRunning,
                                      sub.readAllStandardError().right(3000).constData(), 10000);
            QVERIFY2(sub.state() == QProcess::Running, sub.readAllStandardError().constData());
            QTest::qWait(int(random.bounded(15)));
            QVERIFY2(sub.state() == QProcess::Running,
                     qPrintable(QStringLiteral("exited %1: %2").arg(sub.exitCode()).arg(QString::fromUtf8(sub.readAllStandardError()))));
            killHard(sub);
            QVERIFY(sub.waitForFinished(5000));
            QCOMPARE(sub.exitStatus(), QProcess::CrashExit);
            if (history().size() < std::size_t(kMessages))
                ++midStream; // the kill cut into messages still arriving
        }
        sub.start(kCli, subArgs);
        QVERIFY(sub.waitForStarted());
        QVERIFY2(midStream >= minimumMidStream, qPrintable(QStringLiteral("only %1 kills hit a stream in progress").arg(midStream)));

        // Let the last run drain the queue, then read the history the store kept.
        QTRY_VERIFY_WITH_TIMEOUT(history().size() >= std::size_t(kMessages), 60000);
        QTest::qWait(500); // anything delivered twice would show up now
        sub.terminate();
        QVERIFY(sub.waitForFinished(5000));

        const auto deliveries = history();
        std::set<QByteArray> payloads;
        for (const Delivery &d : deliveries)
            QVERIFY2(payloads.insert(d.message.payload).second, d.message.payload.constData()); // never twice
        QCOMPARE(deliveries.size(), std::size_t(kMessages)); // never lost
        QVERIFY(payloads.count("reading-1") && payloads.count("reading-20000"));

        // and `history` prints them
        const auto printed = runProgram(kCli, {QStringLiteral("history"), QStringLiteral("--store"), store, QStringLiteral("--json")});
        QCOMPARE(printed.exitCode, 0);
        const QList<QByteArray> jsonLines = printed.out.trimmed().split('\n');
        QCOMPARE(jsonLines.size(), kMessages);
        const QJsonObject first = QJsonDocument::fromJson(jsonLines.first()).object();
        QCOMPARE(first.value(QStringLiteral("client")).toString(), clientId);
        QCOMPARE(first.value(QStringLiteral("topic")).toString(), QStringLiteral("kill/t"));
        QCOMPARE(first.value(QStringLiteral("qos")).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestCliPubSub)
#include "tst_cli_pubsub.moc"
