// mqttscope-cli proxy as a user runs it: mosquitto_sub and mosquitto_pub as devices, a held
// PUBREL printed with its id and released by typing "release 1", the trace saved as pcap on
// SIGTERM and read by tshark.

#include "mosquitto_fixture.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
constexpr int kWaitMs = 20000;

// Reads the proxy's stdout as it comes, so tests can wait for a line.
struct RunningProxy {
    QProcess process;
    QByteArray out;

    bool waitFor(const QByteArray &text)
    {
        for (QElapsedTimer t; !t.isValid() || t.elapsed() < kWaitMs;) {
            if (!t.isValid())
                t.start();
            out += process.readAllStandardOutput();
            if (out.contains(text))
                return true;
            process.waitForReadyRead(100);
        }
        return false;
    }
    quint16 port() const
    {
        static const QRegularExpression listening(QStringLiteral("Proxy listening on 127\\.0\\.0\\.1:(\\d+)"));
        return quint16(listening.match(QString::fromUtf8(out)).captured(1).toUInt());
    }
};
} // namespace

class TestCliProxy : public QObject
{
    Q_OBJECT

private slots:
    void helpSaysTheDirectionsAndWhatStoreMeans()
    {
        const auto run = runProgram(kCli, {QStringLiteral("proxy"), QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("out = toward the broker (device → broker), in = toward the device"));
        QVERIFY(run.out.contains("--store"));
        const QString help = QString::fromUtf8(run.out).simplified(); // options are wrapped at 80 columns
        QVERIFY(help.contains(QStringLiteral("save the trace of every device to FILE: pcap for .pcap")));
        QVERIFY(help.contains(QStringLiteral("Unlike pub/sub's --store, no session is kept")));
    }

    void heldPubRelReleasedFromStdinAndTraceSavedOnSigterm()
    {
        MosquittoBroker broker;
        const mqs::Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QTemporaryDir dir;
        const QString pcap = dir.filePath(QStringLiteral("device.pcap"));
        RunningProxy proxy;
        proxy.process.start(kCli, {QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                   QStringLiteral("--upstream"), broker.url(), QStringLiteral("--trace"),
                                   QStringLiteral("--fault"), QStringLiteral("hold out PUBREL client dev-pub"),
                                   QStringLiteral("--store"), pcap});
        QVERIFY(proxy.waitFor("Proxy listening on"));
        const QStringList at{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(proxy.port())};
        QProcess sub;
        sub.start(QStringLiteral("mosquitto_sub"), at + QStringList{QStringLiteral("-i"), QStringLiteral("dev-sub"), QStringLiteral("-t"),
                                                                    QStringLiteral("cli/t"), QStringLiteral("-q"), QStringLiteral("2"),
                                                                    QStringLiteral("-C"), QStringLiteral("1")});
        QVERIFY(proxy.waitFor("SUBACK"));
        QProcess pub;
        pub.start(QStringLiteral("mosquitto_pub"), at + QStringList{QStringLiteral("-i"), QStringLiteral("dev-pub"), QStringLiteral("-t"),
                                                                    QStringLiteral("cli/t"), QStringLiteral("-q"), QStringLiteral("2"),
                                                                    QStringLiteral("-m"), QStringLiteral("21.5")});
        QVERIFY(proxy.waitFor("held 1: PUBREL id 1 toward the broker of 'dev-pub' by rule 'hold out PUBREL client dev-pub'"));
        QVERIFY(!pub.waitForFinished(300)); // the device waits for its PUBCOMP
        proxy.process.write("release 1\n");
        QVERIFY(proxy.process.waitForBytesWritten(kWaitMs));
        QVERIFY(pub.waitForFinished(kWaitMs));
        QCOMPARE(pub.exitCode(), 0);
        QVERIFY(sub.waitForFinished(kWaitMs));
        QCOMPARE(sub.readAllStandardOutput(), QByteArray("21.5\n"));
        QVERIFY(proxy.waitFor("device 127.0.0.1"));
        QVERIFY(proxy.waitFor("[released]"));
        QVERIFY2(QString::fromUtf8(proxy.out).contains(QRegularExpression(QStringLiteral("PUBREL id=1 .*\\[released\\]"))),
                 proxy.out.constData());
        QVERIFY(proxy.out.contains("sent CONNECT (MQTT 3.1.1)"));

        ::kill(pid_t(proxy.process.processId()), SIGTERM);
        QVERIFY(proxy.process.waitForFinished(kWaitMs));
        QCOMPARE(proxy.process.exitCode(), 0);
        QVERIFY(proxy.process.readAllStandardError().contains("Trace saved to"));
        auto run = runTshark(pcap, {QStringLiteral("-d"), QStringLiteral("tcp.port==1883,mqtt"), QStringLiteral("-Y"),
                                    QStringLiteral("mqtt.msgtype == 6"), QStringLiteral("-T"), QStringLiteral("fields"),
                                    QStringLiteral("-e"), QStringLiteral("mqtt.msgid")});
        QCOMPARE(run.exitCode, 0);
        // Two PUBRELs: the publisher's, once (its held copy never crossed), and the broker's to the subscriber.
        QCOMPARE(run.out.trimmed(), QByteArray("1\n1"));
        run = runTshark(pcap, {QStringLiteral("-d"), QStringLiteral("tcp.port==1883,mqtt"), QStringLiteral("-Y"),
                               QStringLiteral("_ws.malformed")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.trimmed().isEmpty(), run.out.constData());
    }
};

QTEST_MAIN(TestCliProxy)
#include "tst_cli_proxy.moc"
