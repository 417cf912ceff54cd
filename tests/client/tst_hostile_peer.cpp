// A hostile broker (a QTcpServer in the test) sends malformed and out-of-order packets:
// each case gives the named error, the right DISCONNECT reason, and a clean close.

#include "client/connection.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace mqs;

Q_DECLARE_METATYPE(mqs::ReasonCode)

namespace {

QByteArray bytes(const Packet &p) { return encode(p, ProtocolVersion::V5); }
QByteArray connAck() { return bytes(ConnAck{}); }

Publish publish(quint16 id, QoS qos = QoS::ExactlyOnce, const QString &topic = QStringLiteral("t"))
{
    Publish p;
    p.topic = topic;
    p.qos = qos;
    if (qos != QoS::AtMostOnce)
        p.packetId = id;
    p.payload = "x";
    return p;
}

// Accepts one client, answers its CONNECT with `script`, records what the client sends.
class HostileBroker : public QObject
{
public:
    explicit HostileBroker(QByteArray script) : m_script(std::move(script))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_client = m_server.nextPendingConnection();
            connect(m_client, &QTcpSocket::readyRead, this, [this] {
                const QByteArray chunk = m_client->readAll();
                m_received += chunk;
                if (!m_answered) {
                    m_answered = true;
                    m_client->write(m_script);
                }
            });
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    // Decoded packets the client sent after its CONNECT.
    Packets fromClient() const
    {
        Decoder decoder(ProtocolVersion::V5);
        decoder.feed(m_received);
        Packets packets;
        while (true) {
            auto r = decoder.next();
            if (!std::holds_alternative<DecodedPacket>(r))
                break;
            packets.push_back(std::get<DecodedPacket>(r).packet);
        }
        if (!packets.empty())
            packets.erase(packets.begin()); // the CONNECT
        return packets;
    }
    QTcpSocket *client() const { return m_client; }
    // The CONNECT the client opened with.
    std::optional<Connect> connectPacket() const
    {
        Decoder decoder(ProtocolVersion::V5);
        decoder.feed(m_received);
        const auto r = decoder.next();
        const auto *decoded = std::get_if<DecodedPacket>(&r);
        return decoded && std::holds_alternative<Connect>(decoded->packet) ? std::optional(std::get<Connect>(decoded->packet))
                                                                            : std::nullopt;
    }

private:
    QTcpServer m_server;
    QTcpSocket *m_client = nullptr;
    QByteArray m_script;
    QByteArray m_received;
    bool m_answered = false;
};

} // namespace

class TestHostilePeer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        qRegisterMetaType<SessionEvent>();
        qRegisterMetaType<Delivery>();
    }

    void closesWithTheNamedError_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<ReasonCode>("disconnect"); // what we send before closing
        QTest::addColumn<QString>("says");
        const QByteArray ack = connAck();
        QTest::newRow("malformed CONNACK") << QByteArray::fromHex("20020200") << ReasonCode::MalformedPacket
                                           << QStringLiteral("Acknowledge Flags bits 7-1");
        QTest::newRow("garbage instead of CONNACK") << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n") << ReasonCode::MalformedPacket
                                                    << QStringLiteral("not valid MQTT");
        QTest::newRow("PUBLISH before CONNACK") << bytes(publish(1)) + ack << ReasonCode::ProtocolError
                                               << QStringLiteral("PUBLISH before CONNACK");
        QTest::newRow("second CONNACK") << ack + ack << ReasonCode::ProtocolError << QStringLiteral("second CONNACK");
        QTest::newRow("SUBSCRIBE from the server") << ack + bytes(Subscribe{1, {}, {Subscription{QStringLiteral("a"), {}}}})
                                                   << ReasonCode::ProtocolError << QStringLiteral("a server never sends SUBSCRIBE");
        QTest::newRow("PUBLISH with QoS 3") << ack + QByteArray::fromHex("3605000174000178") << ReasonCode::MalformedPacket
                                            << QStringLiteral("QoS 3");
        QTest::newRow("PUBREL with wrong flags") << ack + QByteArray::fromHex("60020001") << ReasonCode::MalformedPacket
                                                 << QStringLiteral("[MQTT-3.6.1-1]");
        QTest::newRow("bad UTF-8 topic") << ack + QByteArray::fromHex("300500026180ff") << ReasonCode::MalformedPacket
                                         << QStringLiteral("not valid UTF-8");
        Publish aliased = publish(0, QoS::AtMostOnce, QString());
        aliased.properties.set(PropertyId::TopicAlias, quint32(3));
        QTest::newRow("unknown topic alias") << ack + bytes(aliased) << ReasonCode::ProtocolError
                                             << QStringLiteral("never defined that alias");
        QTest::newRow("over our Receive Maximum") << ack + bytes(publish(1)) + bytes(publish(2)) + bytes(publish(3))
                                                  << ReasonCode::ReceiveMaximumExceeded << QStringLiteral("[MQTT-3.3.4-9]");
        QTest::newRow("larger than our maximum packet size") << ack + bytes(Publish{false, QoS::AtMostOnce, false, QStringLiteral("t"),
                                                                                     std::nullopt, {}, QByteArray(2000, 'x')})
                                                             << ReasonCode::PacketTooLarge << QStringLiteral("maximum packet size of 1024");
        QTest::newRow("larger than our maximum packet size names the rule")
            << ack + bytes(Publish{false, QoS::AtMostOnce, false, QStringLiteral("t"), std::nullopt, {}, QByteArray(5000, 'x')})
            << ReasonCode::PacketTooLarge << QStringLiteral("[MQTT-3.1.2-24]");
        QTest::newRow("AUTH without a method") << ack + bytes(Auth{ReasonCode::ContinueAuthentication, {}}) << ReasonCode::ProtocolError
                                               << QStringLiteral("no Authentication Method");
    }
    void closesWithTheNamedError()
    {
        QFETCH(QByteArray, script);
        QFETCH(ReasonCode, disconnect);
        QFETCH(QString, says);
        HostileBroker broker(script);
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("victim");
        s.session.receiveMaximum = 2;
        s.session.maximumPacketSize = 1024;
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const QString error = errors.at(0).at(0).value<Problem>().sentence;
        QVERIFY2(error.contains(says), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Disconnected, 5000);
        // 5.0: we told the peer why before closing
        QTRY_VERIFY_WITH_TIMEOUT(!broker.fromClient().empty(), 3000);
        const Packet last = broker.fromClient().back();
        QVERIFY2(std::holds_alternative<Disconnect>(last), qPrintable(describe(last)));
        QCOMPARE(std::get<Disconnect>(last).reason, disconnect);
        // the violation is in the trace, named
        bool traced = false;
        for (quint64 i = trace.firstSequence(); i < trace.endSequence(); ++i)
            traced = traced || (trace.kindOf(i) == TraceKind::Violation && trace.noteOf(i).contains(says));
        QVERIFY(traced);
    }

    void v5ConnectToA311OnlyBrokerIsRefusedAsSuch()
    {
        // aedes answers a 5.0 CONNECT with a 3.1.1 CONNACK, return code 0x01. It used to read as
        // "Protocol Error (0x82) … reason code 0x01".
        HostileBroker broker(QByteArray::fromHex("20020001"));
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("modern");
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        QSignalSpy events(&c, &Connection::sessionEvent);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const QString error = errors.at(0).at(0).value<Problem>().sentence;
        QVERIFY2(error.contains(QStringLiteral("speaks only MQTT 3.1.1")), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("0x82")), qPrintable(error));
        bool refusedAsUnsupported = false;
        for (const auto &args : events) {
            const auto event = args.at(0).value<SessionEvent>();
            const auto *refused = std::get_if<ConnectionRefused>(&event);
            refusedAsUnsupported = refusedAsUnsupported || (refused && refused->reason == ReasonCode::UnsupportedProtocolVersion);
        }
        QVERIFY(refusedAsUnsupported);
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Disconnected, 5000);
    }

    void byDefaultNoLimitIsAnnouncedAndFiveMegabytesArrive()
    {
        // A Maximum Packet Size of 262,144 used to be announced unasked; brokers then drop larger
        // messages for us without a word ([MQTT-3.1.2-25]).
        const QByteArray fiveMegabytes(5 * 1024 * 1024, 'm');
        HostileBroker broker(connAck() + bytes(Publish{false, QoS::AtMostOnce, false, QStringLiteral("t"), std::nullopt, {}, fiveMegabytes}));
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("big-reader");
        Connection c(s, trace, nullptr);
        QSignalSpy messages(&c, &Connection::messageReceived);
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000);
        QCOMPARE(messages.at(0).at(0).value<Delivery>().message.payload.size(), fiveMegabytes.size());
        QVERIFY(broker.connectPacket());
        QVERIFY(!broker.connectPacket()->properties.contains(PropertyId::MaximumPacketSize));
        QCOMPARE(s.receiveLimit, kDefaultReceiveLimit);
        QCOMPARE(c.state(), ConnectionState::Connected);
        c.close();
    }

    void receiveLimitRefusesWithoutAnnouncingIt()
    {
        HostileBroker broker(connAck() + bytes(Publish{false, QoS::AtMostOnce, false, QStringLiteral("t"), std::nullopt, {}, QByteArray(5000, 'x')}));
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("small-reader");
        s.receiveLimit = 4096;
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000);
        const QString error = errors.at(0).at(0).value<Problem>().sentence;
        QVERIFY2(error.contains(QStringLiteral("receive limit")) && !error.contains(QStringLiteral("[MQTT-3.1.2-24]")), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Disconnected, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!broker.fromClient().empty(), 3000);
        const Packet last = broker.fromClient().back();
        QVERIFY2(std::holds_alternative<Disconnect>(last), qPrintable(describe(last)));
        QCOMPARE(std::get<Disconnect>(last).reason, ReasonCode::PacketTooLarge);
        QVERIFY(!broker.connectPacket()->properties.contains(PropertyId::MaximumPacketSize));
    }

    void survivableMisbehaviourIsAnsweredAndReported()
    {
        // A PUBREL for an id we never saw: answered with PUBCOMP 0x92, the connection lives.
        HostileBroker broker(connAck() + bytes(PubRel{42, ReasonCode::Success, {}}));
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("calm");
        Connection c(s, trace, nullptr);
        QSignalSpy events(&c, &Connection::sessionEvent);
        c.open();
        QTRY_VERIFY_WITH_TIMEOUT(broker.fromClient().size() == 1, 5000);
        QCOMPARE(broker.fromClient().front(), Packet(PubComp{42, ReasonCode::PacketIdentifierNotFound, {}}));
        QCOMPARE(c.state(), ConnectionState::Connected);
        c.close();
    }

    void peerVanishingMidPacketClosesCleanly()
    {
        HostileBroker broker(connAck() + bytes(publish(1)).left(4));
        TraceLog trace;
        ConnectionSettings s;
        s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
        s.clientId = QStringLiteral("cut-short");
        Connection c(s, trace, nullptr);
        QSignalSpy errors(&c, &Connection::errorOccurred);
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 5000);
        QTRY_VERIFY(broker.client());
        broker.client()->abort();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Disconnected, 5000);
        QVERIFY(!errors.isEmpty());
        QVERIFY2(errors.at(0).at(0).value<Problem>().sentence.contains(QStringLiteral("closed the connection")), qPrintable(errors.at(0).at(0).value<Problem>().sentence));
    }
};

QTEST_GUILESS_MAIN(TestHostilePeer)
#include "tst_hostile_peer.moc"
