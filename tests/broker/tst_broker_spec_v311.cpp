// The sandbox broker toward MQTT 3.1.1 clients, held to 3.1.1's own statements of 3.2.2, 3.3.5
// and 4.6 (numbers shared with 5.0, text not: each name says V311). Sans-IO: BrokerCore with raw
// clients (broker_peer.h) and, for ordering, Session clients (broker_wire.h).

#include "broker_peer.h"
#include "broker_wire.h"

#include "protocol/describe.h"

#include <QList>

namespace mqs {

namespace {

const ConnAck *connAckOf(BrokerPeers &peers, ClientHandle client)
{
    return BrokerPeers::first<ConnAck>(peers.peer(client).received);
}

} // namespace

class TestBrokerSpecV311 : public QObject
{
    Q_OBJECT

private slots:
    void cleanSessionIsAnsweredWithoutSessionPresent_V311_MQTT_3_2_2_1()
    {
        BrokerPeers peers;
        const ClientHandle kept = peers.connect(connectV311(QStringLiteral("meter-7"), false));
        peers.drop(kept); // a session is stored now
        const ClientHandle clean = peers.connect(connectV311(QStringLiteral("meter-7"), true));
        QCOMPARE(connAckOf(peers, clean)->reason, ReasonCode::Success);
        QVERIFY(!connAckOf(peers, clean)->sessionPresent);
    }

    void storedSessionIsAnsweredWithSessionPresent_V311_MQTT_3_2_2_2()
    {
        BrokerPeers peers;
        const ClientHandle first = peers.connect(connectV311(QStringLiteral("meter-7"), false));
        peers.send(first, subscribeTo(1, {Subscription{QStringLiteral("meters/#"), {QoS::AtLeastOnce}}}));
        peers.drop(first);
        const ClientHandle again = peers.connect(connectV311(QStringLiteral("meter-7"), false));
        QCOMPARE(connAckOf(peers, again)->reason, ReasonCode::Success);
        QVERIFY(connAckOf(peers, again)->sessionPresent);
    }

    void noStoredSessionIsAnsweredWithoutSessionPresent_V311_MQTT_3_2_2_3()
    {
        BrokerPeers peers;
        const ClientHandle first = peers.connect(connectV311(QStringLiteral("meter-7"), false));
        QCOMPARE(connAckOf(peers, first)->reason, ReasonCode::Success);
        QVERIFY(!connAckOf(peers, first)->sessionPresent);
        // Clean Session 1 ends the session with the connection: nothing is stored.
        const ClientHandle brief = peers.connect(connectV311(QStringLiteral("meter-8"), true));
        peers.drop(brief);
        const ClientHandle back = peers.connect(connectV311(QStringLiteral("meter-8"), false));
        QVERIFY(!connAckOf(peers, back)->sessionPresent);
        QCOMPARE(connAckOf(peers, back)->reason, ReasonCode::Success);
    }

    void refusalHasNoSessionPresentAndCloses_V311_MQTT_3_2_2_4_MQTT_3_2_2_5()
    {
        BrokerPeers peers;
        const ClientHandle client = peers.connect(connectV311(QString(), false)); // empty id, Clean Session 0
        const ConnAck *ack = connAckOf(peers, client);
        QVERIFY(ack);
        QCOMPARE(connAckWireValue(ack->reason, ProtocolVersion::V311), quint8(0x02)); // identifier rejected
        QVERIFY(!ack->sessionPresent);
        QVERIFY(peers.peer(client).closed);
    }

    // A CONNECT no return code fits (its reserved flag is set, [MQTT-3.1.2-3]): closed with no CONNACK.
    void unanswerableConnectIsClosedWithoutConnAck_V311_MQTT_3_2_2_6()
    {
        BrokerPeers peers;
        const ClientHandle client = peers.open(ProtocolVersion::V311);
        // CONNECT "MQTT" level 4, flags 0x03 (Clean Session and the reserved bit), keep alive 60, id "m7"
        const Packets answer = peers.sendBytes(client, QByteArray::fromHex("100e00044d5154540403003c00026d37"));
        QVERIFY(answer.empty());
        QVERIFY(peers.peer(client).closed);
        QVERIFY(peers.broker.sessionIds().empty());
    }

    void overlappingSubscriptionsDeliverAtTheirHighestQos_V311_MQTT_3_3_5_1()
    {
        BrokerPeers peers;
        const ClientHandle display = peers.connect(connectV311(QStringLiteral("display")));
        peers.send(display, subscribeTo(1, {Subscription{QStringLiteral("home/#"), {QoS::AtMostOnce}},
                                            Subscription{QStringLiteral("home/+/temperature"), {QoS::ExactlyOnce}}}));
        const ClientHandle sensor = peers.connect(connectV311(QStringLiteral("sensor")));
        peers.send(sensor, publishOf(QStringLiteral("home/hall/temperature"), QoS::ExactlyOnce, 1));
        const std::vector<Publish> received = peers.publishesTo(display);
        QCOMPARE(received.size(), 1u);
        QCOMPARE(received.front().qos, QoS::ExactlyOnce);
    }

    // What the broker will not carry out (no subscriber; a retained message while retained
    // messages are off) is still acknowledged as the QoS says: 3.1.1 has no way to refuse it.
    void publishNotCarriedOutIsStillAcknowledged_V311_MQTT_3_3_5_2()
    {
        BrokerPeers peers(BrokerOptions{.retainAvailable = false});
        const ClientHandle sensor = peers.connect(connectV311(QStringLiteral("sensor")));
        QCOMPARE(peers.send(sensor, publishOf(QStringLiteral("nobody/listens"), QoS::AtLeastOnce, 1)), (Packets{PubAck{.packetId = 1}}));
        QCOMPARE(peers.send(sensor, publishOf(QStringLiteral("nobody/listens"), QoS::ExactlyOnce, 2)), (Packets{PubRec{.packetId = 2}}));
        QCOMPARE(peers.send(sensor, PubRel{.packetId = 2}), (Packets{PubComp{.packetId = 2}}));
        Publish retained = publishOf(QStringLiteral("meters/7/state"), QoS::AtLeastOnce, 3);
        retained.retain = true;
        QCOMPARE(peers.send(sensor, retained), (Packets{PubAck{.packetId = 3}}));
        QVERIFY(!peers.peer(sensor).closed);
        QVERIFY(peers.broker.retainedMessages().empty());
    }

    void everyTopicIsOrdered_V311_MQTT_4_6_0_5_MQTT_4_6_0_6()
    {
        constexpr int kEach = 12;
        BrokerWire wire;
        auto &display = wire.client(QStringLiteral("display"));
        wire.connect(display, connectAs(display.name, {.version = ProtocolVersion::V311}));
        wire.subscribe(display, {Subscription{QStringLiteral("home/hall"), {QoS::ExactlyOnce}}});
        auto &logger = wire.client(QStringLiteral("logger"));
        const Connect resume = connectAs(logger.name, {.version = ProtocolVersion::V311, .cleanStart = false});
        wire.connect(logger, resume);
        wire.subscribe(logger, {Subscription{QStringLiteral("home/hall"), {QoS::ExactlyOnce}}});
        wire.drop(logger);

        auto &sensor = wire.client(QStringLiteral("sensor"));
        wire.connect(sensor, connectAs(sensor.name, {.version = ProtocolVersion::V311}));
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

QTEST_GUILESS_MAIN(mqs::TestBrokerSpecV311)
#include "tst_broker_spec_v311.moc"
