// Nothing lost without a word, from the command line, against a real mosquitto and a scripted
// broker: pub publishes every -l line and waits for flows an earlier run left in its store; pub
// and sub say what is unfinished when the broker ends the connection; an announced Maximum
// Packet Size is enforced and none is announced by default; sub reconnects and exits when every
// filter is refused; history gives the exact bytes it keeps.

#include "mosquitto_fixture.h"
#include "scripted_broker.h"
#include "store/sqlite_session_store.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace mqs;
using namespace mqs::test;

Q_DECLARE_METATYPE(mqs::ReasonCode)

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);

QStringList to(quint16 port)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)};
}

// Starts `program` and waits until its stderr (or, for mosquitto_sub, which prints nothing, a
// short pause) says it has subscribed.
bool startSubscriber(QProcess &process, const QString &program, const QStringList &arguments)
{
    process.start(program, arguments);
    if (!process.waitForStarted(5000))
        return false;
    if (program != kCli) {
        QTest::qWait(500);
        return true;
    }
    QByteArray err;
    for (int i = 0; i < 100 && !err.contains("SUBACK"); ++i) {
        process.waitForReadyRead(100);
        err += process.readAllStandardError();
    }
    return err.contains("SUBACK");
}

// Waits (keeping this process's event loop going) until the child's stderr contains `text`.
bool waitForStderr(QProcess &process, QByteArray &seen, const QByteArray &text, int timeoutMs = 15000)
{
    QElapsedTimer clock;
    clock.start();
    while (!seen.contains(text) && clock.elapsed() < timeoutMs) {
        QTest::qWait(50);
        seen += process.readAllStandardError();
    }
    return seen.contains(text);
}

QByteArray numberedLines(int count)
{
    QByteArray lines;
    for (int i = 1; i <= count; ++i)
        lines += "line-" + QByteArray::number(i) + '\n';
    return lines;
}

Packet bigPublish(qsizetype bytes)
{
    return Publish{.qos = QoS::AtMostOnce, .topic = QStringLiteral("big"), .payload = QByteArray(bytes, 'x')};
}

bool sentDisconnect(const ScriptedBroker &broker, ReasonCode reason)
{
    const Packets &got = broker.received();
    return !got.empty() && std::holds_alternative<Disconnect>(got.back()) && std::get<Disconnect>(got.back()).reason == reason;
}
} // namespace

class TestCliDelivery : public QObject
{
    Q_OBJECT
    std::unique_ptr<MosquittoBroker> m_broker;

private slots:
    void initTestCase()
    {
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("max_queued_messages 0"); // a slow subscriber loses nothing
        m_broker = std::make_unique<MosquittoBroker>(options);
        const Status started = m_broker->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void pubLinesPublishesEveryLineOfALongInput()
    {
        // 100,000 lines: before, everything past the 10,000th waiting message was refused ("queue limit").
        constexpr int kLines = 100000;
        QProcess counter;
        QVERIFY(startSubscriber(counter, QStringLiteral("mosquitto_sub"),
                                to(m_broker->port()) + QStringList{"-t", "lines/all", "-q", "1", "-C", QString::number(kLines)}));
        const auto pub = runProgram(kCli, QStringList{"pub"} + to(m_broker->port()) + QStringList{"-t", "lines/all", "-q", "1", "-l"},
                                    180000, numberedLines(kLines));
        QVERIFY2(pub.exitCode == 0, pub.err.right(2000).constData());
        QVERIFY2(!pub.err.contains("not published"), pub.err.left(2000).constData());
        QVERIFY(counter.waitForFinished(60000));
        const QList<QByteArray> got = counter.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(got.size(), kLines);
        QCOMPARE(got.first(), QByteArray("line-1"));
        QCOMPARE(got.last(), QByteArray("line-100000"));
    }

    void pubQueueLimitIsAnOption()
    {
        constexpr int kLines = 300;
        QProcess counter;
        QVERIFY(startSubscriber(counter, QStringLiteral("mosquitto_sub"),
                                to(m_broker->port()) + QStringList{"-t", "lines/limit", "-q", "2", "-C", QString::number(kLines)}));
        const auto pub = runProgram(kCli, QStringList{"pub"} + to(m_broker->port())
                                              + QStringList{"-t", "lines/limit", "-q", "2", "-l", "--queue-limit", "3"},
                                    60000, numberedLines(kLines));
        QVERIFY2(pub.exitCode == 0, pub.err.constData());
        QVERIFY(counter.waitForFinished(30000));
        QCOMPARE(counter.readAllStandardOutput().count('\n'), kLines);
        // With -m, a message beyond the limit is refused and said so.
        const auto refused = runProgram(kCli, QStringList{"pub"} + to(m_broker->port())
                                                  + QStringList{"-t", "lines/limit", "-q", "1", "-m", "x", "--repeat", "30",
                                                                "--queue-limit", "2"});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("queue limit"), refused.err.constData());
        const auto bad = runProgram(kCli, {"pub", "-t", "a", "-m", "x", "--queue-limit", "0"});
        QCOMPARE(bad.exitCode, 2);
    }

    void pubWaitsForFlowsRestoredFromTheStore()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("pub.db"));
        const QStringList session = to(m_broker->port())
                                    + QStringList{"-i", "restorer", "-c", "-x", "3600", "-q", "1", "-t", "restore/t", "--store", store};
        // The first run loses its connection right after its PUBLISH: the flow stays in the store.
        const auto first = runProgram(kCli, QStringList{"pub"} + session + QStringList{"-m", "first", "--fault", "cut out PUBLISH"});
        QCOMPARE(first.exitCode, 1);
        QVERIFY2(first.err.contains("1 message(s) not acknowledged: 'restore/t' id 1 AwaitingPubAck"), first.err.constData());
        // The second resends it; its PUBACK comes late, after the new message's.
        const auto second = runProgram(kCli, QStringList{"pub"} + session
                                                 + QStringList{"-m", "second", "--fault", "delay 700ms in PUBACK id 1"});
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QVERIFY2(second.err.contains("1 message(s) an earlier run left unfinished"), second.err.constData());
        QVERIFY2(second.err.contains("restored message on 'restore/t' (id 1) completed"), second.err.constData());
        SqliteSessionStore reader(store);
        const auto loaded =
            reader.load(SessionKey{QStringLiteral("mqtt://127.0.0.1:%1").arg(m_broker->port()), QStringLiteral("restorer")}).value();
        QVERIFY(loaded);
        QVERIFY(std::none_of(loaded->outbound.begin(), loaded->outbound.end(), [](const OutboundFlow &f) { return !isFinished(f.state); }));
    }

    void brokerEndingTheConnectionIsReported_data()
    {
        QTest::addColumn<ReasonCode>("reason");
        QTest::newRow("0x00 normal") << ReasonCode::NormalDisconnection;
        QTest::newRow("0x04 with will") << ReasonCode::DisconnectWithWillMessage;
    }
    void brokerEndingTheConnectionIsReported()
    {
        QFETCH(ReasonCode, reason);
        // pub: the broker leaves at the PUBLISH, unacknowledged.
        ScriptedBroker forPub([reason](const Packet &p) {
            return std::holds_alternative<Publish>(p) ? Packets{Disconnect{reason, {}}} : acceptConnect(p);
        });
        const auto pub = runProgramAsync(kCli, QStringList{"pub"} + to(forPub.port()) + QStringList{"-t", "gone/t", "-q", "1", "-m", "x"});
        QCOMPARE(pub.exitCode, 1);
        QVERIFY2(pub.err.contains("the broker ended the connection"), pub.err.constData());
        QVERIFY2(pub.err.contains(QStringLiteral("The peer disconnected: 0x%1 ").arg(int(reason), 2, 16, QLatin1Char('0')).toUtf8()),
                 pub.err.constData());
        QVERIFY2(pub.err.contains("1 message(s) not acknowledged: 'gone/t' id 1 AwaitingPubAck"), pub.err.constData());
        // sub: the broker leaves between a QoS 2 PUBLISH and its PUBREL.
        ScriptedBroker forSub([reason](const Packet &p) {
            if (const auto *s = std::get_if<Subscribe>(&p))
                return Packets{SubAck{s->packetId, {}, {ReasonCode::GrantedQoS2}},
                               Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("gone/s"), .packetId = PacketId{7}, .payload = "m"},
                               Disconnect{reason, {}}};
            return acceptConnect(p);
        });
        const auto sub = runProgramAsync(kCli, QStringList{"sub"} + to(forSub.port())
                                                   + QStringList{"-t", "gone/#", "-q", "2", "--no-reconnect"});
        QCOMPARE(sub.exitCode, 1);
        QCOMPARE(sub.out, QByteArray("m\n"));
        QVERIFY2(sub.err.contains("the broker ended the connection"), sub.err.constData());
        QVERIFY2(sub.err.contains("1 QoS 2 message(s) received but not released (no PUBREL yet): 'gone/s' id 7"), sub.err.constData());
    }

    void v311OnlyBrokerIsAnsweredWithTheVersionOption()
    {
        // aedes answers a 5.0 CONNECT with the 3.1.1 CONNACK 20 02 00 01 "unacceptable protocol
        // level"; mosquitto_pub then suggests -V mqttv311, and so do we.
        QTcpServer aedesLike;
        QVERIFY(aedesLike.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&aedesLike, &QTcpServer::newConnection, &aedesLike, [&aedesLike] {
            QTcpSocket *client = aedesLike.nextPendingConnection();
            QObject::connect(client, &QTcpSocket::readyRead, client, [client] {
                client->readAll();
                client->write(QByteArray::fromHex("20020001"));
                client->disconnectFromHost();
            });
        });
        const auto pub = runProgramAsync(kCli, QStringList{"pub"} + to(aedesLike.serverPort()) + QStringList{"-t", "t", "-m", "x"});
        QCOMPARE(pub.exitCode, 1);
        QVERIFY2(pub.err.contains("speaks only MQTT 3.1.1"), pub.err.constData());
        QVERIFY2(pub.err.contains("-V mqttv311"), pub.err.constData());
    }

    void resumedSessionWithoutLocalStateSaysHowToKeepIt_MQTT_3_2_2_4()
    {
        // The broker kept the session of an earlier run; this run has no store, so it holds no state.
        ScriptedBroker broker([](const Packet &p) {
            return std::holds_alternative<Connect>(p) ? Packets{ConnAck{true, ReasonCode::Success, {}}} : Packets{};
        });
        const auto pub = runProgramAsync(kCli, QStringList{"pub"} + to(broker.port())
                                                   + QStringList{"-c", "-i", "keeper", "-t", "t", "-q", "1", "-m", "x"});
        QCOMPARE(pub.exitCode, 1);
        QVERIFY2(pub.err.contains("[MQTT-3.2.2-4]"), pub.err.constData());
        QVERIFY2(pub.err.contains("--store FILE"), pub.err.constData());
    }

    void announcedMaximumPacketSizeIsEnforced()
    {
        // -D connect maximum-packet-size 1024 is announced, so a 5,000-byte PUBLISH breaks it.
        ScriptedBroker broker([](const Packet &p) {
            if (const auto *s = std::get_if<Subscribe>(&p))
                return Packets{SubAck{s->packetId, {}, {ReasonCode::GrantedQoS0}}, bigPublish(5000)};
            return acceptConnect(p);
        });
        const auto sub = runProgramAsync(kCli, QStringList{"sub"} + to(broker.port())
                                                   + QStringList{"-t", "big", "--no-reconnect", "-D", "connect",
                                                                 "maximum-packet-size", "1024"});
        QCOMPARE(sub.exitCode, 1);
        QVERIFY2(sub.out.isEmpty(), sub.out.left(100).constData());
        QVERIFY2(sub.err.contains("[MQTT-3.1.2-24]"), sub.err.constData());
        QTRY_VERIFY(sentDisconnect(broker, ReasonCode::PacketTooLarge));
        const Connect &connect = std::get<Connect>(broker.received().front());
        QCOMPARE(connect.properties.integer(PropertyId::MaximumPacketSize), 1024u);
    }

    void noLimitIsAnnouncedByDefaultAndTheReceiveLimitIsSettable()
    {
        ScriptedBroker broker([](const Packet &p) {
            if (const auto *s = std::get_if<Subscribe>(&p))
                return Packets{SubAck{s->packetId, {}, {ReasonCode::GrantedQoS0}}, bigPublish(5000)};
            return acceptConnect(p);
        });
        const auto sub = runProgramAsync(kCli, QStringList{"sub"} + to(broker.port())
                                                   + QStringList{"-t", "big", "--no-reconnect", "--receive-limit", "4096"});
        QCOMPARE(sub.exitCode, 1);
        QVERIFY2(sub.err.contains("receive limit"), sub.err.constData());
        QVERIFY2(!sub.err.contains("[MQTT-3.1.2-24]"), sub.err.constData()); // the broker broke no promise of ours
        QTRY_VERIFY(sentDisconnect(broker, ReasonCode::PacketTooLarge));
        QVERIFY(!std::get<Connect>(broker.received().front()).properties.contains(PropertyId::MaximumPacketSize));
    }

    void aFiveMegabyteMessageArrivesByDefault()
    {
        // With 262,144 announced, mosquitto dropped this message for the subscriber without a word.
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("big.bin")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(5 * 1024 * 1024, 'b'));
        file.close();
        QProcess sub;
        QVERIFY(startSubscriber(sub, kCli, QStringList{"sub"} + to(m_broker->port()) + QStringList{"-t", "big/five", "-C", "1", "-N", "--trace"}));
        const auto pub = runProgram(QStringLiteral("mosquitto_pub"), to(m_broker->port()) + QStringList{"-t", "big/five", "-f", file.fileName()});
        QCOMPARE(pub.exitCode, 0);
        QVERIFY(sub.waitForFinished(15000));
        QCOMPARE(sub.exitCode(), 0);
        QCOMPARE(sub.readAllStandardOutput().size(), 5 * 1024 * 1024);
    }

    void subExitsWhenEveryFilterIsRefused_data()
    {
        // mosquitto 2.0.11 grants every SUBSCRIBE under an acl_file (it checks at delivery), so a
        // scripted broker does the refusing, with each version's code.
        QTest::addColumn<QString>("version");
        QTest::addColumn<ReasonCode>("refusal");
        QTest::newRow("5.0") << QStringLiteral("mqttv5") << ReasonCode::NotAuthorized;
        QTest::newRow("3.1.1") << QStringLiteral("mqttv311") << ReasonCode::UnspecifiedError;
    }
    void subExitsWhenEveryFilterIsRefused()
    {
        QFETCH(QString, version);
        QFETCH(ReasonCode, refusal);
        ScriptedBroker broker([refusal](const Packet &p) {
            if (const auto *s = std::get_if<Subscribe>(&p))
                return Packets{SubAck{s->packetId, {}, std::vector<ReasonCode>(s->subscriptions.size(), refusal)}};
            return acceptConnect(p);
        });
        const auto sub = runProgramAsync(kCli, QStringList{"sub"} + to(broker.port()) + QStringList{"-V", version, "-t", "denied/x", "-t", "denied/y"},
                                         10000);
        QVERIFY2(!sub.timedOut, "sub kept running with every filter refused");
        QCOMPARE(sub.exitCode, 1);
        QVERIFY2(sub.err.contains("the broker refused 'denied/x'") && sub.err.contains("the broker refused 'denied/y'"), sub.err.constData());
        QVERIFY2(sub.err.contains("every filter was refused"), sub.err.constData());
        // One filter granted: it keeps listening.
        ScriptedBroker partly([refusal](const Packet &p) {
            if (const auto *s = std::get_if<Subscribe>(&p))
                return Packets{SubAck{s->packetId, {}, {refusal, ReasonCode::GrantedQoS0}}};
            return acceptConnect(p);
        });
        const auto listening = runProgramAsync(kCli, QStringList{"sub"} + to(partly.port())
                                                         + QStringList{"-V", version, "-t", "denied/x", "-t", "fine/y", "-W", "1"});
        QCOMPARE(listening.exitCode, 0);
        QVERIFY2(!listening.err.contains("every filter was refused"), listening.err.constData());
    }

    void subReconnectsByDefaultAndNoReconnectExits()
    {
        // A first connection that fails still ends the run, as with mosquitto_sub.
        const auto refused = runProgram(kCli, {"sub", "-p", QString::number(freePort()), "-t", "a"}, 10000);
        QVERIFY(!refused.timedOut);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("Connection refused"), refused.err.constData());

        MosquittoBroker own;
        const Status started = own.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QProcess sub;
        QVERIFY(startSubscriber(sub, kCli, QStringList{"sub"} + to(own.port()) + QStringList{"-t", "recon/t", "-q", "1", "-C", "2", "--trace"}));
        QProcess quitter;
        QVERIFY(startSubscriber(quitter, kCli, QStringList{"sub"} + to(own.port()) + QStringList{"-t", "recon/t", "--no-reconnect", "--trace"}));
        QCOMPARE(runProgram(kCli, QStringList{"pub"} + to(own.port()) + QStringList{"-t", "recon/t", "-q", "1", "-m", "before"}).exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(sub.bytesAvailable() > 0, 5000);
        const Status restarted = own.restart();
        QVERIFY2(restarted.ok(), qPrintable(restarted.sentence()));
        QByteArray seen;
        QVERIFY2(waitForStderr(sub, seen, "reconnected."), seen.right(3000).constData());
        QVERIFY2(seen.contains("connection lost; reconnecting with back-off"), seen.right(3000).constData());
        QVERIFY2(waitForStderr(sub, seen, "SUBACK"), seen.right(3000).constData());
        QCOMPARE(runProgram(kCli, QStringList{"pub"} + to(own.port()) + QStringList{"-t", "recon/t", "-q", "1", "-m", "after"}).exitCode, 0);
        QVERIFY(sub.waitForFinished(10000));
        QCOMPARE(sub.exitCode(), 0);
        QCOMPARE(sub.readAllStandardOutput(), QByteArray("before\nafter\n"));
        // --no-reconnect: the restart ended it, with a reason and status 1.
        QVERIFY(quitter.state() == QProcess::NotRunning || quitter.waitForFinished(5000));
        QCOMPARE(quitter.exitCode(), 1);
        const QByteArray why = quitter.readAllStandardError();
        QVERIFY2(why.contains("mqttscope-cli sub: "), why.right(2000).constData());
    }

    void subDrainsAQueueAcrossReceiveMaximumViolations()
    {
        // mosquitto 2.0.11 breaks a Receive Maximum of 5 while draining a persistent session's QoS 2
        // queue; each time we close with 0x93. A persistent subscriber once needed a restart per
        // break; now it reconnects by itself and gets every message exactly once.
        constexpr int kMessages = 30;
        QTemporaryDir dir;
        const QStringList subscriber = QStringList{"sub"} + to(m_broker->port())
                                       + QStringList{"-i", "drainer", "-c", "-x", "600", "-q", "2", "-t", "drain/#", "-D", "connect",
                                                     "receive-maximum", "5", "--store", dir.filePath(QStringLiteral("drainer.db"))};
        QProcess first;
        QVERIFY(startSubscriber(first, kCli, subscriber + QStringList{"--trace"}));
        first.terminate();
        QVERIFY(first.waitForFinished(5000));
        const auto pub = runProgram(QStringLiteral("mosquitto_pub"), to(m_broker->port()) + QStringList{"-t", "drain/t", "-q", "2", "-l"},
                                    15000, numberedLines(kMessages));
        QCOMPARE(pub.exitCode, 0);
        const auto drained = runProgram(kCli, subscriber + QStringList{"-C", QString::number(kMessages)}, 90000);
        QVERIFY2(drained.exitCode == 0, drained.err.right(3000).constData());
        QVERIFY2(drained.err.contains("[MQTT-3.3.4-9]") && drained.err.contains("reconnected."), drained.err.right(3000).constData());
        QCOMPARE(drained.out, numberedLines(kMessages));
    }

    void historyGivesTheExactBytes()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath(QStringLiteral("history.db"));
        const std::vector<std::pair<QString, QByteArray>> messages{
            {QStringLiteral("with space/one"), QByteArray("a\0b\nc d", 7)},
            {QStringLiteral("with space/two"), QByteArray("\xff\xfe raw\\", 7)},
            {QStringLiteral("with space/three"), QByteArray("plain text")},
        };
        QProcess sub;
        QVERIFY(startSubscriber(sub, kCli, QStringList{"sub"} + to(m_broker->port())
                                               + QStringList{"-i", "historian", "-q", "2", "-t", "with space/#", "-C", "3",
                                                             "--store", store, "--trace"}));
        for (const auto &[topic, payload] : messages) {
            QFile file(dir.filePath(QStringLiteral("payload")));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(payload);
            file.close();
            const auto pub = runProgram(kCli, QStringList{"pub"} + to(m_broker->port()) + QStringList{"-t", topic, "-q", "2", "-f", file.fileName()});
            QVERIFY2(pub.exitCode == 0, pub.err.constData());
        }
        QVERIFY(sub.waitForFinished(10000));

        const auto text = runProgram(kCli, {"history", "--store", store});
        QCOMPARE(text.exitCode, 0);
        const QList<QByteArray> lines = text.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].endsWith(" with\\x20space/one a\\x00b\\nc d"), lines[0].constData());
        QVERIFY2(lines[1].endsWith(" with\\x20space/two \\xff\\xfe raw\\\\"), lines[1].constData());
        QVERIFY2(lines[2].endsWith(" with\\x20space/three plain text"), lines[2].constData());

        const auto json = runProgram(kCli, {"history", "--store", store, "--json"});
        QCOMPARE(json.exitCode, 0);
        const QList<QByteArray> objects = json.out.trimmed().split('\n');
        QCOMPARE(objects.size(), 3);
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(objects[qsizetype(i)]).object();
            QCOMPARE(o.value(QStringLiteral("topic")).toString(), messages[i].first);
            const QString encoding = o.value(QStringLiteral("encoding")).toString();
            const QString payload = o.value(QStringLiteral("payload")).toString();
            const QByteArray bytes = encoding == QLatin1String("base64") ? QByteArray::fromBase64(payload.toLatin1()) : payload.toUtf8();
            QCOMPARE(bytes, messages[i].second);
            QCOMPARE(encoding, i == 1 ? QStringLiteral("base64") : QStringLiteral("utf-8"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliDelivery)
#include "tst_cli_delivery.moc"
