// mqttscope-cli capture, run as a user runs it: its exit codes, the sentence a user without the
// right to capture reads, and (as root, as in CI) a real QoS 2 exchange between mosquitto_pub,
// mosquitto and mosquitto_sub captured on the loopback interface.

#include "mosquitto_fixture.h"

#include "trace/capture_decoder.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace mqs;
using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
constexpr int kStartTimeoutMs = 15000;

QStringList qos2Steps(const QString &output, const QString &topic)
{
    QStringList steps;
    for (const QString &line : output.split(QLatin1Char('\n')))
        for (const char *type : {"PUBLISH", "PUBREC", "PUBREL", "PUBCOMP"})
            if (line.contains(QLatin1String(type) + QLatin1Char(' ')) && (!line.contains(QStringLiteral("PUBLISH"))
                                                                        || line.contains(topic)))
                steps << QLatin1String(type);
    return steps;
}
} // namespace

class TestCliCapture : public QObject
{
    Q_OBJECT

private slots:
    void usageErrorsExitTwo()
    {
        QCOMPARE(runProgram(kCli, {QStringLiteral("capture")}).exitCode, 2);
        QCOMPARE(runProgram(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"),
                                   QStringLiteral("--port"), QStringLiteral("70000")}).exitCode, 2);
        QCOMPARE(runProgram(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"),
                                   QStringLiteral("--duration"), QStringLiteral("soon")}).exitCode, 2);
    }

    void noSuchInterfaceExitsOne()
    {
        const auto run = runProgram(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("nosuchif9"),
                                           QStringLiteral("--duration"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("There is no interface nosuchif9 to capture on"), run.err.constData());
    }

    // A user without the right to capture is told the three ways to get it, not libpcap's words alone.
    void withoutTheRightToCaptureSaysWhatToDo()
    {
        if (geteuid() != 0)
            QSKIP("dropping privileges to 'nobody' needs root (CI runs as root)");
        const auto run = runProgram(QStringLiteral("setpriv"),
                                    {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                     QStringLiteral("--clear-groups"), kCli, QStringLiteral("capture"), QStringLiteral("-i"),
                                     QStringLiteral("lo"), QStringLiteral("--duration"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        const QString text = QString::fromUtf8(run.err);
        QVERIFY2(text.contains(QStringLiteral("Capturing on lo needs the right to capture packets, which this user lacks")),
                 qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Run it as root")));
        QVERIFY(text.contains(QStringLiteral("sudo setcap cap_net_raw,cap_net_admin+eip ")));
        QVERIFY(text.contains(QStringLiteral("join a group allowed to capture")));
    }

    // mosquitto_pub → mosquitto → mosquitto_sub at QoS 2, captured on lo: both hops' four steps
    // are printed live, and the saved pcapng holds them too.
    void capturesAQos2ExchangeOnLoopback()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (CI runs as root)");
        MosquittoBroker broker;
        if (const Status started = broker.start(); !started)
            QFAIL(qPrintable(started.sentence()));
        QTemporaryDir dir;
        const QString saved = dir.filePath(QStringLiteral("lo.pcapng"));
        const QString port = QString::number(broker.port());
        QProcess capture;
        capture.start(kCli, {QStringLiteral("capture"), QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("--port"),
                             port, QStringLiteral("--write"), saved});
        QByteArray errText;
        QTRY_VERIFY_WITH_TIMEOUT((errText += capture.readAllStandardError()).contains("Capturing on lo"), kStartTimeoutMs);
        QProcess subscriber;
        subscriber.start(QStringLiteral("mosquitto_sub"), {QStringLiteral("-p"), port, QStringLiteral("-q"), QStringLiteral("2"),
                                                           QStringLiteral("-t"), QStringLiteral("plant/boiler"),
                                                           QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-i"),
                                                           QStringLiteral("dashboard")});
        QTRY_VERIFY_WITH_TIMEOUT(broker.logText().contains(QStringLiteral("dashboard")), kStartTimeoutMs);
        const auto publish = runProgram(QStringLiteral("mosquitto_pub"),
                                        {QStringLiteral("-p"), port, QStringLiteral("-q"), QStringLiteral("2"),
                                         QStringLiteral("-t"), QStringLiteral("plant/boiler"), QStringLiteral("-m"),
                                         QStringLiteral("71.5"), QStringLiteral("-i"), QStringLiteral("boiler")});
        QCOMPARE(publish.exitCode, 0);
        QVERIFY(subscriber.waitForFinished(kStartTimeoutMs));
        QByteArray outText;
        // Both hops: publisher to broker, broker to subscriber, each with its four steps.
        QTRY_VERIFY_WITH_TIMEOUT(qos2Steps(QString::fromUtf8(outText += capture.readAllStandardOutput()),
                                           QStringLiteral("plant/boiler")).size() >= 8,
                                 kStartTimeoutMs);
        capture.terminate();
        QVERIFY(capture.waitForFinished(kStartTimeoutMs));
        QCOMPARE(capture.exitCode(), 0);
        outText += capture.readAllStandardOutput();
        QStringList steps = qos2Steps(QString::fromUtf8(outText), QStringLiteral("plant/boiler"));
        steps.sort(); // the broker forwards before it completes the first hop: the hops interleave
        QCOMPARE(steps, (QStringList{"PUBCOMP", "PUBCOMP", "PUBLISH", "PUBLISH", "PUBREC", "PUBREC", "PUBREL", "PUBREL"}));

        const auto decoded = decodeCapture(saved, broker.port());
        QVERIFY2(decoded.ok(), qPrintable(decoded.sentence()));
        const auto &contents = *decoded;
        QStringList savedSteps;
        for (const CapturedPacket &p : contents.packets)
            savedSteps << captureLine(p);
        QCOMPARE(qos2Steps(savedSteps.join(QLatin1Char('\n')), QStringLiteral("plant/boiler")).size(), 8);
    }
};

QTEST_GUILESS_MAIN(TestCliCapture)
#include "tst_cli_capture.moc"
