// Connection against a real mosquitto: every QoS, both versions, TCP, WebSocket and TLS,
// fault rules at every step of QoS 2, cuts and resumes, refusals and TLS failures.

#include "client/connection.h"
#include "mosquitto_fixture.h"
#include "protocol/describe.h"
#include "store/memory_session_store.h"
#include "trace/trace_export.h"

#include <QTemporaryDir>

#include <QSignalSpy>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

Q_DECLARE_METATYPE(mqs::ProtocolVersion)
Q_DECLARE_METATYPE(mqs::QoS)

namespace {

ConnectionSettings settingsFor(const QString &url, const QString &clientId, ProtocolVersion version = ProtocolVersion::V5)
{
    ConnectionSettings s;
    s.name = clientId;
    s.url = ServerUrl::parse(url).value();
    s.clientId = clientId;
    s.version = version;
    s.connectTimeoutMs = 5000;
    return s;
}

// The describe() lines of the packets `connection` traced, with their flow state.
QStringList tracedPackets(const TraceLog &trace, ConnectionId connection)
{
    QStringList lines;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        if (trace.connectionOf(s) != connection || trace.kindOf(s) != TraceKind::Packet)
            continue;
        const auto decoded = decodePacket(trace.rawView(s), trace.connection(connection)->version);
        QString line = trace.directionOf(s) == TraceDirection::Sent ? QStringLiteral("> ") : QStringLiteral("< ");
        line += std::holds_alternative<Packet>(decoded) ? describe(std::get<Packet>(decoded)) : QStringLiteral("?");
        if (trace.markOf(s) == TraceMark::Held)
            line += QStringLiteral(" [held]");
        if (trace.markOf(s) == TraceMark::Released)
            line += QStringLiteral(" [released]");
        lines << line;
    }
    return lines;
}

QStringList notesOf(const TraceLog &trace, ConnectionId connection, TraceKind kind)
{
    QStringList notes;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (trace.connectionOf(s) == connection && trace.kindOf(s) == kind)
            notes << trace.noteOf(s);
    return notes;
}

} // namespace

class TestConnection : public QObject
{
    Q_OBJECT

    std::unique_ptr<MosquittoBroker> m_broker;

    void open(Connection &c)
    {
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 10000);
    }

    void subscribe(Connection &c, const QString &filter, QoS qos)
    {
        QSignalSpy acked(&c, &Connection::sessionEvent);
        c.subscribe({Subscription{filter, {qos}}});
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(acked.begin(), acked.end(),
                                             [](const QList<QVariant> &args) {
                                                 return std::holds_alternative<SubscribeAcknowledged>(
                                                     args.at(0).value<SessionEvent>());
                                             }),
                                 5000);
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        qRegisterMetaType<Delivery>();
        qRegisterMetaType<FlowUpdate>();
        qRegisterMetaType<SessionEvent>();
        MosquittoBroker::Options options;
        options.webSocket = true;
        options.tls = true;
        m_broker = std::make_unique<MosquittoBroker>(options);
        const Status started = m_broker->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void publishAndReceiveAtEveryQos_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<QoS>("qos");
        for (const char *scheme : {"mqtt", "ws", "mqtts"})
            for (ProtocolVersion v : {ProtocolVersion::V311, ProtocolVersion::V5})
                for (QoS q : {QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce})
                    QTest::addRow("%s v%d qos%d", scheme, int(v), int(q)) << QString::fromLatin1(scheme) << v << q;
    }
    void publishAndReceiveAtEveryQos()
    {
        QFETCH(QString, scheme);
        QFETCH(ProtocolVersion, version);
        QFETCH(QoS, qos);
        const quint16 port = scheme == QLatin1String("ws") ? m_broker->webSocketPort()
            : scheme == QLatin1String("mqtts")             ? m_broker->tlsPort()
                                                           : m_broker->port();
        const QString url = QStringLiteral("%1://localhost:%2").arg(scheme).arg(port);
        TraceLog trace;
        auto subSettings = settingsFor(url, QStringLiteral("sub-%1").arg(QTest::currentDataTag()).remove(QLatin1Char(' ')), version);
        auto pubSettings = settingsFor(url, QStringLiteral("pub-%1").arg(QTest::currentDataTag()).remove(QLatin1Char(' ')), version);
        subSettings.tls.caFile = pubSettings.tls.caFile = m_broker->certificates().caFile;
        Connection sub(subSettings, trace, nullptr);
        Connection pub(pubSettings, trace, nullptr);
        open(sub);
        open(pub);
        subscribe(sub, QStringLiteral("it/%1/#").arg(scheme), qos);
        QSignalSpy received(&sub, &Connection::messageReceived);
        const auto result = pub.publish(ApplicationMessage{QStringLiteral("it/%1/reading").arg(scheme), "21.5", qos, false, {}});
        QVERIFY2(result.ticket, qPrintable(result.ticket.sentence()));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 5000);
        const auto delivery = received.at(0).at(0).value<Delivery>();
        QCOMPARE(delivery.message.payload, QByteArray("21.5"));
        QCOMPARE(delivery.message.qos, qos);
        if (qos == QoS::ExactlyOnce) {
            // the publisher's four packets, each traced
            QTRY_VERIFY2_WITH_TIMEOUT(tracedPackets(trace, pub.traceId()).filter(QStringLiteral("PUBCOMP")).size() == 1, qPrintable(tracedPackets(trace, pub.traceId()).join(QLatin1Char('\n'))), 5000);
            const QStringList lines = tracedPackets(trace, pub.traceId());
            QVERIFY(lines.filter(QStringLiteral("> PUBLISH id=")).size() == 1);
            QVERIFY(lines.filter(QStringLiteral("< PUBREC id=")).size() == 1);
            QVERIFY(lines.filter(QStringLiteral("> PUBREL id=")).size() == 1);
            QCOMPARE(pub.session().outbound().inflight(), 0);
        }
        pub.close();
        sub.close();
        QTRY_COMPARE(pub.state(), ConnectionState::Disconnected);
    }

    void heldPacketsStallTheFlowUntilReleased_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<FlowState>("stalledIn");
        QTest::newRow("stall at PUBREC") << QStringLiteral("hold in PUBREC") << FlowState::AwaitingPubRec;
        QTest::newRow("stall at PUBREL") << QStringLiteral("hold out PUBREL") << FlowState::AwaitingPubComp;
        QTest::newRow("stall at PUBCOMP") << QStringLiteral("hold in PUBCOMP") << FlowState::AwaitingPubComp;
        QTest::newRow("hold the PUBLISH") << QStringLiteral("hold out PUBLISH") << FlowState::AwaitingPubRec;
    }
    void heldPacketsStallTheFlowUntilReleased()
    {
        QFETCH(QString, rule);
        QFETCH(FlowState, stalledIn);
        TraceLog trace;
        Connection pub(settingsFor(m_broker->url(), QStringLiteral("held-publisher")), trace, nullptr);
        pub.faults().add(FaultRule::parse(rule).value());
        open(pub);
        const auto result = pub.publish(ApplicationMessage{QStringLiteral("held/x"), "1", QoS::ExactlyOnce, false, {}});
        const PacketId id = *result.ticket->packetId;
        QTRY_COMPARE_WITH_TIMEOUT(pub.heldPackets().size(), 1u, 5000);
        QTest::qWait(200); // nothing else moves while it is held
        QCOMPARE(pub.session().flowState(Direction::Outbound, id), stalledIn);
        QVERIFY(tracedPackets(trace, pub.traceId()).filter(QStringLiteral("[held]")).size() == 1);
        QVERIFY(pub.release(pub.heldPackets().front().id));
        QTRY_COMPARE_WITH_TIMEOUT(pub.session().flowState(Direction::Outbound, id), FlowState::None, 5000);
        QCOMPARE(pub.session().outbound().inflight(), 0);
        QVERIFY(tracedPackets(trace, pub.traceId()).filter(QStringLiteral("[released]")).size() == 1);
        pub.close();
    }

    void cutAtEveryStepThenResumeDeliversExactlyOnce_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("resent");
        QTest::newRow("after PUBLISH") << QStringLiteral("cut out PUBLISH limit 1") << QStringLiteral("> PUBLISH id=1 qos=2 dup=1");
        QTest::newRow("after PUBREC") << QStringLiteral("cut in PUBREC limit 1") << QStringLiteral("> PUBREL id=1");
        QTest::newRow("after PUBREL") << QStringLiteral("cut out PUBREL limit 1") << QStringLiteral("> PUBREL id=1");
        QTest::newRow("before PUBCOMP arrives") << QStringLiteral("drop in PUBCOMP limit 1") << QStringLiteral("> PUBREL id=1");
    }
    void cutAtEveryStepThenResumeDeliversExactlyOnce()
    {
        QFETCH(QString, rule);
        QFETCH(QString, resent);
        TraceLog trace;
        const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'));
        auto subSettings = settingsFor(m_broker->url(), QStringLiteral("resume-sub-") + tag);
        Connection sub(subSettings, trace, nullptr);
        open(sub);
        subscribe(sub, QStringLiteral("resume/%1").arg(tag), QoS::ExactlyOnce);
        QSignalSpy received(&sub, &Connection::messageReceived);

        auto pubSettings = settingsFor(m_broker->url(), QStringLiteral("resume-pub-") + tag);
        pubSettings.cleanStart = false;
        pubSettings.sessionExpiry = 600;
        MemorySessionStore store;
        Connection pub(pubSettings, trace, &store);
        pub.faults().add(FaultRule::parse(rule).value());
        open(pub);
        const auto result = pub.publish(ApplicationMessage{QStringLiteral("resume/%1").arg(tag), "once", QoS::ExactlyOnce, false, {}});
        QVERIFY(result.ticket);
        if (rule.startsWith(QLatin1String("drop")))
            QTRY_VERIFY2_WITH_TIMEOUT(tracedPackets(trace, pub.traceId()).filter(QStringLiteral("< PUBCOMP")).size() == 1, qPrintable(tracedPackets(trace, pub.traceId()).join(QLatin1Char('\n'))), 5000);
        else
            QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Disconnected, 5000);
        if (pub.state() == ConnectionState::Connected)
            pub.cut(QStringLiteral("test cuts after the lost PUBCOMP"));
        QTRY_COMPARE_WITH_TIMEOUT(pub.state(), ConnectionState::Disconnected, 5000);
        const int before = tracedPackets(trace, pub.traceId()).size();
        open(pub);
        QTRY_COMPARE_WITH_TIMEOUT(pub.session().outbound().inflight(), 0, 5000);
        const QStringList after = tracedPackets(trace, pub.traceId()).mid(before);
        QVERIFY2(after.filter(resent).size() == 1, qPrintable(after.join(QLatin1Char('\n'))));
        QVERIFY(!notesOf(trace, pub.traceId(), TraceKind::SessionResumed).isEmpty());
        QTest::qWait(300);
        QCOMPARE(received.size(), 1); // exactly once
        pub.close();
        sub.close();
    }

    void realSessionExportsToAPcapTsharkReadsCleanly()
    {
        TraceLog trace;
        Connection sub(settingsFor(m_broker->url(), QStringLiteral("pcap-sub")), trace, nullptr);
        Connection pub(settingsFor(m_broker->url(), QStringLiteral("pcap-pub"), ProtocolVersion::V311), trace, nullptr);
        open(sub);
        open(pub);
        subscribe(sub, QStringLiteral("pcap/#"), QoS::ExactlyOnce);
        QSignalSpy received(&sub, &Connection::messageReceived);
        pub.faults().add(FaultRule::parse(QStringLiteral("hold out PUBREL limit 1")).value());
        for (int i = 0; i < 20; ++i)
            (void)pub.publish(ApplicationMessage{QStringLiteral("pcap/t"), QByteArray::number(i), QoS(i % 3), false, {}});
        QTRY_COMPARE_WITH_TIMEOUT(pub.heldPackets().size(), 1u, 5000);
        pub.release(pub.heldPackets().front().id);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 20, 5000);
        pub.close();
        sub.close();
        QTRY_COMPARE(pub.state(), ConnectionState::Disconnected);
        QTRY_COMPARE(sub.state(), ConnectionState::Disconnected);

        int crossed = 0;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.kindOf(s) == TraceKind::Packet && trace.markOf(s) != TraceMark::Held && trace.markOf(s) != TraceMark::Dropped)
                ++crossed;
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("session.pcap")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(writePcap(trace, file).ok());
        file.close();
        auto run = runTshark(file.fileName(), {QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                                               QStringLiteral("mqtt.msgtype"), QStringLiteral("-Y"), QStringLiteral("mqtt")});
        QCOMPARE(run.exitCode, 0);
        int dissected = 0;
        for (const QByteArray &line : run.out.split('\n'))
            if (!line.isEmpty())
                dissected += int(line.split(',').size());
        QCOMPARE(dissected, crossed);
        run = runTshark(file.fileName(), {QStringLiteral("-Y"), QStringLiteral("_ws.malformed")});
        QVERIFY2(run.out.trimmed().isEmpty(), run.out.constData());
    }

    void refusedConnectionSaysSo()
    {
        TraceLog trace;
        Connection c(settingsFor(QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort()), QStringLiteral("nobody")), trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QVERIFY2(errors.at(0).at(0).value<Problem>().sentence.contains(QStringLiteral("Connection refused")), qPrintable(errors.at(0).at(0).value<Problem>().sentence));
        QTRY_COMPARE(c.state(), ConnectionState::Disconnected);
    }

    void tlsFailuresAreExplained_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("caKind");
        QTest::addColumn<bool>("insecure");
        QTest::addColumn<QString>("says");
        QTest::newRow("no CA given") << QStringLiteral("localhost") << QString() << false << QStringLiteral("not trusted");
        QTest::newRow("wrong CA") << QStringLiteral("localhost") << QStringLiteral("other") << false << QStringLiteral("not trusted");
        QTest::newRow("missing CA file") << QStringLiteral("localhost") << QStringLiteral("missing") << false
                                         << QStringLiteral("does not exist");
        QTest::newRow("insecure connects") << QStringLiteral("localhost") << QString() << true << QString();
    }
    void tlsFailuresAreExplained()
    {
        QFETCH(QString, host);
        QFETCH(QString, caKind);
        QFETCH(bool, insecure);
        QFETCH(QString, says);
        TraceLog trace;
        auto s = settingsFor(QStringLiteral("mqtts://%1:%2").arg(host).arg(m_broker->tlsPort()), QStringLiteral("tls-check"));
        if (caKind == QLatin1String("other"))
            s.tls.caFile = m_broker->certificates().otherCaFile;
        else if (caKind == QLatin1String("missing"))
            s.tls.caFile = QStringLiteral("/nonexistent/ca.crt");
        s.tls.insecure = insecure;
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        if (says.isEmpty()) {
            QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 5000);
            QVERIFY(c.peerDescription().contains(QStringLiteral("INSECURE")));
            c.close();
            return;
        }
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const QString error = errors.at(0).at(0).value<Problem>().sentence;
        QVERIFY2(error.contains(says), qPrintable(error));
        QTRY_COMPARE(c.state(), ConnectionState::Disconnected);
    }

    void hostnameMismatchIsNamed()
    {
        // mosquitto's certificate is for localhost/127.0.0.1; verifying it as another name must fail.
        TraceLog trace;
        auto s = settingsFor(QStringLiteral("mqtts://127.0.0.1:%1").arg(m_broker->tlsPort()), QStringLiteral("tls-name"));
        s.tls.caFile = m_broker->certificates().caFile;
        s.tls.serverName = QStringLiteral("broker.example.org");
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QVERIFY2(errors.at(0).at(0).value<Problem>().sentence.contains(QStringLiteral("not issued for 'broker.example.org'")),
                 qPrintable(errors.at(0).at(0).value<Problem>().sentence));
        // the kind travels with the sentence: the front ends choose their TLS advice by it
        QCOMPARE(errors.at(0).at(0).value<Problem>().kind, ProblemKind::Tls);
        QCOMPARE(c.lastProblem()->kind, ProblemKind::Tls);
    }

    void mosquittoExceedsOurReceiveMaximumWhenDrainingAQueue()
    {
        // A mosquitto 2.0.11 quirk this engine exposes: draining a persistent session's queue, it frees
        // a unit of send quota at PUBREC rather than PUBCOMP, and sends a sixth QoS 2 PUBLISH while five
        // await PUBREL. [MQTT-3.3.4-9] makes that a protocol error; we close with 0x93 and say why.
        TraceLog trace;
        auto s = settingsFor(m_broker->url(), QStringLiteral("rm5-subscriber"));
        s.cleanStart = false;
        s.sessionExpiry = 600;
        s.session.receiveMaximum = 5;
        MemorySessionStore store;
        Connection sub(s, trace, &store);
        open(sub);
        subscribe(sub, QStringLiteral("rm5/#"), QoS::ExactlyOnce);
        sub.close();
        QTRY_COMPARE(sub.state(), ConnectionState::Disconnected);
        Connection pub(settingsFor(m_broker->url(), QStringLiteral("rm5-publisher")), trace, nullptr);
        open(pub);
        for (int i = 0; i < 30; ++i)
            (void)pub.publish(ApplicationMessage{QStringLiteral("rm5/x"), QByteArray::number(i), QoS::ExactlyOnce, false, {}});
        QTRY_COMPARE_WITH_TIMEOUT(pub.session().outbound().inflight(), 0, 5000);
        QSignalSpy errors(&sub, &Connection::errorOccurred);
        sub.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        QVERIFY2(errors.at(0).at(0).value<Problem>().sentence.contains(QStringLiteral("more than our Receive Maximum of 5 [MQTT-3.3.4-9]")),
                 qPrintable(errors.at(0).at(0).value<Problem>().sentence));
        QVERIFY(tracedPackets(trace, sub.traceId()).contains(QStringLiteral("> DISCONNECT 0x93 Receive Maximum exceeded")));
        pub.close();
    }

    void maximumQosAndPacketSizeOfMosquittoAreHonoured()
    {
        TraceLog trace;
        Connection c(settingsFor(m_broker->url(), QStringLiteral("limits")), trace, nullptr);
        open(c);
        // mosquitto 2.0.11 announces Receive Maximum 20: our window is bounded by it
        QCOMPARE(c.session().link().peerReceiveMaximum, quint16(20));
        QCOMPARE(c.session().link().peerTopicAliasMaximum, quint16(10));
        c.close();
    }
};

QTEST_GUILESS_MAIN(TestConnection)
#include "tst_connection.moc"
