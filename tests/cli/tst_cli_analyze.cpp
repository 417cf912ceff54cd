// mqttscope-cli analyze, run as a user runs it: on the mosquitto captures in tests/data (clean,
// exit 0) and on a capture this test writes itself (a QoS 2 flow stalled at PUBREL, a PUBREL for
// nothing, a stream that begins mid-session), with its exit codes and JSON.

#include "capture_builder.h"
#include "mosquitto_fixture.h"

#include "observer/observed_trace.h"
#include "protocol/encoder.h"
#include "trace/trace_export.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
const QString kData = QStringLiteral(MQTTSCOPE_TESTDATA_DIR);
constexpr qint64 kSecondUs = 1'000'000;

// A traced device↔broker connection, written as a capture.
struct CraftedConnection {
    ObservedTrace trace;
    qint64 nowUs = 0;
    void client(const Packet &p, qint64 atUs) { send(ObservedSide::Client, p, atUs); }
    void broker(const Packet &p, qint64 atUs) { send(ObservedSide::Broker, p, atUs); }
    void send(ObservedSide from, const Packet &p, qint64 atUs)
    {
        const ProtocolVersion version = std::holds_alternative<Connect>(p) ? std::get<Connect>(p).version : trace.observer().version();
        trace.packet(from, p, encode(p, version), atUs);
    }
};

Publish reading(quint16 id)
{
    return Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("boiler/pressure"), .packetId = PacketId(id),
                   .payload = QByteArrayLiteral("2.1")};
}

// Stream 0: boiler-12 publishes id 7 at QoS 2; the broker's PUBREC comes, the device's PUBREL never
// does (12 s until the capture ends), and the device sends a PUBREL for id 9 that got no PUBREC.
// Stream 1: a connection whose CONNECT is not in the capture. Stream 2: garbage.
QString writeCraftedCapture(const QTemporaryDir &dir)
{
    TraceLog log;
    CraftedConnection boiler{ObservedTrace(log, {.client = QStringLiteral("10.0.0.5:40000"), .broker = QStringLiteral("10.0.0.1:1883")})};
    boiler.client(Connect{.version = ProtocolVersion::V5, .keepAlive = 60, .clientId = QStringLiteral("boiler-12")}, 0);
    boiler.broker(ConnAck{}, 1000);
    boiler.client(reading(7), 2 * kSecondUs);
    boiler.broker(PubRec{.packetId = 7}, 2 * kSecondUs + 500);
    boiler.client(PubRel{.packetId = 9}, 3 * kSecondUs);
    boiler.broker(PubComp{.packetId = 9}, 3 * kSecondUs + 500);
    boiler.client(PingReq{}, 14 * kSecondUs);
    boiler.broker(PingResp{}, 14 * kSecondUs + 500);
    CraftedConnection late{ObservedTrace(log, {.client = QStringLiteral("10.0.0.6:40001"), .broker = QStringLiteral("10.0.0.1:1883")})};
    late.broker(PubRec{.packetId = 3}, 14 * kSecondUs + 600);
    late.client(PubRel{.packetId = 3}, 14 * kSecondUs + 700);
    late.broker(PubComp{.packetId = 3}, 14 * kSecondUs + 800);
    // Stream 2: bytes that are no MQTT (a reserved packet type) from its first byte on.
    const ConnectionId garbage = log.addConnection(TraceConnection{.role = ConnectionRole::Observed});
    log.append(TraceEvent{.timeUs = 14 * kSecondUs + 900, .connection = garbage, .raw = QByteArray("\x00\x00", 2)});
    const QString path = dir.filePath(QStringLiteral("crafted.pcap"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !writePcap(log, file).ok())
        return QString();
    return path;
}

} // namespace

class TestCliAnalyze : public QObject
{
    Q_OBJECT

private slots:
    void mosquittoCapturesAreClean_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("connections");
        QTest::newRow("qos-v311") << QStringLiteral("mosquitto-qos-v311") << 7;
        QTest::newRow("qos-v5") << QStringLiteral("mosquitto-qos-v5") << 7;
        QTest::newRow("resume-v311") << QStringLiteral("mosquitto-resume-v311") << 5;
        QTest::newRow("resume-v5") << QStringLiteral("mosquitto-resume-v5") << 5;
    }

    void mosquittoCapturesAreClean()
    {
        QFETCH(QString, name);
        QFETCH(int, connections);
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), kData + QLatin1Char('/') + name + QStringLiteral(".pcap"),
                                           QStringLiteral("--port"), QStringLiteral("18831")});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = QString::fromUtf8(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), connections + 1);
        QVERIFY2(lines.last().startsWith(QStringLiteral("summary: %1 connections;").arg(connections)), qPrintable(lines.last()));
        QVERIFY(lines.last().contains(QStringLiteral("unfinished 0 (0 stalled); resends 0; violations 0")));
        QVERIFY(lines.first().contains(QStringLiteral("→ 127.0.0.1:18831  client dash")));
    }

    // Without --port, analyze and decode look for MQTT as the window does: on 1883 and 8883 and in
    // any stream that starts with a CONNECT, so the broker on 18831 is found all the same.
    void withoutAPortStreamsThatStartWithAConnectAreFound_data() { mosquittoCapturesAreClean_data(); }
    void withoutAPortStreamsThatStartWithAConnectAreFound()
    {
        QFETCH(QString, name);
        const QString path = kData + QLatin1Char('/') + name + QStringLiteral(".pcap");
        for (const QString &command : {QStringLiteral("analyze"), QStringLiteral("decode")}) {
            const auto named = runProgram(kCli, {command, path, QStringLiteral("--port"), QStringLiteral("18831")});
            const auto found = runProgram(kCli, {command, path});
            QCOMPARE(found.exitCode, 0);
            QVERIFY2(found.err.isEmpty(), found.err.constData());
            QCOMPARE(found.out, named.out);
        }
    }

    void jsonSummaryOfAMosquittoCapture()
    {
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), kData + QStringLiteral("/mosquitto-qos-v5.pcap"),
                                           QStringLiteral("--port=18831"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        QJsonParseError error;
        const QJsonObject document = QJsonDocument::fromJson(run.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject summary = document.value(QStringLiteral("summary")).toObject();
        QCOMPARE(summary.value(QStringLiteral("connections")).toInt(), 7);
        QCOMPARE(summary.value(QStringLiteral("messages")).toArray(), (QJsonArray{2, 3, 13}));
        QCOMPARE(summary.value(QStringLiteral("completed")).toInt(), 16);
        QCOMPARE(summary.value(QStringLiteral("violations")).toInt(), 0);
        const QJsonArray connections = document.value(QStringLiteral("connections")).toArray();
        QCOMPARE(connections.size(), 7);
        QCOMPARE(connections.at(0).toObject().value(QStringLiteral("client_id")).toString(), QStringLiteral("dashboard-mqttv5"));
        QCOMPARE(connections.at(0).toObject().value(QStringLiteral("version")).toString(), QStringLiteral("5.0"));
    }

    void stallAndViolationInACraftedCapture()
    {
        QTemporaryDir dir;
        const QString capture = writeCraftedCapture(dir);
        QVERIFY(!capture.isEmpty());
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), capture});
        QCOMPARE(run.exitCode, 1);
        const QString out = QString::fromUtf8(run.out);
        // The pcap writer gives each traced connection a loopback address of its own, the broker port 1883.
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral(R"(stream 0  127\.0\.0\.1:\d+ → 127\.0\.0\.1:1883  client boiler-12, MQTT 5\.0)"))),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("stalled: QoS 2 id 7 on boiler/pressure (client → broker) waits for PUBREL from the "
                                             "sender (the client) for 12.0 s [AwaitingPubRel]")),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("violation at 3.000 s: [MQTT-4.3.3-4] PUBREL id 9, which got no PUBREC (the client broke it)")),
                 qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral(
                     R"(stream 1  127\.0\.0\.1:\d+ → 127\.0\.0\.1:1883  no client id seen, read as MQTT 3\.1\.1, began mid-session)"))),
                 qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral(R"(stream 2  127\.0\.0\.1:\d+ → 127\.0\.0\.1:1883  no client id seen, read as MQTT 3\.1\.1  \(no MQTT packet decoded\)\n  error: frame \d+, stream 2, \d+ → 1883: Malformed Packet)"))),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("3 connections;")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("unfinished 1 (1 stalled); resends 0; violations 1; decode errors 1")), qPrintable(out));
    }

    void craftedCaptureAsJson()
    {
        QTemporaryDir dir;
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), writeCraftedCapture(dir), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1);
        const QJsonObject document = QJsonDocument::fromJson(run.out).object();
        const QJsonObject boiler = document.value(QStringLiteral("connections")).toArray().at(0).toObject();
        const QJsonObject stalled = boiler.value(QStringLiteral("unfinished")).toArray().at(0).toObject();
        QCOMPARE(stalled.value(QStringLiteral("id")).toInt(), 7);
        QCOMPARE(stalled.value(QStringLiteral("sender")).toString(), QStringLiteral("client"));
        QCOMPARE(stalled.value(QStringLiteral("state")).toString(), QStringLiteral("AwaitingPubRel"));
        QCOMPARE(stalled.value(QStringLiteral("waiting_for")).toString(), QStringLiteral("PUBREL from the sender"));
        QCOMPARE(stalled.value(QStringLiteral("owed_by")).toString(), QStringLiteral("client"));
        QCOMPARE(stalled.value(QStringLiteral("waited")).toDouble(), 12.0003); // PUBREC at 2.0005 s, the capture's end at 14.0008 s
        QCOMPARE(stalled.value(QStringLiteral("stalled")).toBool(), true);
        const QJsonObject violation = boiler.value(QStringLiteral("violations")).toArray().at(0).toObject();
        QCOMPARE(violation.value(QStringLiteral("rule")).toString(), QStringLiteral("MQTT-4.3.3-4"));
        QCOMPARE(violation.value(QStringLiteral("side")).toString(), QStringLiteral("client"));
        QCOMPARE(violation.value(QStringLiteral("id")).toInt(), 9);
        const QJsonObject late = document.value(QStringLiteral("connections")).toArray().at(1).toObject();
        QCOMPARE(late.value(QStringLiteral("mid_session")).toBool(), true);
        QCOMPARE(late.value(QStringLiteral("completed")).toInt(), 1);
        const QJsonObject summary = document.value(QStringLiteral("summary")).toObject();
        QCOMPARE(summary.value(QStringLiteral("stalls")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("violations")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("problems")).toInt(), 1);
        const QJsonObject broken = document.value(QStringLiteral("connections")).toArray().at(2).toObject();
        QCOMPARE(broken.value(QStringLiteral("problems")).toArray().size(), 1);
    }

    void stallThresholdDecidesTheExitCode()
    {
        QTemporaryDir dir;
        const QString capture = writeCraftedCapture(dir);
        // Waiting 12 s is no stall under a 20 s threshold, but the violation still fails the run.
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), capture, QStringLiteral("--stall-after"), QStringLiteral("20")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(QString::fromUtf8(run.out).contains(QStringLiteral("unfinished: QoS 2 id 7")));
        QVERIFY(QString::fromUtf8(run.out).contains(QStringLiteral("unfinished 1 (0 stalled)")));
    }

    // A 5.0 connection whose CONNECT the capture lacks: its broker's PUBACK carries a reason code,
    // which only 5.0 reads, so analyze reads it as 5.0 and says on what evidence.
    void aMidSessionStreamSaysWhatShowedItsVersion()
    {
        QTemporaryDir dir;
        TraceLog log;
        CraftedConnection pump{ObservedTrace(log, {.client = QStringLiteral("10.0.0.7:40002"), .broker = QStringLiteral("10.0.0.1:1883")})};
        pump.client(PingReq{}, 0);
        pump.broker(PingResp{}, 500);
        pump.client(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("plant/pump"), .packetId = PacketId(5), .payload = "\x01"},
                    kSecondUs);
        pump.broker(PubAck{.packetId = PacketId(5), .reason = ReasonCode::NoMatchingSubscribers}, kSecondUs + 500);
        const QString path = dir.filePath(QStringLiteral("pump.pcap"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && writePcap(log, file).ok());
        file.close();
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), path});
        const QString out = QString::fromUtf8(run.out);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(out.contains(QStringLiteral("no client id seen, read as MQTT 5.0 since its PUBACK (5 bytes) decodes only as 5.0 (as 3.1.1: ")),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("completed 1, failed 0")), qPrintable(out));
        const auto json = runProgram(kCli, {QStringLiteral("analyze"), path, QStringLiteral("--json")});
        const QJsonObject connection =
            QJsonDocument::fromJson(json.out).object().value(QStringLiteral("connections")).toArray().at(0).toObject();
        QCOMPARE(connection.value(QStringLiteral("version")).toString(), QStringLiteral("5.0"));
        QVERIFY(connection.value(QStringLiteral("version_evidence")).toString().startsWith(QStringLiteral("its PUBACK (5 bytes)")));
    }

    // A stream with a TCP gap and a frame the snapshot length cut: analyze says both, as the
    // window's Capture tab does, and decode says them on stderr.
    void gapsAndCutFramesAreSaid()
    {
        QTemporaryDir dir;
        test::CaptureBuilder capture;
        test::TcpConversation c(capture, {test::ipv4(192, 168, 1, 22), 50300}, {test::ipv4(192, 168, 1, 2), 1883});
        c.fromClient(encode(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("valve")}, ProtocolVersion::V311));
        c.fromBroker(encode(ConnAck{}, ProtocolVersion::V311));
        c.lostFromClient(encode(PingReq{}, ProtocolVersion::V311));
        c.fromClient(encode(Publish{.topic = QStringLiteral("plant/valve"), .payload = "open"}, ProtocolVersion::V311), 60);
        const QString path = capture.save(dir.filePath(QStringLiteral("valve.pcap")));
        const auto run = runProgram(kCli, {QStringLiteral("analyze"), path});
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains(QStringLiteral("note: Stream 0 (192.168.1.22:50300 → 192.168.1.2:1883), client → broker: the capture "
                                             "lacks 2 bytes here")),
                 qPrintable(out));
        QVERIFY2(out.contains(QRegularExpression(QStringLiteral("note: .*snapshot length"))), qPrintable(out));
        const auto json = runProgram(kCli, {QStringLiteral("analyze"), path, QStringLiteral("--json")});
        const QJsonArray notes =
            QJsonDocument::fromJson(json.out).object().value(QStringLiteral("summary")).toObject().value(QStringLiteral("notes")).toArray();
        QVERIFY2(notes.size() >= 2, json.out.constData());
        const auto decoded = runProgram(kCli, {QStringLiteral("decode"), path});
        QVERIFY2(decoded.err.contains("note: Stream 0 (192.168.1.22:50300 → 192.168.1.2:1883), client → broker: the capture lacks"),
                 decoded.err.constData());
    }

    void usageErrorsAndUnreadableFiles()
    {
        QCOMPARE(runProgram(kCli, {QStringLiteral("analyze")}).exitCode, 2);
        QCOMPARE(runProgram(kCli, {QStringLiteral("analyze"), QStringLiteral("a.pcap"), QStringLiteral("b.pcap")}).exitCode, 2);
        const auto badPort = runProgram(kCli, {QStringLiteral("analyze"), kData + QStringLiteral("/mosquitto-qos-v5.pcap"),
                                               QStringLiteral("--port"), QStringLiteral("70000")});
        QCOMPARE(badPort.exitCode, 2);
        QVERIFY(QString::fromUtf8(badPort.err).contains(QStringLiteral("--port must be 1 to 65535, not '70000'.")));
        QCOMPARE(runProgram(kCli, {QStringLiteral("analyze"), QStringLiteral("x.pcap"), QStringLiteral("--stall-after=-1")}).exitCode, 2);
        const auto missing = runProgram(kCli, {QStringLiteral("analyze"), QStringLiteral("/nonexistent/night.pcap")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(QString::fromUtf8(missing.err).startsWith(QStringLiteral("mqttscope-cli analyze: ")), missing.err.constData());
        const auto notCapture = runProgram(kCli, {QStringLiteral("analyze"), kData + QStringLiteral("/README.md")});
        QCOMPARE(notCapture.exitCode, 2);
        QVERIFY2(QString::fromUtf8(notCapture.err).contains(QStringLiteral("not a packet capture")), notCapture.err.constData());
        const auto wrongPort = runProgram(kCli, {QStringLiteral("analyze"), kData + QStringLiteral("/mosquitto-qos-v5.pcap"),
                                                 QStringLiteral("--port"), QStringLiteral("1883")});
        QCOMPARE(wrongPort.exitCode, 2);
        QVERIFY2(QString::fromUtf8(wrongPort.err).contains(QStringLiteral("holds no MQTT on TCP port 1883")), wrongPort.err.constData());
        QCOMPARE(runProgram(kCli, {QStringLiteral("analyze"), QStringLiteral("--help")}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestCliAnalyze)
#include "tst_cli_analyze.moc"
