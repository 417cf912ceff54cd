// Devices and brokers that misbehave, through the proxy to a real mosquitto: garbage and broken
// framing close that device's two sides and no other; a device that breaks a rule of the
// specification is named with the rule's id; a broker that cannot be reached is reported per
// device, and a CONNACK is answered by the proxy only when its settings ask for it.

#include "proxy_rig.h"

#include "protocol/encoder.h"

#include <QSignalSpy>
#include <QTcpSocket>

using namespace mqs;
using namespace mqs::test;

namespace {
constexpr int kWaitMs = 20000;

// A device of our own making on a raw socket, for bytes no real client would send.
struct ScriptedDevice {
    QTcpSocket socket;
    QByteArray received;

    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress::LocalHost, port);
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { received += socket.readAll(); });
        return socket.waitForConnected(5000);
    }
    void send(const Packet &packet, ProtocolVersion version) { socket.write(encode(packet, version)); }
    bool isClosed() const { return socket.state() == QAbstractSocket::UnconnectedState; }
};

std::vector<QString> notesOf(const TraceLog &trace, ConnectionId lane, TraceKind kind)
{
    std::vector<QString> notes;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (trace.connectionOf(s) == lane && trace.kindOf(s) == kind)
            notes.push_back(trace.noteOf(s));
    return notes;
}

bool anyProblem(const QSignalSpy &spy, ConnectionId lane, ProblemKind kind, const QString &containing)
{
    for (const QList<QVariant> &call : spy) {
        const auto problem = call.at(1).value<Problem>();
        if (call.at(0).value<ConnectionId>() == lane && problem.kind == kind && problem.sentence.contains(containing))
            return true;
    }
    return false;
}
} // namespace

class TestProxyBadDevices : public QObject
{
    Q_OBJECT

private slots:
    void garbageClosesThatDeviceAndNoOther()
    {
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QSignalSpy problems(rig.proxy.get(), &Proxy::problem);
        QProcess sub;
        sub.start(QStringLiteral("mosquitto_sub"), subscriberArguments(false, rig.hostPort(), QStringLiteral("good-sub"),
                                                                       QStringLiteral("still/works"), 1,
                                                                       QStringLiteral("mqttv311"), 1));
        QTRY_VERIFY_WITH_TIMEOUT(rig.sawPacket(QStringLiteral("good-sub"), PacketType::SubAck, TraceDirection::Received), kWaitMs);

        ScriptedDevice garbage; // an HTTP client that found the wrong port
        QVERIFY(garbage.connectTo(rig.proxy->port()));
        garbage.socket.write("GET / HTTP/1.1\r\nHost: sensor\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(garbage.isClosed(), kWaitMs);
        QVERIFY(garbage.received.isEmpty());
        const ProxyDevice closed = rig.proxy->devices().back();
        QTRY_COMPARE(rig.proxy->device(closed.connection)->state, ProxyDeviceState::Closed);
        const auto violations = notesOf(rig.trace, closed.connection, TraceKind::Violation);
        QCOMPARE(violations.size(), 1u);
        QVERIFY2(violations.front().contains(QStringLiteral("sent bytes that are not MQTT")), qPrintable(violations.front()));
        QVERIFY(anyProblem(problems, closed.connection, ProblemKind::Protocol, QStringLiteral("not MQTT")));

        const auto pub = runProgramAsync(QStringLiteral("mosquitto_pub"), rig.hostPort() + QStringList{
            QStringLiteral("-t"), QStringLiteral("still/works"), QStringLiteral("-q"), QStringLiteral("1"),
            QStringLiteral("-m"), QStringLiteral("yes")});
        QCOMPARE(pub.exitCode, 0);
        QTRY_VERIFY_WITH_TIMEOUT(sub.state() == QProcess::NotRunning, kWaitMs);
        QVERIFY(sub.readAllStandardOutput().contains("yes\n"));
    }

    // A CONNECT that the broker accepts, then a PUBREL with the wrong fixed-header flags.
    void brokenFramingAfterConnectClosesBothSides()
    {
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        ScriptedDevice device;
        QVERIFY(device.connectTo(rig.proxy->port()));
        device.send(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("bad-flags")}, ProtocolVersion::V311);
        QTRY_VERIFY_WITH_TIMEOUT(device.received.size() >= 4, kWaitMs); // its CONNACK, through the proxy
        device.socket.write(QByteArray::fromHex("60020001")); // PUBREL must have flags 0010 [MQTT-3.6.1-1]
        QTRY_VERIFY_WITH_TIMEOUT(device.isClosed(), kWaitMs);
        const ConnectionId lane = rig.lanesOf(QStringLiteral("bad-flags")).front();
        QTRY_COMPARE(rig.proxy->device(lane)->state, ProxyDeviceState::Closed); // its broker side too
        const auto violations = notesOf(rig.trace, lane, TraceKind::Violation);
        QCOMPARE(violations.size(), 1u);
        QVERIFY2(violations.front().contains(QStringLiteral("PUBREL")), qPrintable(violations.front()));
        QCOMPARE(notesOf(rig.trace, lane, TraceKind::Cut).size(), 1u);
    }

    void deviceBreakingARuleIsNamedWithItsSpecId_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<QString>("ruleId");
        QTest::newRow("5.0") << ProtocolVersion::V5 << QStringLiteral("[MQTT-4.3.3-4]");
        QTest::newRow("3.1.1") << ProtocolVersion::V311 << QStringLiteral("[MQTT-4.3.3-1]");
    }
    void deviceBreakingARuleIsNamedWithItsSpecId()
    {
        QFETCH(ProtocolVersion, version);
        QFETCH(QString, ruleId);
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QSignalSpy problems(rig.proxy.get(), &Proxy::problem);
        ScriptedDevice device;
        QVERIFY(device.connectTo(rig.proxy->port()));
        device.send(Connect{.version = version, .clientId = QStringLiteral("rule-breaker")}, version);
        QTRY_VERIFY_WITH_TIMEOUT(device.received.size() >= 4, kWaitMs);
        device.send(PubRel{.packetId = PacketId(9)}, version); // no PUBLISH, no PUBREC for id 9
        const ConnectionId lane = rig.lanesOf(QStringLiteral("rule-breaker")).front();
        QTRY_VERIFY_WITH_TIMEOUT(!notesOf(rig.trace, lane, TraceKind::Violation).empty(), kWaitMs);
        const QString violation = notesOf(rig.trace, lane, TraceKind::Violation).front();
        QVERIFY2(violation.startsWith(ruleId), qPrintable(violation));
        QVERIFY2(violation.contains(QStringLiteral("client")), qPrintable(violation)); // the device broke it
        QVERIFY(anyProblem(problems, lane, ProblemKind::Protocol, ruleId));
    }

    void unreachableBrokerIsReportedPerDeviceWithoutAConnAck()
    {
        ProxyRig rig;
        ProxySettings settings;
        settings.listenPort = 0;
        settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort())).value();
        QVERIFY(rig.startProxy(settings).ok());
        QSignalSpy problems(rig.proxy.get(), &Proxy::problem);
        ScriptedDevice device;
        QVERIFY(device.connectTo(rig.proxy->port()));
        device.send(Connect{.version = ProtocolVersion::V5, .clientId = QStringLiteral("lonely")}, ProtocolVersion::V5);
        QTRY_VERIFY_WITH_TIMEOUT(device.isClosed(), kWaitMs);
        QVERIFY(device.received.isEmpty()); // nothing invented
        QVERIFY(anyProblem(problems, rig.proxy->devices().front().connection, ProblemKind::Network,
                           QStringLiteral("could not be reached")));
    }

    // A broker that answers the CONNECT with a refusal: the CONNACK reaches the device unchanged,
    // and the refusal is reported for that device, as an unreachable broker is.
    void brokerRefusingADeviceIsReportedForThatDevice()
    {
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QSignalSpy problems(rig.proxy.get(), &Proxy::problem);
        ScriptedDevice device;
        QVERIFY(device.connectTo(rig.proxy->port()));
        // [MQTT-3.1.3-8] an empty client id with Clean Session 0: CONNACK 0x02, identifier rejected
        device.send(Connect{.version = ProtocolVersion::V311, .cleanStart = false}, ProtocolVersion::V311);
        QTRY_VERIFY_WITH_TIMEOUT(device.isClosed(), kWaitMs);
        QCOMPARE(device.received.toHex(), QByteArray("20020002"));
        QTRY_VERIFY_WITH_TIMEOUT(anyProblem(problems, rig.proxy->devices().front().connection, ProblemKind::Refused,
                                            QStringLiteral("refused")),
                                 kWaitMs);
    }

    // A proxy serving devices that reconnect for days keeps a bounded list of closed ones.
    void closedDevicesAreListedUpToABound()
    {
        constexpr int kDevices = 300;
        constexpr std::size_t kListed = 256; // Proxy's kClosedDevicesListed
        ProxyRig rig;
        ProxySettings settings;
        settings.listenPort = 0;
        settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort())).value();
        QVERIFY(rig.startProxy(settings).ok());
        std::vector<std::unique_ptr<ScriptedDevice>> devices;
        for (int i = 0; i < kDevices; ++i) {
            devices.push_back(std::make_unique<ScriptedDevice>());
            QVERIFY(devices.back()->connectTo(rig.proxy->port()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(devices.begin(), devices.end(), [](const auto &d) { return d->isClosed(); }), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(rig.allDevicesClosed(kListed), kWaitMs);
        QCOMPARE(rig.trace.connections().size(), std::size_t(kDevices)); // every lane stays in the trace
    }

    void unreachableBrokerAnswersConnectWhenAsked_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<QByteArray>("connAck");
        QTest::newRow("5.0") << ProtocolVersion::V5 << QByteArray::fromHex("2003008800");
        QTest::newRow("3.1.1") << ProtocolVersion::V311 << QByteArray::fromHex("20020003");
    }
    void unreachableBrokerAnswersConnectWhenAsked()
    {
        QFETCH(ProtocolVersion, version);
        QFETCH(QByteArray, connAck);
        ProxyRig rig;
        ProxySettings settings;
        settings.listenPort = 0;
        settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort())).value();
        settings.synthesizeConnAckOnUpstreamFailure = true;
        QVERIFY(rig.startProxy(settings).ok());
        ScriptedDevice device;
        QVERIFY(device.connectTo(rig.proxy->port()));
        device.send(Connect{.version = version, .clientId = QStringLiteral("answered")}, version);
        QTRY_VERIFY_WITH_TIMEOUT(device.isClosed(), kWaitMs);
        device.received += device.socket.readAll();
        QCOMPARE(device.received.toHex(), connAck.toHex()); // Server unavailable
        const ConnectionId lane = rig.proxy->devices().front().connection;
        const auto notes = notesOf(rig.trace, lane, TraceKind::Note);
        QVERIFY(std::any_of(notes.begin(), notes.end(),
                            [](const QString &n) { return n.contains(QStringLiteral("answered the CONNECT itself")); }));
    }
};

QTEST_MAIN(TestProxyBadDevices)
#include "tst_proxy_bad_devices.moc"
