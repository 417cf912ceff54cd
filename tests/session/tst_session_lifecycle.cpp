// Connecting, resuming, abandoning, keep alive, subscriptions, protocol errors, both roles.

#include "session_fixture.h"

#include "protocol/decoder.h"

using namespace mqs;

namespace {

QStringList describeAll(const Packets &packets)
{
    QStringList lines;
    for (const Packet &p : packets)
        lines << describe(p);
    return lines;
}

} // namespace

class TestSessionLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void connectAnnouncesOurLimits()
    {
        SessionOptions options;
        options.receiveMaximum = 20;
        options.maximumPacketSize = 262144;
        Session session(options);
        const auto out = session.connect(connectPacket(), t0);
        const auto &connect = std::get<Connect>(out.sent.at(0));
        QCOMPARE(connect.properties.integer(PropertyId::ReceiveMaximum), 20u);
        QCOMPARE(connect.properties.integer(PropertyId::MaximumPacketSize), 262144u);
        QCOMPARE(connect.properties.integer(PropertyId::TopicAliasMaximum), 10u);
        QCOMPARE(session.state(), SessionState::Connecting);
    }

    void defaultOptionsAnnounceNoMaximumPacketSize()
    {
        // An announced size makes brokers drop larger messages silently ([MQTT-3.1.2-25]): only on request.
        Session session;
        const auto out = session.connect(connectPacket(), t0);
        QVERIFY(!std::get<Connect>(out.sent.at(0)).properties.contains(PropertyId::MaximumPacketSize));
    }

    void refusedConnectionSaysWhyAndWhatToDo()
    {
        Session session;
        session.connect(connectPacket(), t0);
        const auto out = session.receive(ConnAck{false, ReasonCode::ClientIdentifierNotValid, {}}, t0 + 1ms);
        QVERIFY(out.close);
        const auto *refused = findEvent<ConnectionRefused>(out);
        QVERIFY(refused);
        QVERIFY2(refused->message.contains(QStringLiteral("client id 'sensor-1'"), Qt::CaseInsensitive), qPrintable(refused->message));
        QVERIFY(refused->message.contains(QStringLiteral("0x85")));
        QCOMPARE(session.state(), SessionState::Disconnected);
    }

    void v311RefusalUsesTheReturnCodeName()
    {
        Session session;
        session.connect(connectPacket({.version = ProtocolVersion::V311}), t0);
        const auto out = session.receive(ConnAck{false, ReasonCode::BadUserNameOrPassword, {}}, t0 + 1ms);
        QVERIFY(findEvent<ConnectionRefused>(out)->message.contains(QStringLiteral("bad user name or password")));
    }

    void serverValuesFromConnAckApply()
    {
        // [MQTT-3.2.2-21] the Server Keep Alive replaces the Keep Alive we sent
        Session session;
        Properties props;
        props.set(PropertyId::ServerKeepAlive, quint32(5));
        props.set(PropertyId::AssignedClientIdentifier, QStringLiteral("auto-123"));
        const auto out = connectClient(session, {.connAckProperties = props});
        QCOMPARE(session.keepAlive(), quint16(5));
        QCOMPARE(session.meta().clientId, QStringLiteral("auto-123"));
        QCOMPARE(findEvent<Connected>(out)->assignedClientId, QStringLiteral("auto-123"));
    }

    void resumeResendsPublishWithDupAndPubRelInOriginalOrder()
    {
        // [MQTT-4.4.0-1] [MQTT-4.6.0-1] [MQTT-3.3.1-1] [MQTT-4.3.3-6]
        // fusesource/mqtt-client#120, at-wat/mqtt-go#152: after PUBREC the PUBREL is resent, never the PUBLISH.
        // paho.mqtt.c#807: resends keep their original order.
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        const auto a = *session.publish(reading("t/a", QoS::ExactlyOnce), t0).ticket->packetId;
        const auto b = *session.publish(reading("t/b", QoS::ExactlyOnce), t0).ticket->packetId;
        const auto c = *session.publish(reading("t/c", QoS::AtLeastOnce), t0).ticket->packetId;
        session.receive(PubRec{.packetId = b}, t0 + 1ms); // b is past PUBREC
        session.connectionLost(t0 + 1s);

        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 2s);
        QCOMPARE(describeAll(out.sent),
                 (QStringList{QStringLiteral("PUBLISH id=%1 qos=2 dup=1 retain=0 t/a (4 B)").arg(a.value),
                              QStringLiteral("PUBREL id=%1").arg(b.value),
                              QStringLiteral("PUBLISH id=%1 qos=1 dup=1 retain=0 t/c (4 B)").arg(c.value)}));
        const auto *resumed = findEvent<SessionResumed>(out);
        QVERIFY(resumed);
        QVERIFY(resumed->message.contains(QStringLiteral("PUBREL id=%1").arg(b.value)));
    }

    void notResumedAbandonsSentFlowsAndSaysWhich()
    {
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        QVERIFY(session.publish(reading("t/a", QoS::ExactlyOnce), t0).ticket);
        session.receive(incoming(9, QoS::ExactlyOnce, {.topic = QStringLiteral("in/x")}), t0);
        session.connectionLost(t0 + 1s);
        const auto queued = session.publish(reading("t/queued", QoS::ExactlyOnce), t0 + 1s);
        QVERIFY(queued.ticket);

        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        const auto out = session.receive(ConnAck{false, ReasonCode::Success, {}}, t0 + 2s);
        const auto *abandoned = findEvent<FlowsAbandoned>(out);
        QVERIFY(abandoned);
        QVERIFY2(abandoned->message.contains(QStringLiteral("outbound id 1 't/a'")), qPrintable(abandoned->message));
        QVERIFY(abandoned->message.contains(QStringLiteral("inbound id 9 'in/x'")));
        QCOMPARE(abandoned->flows.size(), 2u);
        // ktor-mqtt#30: a stale inbound id would swallow the next message with that id
        QCOMPARE(session.flowState(Direction::Inbound, 9), FlowState::None);
        // the never-sent message still goes out, as new
        QCOMPARE(describeAll(out.sent), QStringList{QStringLiteral("PUBLISH id=2 qos=2 dup=0 retain=0 t/queued (4 B)")});
    }

    void cleanStartDiscardsBeforeConnecting()
    {
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        QVERIFY(session.publish(reading("t/a", QoS::ExactlyOnce), t0).ticket);
        session.connectionLost(t0 + 1s);
        const auto out = session.connect(connectPacket(), t0 + 2s);
        QVERIFY(findEvent<FlowsAbandoned>(out)->message.contains(QStringLiteral("Clean Start")));
        QCOMPARE(session.outbound().inflight(), 0);
    }

    void sessionPresentWithoutStateCloses()
    {
        Session session;
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 1ms);
        QVERIFY(out.close);
        QVERIFY(findClosingViolation(out)->message.contains(QStringLiteral("[MQTT-3.2.2-4]")));
    }

    void sessionPresentAfterCleanStartIsAProtocolError()
    {
        // [MQTT-3.2.2-2] a server accepting Clean Start = 1 sets Session Present = 0; otherwise we close
        Session session;
        session.connect(connectPacket(), t0);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 1ms);
        QVERIFY(out.close);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::ProtocolError}}));
    }

    void restoredStateResumesAfterRestart()
    {
        // MQTT.js#706: inbound ids must survive, so the PUBREL after reconnect completes.
        Session first;
        connectClient(first, {.cleanStart = false, .sessionExpiry = 3600});
        QVERIFY(first.publish(reading("t/a", QoS::ExactlyOnce), t0).ticket);
        first.receive(incoming(4, QoS::ExactlyOnce, {.topic = QStringLiteral("in/y")}), t0);

        Session second;
        second.restore(first.meta(), first.outbound().flows(), first.inbound().flows());
        second.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 5s);
        auto out = second.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 5s);
        QCOMPARE(describeAll(out.sent), QStringList{QStringLiteral("PUBLISH id=1 qos=2 dup=1 retain=0 t/a (4 B)")});
        out = second.receive(PubRel{.packetId = 4}, t0 + 6s);
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 4}}));
        QVERIFY(out.delivered.empty()); // method B delivered it before the restart
        // paho.mqtt.c#649: a new message must not take the restored id
        const auto next = second.publish(reading("t/b", QoS::ExactlyOnce), t0 + 7s);
        QVERIFY(next.ticket->packetId != std::optional<PacketId>(1));
    }

    void resentPubRelsFollowPubRecOrder_MQTT_4_6_0_4()
    {
        // [MQTT-4.6.0-4] PUBRELs go in the order their PUBRECs arrived, which need not be PUBLISH order.
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        const auto a = *session.publish(reading("t/a", QoS::ExactlyOnce), t0).ticket->packetId;
        const auto b = *session.publish(reading("t/b", QoS::ExactlyOnce), t0).ticket->packetId;
        session.receive(PubRec{.packetId = b}, t0 + 1ms);
        session.receive(PubRec{.packetId = a}, t0 + 2ms);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 2s);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = b}, PubRel{.packetId = a}}));

        // The same order after a restart, from the stored PUBREC times.
        Session restarted;
        restarted.restore(session.meta(), session.outbound().flows(), session.inbound().flows());
        restarted.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 3s);
        const auto again = restarted.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 3s);
        QCOMPARE(again.sent, (Packets{PubRel{.packetId = b}, PubRel{.packetId = a}}));
    }

    void sentMessageDoesNotExpire_MQTT_4_3_3_7()
    {
        // [MQTT-4.3.3-7] once its PUBLISH is sent, a QoS 2 message is not expired: it is resent.
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        auto m = reading("t/a", QoS::ExactlyOnce);
        m.properties.set(PropertyId::MessageExpiryInterval, quint32(10));
        const auto id = *session.publish(m, t0).ticket->packetId;
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 60s);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 60s);
        QCOMPARE(out.sent.size(), 1u);
        QCOMPARE(std::get<Publish>(out.sent[0]).packetId, std::optional<PacketId>(id));
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubRec);
    }

    void v311CleanSession0ResendsWithoutSessionPresent_MQTT_4_4_0_1()
    {
        // 3.1.1 [MQTT-4.4.0-1]: reconnecting with CleanSession = 0, the client re-sends unacknowledged
        // PUBLISH and PUBREL packets; the statement does not depend on Session Present.
        Session session;
        connectClient(session, {.version = ProtocolVersion::V311, .cleanStart = false});
        const auto a = *session.publish(reading("t/a", QoS::AtLeastOnce), t0).ticket->packetId;
        const auto b = *session.publish(reading("t/b", QoS::ExactlyOnce), t0).ticket->packetId;
        session.receive(PubRec{.packetId = b}, t0 + 1ms);
        session.receive(incoming(9, QoS::ExactlyOnce, {.topic = QStringLiteral("in/x")}), t0);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.version = ProtocolVersion::V311, .cleanStart = false}), t0 + 2s);
        const auto out = session.receive(ConnAck{false, ReasonCode::Success, {}}, t0 + 2s);
        QCOMPARE(describeAll(out.sent),
                 (QStringList{QStringLiteral("PUBLISH id=%1 qos=1 dup=1 retain=0 t/a (4 B)").arg(a.value),
                              QStringLiteral("PUBREL id=%1").arg(b.value)}));
        QCOMPARE(session.flowState(Direction::Outbound, a), FlowState::AwaitingPubAck);
        // The server kept nothing, so it will send no PUBREL for our inbound id: that flow goes.
        QCOMPARE(session.flowState(Direction::Inbound, 9), FlowState::None);
        QVERIFY(findEvent<SessionResumed>(out)->message.contains(QStringLiteral("[MQTT-4.4.0-1]")));
    }

    void v5CleanStart0WithoutSessionPresentStillAbandons_MQTT_3_2_2_5()
    {
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        QVERIFY(session.publish(reading("t/a", QoS::AtLeastOnce), t0).ticket);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        const auto out = session.receive(ConnAck{false, ReasonCode::Success, {}}, t0 + 2s);
        QVERIFY(out.sent.empty());
        QVERIFY(findEvent<FlowsAbandoned>(out));
    }

    void subscribeAboveMaximumPacketSizeIsNotSent_MQTT_3_2_2_15()
    {
        Session session;
        Properties props;
        props.set(PropertyId::MaximumPacketSize, quint32(64));
        connectClient(session, {.connAckProperties = props});
        const QString longFilter = QStringLiteral("sensors/") + QString(80, QLatin1Char('x'));
        auto out = session.subscribe({Subscription{longFilter, {}}}, t0);
        QVERIFY2(out.sent.empty(), qPrintable(describePackets(out.sent)));
        QVERIFY(findEvent<LocalMisuse>(out)->message.contains(QStringLiteral("[MQTT-3.2.2-15]")));
        out = session.unsubscribe({longFilter}, t0);
        QVERIFY(out.sent.empty());
        QVERIFY(findEvent<LocalMisuse>(out)->message.contains(QStringLiteral("[MQTT-3.2.2-15]")));
        QVERIFY(!session.outbound().isIdInUse(1)); // the id went back
        QCOMPARE(session.subscribe({Subscription{QStringLiteral("s/x"), {}}}, t0).sent.size(), 1u);
    }

    void v5ConnectAnsweredByA311OnlyBrokerSaysSo()
    {
        // aedes and other 3.1.1-only brokers answer a 5.0 CONNECT with the 3.1.1 CONNACK 20 02 00 01.
        Session session;
        session.connect(connectPacket(), t0);
        Decoder decoder(ProtocolVersion::V5);
        decoder.feed(QByteArray::fromHex("20020001"));
        const auto decoded = decoder.next();
        QVERIFY(std::holds_alternative<DecodedPacket>(decoded));
        const auto out = session.receive(std::get<DecodedPacket>(decoded).packet, t0 + 1ms);
        const auto *refused = findEvent<ConnectionRefused>(out);
        QVERIFY(refused);
        QCOMPARE(refused->reason, ReasonCode::UnsupportedProtocolVersion);
        QVERIFY2(refused->message.contains(QStringLiteral("speaks only MQTT 3.1.1")), qPrintable(refused->message));
        QVERIFY(out.close);
    }

    void sessionPresentWithoutStateNamesItsRule_MQTT_3_2_2_4()
    {
        Session session;
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0);
        const auto out = session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 1ms);
        QCOMPARE(findClosingViolation(out)->rule, QStringLiteral("[MQTT-3.2.2-4]"));
    }

    void resentPubRelsOutOfOrderAreFlagged()
    {
        Session session;
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600});
        session.receive(incoming(1, QoS::ExactlyOnce), t0);
        session.receive(incoming(2, QoS::ExactlyOnce), t0);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        session.receive(ConnAck{true, ReasonCode::Success, {}}, t0 + 2s);
        const auto out = session.receive(PubRel{.packetId = 2}, t0 + 3s);
        QCOMPARE(findToleratedViolation(out)->rule, QStringLiteral("[MQTT-4.6.0-4]"));
        QCOMPARE(out.sent, (Packets{PubComp{.packetId = 2}}));
    }

    void keepAliveSendsPingAndDetectsDeadConnection()
    {
        Session session;
        connectClient(session); // keep alive 60 s, last packet sent at t0
        QCOMPARE(session.nextDeadline(), std::optional<Millis>(t0 + 60s));
        QVERIFY(session.tick(t0 + 59s).sent.empty());
        auto out = session.tick(t0 + 60s);
        QCOMPARE(out.sent, (Packets{PingReq{}}));
        QCOMPARE(session.nextDeadline(), std::optional<Millis>(t0 + 120s));
        session.receive(PingResp{}, t0 + 61s);
        QCOMPARE(session.nextDeadline(), std::optional<Millis>(t0 + 120s));
        out = session.tick(t0 + 120s);
        QCOMPARE(out.sent, (Packets{PingReq{}}));
        out = session.tick(t0 + 180s); // no PINGRESP
        QVERIFY(out.close);
        QVERIFY(findEvent<KeepAliveExpired>(out)->message.contains(QStringLiteral("No PINGRESP")));
        QCOMPARE(session.state(), SessionState::Disconnected);
    }

    void sendingPostponesThePing()
    {
        Session session;
        connectClient(session);
        QVERIFY(session.publish(reading("a", QoS::AtMostOnce), t0 + 30s).ticket);
        QCOMPARE(session.nextDeadline(), std::optional<Millis>(t0 + 90s));
    }

    void protocolViolationsCloseWithDisconnect_data()
    {
        QTest::addColumn<Packet>("packet");
        QTest::addColumn<QString>("says");
        QTest::newRow("SUBSCRIBE from server") << Packet(Subscribe{1, {}, {Subscription{QStringLiteral("a"), {}}}})
                                               << QStringLiteral("a server never sends SUBSCRIBE");
        QTest::newRow("second CONNACK") << Packet(ConnAck{}) << QStringLiteral("second CONNACK");
        QTest::newRow("PINGREQ from server") << Packet(PingReq{}) << QStringLiteral("never sends PINGREQ");
        QTest::newRow("AUTH unasked") << Packet(Auth{}) << QStringLiteral("AUTH");
    }
    void protocolViolationsCloseWithDisconnect()
    {
        QFETCH(Packet, packet);
        QFETCH(QString, says);
        Session session;
        connectClient(session);
        const auto out = session.receive(packet, t0 + 1s);
        QVERIFY(out.close);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::ProtocolError}}));
        QVERIFY2(findClosingViolation(out)->message.contains(says), qPrintable(findClosingViolation(out)->message));
        QVERIFY(!findClosingViolation(out)->rule.isEmpty()); // every violation names the rule it breaks
    }

    void decoderErrorDisconnectsWithItsReason()
    {
        Session session;
        connectClient(session);
        const auto out = session.protocolError(ProtocolError{ReasonCode::MalformedPacket, QStringLiteral("bad"), 10}, t0);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::MalformedPacket}}));
        QVERIFY(out.close);
        QCOMPARE(findClosingViolation(out)->rule, QStringLiteral("section 4.13")); // 5.0: handling errors
    }

    void publishBeforeConnAckIsAProtocolError()
    {
        Session session;
        session.connect(connectPacket(), t0);
        const auto out = session.receive(incoming(1, QoS::AtLeastOnce), t0);
        QVERIFY(out.close);
        QVERIFY(findClosingViolation(out)->message.contains(QStringLiteral("before CONNACK")));
    }

    void subscribeAndUnsubscribe()
    {
        Session session;
        connectClient(session);
        auto out = session.subscribe({Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}},
                                      Subscription{QStringLiteral("$SYS/x"), {QoS::AtMostOnce}}},
                                     t0);
        const PacketId subscribeId = std::get<Subscribe>(out.sent.at(0)).packetId;
        out = session.receive(SubAck{subscribeId, {}, {ReasonCode::GrantedQoS2, ReasonCode::NotAuthorized}}, t0);
        const auto *ack = findEvent<SubscribeAcknowledged>(out);
        QVERIFY(ack);
        QCOMPARE(ack->reasons.at(1), ReasonCode::NotAuthorized);
        QVERIFY(!session.outbound().isIdInUse(subscribeId));

        out = session.unsubscribe({QStringLiteral("sensors/#")}, t0);
        const PacketId unsubscribeId = std::get<Unsubscribe>(out.sent.at(0)).packetId;
        out = session.receive(UnsubAck{unsubscribeId, {}, {ReasonCode::Success}}, t0);
        QVERIFY(findEvent<UnsubscribeAcknowledged>(out));
    }

    void subAckWithWrongCountIsAProtocolError()
    {
        Session session;
        connectClient(session);
        auto out = session.subscribe({Subscription{QStringLiteral("a"), {}}}, t0);
        const auto id = std::get<Subscribe>(out.sent.at(0)).packetId;
        out = session.receive(SubAck{id, {}, {ReasonCode::GrantedQoS0, ReasonCode::GrantedQoS0}}, t0);
        QVERIFY(out.close);
    }

    void unansweredSubscribeIsReportedOnDisconnect()
    {
        Session session;
        connectClient(session);
        session.subscribe({Subscription{QStringLiteral("a"), {}}}, t0);
        const auto out = session.connectionLost(t0 + 1s);
        QVERIFY(findEvent<RequestUnanswered>(out));
    }

    void serverRoleAcceptsSubscribesAndEnforcesKeepAlive()
    {
        SessionOptions options;
        options.role = SessionRole::Server;
        options.maximumQoS = QoS::AtLeastOnce;
        Session session(options);
        auto out = session.accept(connectPacket({.keepAlive = 10}), ConnAck{}, t0);
        const auto &ack = std::get<ConnAck>(out.sent.at(0));
        QCOMPARE(ack.properties.integer(PropertyId::MaximumQoS), 1u);
        QCOMPARE(session.state(), SessionState::Connected);

        out = session.receive(Subscribe{3, {}, {Subscription{QStringLiteral("a/#"), {QoS::AtLeastOnce}}}}, t0 + 1s);
        QVERIFY(findEvent<SubscribeRequested>(out));
        out = session.acknowledgeSubscribe(3, {ReasonCode::GrantedQoS1}, t0 + 1s);
        QCOMPARE(out.sent, (Packets{SubAck{3, {}, {ReasonCode::GrantedQoS1}}}));

        out = session.receive(PingReq{}, t0 + 2s);
        QCOMPARE(out.sent, (Packets{PingResp{}}));

        // QoS above the announced maximum closes with 0x9B
        Session strict(options);
        strict.accept(connectPacket(), ConnAck{}, t0);
        out = strict.receive(incoming(1, QoS::ExactlyOnce), t0);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::QoSNotSupported}}));

        // 1.5 x keep alive of silence ends the connection
        QCOMPARE(session.nextDeadline(), std::optional<Millis>(t0 + 2s + 15s));
        out = session.tick(t0 + 17s);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::KeepAliveTimeout}}));
        QVERIFY(out.close);
    }

    void serverRoleQueuesForAnOfflineSessionAndResumes()
    {
        SessionOptions options;
        options.role = SessionRole::Server;
        Session session(options);
        session.accept(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), ConnAck{}, t0);
        const auto sent = session.publish(reading("plant/line1/temp", QoS::ExactlyOnce), t0);
        QCOMPARE(sent.output.sent.size(), 1u);
        session.connectionLost(t0 + 1s);
        const auto queued = session.publish(reading("plant/line1/temp", QoS::ExactlyOnce, "72.0"), t0 + 2s);
        QVERIFY(queued.output.sent.empty());
        const auto out = session.accept(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), ConnAck{true, ReasonCode::Success, {}},
                                        t0 + 3s);
        QCOMPARE(describeAll(out.sent),
                 (QStringList{QStringLiteral("CONNACK session-present=1 0x00 Success"),
                              QStringLiteral("PUBLISH id=1 qos=2 dup=1 retain=0 plant/line1/temp (4 B)"),
                              QStringLiteral("PUBLISH id=2 qos=2 dup=0 retain=0 plant/line1/temp (4 B)")}));
    }
};

QTEST_GUILESS_MAIN(TestSessionLifecycle)
#include "tst_session_lifecycle.moc"
