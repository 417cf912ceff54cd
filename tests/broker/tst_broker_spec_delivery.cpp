// How the sandbox broker delivers (MQTT 5.0 3.3.4, 4.3.3, 4.6 and the Topic Alias Maximum of
// 3.1.2.11): each test named after the statement it asserts. Sans-IO: BrokerCore with raw clients
// (broker_peer.h) where a client must stay silent, Session clients (broker_wire.h) where it
// must acknowledge as a client does.

#include "broker_peer.h"
#include "broker_wire.h"

#include "protocol/describe.h"

#include <QList>

namespace mqs {

namespace {

Properties with(PropertyId id, quint32 value)
{
    Properties p;
    p.set(id, value);
    return p;
}

const QStringList kRooms{QStringLiteral("kitchen"), QStringLiteral("hall"), QStringLiteral("attic"), QStringLiteral("cellar"),
                         QStringLiteral("garage")};

// Each room's temperature twice, to a subscriber of "home/#" whose CONNECT says `properties`.
std::vector<Publish> deliveredToAliasingCandidate(const Properties &properties)
{
    BrokerPeers peers;
    const ClientHandle subscriber = peers.connect(connectV5(QStringLiteral("display"), properties));
    peers.send(subscriber, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::AtMostOnce}}}));
    const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
    for (int round = 0; round < 2; ++round)
        for (const QString &room : kRooms)
            peers.send(sensor, publishOf(QStringLiteral("home/%1/temperature").arg(room), QoS::AtMostOnce, 0));
    return peers.publishesTo(subscriber);
}

} // namespace

class TestBrokerSpecDelivery : public QObject
{
    Q_OBJECT

private slots:
    void topicAliasesStayWithinTheClientsMaximum_MQTT_3_1_2_26()
    {
        const std::vector<Publish> received = deliveredToAliasingCandidate(with(PropertyId::TopicAliasMaximum, 2));
        QCOMPARE(received.size(), std::size_t(2 * kRooms.size()));
        for (const Publish &p : received) {
            const auto alias = p.properties.integer(PropertyId::TopicAlias);
            QVERIFY2(!alias || (*alias >= 1 && *alias <= 2), qPrintable(describe(p)));
            QVERIFY(!p.topic.isEmpty() || alias);
        }
    }

    void noTopicAliasesWhenTheClientAllowsNone_MQTT_3_1_2_27()
    {
        for (const Properties &announced : {Properties{}, with(PropertyId::TopicAliasMaximum, 0)}) {
            const std::vector<Publish> received = deliveredToAliasingCandidate(announced);
            QCOMPARE(received.size(), std::size_t(2 * kRooms.size()));
            for (const Publish &p : received) {
                QVERIFY2(!p.properties.contains(PropertyId::TopicAlias), qPrintable(describe(p)));
                QVERIFY(p.topic.startsWith(QStringLiteral("home/")));
            }
        }
    }

    void overlappingSubscriptionsDeliverAtTheirHighestQos_MQTT_3_3_4_2()
    {
        BrokerPeers peers;
        const ClientHandle display = peers.connect(connectV5(QStringLiteral("display")));
        peers.send(display, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::AtLeastOnce}},
                                            Subscription{QStringLiteral("home/+/temperature"), {QoS::ExactlyOnce}},
                                            Subscription{QStringLiteral("home/kitchen/temperature"), {QoS::AtMostOnce}}}));
        const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
        peers.send(sensor, publishOf(QStringLiteral("home/kitchen/temperature"), QoS::ExactlyOnce, 1));
        const std::vector<Publish> received = peers.publishesTo(display);
        QCOMPARE(received.size(), 1u); // one copy, not one per subscription
        QCOMPARE(received.front().qos, QoS::ExactlyOnce);
    }

    void overlappingSubscriptionsSendAllTheirIdentifiers_MQTT_3_3_4_3_MQTT_3_3_4_4()
    {
        BrokerPeers peers;
        const ClientHandle display = peers.connect(connectV5(QStringLiteral("display")));
        peers.send(display, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::AtLeastOnce}}},
                                        with(PropertyId::SubscriptionIdentifier, 7)));
        peers.send(display, subscribeTo(2, {Subscription{QStringLiteral("home/+/temperature"), {QoS::AtLeastOnce}}},
                                        with(PropertyId::SubscriptionIdentifier, 9)));
        peers.send(display, subscribeTo(3, {Subscription{QStringLiteral("home/kitchen/temperature"), {QoS::AtLeastOnce}}}));
        const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
        peers.send(sensor, publishOf(QStringLiteral("home/kitchen/temperature"), QoS::AtLeastOnce, 1));
        peers.send(sensor, publishOf(QStringLiteral("home/kitchen/humidity"), QoS::AtLeastOnce, 2));
        const std::vector<Publish> received = peers.publishesTo(display);
        QCOMPARE(received.size(), 2u);
        std::vector<quint32> both = received[0].properties.subscriptionIdentifiers();
        std::sort(both.begin(), both.end()); // their order is not significant
        QCOMPARE(both, (std::vector<quint32>{7, 9}));
        QCOMPARE(received[1].properties.subscriptionIdentifiers(), std::vector<quint32>{7});
    }

    // With the client's Receive Maximum used up, the broker holds back PUBLISHes only.
    void quotaHoldsBackPublishesOnly_MQTT_3_3_4_10()
    {
        BrokerPeers peers;
        const ClientHandle display = peers.connect(connectV5(QStringLiteral("display"), with(PropertyId::ReceiveMaximum, 1)));
        peers.send(display, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::AtLeastOnce}}}));
        const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
        peers.send(sensor, publishOf(QStringLiteral("home/hall"), QoS::AtLeastOnce, 1, "first"));
        peers.send(sensor, publishOf(QStringLiteral("home/hall"), QoS::AtLeastOnce, 2, "second"));
        QCOMPARE(peers.publishesTo(display).size(), 1u); // quota 0 now

        QVERIFY(BrokerPeers::first<PingResp>(peers.send(display, PingReq{})));
        QVERIFY(BrokerPeers::first<SubAck>(peers.send(display, subscribeTo(2, {Subscription{QStringLiteral("office/#"), {QoS::AtLeastOnce}}}))));
        QVERIFY(BrokerPeers::first<UnsubAck>(peers.send(display, Unsubscribe{.packetId = 3, .filters = {QStringLiteral("office/#")}})));
        QVERIFY(BrokerPeers::first<PubAck>(peers.send(display, publishOf(QStringLiteral("office/door"), QoS::AtLeastOnce, 4))));
        QVERIFY(BrokerPeers::first<PubRec>(peers.send(display, publishOf(QStringLiteral("office/door"), QoS::ExactlyOnce, 5))));
        QVERIFY(BrokerPeers::first<PubComp>(peers.send(display, PubRel{.packetId = 5})));
        QCOMPARE(peers.publishesTo(display).size(), 1u);

        const PacketId first = *peers.publishesTo(display).front().packetId;
        const Packets released = peers.send(display, PubAck{.packetId = first});
        QCOMPARE(released.size(), 1u);
        QCOMPARE(std::get<Publish>(released.front()).payload, QByteArray("second"));
    }

    // The broker as the receiver of a QoS 2 message whose Message Expiry Interval runs out before
    // the PUBREL: the copy queued for an offline subscriber expires, and the publisher's handshake
    // still completes.
    void qos2HandshakeCompletesAfterExpiry_MQTT_4_3_3_13_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("method A") << int(InboundMethod::A);
        QTest::newRow("method B") << int(InboundMethod::B);
    }

    void qos2HandshakeCompletesAfterExpiry_MQTT_4_3_3_13()
    {
        QFETCH(int, method);
        BrokerPeers peers(BrokerOptions{.inboundMethod = InboundMethod(method)});
        const Connect persistent = connectV5(QStringLiteral("display"), with(PropertyId::SessionExpiryInterval, 3600), false);
        const ClientHandle away = peers.connect(persistent);
        peers.send(away, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::ExactlyOnce}}}));
        peers.drop(away);

        const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
        const Packets recorded = peers.send(sensor, publishOf(QStringLiteral("home/hall"), QoS::ExactlyOnce, 42, "22.5",
                                                              with(PropertyId::MessageExpiryInterval, 1)));
        QVERIFY(BrokerPeers::first<PubRec>(recorded));
        QCOMPARE(BrokerPeers::first<PubRec>(recorded)->packetId, PacketId(42));
        peers.advance(5s); // the message is 4 s past its expiry

        const Packets completed = peers.send(sensor, PubRel{.packetId = 42});
        const PubComp *comp = BrokerPeers::first<PubComp>(completed);
        QVERIFY2(comp, qPrintable(QStringLiteral("%1 packets").arg(completed.size())));
        QCOMPARE(comp->packetId, PacketId(42));
        QCOMPARE(comp->reason, ReasonCode::Success);

        const ClientHandle back = peers.connect(persistent);
        QVERIFY(BrokerPeers::first<ConnAck>(peers.peer(back).received)->sessionPresent);
        QVERIFY(peers.publishesTo(back).empty()); // expired, so not delivered
    }

    // Method A holds the message until the PUBREL: that wait counts against its expiry too.
    void methodAForwardsWhatIsLeftOfTheExpiry_MQTT_3_3_2_6()
    {
        BrokerPeers peers(BrokerOptions{.inboundMethod = InboundMethod::A});
        const ClientHandle display = peers.connect(connectV5(QStringLiteral("display")));
        peers.send(display, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::ExactlyOnce}}}));
        const ClientHandle sensor = peers.connect(connectV5(QStringLiteral("sensor")));
        peers.send(sensor, publishOf(QStringLiteral("home/hall"), QoS::ExactlyOnce, 42, "22.5",
                                     with(PropertyId::MessageExpiryInterval, 10)));
        QVERIFY(peers.publishesTo(display).empty()); // method A: not before the PUBREL
        peers.advance(4s);
        peers.send(sensor, PubRel{.packetId = 42});
        QCOMPARE(peers.publishesTo(display).size(), 1u);
        QCOMPARE(peers.publishesTo(display).front().properties.integer(PropertyId::MessageExpiryInterval),
                 std::optional<quint32>(6));
    }

    // Same topic, same QoS: subscribers get the messages in the order the publisher sent them,
    // online (through a Receive Maximum of 2) and from the queue of an offline session.
    void everyTopicIsOrdered_MQTT_4_6_0_5_MQTT_4_6_0_6()
    {
        constexpr int kEach = 12;
        BrokerWire wire;
        SessionOptions twoAtATime;
        twoAtATime.receiveMaximum = 2;
        auto &display = wire.client(QStringLiteral("display"), twoAtATime);
        wire.connect(display, connectAs(display.name));
        wire.subscribe(display, {Subscription{QStringLiteral("home/hall"), {QoS::ExactlyOnce}}});
        auto &logger = wire.client(QStringLiteral("logger"));
        const Connect resume = leaveSubscribedOffline(wire, logger, QStringLiteral("home/hall"), QoS::ExactlyOnce);

        auto &sensor = wire.client(QStringLiteral("sensor"));
        wire.connect(sensor, connectAs(sensor.name));
        for (int i = 1; i <= kEach; ++i) {
            wire.publish(sensor, QStringLiteral("home/hall"), QoS::AtLeastOnce, "q1-" + QByteArray::number(i));
            wire.publish(sensor, QStringLiteral("home/hall"), QoS::ExactlyOnce, "q2-" + QByteArray::number(i));
        }
        QCOMPARE(payloadsOf(display.received, QoS::AtLeastOnce), numbered("q1-", kEach));
        QCOMPARE(payloadsOf(display.received, QoS::ExactlyOnce), numbered("q2-", kEach));

        wire.connect(logger, resume);
        QCOMPARE(payloadsOf(logger.received, QoS::AtLeastOnce), numbered("q1-", kEach));
        QCOMPARE(payloadsOf(logger.received, QoS::ExactlyOnce), numbered("q2-", kEach));
    }
};

} // namespace mqs

QTEST_GUILESS_MAIN(mqs::TestBrokerSpecDelivery)
#include "tst_broker_spec_delivery.moc"
