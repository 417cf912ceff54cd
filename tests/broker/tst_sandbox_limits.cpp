// The sandbox broker's limits and refusals on a real loopback port: the CONNECT deadline, the
// Maximum Packet Size, reading nothing after deciding to close, CONNACK 0x01 for an old
// protocol level, and the CLI's --maximum-qos and --no-retain as mosquitto clients see them.

#include "broker/sandbox_broker.h"
#include "mosquitto_fixture.h"
#include "protocol/encoder.h"
#include "trace/trace_text.h"

#include <QProcess>
#include <QTcpSocket>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

QStringList at(quint16 port)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)};
}

QStringList linesWith(const TraceLog &trace, const QString &text)
{
    QStringList lines;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (const QString line = traceLine(trace, s); line.contains(text))
            lines << line;
    return lines;
}

bool connectRaw(QTcpSocket &socket, const SandboxBroker &broker)
{
    socket.connectToHost(QStringLiteral("127.0.0.1"), broker.port());
    for (int i = 0; i < 200 && socket.state() != QAbstractSocket::ConnectedState; ++i)
        QTest::qWait(10);
    return socket.state() == QAbstractSocket::ConnectedState;
}

Connect connectAs(const QString &clientId)
{
    Connect c;
    c.clientId = clientId;
    return c;
}

// mqttscope-cli broker with `options` on a free port; its port, or 0.
quint16 startCliBroker(QProcess &broker, const QStringList &options)
{
    broker.start(QStringLiteral(MQTTSCOPE_CLI), QStringList{QStringLiteral("broker"), QStringLiteral("--port"), QStringLiteral("0")} + options);
    if (!broker.waitForReadyRead(5000))
        return 0;
    return quint16(QString::fromUtf8(broker.readLine()).trimmed().section(QLatin1Char(':'), -1).toUInt());
}

} // namespace

class TestSandboxLimits : public QObject
{
    Q_OBJECT

private slots:
    void aSilentConnectionIsClosedAtTheConnectDeadline()
    {
        TraceLog trace;
        SandboxBroker::Options options;
        options.connectTimeoutMs = 300;
        SandboxBroker broker(options, &trace);
        QVERIFY(broker.start().ok());
        QTcpSocket silent;
        QVERIFY(connectRaw(silent, broker));
        silent.write(QByteArray::fromHex("10")); // the first byte of a CONNECT, then nothing
        QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 3000);
        QCOMPARE(linesWith(trace, QStringLiteral("No complete CONNECT within 300 ms")).size(), 1);
    }

    void aHugePacketClaimIsRefusedBeforeItIsBuffered()
    {
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        QTcpSocket claimant;
        QVERIFY(connectRaw(claimant, broker));
        // PUBLISH claiming 268,435,455 bytes, above the announced 1 MiB
        claimant.write(QByteArray::fromHex("30ffffff7f") + QByteArray(64 * 1024, 'x'));
        QTRY_COMPARE_WITH_TIMEOUT(claimant.state(), QAbstractSocket::UnconnectedState, 3000);
        QVERIFY2(!linesWith(trace, QStringLiteral("0x95")).isEmpty(), qPrintable(linesWith(trace, QStringLiteral("valid")).join('\n')));
    }

    void nothingInTheSameReadIsProcessedAfterTheDecisionToClose()
    {
        TraceLog trace;
        SandboxBroker broker({}, &trace);
        QVERIFY(broker.start().ok());
        QTcpSocket rogue;
        QVERIFY(connectRaw(rogue, broker));
        // CONNECT, a second CONNECT (Protocol Error [MQTT-3.1.0-2]), a CONNECT under a new id
        rogue.write(encode(connectAs(QStringLiteral("rogue")), ProtocolVersion::V5) + encode(connectAs(QStringLiteral("rogue")), ProtocolVersion::V5)
                    + encode(connectAs(QStringLiteral("impostor")), ProtocolVersion::V5));
        QTRY_COMPARE_WITH_TIMEOUT(rogue.state(), QAbstractSocket::UnconnectedState, 3000);
        QVERIFY(broker.core().sessionIds().empty());
        QVERIFY(linesWith(trace, QStringLiteral("impostor")).isEmpty()); // not even read
    }

    void anOldProtocolLevelGetsConnAck0x01_MQTT_3_1_2_2()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        const auto run = runProgramAsync(QStringLiteral("mosquitto_pub"),
                                         at(broker.port()) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv31"), QStringLiteral("-t"),
                                                                         QStringLiteral("a"), QStringLiteral("-m"), QStringLiteral("x")});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains("unacceptable protocol version"), run.err.constData());
    }

    void cliNoRetainIsAnnouncedAndRetainedWillsAreRefused_MQTT_3_2_2_13()
    {
        QProcess cli;
        const quint16 port = startCliBroker(cli, {QStringLiteral("--no-retain")});
        QVERIFY(port);
        // libmosquitto reads Retain Available 0 in CONNACK and clears RETAIN itself ([MQTT-3.2.2-14])
        QCOMPARE(runProgram(QStringLiteral("mosquitto_pub"), at(port) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-r"),
                                                                                  QStringLiteral("-t"), QStringLiteral("a"), QStringLiteral("-m"),
                                                                                  QStringLiteral("x")})
                     .exitCode,
                 0);
        const auto late = runProgram(QStringLiteral("mosquitto_sub"), at(port) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"),
                                                                                             QStringLiteral("-t"), QStringLiteral("a"),
                                                                                             QStringLiteral("-W"), QStringLiteral("1")});
        QCOMPARE(late.out, QByteArray()); // nothing was retained
        const auto will = runProgram(QStringLiteral("mosquitto_sub"),
                                     at(port) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-t"), QStringLiteral("a"),
                                                            QStringLiteral("--will-topic"), QStringLiteral("w"), QStringLiteral("--will-payload"),
                                                            QStringLiteral("gone"), QStringLiteral("--will-retain"), QStringLiteral("-W"),
                                                            QStringLiteral("2")});
        QVERIFY2(will.err.contains("Retain not supported"), will.err.constData()); // [MQTT-3.2.2-13]
        cli.terminate();
        QVERIFY(cli.waitForFinished(5000));
    }

    void cliMaximumQosRefusesAWillAboveIt_MQTT_3_2_2_12()
    {
        QProcess cli;
        const quint16 port = startCliBroker(cli, {QStringLiteral("--maximum-qos"), QStringLiteral("1")});
        QVERIFY(port);
        const auto will = runProgram(QStringLiteral("mosquitto_sub"),
                                     at(port) + QStringList{QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-t"), QStringLiteral("a"),
                                                            QStringLiteral("--will-topic"), QStringLiteral("w"), QStringLiteral("--will-payload"),
                                                            QStringLiteral("gone"), QStringLiteral("--will-qos"), QStringLiteral("2"),
                                                            QStringLiteral("-W"), QStringLiteral("2")});
        QVERIFY2(will.err.contains("QoS not supported"), will.err.constData());
        cli.terminate();
        QVERIFY(cli.waitForFinished(5000));
    }
};

QTEST_GUILESS_MAIN(TestSandboxLimits)
#include "tst_sandbox_limits.moc"
