// The proxy between real devices (mosquitto_pub/sub, mqttscope-cli pub/sub) and a real
// mosquitto, over TCP, WebSocket and TLS upstreams: every message arrives exactly once, every
// packet of both hops is traced once on its device's lane, and tshark reads the exported pcap.

#include "proxy_rig.h"

#include "protocol/encoder.h"
#include "trace/trace_text.h"

#include <QRegularExpression>
#include <QTcpSocket>

using namespace mqs;
using namespace mqs::test;

namespace {
constexpr int kMessages = 3;
const QByteArray kLines = "m1\nm2\nm3\n";
constexpr int kWaitMs = 20000; // a device run under a loaded machine

// What a device's lane must hold for kMessages at `qos`, each direction.
std::map<PacketType, int> publisherSent(int qos)
{
    std::map<PacketType, int> m{{PacketType::Connect, 1}, {PacketType::Publish, kMessages}, {PacketType::Disconnect, 1}};
    if (qos == 2)
        m[PacketType::PubRel] = kMessages;
    return m;
}
std::map<PacketType, int> publisherReceived(int qos)
{
    std::map<PacketType, int> m{{PacketType::ConnAck, 1}};
    if (qos == 1)
        m[PacketType::PubAck] = kMessages;
    if (qos == 2)
        m[PacketType::PubRec] = m[PacketType::PubComp] = kMessages;
    return m;
}
// The packets a device says it sent or received, from its own debug output: mosquitto_pub/sub
// -d print "Client ID sending PUBREC (m1, rc0)", mqttscope-cli --trace prints
// "  0.012345  dev-sub → broker 127.0.0.1:1883  PUBREC id=1". What a device says it sent after
// its DISCONNECT is not counted: no packet may follow it [MQTT-3.14.4-1], and mqttscope-cli sub,
// stopping at its -C count, traces PUBCOMPs there that its closed transport never sends.
std::map<PacketType, int> deviceAccount(const QByteArray &output, bool ours, TraceDirection direction)
{
    static const QRegularExpression mosquittoLine(QStringLiteral("^Client \\S+ (sending|received) ([A-Z]+)"));
    static const QRegularExpression ourLine(QStringLiteral("^\\s*[0-9.]+  (.+?) → .*?  ([A-Z]+)\\b"));
    std::map<QString, PacketType> byName;
    for (int t = int(PacketType::Connect); t <= int(PacketType::Auth); ++t)
        byName[packetTypeName(PacketType(t))] = PacketType(t);
    std::map<PacketType, int> count;
    bool disconnected = false;
    for (const QString &line : QString::fromUtf8(output).split(QLatin1Char('\n'))) {
        const auto match = (ours ? ourLine : mosquittoLine).match(line);
        if (!match.hasMatch() || !byName.count(match.captured(2)))
            continue;
        const bool sent = ours ? !match.captured(1).startsWith(QLatin1String("broker")) : match.captured(1) == QLatin1String("sending");
        if (sent == (direction == TraceDirection::Sent) && !(sent && disconnected))
            ++count[byName[match.captured(2)]];
        disconnected = disconnected || (sent && match.captured(2) == QLatin1String("DISCONNECT"));
    }
    return count;
}

bool atMost(const std::map<PacketType, int> &some, std::map<PacketType, int> all)
{
    return std::all_of(some.begin(), some.end(), [&](const auto &entry) { return entry.second <= all[entry.first]; });
}

QString describeCounts(const std::map<PacketType, int> &counts)
{
    QStringList parts;
    for (const auto &[type, n] : counts)
        parts << QStringLiteral("%1×%2").arg(packetTypeName(type)).arg(n);
    return parts.join(QLatin1Char(' '));
}
} // namespace

class TestProxyForwarding : public QObject
{
    Q_OBJECT

private slots:
    void everyMessageOnceEveryPacketOnce_data()
    {
        QTest::addColumn<bool>("ours");
        QTest::addColumn<int>("qos");
        QTest::addColumn<QString>("version");
        QTest::addColumn<Upstream>("upstream");
        for (bool ours : {false, true})
            for (int qos : {0, 1, 2})
                for (const char *version : {"mqttv311", "mqttv5"})
                    QTest::addRow("%s qos%d %s tcp", ours ? "scope" : "mosquitto", qos, version)
                        << ours << qos << QString::fromLatin1(version) << Upstream::Tcp;
        for (bool ours : {false, true})
            for (const char *version : {"mqttv311", "mqttv5"}) {
                QTest::addRow("%s qos2 %s ws", ours ? "scope" : "mosquitto", version)
                    << ours << 2 << QString::fromLatin1(version) << Upstream::WebSocket;
                QTest::addRow("%s qos2 %s tls", ours ? "scope" : "mosquitto", version)
                    << ours << 2 << QString::fromLatin1(version) << Upstream::Tls;
            }
    }
    void everyMessageOnceEveryPacketOnce()
    {
        QFETCH(bool, ours);
        QFETCH(int, qos);
        QFETCH(QString, version);
        QFETCH(Upstream, upstream);
        ProxyRig rig;
        const Status started = rig.start(upstream);
        QVERIFY2(started.ok(), qPrintable(started.sentence()));

        QProcess sub;
        sub.start(programOf(ours), subscriberArguments(ours, rig.hostPort(), QStringLiteral("dev-sub"),
                                                       QStringLiteral("proxy/t"), qos, version, kMessages));
        QTRY_VERIFY_WITH_TIMEOUT(rig.sawPacket(QStringLiteral("dev-sub"), PacketType::SubAck, TraceDirection::Received), kWaitMs);
        QProcess pub;
        pub.start(ours ? QStringLiteral(MQTTSCOPE_CLI) : QStringLiteral("mosquitto_pub"),
                  publisherArguments(ours, rig.hostPort(), QStringLiteral("dev-pub"), QStringLiteral("proxy/t"), qos, version));
        pub.write(kLines);
        pub.closeWriteChannel();
        QTRY_VERIFY_WITH_TIMEOUT(pub.state() == QProcess::NotRunning, kWaitMs);
        QCOMPARE(pub.exitCode(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(sub.state() == QProcess::NotRunning, kWaitMs);
        QCOMPARE(sub.exitCode(), 0);
        const QByteArray subStdout = sub.readAllStandardOutput();
        QByteArray messages; // without mosquitto_sub's -d lines
        for (const QByteArray &line : subStdout.split('\n'))
            if (!line.isEmpty() && !line.startsWith("Client ") && !line.startsWith("Subscribed (mid"))
                messages += line + '\n';
        QCOMPARE(messages, kLines); // each message once, in order

        // Both sides closed: the device lanes are complete.
        QTRY_VERIFY_WITH_TIMEOUT(rig.allDevicesClosed(2), kWaitMs);
        const auto pubLanes = rig.lanesOf(QStringLiteral("dev-pub"));
        const auto subLanes = rig.lanesOf(QStringLiteral("dev-sub"));
        QCOMPARE(pubLanes.size(), 1u);
        QCOMPARE(subLanes.size(), 1u);
        QCOMPARE(describeCounts(rig.crossed(pubLanes[0], TraceDirection::Sent)), describeCounts(publisherSent(qos)));
        QCOMPARE(describeCounts(rig.crossed(pubLanes[0], TraceDirection::Received)), describeCounts(publisherReceived(qos)));
        // The subscriber by its own account: all it sent is on its lane once; all it read came through
        // its lane (a PUBREL that reached it after its DISCONNECT it may never have read).
        const QByteArray subOutput = ours ? sub.readAllStandardError() : subStdout;
        if (qEnvironmentVariableIsSet("PROXY_TEST_DUMP"))
            for (quint64 s = rig.trace.firstSequence(); s < rig.trace.endSequence(); ++s)
                if (rig.trace.connectionOf(s) == subLanes[0])
                    qDebug().noquote() << traceLine(rig.trace, s);
        QCOMPARE(describeCounts(rig.traced(subLanes[0], TraceDirection::Sent)),
                 describeCounts(deviceAccount(subOutput, ours, TraceDirection::Sent)));
        const auto subReceived = rig.crossed(subLanes[0], TraceDirection::Received);
        QVERIFY2(atMost(deviceAccount(subOutput, ours, TraceDirection::Received), subReceived), qPrintable(describeCounts(subReceived)));
        QCOMPARE(subReceived.at(PacketType::Publish), kMessages);
        QCOMPARE(subReceived.count(PacketType::PubRel) ? subReceived.at(PacketType::PubRel) : 0, qos == 2 ? kMessages : 0);
        const QByteArray pubOutput = ours ? pub.readAllStandardError() : pub.readAllStandardOutput();
        QCOMPARE(describeCounts(deviceAccount(pubOutput, ours, TraceDirection::Sent)), describeCounts(publisherSent(qos)));
        QCOMPARE(describeCounts(deviceAccount(pubOutput, ours, TraceDirection::Received)), describeCounts(publisherReceived(qos)));
        QCOMPARE(rig.trace.connection(pubLanes[0])->role, ConnectionRole::Observed);
        QCOMPARE(rig.trace.connection(pubLanes[0])->version, version == QLatin1String("mqttv5") ? ProtocolVersion::V5 : ProtocolVersion::V311);
        QCOMPARE(rig.proxy->forwardedPackets(), quint64(rig.packetsInTrace()));
        // The observer followed both hops and found nothing broken by the devices or mosquitto.
        QCOMPARE(rig.notes(TraceKind::Violation), QStringList{});

        QTemporaryDir dir;
        const QString pcap = rig.exportPcap(dir);
        QVERIFY(!pcap.isEmpty());
        auto run = runTshark(pcap, {QStringLiteral("-d"), QStringLiteral("tcp.port==1883,mqtt"), QStringLiteral("-T"),
                                    QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("mqtt.msgtype"),
                                    QStringLiteral("-Y"), QStringLiteral("mqtt")});
        QCOMPARE(run.exitCode, 0);
        int dissected = 0;
        for (const QByteArray &line : run.out.split('\n'))
            if (!line.isEmpty())
                dissected += int(line.split(',').size());
        QCOMPARE(dissected, rig.packetsInTrace());
        run = runTshark(pcap, {QStringLiteral("-d"), QStringLiteral("tcp.port==1883,mqtt"), QStringLiteral("-Y"),
                               QStringLiteral("_ws.malformed || _ws.expert.severity == error")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.trimmed().isEmpty(), run.out.constData());
    }

    // Devices may reach the proxy over TLS (trusting the proxy's certificate) or WebSocket.
    void devicesOverTlsAndWebSocket()
    {
        ProxyRig rig;
        const Status started = rig.start(Upstream::Tls); // the broker's certificates serve the proxy too
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const TestCertificates &certificates = rig.broker->certificates();
        ProxySettings tls = rig.proxy->settings();
        tls.certificateFile = certificates.serverCertFile; // issued for localhost / 127.0.0.1
        tls.keyFile = certificates.serverKeyFile;
        TraceLog tlsTrace;
        Proxy tlsProxy(tls, rig.rules, tlsTrace);
        QVERIFY(tlsProxy.start().ok());
        ProxySettings ws = rig.proxy->settings();
        ws.webSocketPort = 0;
        TraceLog wsTrace;
        Proxy wsProxy(ws, rig.rules, wsTrace);
        QVERIFY(wsProxy.start().ok());
        QVERIFY(wsProxy.webSocketPort() != 0);

        auto overTls = runProgramAsync(QStringLiteral("mosquitto_pub"),
                                       {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                        QString::number(tlsProxy.port()), QStringLiteral("--cafile"), certificates.caFile,
                                        QStringLiteral("-i"), QStringLiteral("tls-device"), QStringLiteral("-t"),
                                        QStringLiteral("t"), QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-m"),
                                        QStringLiteral("x")});
        QVERIFY2(overTls.exitCode == 0, overTls.err.constData());
        auto overWs = runProgramAsync(QStringLiteral(MQTTSCOPE_CLI),
                                      {QStringLiteral("pub"), QStringLiteral("--url"),
                                       QStringLiteral("ws://127.0.0.1:%1/mqtt").arg(wsProxy.webSocketPort()), QStringLiteral("-i"),
                                       QStringLiteral("ws-device"), QStringLiteral("-t"), QStringLiteral("t"),
                                       QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-m"), QStringLiteral("x")});
        QVERIFY2(overWs.exitCode == 0, overWs.err.constData());
        for (auto [trace, clientId] : {std::pair{&tlsTrace, QStringLiteral("tls-device")}, std::pair{&wsTrace, QStringLiteral("ws-device")}}) {
            const auto lane = std::find_if(trace->connections().begin(), trace->connections().end(),
                                           [&](const TraceConnection &c) { return c.clientId == clientId; });
            QVERIFY2(lane != trace->connections().end(), qPrintable(clientId));
            int pubComps = 0;
            for (quint64 s = trace->firstSequence(); s < trace->endSequence(); ++s)
                pubComps += trace->connectionOf(s) == lane->id && trace->typeOf(s) == PacketType::PubComp
                    && trace->kindOf(s) == TraceKind::Packet;
            QCOMPARE(pubComps, 1);
        }
    }

    // Before CONNECT the lane is the device's address; CONNECT names it by client id.
    void laneNamedByAddressThenClientId()
    {
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QTcpSocket device;
        device.connectToHost(QHostAddress::LocalHost, rig.proxy->port());
        QVERIFY(device.waitForConnected(5000));
        QTRY_COMPARE(rig.proxy->devices().size(), 1u);
        const ProxyDevice accepted = rig.proxy->devices().front();
        const QString address = QStringLiteral("127.0.0.1:%1").arg(device.localPort());
        QCOMPARE(accepted.address, address);
        QCOMPARE(rig.trace.connection(accepted.connection)->localParty, address);
        QCOMPARE(rig.trace.connection(accepted.connection)->remoteParty, QStringLiteral("broker ") + rig.proxy->settings().upstream.toString());
        device.write(encode(Connect{.version = ProtocolVersion::V5, .clientId = QStringLiteral("thermostat")}, ProtocolVersion::V5));
        QTRY_COMPARE(rig.trace.connection(accepted.connection)->localParty, QStringLiteral("thermostat"));
        QTRY_COMPARE(rig.proxy->device(accepted.connection)->state, ProxyDeviceState::Forwarding);
        QTRY_VERIFY(rig.sawPacket(QStringLiteral("thermostat"), PacketType::ConnAck, TraceDirection::Received));
        QCOMPARE(rig.proxy->device(accepted.connection)->version, ProtocolVersion::V5);
    }

    // What the device sends while the broker connection is still opening crosses after it, in order.
    void packetsBeforeUpstreamOpensAreKeptInOrder()
    {
        ProxyRig rig;
        const Status started = rig.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QTcpSocket device;
        device.connectToHost(QHostAddress::LocalHost, rig.proxy->port());
        QVERIFY(device.waitForConnected(5000));
        // CONNECT, SUBSCRIBE and PINGREQ in one write, before the proxy's event loop ran once.
        device.write(encode(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("eager")}, ProtocolVersion::V311)
                     + encode(Subscribe{.packetId = PacketId(7), .subscriptions = {Subscription{.filter = QStringLiteral("x/#")}}},
                              ProtocolVersion::V311)
                     + encode(PingReq{}, ProtocolVersion::V311));
        QTRY_VERIFY(rig.sawPacket(QStringLiteral("eager"), PacketType::PingResp, TraceDirection::Received));
        QVERIFY(rig.sawPacket(QStringLiteral("eager"), PacketType::SubAck, TraceDirection::Received));
        QByteArray answers;
        QTRY_VERIFY((answers += device.readAll(), answers.size() >= 4 + 5 + 2));
        QCOMPARE(quint8(answers.at(0)) >> 4, int(PacketType::ConnAck));
        QCOMPARE(quint8(answers.at(4)) >> 4, int(PacketType::SubAck));
        QCOMPARE(quint8(answers.at(9)) >> 4, int(PacketType::PingResp));
    }
};

QTEST_MAIN(TestProxyForwarding)
#include "tst_proxy_forwarding.moc"
