// The client engine on an MQTT 3.1.1 connection, held to 3.1.1's own statements of 3.3.4, 3.6.1,
// 4.3 and 4.6 (the same numbers as 5.0's, but 3.1.1's text: each name says V311). Sans-IO, fake
// clock; the 5.0 counterparts are in tst_outbound_flow, tst_inbound_flow and tst_session_lifecycle.

#include "session_fixture.h"

namespace mqs {

namespace {

constexpr auto kV311 = ProtocolVersion::V311;

Session connectedV311(InboundMethod method = InboundMethod::B, bool cleanSession = true)
{
    SessionOptions options;
    options.inboundMethod = method;
    Session session(options);
    connectClient(session, {.version = kV311, .cleanStart = cleanSession});
    return session;
}

// The connection drops and the client comes back with Clean Session 0; returns what it sends
// after the CONNACK.
Packets reconnectCleanSession0(Session &session, Millis at)
{
    session.connectionLost(at);
    session.connect(connectPacket({.version = kV311, .cleanStart = false}), at + 1s);
    return session.receive(ConnAck{true, ReasonCode::Success, {}}, at + 1s).sent;
}

PacketId publishId(const PublishResult &r)
{
    return *r.ticket->packetId;
}

} // namespace

class TestSpecV311 : public QObject
{
    Q_OBJECT

private slots:
    void qos0GoesOutWithDupZero_V311_MQTT_4_3_1_1()
    {
        Session session = connectedV311();
        const auto r = session.publish(reading(QStringLiteral("meters/7"), QoS::AtMostOnce), t0 + 2ms);
        QCOMPARE(r.output.sent.size(), 1u);
        const auto &p = std::get<Publish>(r.output.sent[0]);
        QCOMPARE(p.qos, QoS::AtMostOnce);
        QVERIFY(!p.dup);
        QVERIFY(!p.packetId);
        QVERIFY(reconnectCleanSession0(session, t0 + 1s).empty()); // never sent again
    }

    void qos1SenderUsesAnUnusedIdUntilPubAck_V311_MQTT_4_3_2_1()
    {
        Session session = connectedV311(InboundMethod::B, false);
        const auto a = session.publish(reading(QStringLiteral("meters/7"), QoS::AtLeastOnce), t0 + 2ms);
        const auto b = session.publish(reading(QStringLiteral("meters/7"), QoS::AtLeastOnce), t0 + 3ms);
        QVERIFY(publishId(a) != 0 && publishId(b) != 0 && publishId(a) != publishId(b));
        const auto &p = std::get<Publish>(a.output.sent.at(0));
        QCOMPARE(p.qos, QoS::AtLeastOnce);
        QVERIFY(!p.dup);
        QCOMPARE(p.packetId, std::optional<PacketId>(publishId(a)));
        QVERIFY(session.outbound().isIdInUse(publishId(a))); // unacknowledged
        session.receive(PubAck{.packetId = publishId(a)}, t0 + 4ms);
        QVERIFY(!session.outbound().isIdInUse(publishId(a)));
        // Only b is still unacknowledged: only b goes again.
        const Packets resent = reconnectCleanSession0(session, t0 + 1s);
        QCOMPARE(resent.size(), 1u);
        QCOMPARE(std::get<Publish>(resent[0]).packetId, std::optional<PacketId>(publishId(b)));
    }

    void qos1ReceiverAcknowledgesThenTakesTheIdAsNew_V311_MQTT_4_3_2_2()
    {
        Session session = connectedV311();
        auto out = session.receive(incoming(5, QoS::AtLeastOnce), t0 + 1ms);
        QCOMPARE(out.sent, (Packets{PubAck{.packetId = 5}}));
        QCOMPARE(out.delivered.size(), 1u);
        // The same id after PUBACK, DUP or not, is a new publication.
        out = session.receive(incoming(5, QoS::AtLeastOnce, {.topic = QStringLiteral("meters/8"), .dup = true}), t0 + 2ms);
        QCOMPARE(out.sent, (Packets{PubAck{.packetId = 5}}));
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(out.delivered[0].message.topic, QStringLiteral("meters/8"));
    }

    void qos2SenderWalksTheHandshake_V311_MQTT_4_3_3_1()
    {
        Session session = connectedV311(InboundMethod::B, false);
        const auto r = session.publish(reading(QStringLiteral("meters/7"), QoS::ExactlyOnce), t0 + 2ms);
        const PacketId id = publishId(r);
        QVERIFY(id != 0);
        const auto &p = std::get<Publish>(r.output.sent.at(0));
        QCOMPARE(p.qos, QoS::ExactlyOnce);
        QVERIFY(!p.dup);
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubRec);
        // Before PUBREC the PUBLISH is unacknowledged: it is what goes again.
        Packets resent = reconnectCleanSession0(session, t0 + 1s);
        QCOMPARE(resent.size(), 1u);
        QVERIFY(std::get<Publish>(resent[0]).dup);

        const auto out = session.receive(PubRec{.packetId = id}, t0 + 3s);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = id}}));
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubComp);
        // After PUBREL, never the PUBLISH again: the PUBREL is what is unacknowledged.
        resent = reconnectCleanSession0(session, t0 + 4s);
        QCOMPARE(resent, (Packets{PubRel{.packetId = id}}));
        session.receive(PubComp{.packetId = id}, t0 + 6s);
        QVERIFY(!session.outbound().isIdInUse(id));
        QVERIFY(reconnectCleanSession0(session, t0 + 7s).empty());
    }

    void qos2ReceiverDeliversOnceUntilPubRel_V311_MQTT_4_3_3_2_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("method A") << int(InboundMethod::A);
        QTest::newRow("method B") << int(InboundMethod::B);
    }

    void qos2ReceiverDeliversOnceUntilPubRel_V311_MQTT_4_3_3_2()
    {
        QFETCH(int, method);
        Session session = connectedV311(InboundMethod(method));
        int delivered = 0;
        auto out = session.receive(incoming(9, QoS::ExactlyOnce), t0 + 1ms);
        delivered += int(out.delivered.size());
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 9}}));
        out = session.receive(incoming(9, QoS::ExactlyOnce, {.dup = true}), t0 + 2ms);
        delivered += int(out.delivered.size());
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 9}}));
        out = session.receive(PubRel{.packetId = 9}, t0 + 3ms);
        delivered += int(out.delivered.size());
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 9}}));
        QCOMPARE(delivered, 1);
        // After PUBCOMP the id carries a new publication.
        out = session.receive(incoming(9, QoS::ExactlyOnce, {.topic = QStringLiteral("meters/8")}), t0 + 4ms);
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 9}}));
        qsizetype again = qsizetype(out.delivered.size());
        again += qsizetype(session.receive(PubRel{.packetId = 9}, t0 + 5ms).delivered.size());
        QCOMPARE(again, 1);
    }

    void receiverAnswersAsTheQosSays_V311_MQTT_3_3_4_1()
    {
        Session session = connectedV311();
        QVERIFY(session.receive(incoming(0, QoS::AtMostOnce), t0 + 1ms).sent.empty());
        QCOMPARE(session.receive(incoming(1, QoS::AtLeastOnce), t0 + 2ms).sent, (Packets{PubAck{.packetId = 1}}));
        QCOMPARE(session.receive(incoming(2, QoS::ExactlyOnce), t0 + 3ms).sent, (Packets{PubRec{.packetId = 2}}));
    }

    void resentPublishesKeepTheirOrder_V311_MQTT_4_6_0_1()
    {
        Session session = connectedV311(InboundMethod::B, false);
        std::vector<PacketId> order;
        for (int i = 0; i < 6; ++i)
            order.push_back(publishId(session.publish(reading(QStringLiteral("meters/%1").arg(i), i % 2 ? QoS::ExactlyOnce : QoS::AtLeastOnce),
                                                      t0 + Millis(10 + i))));
        std::vector<PacketId> resent;
        for (const Packet &p : reconnectCleanSession0(session, t0 + 1s))
            resent.push_back(*std::get<Publish>(p).packetId);
        QCOMPARE(resent, order);
    }

    void pubAcksAndPubRecsFollowArrivalOrder_V311_MQTT_4_6_0_2_MQTT_4_6_0_3()
    {
        Session session = connectedV311();
        Packets sent;
        for (const quint16 id : {30, 4, 17, 8}) {
            const auto out = session.receive(incoming(id, id % 2 ? QoS::AtLeastOnce : QoS::ExactlyOnce), t0 + Millis(id));
            sent.insert(sent.end(), out.sent.begin(), out.sent.end());
        }
        QCOMPARE(sent, (Packets{PubRec{.packetId = 30}, PubRec{.packetId = 4}, PubAck{.packetId = 17}, PubRec{.packetId = 8}}));
    }

    void pubRelsFollowPubRecOrder_V311_MQTT_4_6_0_4()
    {
        Session session = connectedV311(InboundMethod::B, false);
        const PacketId a = publishId(session.publish(reading(QStringLiteral("t/a"), QoS::ExactlyOnce), t0));
        const PacketId b = publishId(session.publish(reading(QStringLiteral("t/b"), QoS::ExactlyOnce), t0));
        QCOMPARE(session.receive(PubRec{.packetId = b}, t0 + 1ms).sent, (Packets{PubRel{.packetId = b}}));
        QCOMPARE(session.receive(PubRec{.packetId = a}, t0 + 2ms).sent, (Packets{PubRel{.packetId = a}}));
        QCOMPARE(reconnectCleanSession0(session, t0 + 1s), (Packets{PubRel{.packetId = b}, PubRel{.packetId = a}}));
    }

    void pubRelWithWrongFlagsClosesTheConnection_V311_MQTT_3_6_1_1()
    {
        Session session = connectedV311();
        session.receive(incoming(3, QoS::ExactlyOnce), t0 + 1ms);
        Decoder decoder(kV311);
        decoder.feed(QByteArray::fromHex("60020003")); // PUBREL with flags 0000 instead of 0010
        const auto result = decoder.next();
        const auto *error = std::get_if<ProtocolError>(&result);
        QVERIFY(error);
        const auto out = session.protocolError(*error, t0 + 2ms);
        QVERIFY(out.close);
        QVERIFY(out.sent.empty()); // a 3.1.1 client closes without DISCONNECT, so its will still goes out
        QCOMPARE(session.state(), SessionState::Disconnected);
    }
};

} // namespace mqs

QTEST_GUILESS_MAIN(mqs::TestSpecV311)
#include "tst_spec_v311.moc"
