// The receiver's side: exactly once to the application with method B and method A,
// duplicates, unknown PUBREL, Receive Maximum, aliases, and the peer's violations.

#include "session_fixture.h"

using namespace mqs;

namespace {

int recordedDeliveries(const SessionOutput &out)
{
    int n = 0;
    for (const auto &change : out.store)
        n += std::holds_alternative<RecordDelivery>(change) ? 1 : 0;
    return n;
}

Session connectedSession(InboundMethod method, ProtocolVersion version = ProtocolVersion::V5, quint16 receiveMaximum = 65535)
{
    SessionOptions options;
    options.inboundMethod = method;
    options.receiveMaximum = receiveMaximum;
    Session session(options);
    connectClient(session, {.version = version});
    return session;
}

} // namespace

class TestInboundFlow : public QObject
{
    Q_OBJECT

private slots:
    void methodBDeliversOnPublishOnce()
    {
        // [MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11]: PUBREC with the id, PUBREC again and no second delivery until PUBREL, PUBCOMP with the id
        Session session = connectedSession(InboundMethod::B);
        auto out = session.receive(incoming(7, QoS::ExactlyOnce), t0 + 1ms);
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(out.delivered[0].message.topic, QStringLiteral("sensors/temperature/livingroom"));
        QCOMPARE(out.delivered[0].packetId, std::optional<PacketId>(7));
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 7}}));
        QCOMPARE(session.flowState(Direction::Inbound, 7), FlowState::AwaitingPubRel);
        // write-ahead: the id and the delivery record are in the same commit, before PUBREC goes out
        QVERIFY(std::holds_alternative<SaveInbound>(out.store.at(0)));
        QCOMPARE(recordedDeliveries(out), 1);

        // paho.mqtt.python#194, mosquitto#1751: the duplicate must not be delivered again
        out = session.receive(incoming(7, QoS::ExactlyOnce, {.dup = true}), t0 + 2ms);
        QVERIFY(out.delivered.empty());
        QCOMPARE(recordedDeliveries(out), 0);
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 7}}));

        out = session.receive(PubRel{.packetId = 7}, t0 + 3ms);
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 7}}));
        QVERIFY(out.delivered.empty());
        QCOMPARE(session.flowState(Direction::Inbound, 7), FlowState::None);

        // [MQTT-4.3.3-12] after PUBCOMP the id carries a new message
        out = session.receive(incoming(7, QoS::ExactlyOnce, {.topic = QStringLiteral("x/y")}), t0 + 4ms);
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(out.delivered[0].message.topic, QStringLiteral("x/y"));
    }

    void methodADeliversOnPubRel()
    {
        Session session = connectedSession(InboundMethod::A);
        auto out = session.receive(incoming(9, QoS::ExactlyOnce), t0 + 1ms);
        QVERIFY(out.delivered.empty());
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 9}}));
        // paho.mqtt.python#382: method A's message must be persisted, not only kept in memory
        const auto &saved = std::get<SaveInbound>(out.store.at(0));
        QVERIFY(saved.flow.message.has_value());
        QCOMPARE(saved.flow.message->payload, QByteArray("22.5"));

        out = session.receive(incoming(9, QoS::ExactlyOnce, {.dup = true}), t0 + 2ms);
        QVERIFY(out.delivered.empty());

        out = session.receive(PubRel{.packetId = 9}, t0 + 3ms);
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(recordedDeliveries(out), 1);
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 9}}));
        // the delivery record and the id's removal are committed together
        QVERIFY(std::any_of(out.store.begin(), out.store.end(),
                            [](const StoreChange &c) { return std::holds_alternative<DeleteInbound>(c); }));
    }

    void qos1IsDeliveredAndAcknowledged()
    {
        // [MQTT-3.3.4-1] [MQTT-4.3.2-4]: a QoS 1 PUBLISH is answered with PUBACK carrying its id
        Session session = connectedSession(InboundMethod::B);
        auto out = session.receive(incoming(3, QoS::AtLeastOnce), t0);
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(out.sent, (Packets{PubAck{.packetId = 3}}));
        QCOMPARE(out.flows.back().state, FlowState::Complete);
    }

    void unknownPubRelIsAnsweredNotIgnored_data()
    {
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<ReasonCode>("reason");
        QTest::newRow("5.0") << ProtocolVersion::V5 << ReasonCode::PacketIdentifierNotFound;
        QTest::newRow("3.1.1") << ProtocolVersion::V311 << ReasonCode::Success;
    }
    void unknownPubRelIsAnsweredNotIgnored()
    {
        // paho.mqtt.python#284: an unanswered PUBREL hangs the peer's session.
        QFETCH(ProtocolVersion, version);
        QFETCH(ReasonCode, reason);
        Session session = connectedSession(InboundMethod::B, version);
        auto out = session.receive(PubRel{.packetId = 42}, t0);
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 42, .reason = reason}}));
        QVERIFY(findToleratedViolation(out)->message.contains(QStringLiteral("PUBREL for id 42")));
        QCOMPARE(session.state(), SessionState::Connected);
    }

    void moreThanReceiveMaximumDisconnectsWith0x93()
    {
        Session session = connectedSession(InboundMethod::B, ProtocolVersion::V5, 2);
        session.receive(incoming(1, QoS::ExactlyOnce), t0);
        session.receive(incoming(2, QoS::ExactlyOnce), t0);
        auto out = session.receive(incoming(3, QoS::ExactlyOnce), t0);
        QVERIFY(out.delivered.empty());
        QVERIFY(out.close);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::ReceiveMaximumExceeded}}));
        QVERIFY(findClosingViolation(out)->message.contains(QStringLiteral("[MQTT-3.3.4-9]")));
    }

    void receiveMaximumCountsOnlyThisConnectionsPublishes()
    {
        // After a resume the sender's quota starts again at our Receive Maximum while its PUBREL-stage
        // flows from before are still open here ([MQTT-4.9.0-2] note): those must not count. Found by
        // the kill test against mosquitto 2.0.11.
        SessionOptions options;
        options.receiveMaximum = 2;
        Session session(options);
        connectClient(session, {.cleanStart = false, .sessionExpiry = 600});
        session.receive(incoming(1, QoS::ExactlyOnce), t0);
        session.receive(incoming(2, QoS::ExactlyOnce), t0);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 600}), t0 + 2s);
        session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 2s);
        auto out = session.receive(incoming(3, QoS::ExactlyOnce), t0 + 3s);
        QVERIFY(!out.close);
        out = session.receive(incoming(4, QoS::ExactlyOnce), t0 + 3s);
        QVERIFY(!out.close);
        // a resent PUBLISH of an open flow counts again: it took a unit of the sender's new quota
        out = session.receive(incoming(1, QoS::ExactlyOnce, {.dup = true}), t0 + 3s);
        QVERIFY(out.close);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::ReceiveMaximumExceeded}}));
    }

    void dupZeroReuseOfAnIdInFlightIsAViolation()
    {
        Session session = connectedSession(InboundMethod::B);
        session.receive(incoming(5, QoS::ExactlyOnce), t0);
        auto out = session.receive(incoming(5, QoS::ExactlyOnce, {.topic = QStringLiteral("other/topic")}), t0 + 1ms);
        QVERIFY(out.delivered.empty());
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 5}}));
        const auto *violation = findToleratedViolation(out);
        QVERIFY(violation);
        QVERIFY(violation->message.contains(QStringLiteral("DUP=0")));
        QCOMPARE(violation->packetId, std::optional<PacketId>(5));
    }

    void publishResentAfterPubRelIsFlagged()
    {
        Session session = connectedSession(InboundMethod::B);
        session.receive(incoming(8, QoS::ExactlyOnce), t0);
        session.receive(PubRel{.packetId = 8}, t0 + 1ms);
        auto out = session.receive(incoming(8, QoS::ExactlyOnce, {.dup = true}),
                                   t0 + 2ms);
        const auto *violation = findToleratedViolation(out);
        QVERIFY(violation);
        QCOMPARE(violation->rule, QStringLiteral("[MQTT-4.3.3-6]"));
        QCOMPARE(out.delivered.size(), 1u); // the spec makes it a new message
    }

    void failingAcceptanceSendsFailingPubRecAndForgetsTheId()
    {
        // [MQTT-4.3.3-9] after a PUBREC of 0x80 or above, that id carries a new message
        Session session = connectedSession(InboundMethod::B);
        session.inbound().setAcceptance([](const ApplicationMessage &) { return ReasonCode::NotAuthorized; });
        auto out = session.receive(incoming(4, QoS::ExactlyOnce), t0);
        QVERIFY(out.delivered.empty());
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 4, .reason = ReasonCode::NotAuthorized}}));
        QCOMPARE(session.flowState(Direction::Inbound, 4), FlowState::None);
        session.inbound().setAcceptance([](const ApplicationMessage &) { return ReasonCode::Success; });
        out = session.receive(incoming(4, QoS::ExactlyOnce), t0 + 1ms);
        QCOMPARE(out.delivered.size(), 1u); // new, not a duplicate
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 4}}));
    }

    // A failing PUBREC ends the sender's flow: a PUBREL for that id breaks [MQTT-4.3.3-4] (it is
    // answered PUBCOMP 0x92 all the same), and the same PUBLISH resent with DUP=1 breaks
    // [MQTT-4.4.0-2]; it is a new message then and delivered ([MQTT-4.3.3-9]).
    void senderThatIgnoresAFailingPubRecIsCaught()
    {
        Session session = connectedSession(InboundMethod::B);
        int asked = 0;
        session.inbound().setAcceptance([&asked](const ApplicationMessage &) {
            return ++asked == 1 ? ReasonCode::UnspecifiedError : ReasonCode::Success;
        });
        session.receive(incoming(6, QoS::ExactlyOnce), t0);
        auto out = session.receive(PubRel{.packetId = 6}, t0 + 1ms);
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 6, .reason = ReasonCode::PacketIdentifierNotFound}}));
        const auto *pubRel = findToleratedViolation(out);
        QVERIFY(pubRel);
        QCOMPARE(pubRel->rule, QStringLiteral("[MQTT-4.3.3-4]"));

        out = session.receive(incoming(6, QoS::ExactlyOnce, {.dup = true}), t0 + 2ms);
        const auto *resent = findToleratedViolation(out);
        QVERIFY(resent);
        QCOMPARE(resent->rule, QStringLiteral("[MQTT-4.4.0-2]"));
        QCOMPARE(out.delivered.size(), 1u);
        QCOMPARE(out.sent, (Packets{PubRec{.packetId = 6}}));
        // The id carries an accepted message now: its PUBREL is the sender's due, not a violation.
        out = session.receive(PubRel{.packetId = 6}, t0 + 3ms);
        QVERIFY(!findToleratedViolation(out));
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 6}}));
    }

    // The application decides once per message: a QoS 2 PUBLISH resent before PUBREL does not ask
    // again (a refusal counted per message, as the scenario's "refuse" step does, is not spent on it).
    void acceptanceIsNotAskedForAResendBeforePubRel()
    {
        Session session = connectedSession(InboundMethod::B);
        int asked = 0;
        session.inbound().setAcceptance([&asked](const ApplicationMessage &) {
            ++asked;
            return ReasonCode::Success;
        });
        session.receive(incoming(2, QoS::ExactlyOnce), t0);
        session.receive(incoming(2, QoS::ExactlyOnce, {.dup = true}), t0 + 1ms);
        QCOMPARE(asked, 1);
    }

    void qos1IdAfterPubAckIsANewMessage_MQTT_4_3_2_5()
    {
        // [MQTT-4.3.2-5] after our PUBACK, a PUBLISH with that id is new, whatever its DUP flag.
        Session session = connectedSession(InboundMethod::B);
        session.receive(incoming(3, QoS::AtLeastOnce), t0);
        const auto again = session.receive(incoming(3, QoS::AtLeastOnce, {.topic = QStringLiteral("x/y"), .dup = true}), t0 + 1ms);
        QCOMPARE(again.delivered.size(), 1u);
        QCOMPARE(again.delivered[0].message.topic, QStringLiteral("x/y"));
        QCOMPARE(again.sent, (Packets{PubAck{.packetId = 3}}));
    }

    void acknowledgementsFollowArrivalOrder_MQTT_4_6_0_2_MQTT_4_6_0_3()
    {
        // [MQTT-4.6.0-2] PUBACKs and [MQTT-4.6.0-3] PUBRECs go out in the order their PUBLISHes arrived.
        Session session = connectedSession(InboundMethod::B);
        Packets sent;
        for (const Publish &p : {incoming(5, QoS::AtLeastOnce), incoming(2, QoS::ExactlyOnce), incoming(9, QoS::AtLeastOnce),
                                 incoming(1, QoS::ExactlyOnce)}) {
            auto out = session.receive(p, t0);
            sent.insert(sent.end(), out.sent.begin(), out.sent.end());
        }
        QCOMPARE(sent, (Packets{PubAck{.packetId = 5}, PubRec{.packetId = 2}, PubAck{.packetId = 9}, PubRec{.packetId = 1}}));
    }

    void topicAliasesResolve()
    {
        Session session = connectedSession(InboundMethod::B);
        Publish first = incoming(0, QoS::AtMostOnce, {.topic = QStringLiteral("sensors/a")});
        first.properties.set(PropertyId::TopicAlias, quint32(3));
        session.receive(first, t0);
        Publish second = incoming(0, QoS::AtMostOnce, {.topic = QString()});
        second.properties.set(PropertyId::TopicAlias, quint32(3));
        auto out = session.receive(second, t0);
        QCOMPARE(out.delivered.at(0).message.topic, QStringLiteral("sensors/a"));
        QVERIFY(!out.delivered.at(0).message.properties.contains(PropertyId::TopicAlias));
    }

    void unknownOrTooLargeTopicAliasCloses()
    {
        Session session = connectedSession(InboundMethod::B);
        Publish p = incoming(0, QoS::AtMostOnce, {.topic = QString()});
        p.properties.set(PropertyId::TopicAlias, quint32(2));
        auto out = session.receive(p, t0);
        QVERIFY(out.close);

        Session other = connectedSession(InboundMethod::B);
        Publish big = incoming(0, QoS::AtMostOnce, {.topic = QStringLiteral("a")});
        big.properties.set(PropertyId::TopicAlias, quint32(11)); // we announce 10
        out = other.receive(big, t0);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::TopicAliasInvalid}}));
    }

    void aliasesDoNotSurviveReconnect()
    {
        SessionOptions options;
        Session session(options);
        connectClient(session, {.cleanStart = false, .sessionExpiry = 60});
        Publish first = incoming(0, QoS::AtMostOnce, {.topic = QStringLiteral("sensors/a")});
        first.properties.set(PropertyId::TopicAlias, quint32(1));
        session.receive(first, t0);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 60}), t0 + 2s);
        session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 2s);
        Publish second = incoming(0, QoS::AtMostOnce, {.topic = QString()});
        second.properties.set(PropertyId::TopicAlias, quint32(1));
        const auto out = session.receive(second, t0 + 3s);
        QVERIFY(out.close); // [MQTT-3.3.2-7]
    }
};

QTEST_GUILESS_MAIN(TestInboundFlow)
#include "tst_inbound_flow.moc"
