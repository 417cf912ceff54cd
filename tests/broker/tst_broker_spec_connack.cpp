// The sandbox broker's CONNACK and what it promises there (MQTT 5.0 3.2.2 and the CONNECT
// properties of 3.1.2.11), each test named after the statement it asserts. Sans-IO: BrokerCore
// with raw clients (broker_peer.h), every packet encoded and decoded on the way.

#include "broker_peer.h"

#include "protocol/describe.h"

#include <set>

Q_DECLARE_METATYPE(mqs::Connect)
Q_DECLARE_METATYPE(std::optional<mqs::QoS>)
Q_DECLARE_METATYPE(std::optional<quint32>)

namespace mqs {

namespace {

// 5.0 3.2.2.2, the table of Connect Reason Codes.
const std::set<quint8> kConnectReasonCodes{0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                                           0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};

const ConnAck *connAckOf(BrokerPeers &peers, ClientHandle client)
{
    return BrokerPeers::first<ConnAck>(peers.peer(client).received);
}

Properties sessionExpiry(quint32 seconds)
{
    Properties p;
    p.set(PropertyId::SessionExpiryInterval, seconds);
    return p;
}

Will willOf(QoS qos, bool retain)
{
    return Will{.topic = QStringLiteral("meters/7/status"), .payload = "offline", .qos = qos, .retain = retain};
}

Properties propertiesOf(const PingReq &) { return {}; }
Properties propertiesOf(const PingResp &) { return {}; }
template<typename P>
Properties propertiesOf(const P &packet)
{
    return packet.properties;
}

} // namespace

class TestBrokerSpecConnAck : public QObject
{
    Q_OBJECT

private slots:
    void sessionPresentSaysWhetherTheBrokerHasTheSession_MQTT_3_2_2_3()
    {
        BrokerPeers peers;
        const Connect persistent = connectV5(QStringLiteral("meter-7"), sessionExpiry(3600), false);
        const ClientHandle first = peers.connect(persistent);
        QCOMPARE(connAckOf(peers, first)->reason, ReasonCode::Success);
        QVERIFY(!connAckOf(peers, first)->sessionPresent); // no session yet
        peers.drop(first);
        const ClientHandle second = peers.connect(persistent);
        QCOMPARE(connAckOf(peers, second)->reason, ReasonCode::Success);
        QVERIFY(connAckOf(peers, second)->sessionPresent); // kept for 3600 s

        // Expiry 0: the session ended with its connection, so Clean Start 0 finds none.
        const ClientHandle brief = peers.connect(connectV5(QStringLiteral("meter-8"), {}, false));
        peers.drop(brief);
        const ClientHandle again = peers.connect(connectV5(QStringLiteral("meter-8"), {}, false));
        QVERIFY(!connAckOf(peers, again)->sessionPresent);
        QCOMPARE(connAckOf(peers, again)->reason, ReasonCode::Success);
    }

    void refusingConnAckClosesTheConnection_MQTT_3_2_2_7()
    {
        BrokerPeers peers(BrokerOptions{.maximumQoS = QoS::AtLeastOnce});
        Connect connect = connectV5(QStringLiteral("meter-7"));
        connect.will = willOf(QoS::ExactlyOnce, false);
        const ClientHandle client = peers.connect(connect);
        QVERIFY(isFailure(connAckOf(peers, client)->reason));
        QVERIFY(peers.peer(client).closed);
        // Nothing after the refusal counts ([MQTT-3.1.4-6]).
        QVERIFY(peers.send(client, publishOf(QStringLiteral("meters/7"), QoS::AtLeastOnce, 1)).empty());
    }

    void connAckUsesAConnectReasonCode_MQTT_3_2_2_8_data()
    {
        QTest::addColumn<Connect>("connect");
        QTest::addColumn<bool>("retainAvailable");
        Connect plain = connectV5(QStringLiteral("meter-7"));
        QTest::newRow("accepted") << plain << true;
        Connect qos2Will = plain;
        qos2Will.will = willOf(QoS::ExactlyOnce, false);
        QTest::newRow("will above Maximum QoS") << qos2Will << true;
        Connect retainedWill = plain;
        retainedWill.will = willOf(QoS::AtMostOnce, true);
        QTest::newRow("retained will, retain off") << retainedWill << false;
        Connect authDataOnly = plain;
        authDataOnly.properties.set(PropertyId::AuthenticationData, QByteArray("token"));
        QTest::newRow("Authentication Data without a method") << authDataOnly << true;
    }

    void connAckUsesAConnectReasonCode_MQTT_3_2_2_8()
    {
        QFETCH(Connect, connect);
        QFETCH(bool, retainAvailable);
        BrokerPeers peers(BrokerOptions{.maximumQoS = QoS::AtLeastOnce, .retainAvailable = retainAvailable});
        const ClientHandle client = peers.connect(connect);
        const ConnAck *ack = connAckOf(peers, client);
        QVERIFY(ack);
        QVERIFY2(kConnectReasonCodes.count(reasonValue(ack->reason)), qPrintable(describe(*ack)));
    }

    void maximumQosIsAnnouncedWhenBelowTwo_MQTT_3_2_2_9_data()
    {
        QTest::addColumn<std::optional<QoS>>("maximumQoS");
        QTest::addColumn<std::optional<quint32>>("announced");
        QTest::newRow("QoS 0 only") << std::optional<QoS>(QoS::AtMostOnce) << std::optional<quint32>(0);
        QTest::newRow("up to QoS 1") << std::optional<QoS>(QoS::AtLeastOnce) << std::optional<quint32>(1);
        QTest::newRow("all (absent means 2)") << std::optional<QoS>() << std::optional<quint32>();
    }

    void maximumQosIsAnnouncedWhenBelowTwo_MQTT_3_2_2_9()
    {
        QFETCH(std::optional<QoS>, maximumQoS);
        QFETCH(std::optional<quint32>, announced);
        BrokerPeers peers(BrokerOptions{.maximumQoS = maximumQoS});
        const ClientHandle client = peers.connect(connectV5(QStringLiteral("meter-7")));
        QCOMPARE(connAckOf(peers, client)->properties.integer(PropertyId::MaximumQoS), announced);
    }

    void subscribeAtEveryQosIsAcceptedBelowMaximumQos_MQTT_3_2_2_10()
    {
        for (const QoS maximum : {QoS::AtMostOnce, QoS::AtLeastOnce}) {
            BrokerPeers peers(BrokerOptions{.maximumQoS = maximum});
            const ClientHandle client = peers.connect(connectV5(QStringLiteral("meter-7")));
            const Packets answer = peers.send(client, subscribeTo(1, {Subscription{QStringLiteral("a"), {QoS::AtMostOnce}},
                                                                      Subscription{QStringLiteral("b"), {QoS::AtLeastOnce}},
                                                                      Subscription{QStringLiteral("c"), {QoS::ExactlyOnce}}}));
            const SubAck *ack = BrokerPeers::first<SubAck>(answer);
            QVERIFY(ack);
            QCOMPARE(ack->reasons.size(), 3u);
            for (const ReasonCode granted : ack->reasons) {
                QVERIFY2(!isFailure(granted), qPrintable(describe(*ack)));
                QVERIFY(reasonValue(granted) <= qosValue(maximum));
            }
            QVERIFY(!peers.peer(client).closed);
        }
    }

    void willAboveMaximumQosIsRefusedWith0x9B_MQTT_3_2_2_12()
    {
        BrokerPeers peers(BrokerOptions{.maximumQoS = QoS::AtLeastOnce});
        const ClientHandle watcher = peers.connect(connectV5(QStringLiteral("watcher")));
        peers.send(watcher, subscribeTo(1, {Subscription{QStringLiteral("meters/#"), {QoS::ExactlyOnce}}}));
        Connect connect = connectV5(QStringLiteral("meter-7"));
        connect.will = willOf(QoS::ExactlyOnce, false);
        const ClientHandle client = peers.connect(connect);
        QCOMPARE(connAckOf(peers, client)->reason, ReasonCode::QoSNotSupported);
        QVERIFY(peers.peer(client).closed);
        QVERIFY(peers.publishesTo(watcher).empty()); // no session, so no will either
    }

    void retainedWillWithoutRetainIsRefusedWith0x9A_MQTT_3_2_2_13()
    {
        BrokerPeers peers(BrokerOptions{.retainAvailable = false});
        Connect connect = connectV5(QStringLiteral("meter-7"));
        connect.will = willOf(QoS::AtLeastOnce, true);
        const ClientHandle client = peers.connect(connect);
        QCOMPARE(connAckOf(peers, client)->reason, ReasonCode::RetainNotSupported);
        QVERIFY(peers.peer(client).closed);
        QVERIFY(peers.broker.sessionIds().empty());
    }

    void connAckFitsTheClientsMaximumPacketSize_MQTT_3_2_2_19_MQTT_3_2_2_20()
    {
        // The smallest limit a CONNACK with the broker's announcements still fits: a Reason
        // String or a User Property would not.
        constexpr quint32 kTightLimit = 32;
        for (const bool refused : {false, true}) {
            BrokerPeers peers(BrokerOptions{.maximumQoS = QoS::AtLeastOnce, .retainAvailable = false});
            Properties limit;
            limit.set(PropertyId::MaximumPacketSize, kTightLimit);
            Connect connect = connectV5(QString(), limit); // assigned id: the longest CONNACK
            if (refused)
                connect.will = willOf(QoS::ExactlyOnce, false);
            const ClientHandle client = peers.connect(connect);
            const ConnAck *ack = connAckOf(peers, client);
            QVERIFY(ack);
            QCOMPARE(isFailure(ack->reason), refused);
            QVERIFY(!ack->properties.contains(PropertyId::ReasonString));
            QVERIFY(ack->properties.userProperties().empty());
            QVERIFY2(peers.peer(client).sizes.front() <= kTightLimit, qPrintable(describe(*ack)));
        }
    }

    void withoutServerKeepAliveTheClientsKeepAliveHolds_MQTT_3_2_2_22()
    {
        BrokerPeers peers;
        constexpr quint16 kKeepAlive = 10; // seconds; the broker closes after one and a half times that
        const ClientHandle client = peers.connect(connectV5(QStringLiteral("meter-7"), {}, true, kKeepAlive));
        QVERIFY(!connAckOf(peers, client)->properties.contains(PropertyId::ServerKeepAlive));
        peers.advance(14s);
        QVERIFY(!peers.peer(client).closed);
        QVERIFY(!peers.send(client, PingReq{}).empty()); // a packet restarts the count
        peers.advance(14s);
        QVERIFY(!peers.peer(client).closed);
        peers.advance(2s); // 16 s of silence > 15 s
        QVERIFY(peers.peer(client).closed);
        const Disconnect *why = BrokerPeers::first<Disconnect>(peers.peer(client).received);
        QVERIFY(why);
        QCOMPARE(why->reason, ReasonCode::KeepAliveTimeout);
    }

    void noResponseInformationUnlessRequested_MQTT_3_1_2_28()
    {
        for (const std::optional<quint32> requested : {std::optional<quint32>(0), std::optional<quint32>()}) {
            BrokerPeers peers;
            Properties p;
            if (requested)
                p.set(PropertyId::RequestResponseInformation, *requested);
            const ClientHandle client = peers.connect(connectV5(QStringLiteral("meter-7"), p));
            QCOMPARE(connAckOf(peers, client)->reason, ReasonCode::Success);
            QVERIFY(!connAckOf(peers, client)->properties.contains(PropertyId::ResponseInformation));
        }
    }

    // Request Problem Information 0: no Reason String and no User Property on anything but
    // PUBLISH, CONNACK and DISCONNECT, whatever the broker has to report.
    void noReasonStringsWhenProblemInformationIsDeclined_MQTT_3_1_2_29()
    {
        BrokerPeers peers;
        Properties p;
        p.set(PropertyId::RequestProblemInformation, quint32(0));
        const ClientHandle client = peers.connect(connectV5(QStringLiteral("meter-7"), p));
        peers.send(client, subscribeTo(1, {Subscription{QStringLiteral("meters/#"), {QoS::ExactlyOnce}}}));
        peers.send(client, Unsubscribe{.packetId = 2, .filters = {QStringLiteral("never/subscribed")}});
        peers.send(client, publishOf(QStringLiteral("nobody/listens"), QoS::AtLeastOnce, 3)); // PUBACK 0x10
        peers.send(client, publishOf(QStringLiteral("nobody/listens"), QoS::ExactlyOnce, 4)); // PUBREC 0x10
        peers.send(client, PubRel{.packetId = 4});
        peers.send(client, PubRel{.packetId = 99}); // PUBCOMP 0x92
        peers.send(client, PingReq{});
        const Packets &received = peers.peer(client).received;
        QVERIFY(received.size() >= 8);
        for (const Packet &packet : received) {
            const PacketType type = packetType(packet);
            if (type == PacketType::Publish || type == PacketType::ConnAck || type == PacketType::Disconnect)
                continue;
            const Properties props = std::visit([](const auto &p) { return propertiesOf(p); }, packet);
            QVERIFY2(!props.contains(PropertyId::ReasonString) && props.userProperties().empty(), qPrintable(describe(packet)));
        }
    }
};

} // namespace mqs

QTEST_GUILESS_MAIN(mqs::TestBrokerSpecConnAck)
#include "tst_broker_spec_connack.moc"
