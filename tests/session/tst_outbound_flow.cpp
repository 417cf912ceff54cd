// The sender's side of QoS 1 and 2: states, ids, quota, failures, refusals.

#include "session_fixture.h"

using namespace mqs;

namespace {

std::vector<quint16> publishIdsOf(const SessionOutput &out)
{
    std::vector<quint16> ids;
    for (const Packet &p : out.sent)
        if (const auto *publish = std::get_if<Publish>(&p); publish && publish->packetId)
            ids.push_back(publish->packetId->value);
    return ids;
}

} // namespace

class TestOutboundFlow : public QObject
{
    Q_OBJECT

private slots:
    void qos2HandshakeWalksTheStates()
    {
        // [MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-4.3.3-3] [MQTT-4.3.3-4] [MQTT-4.3.3-5]: a new unused id, DUP = 0, unacknowledged until PUBREC, PUBREL with that id, unacknowledged until PUBCOMP
        Session session;
        connectClient(session);
        auto published = session.publish(reading("sensors/temperature/livingroom", QoS::ExactlyOnce), t0 + 2ms);
        QVERIFY(published.ticket.sentence().isEmpty());
        QVERIFY(published.ticket && published.ticket->packetId);
        const PacketId id = *published.ticket->packetId;
        QCOMPARE(published.output.sent.size(), 1u);
        const auto &publish = std::get<Publish>(published.output.sent[0]);
        QCOMPARE(publish.packetId, std::optional<PacketId>(id));
        QCOMPARE(publish.dup, false);
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubRec);

        auto out = session.receive(PubRec{.packetId = id}, t0 + 5ms);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = id}}));
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubComp);

        out = session.receive(PubComp{.packetId = id}, t0 + 7ms);
        QVERIFY(out.sent.empty());
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::None);
        QCOMPARE(out.flows.back().state, FlowState::Complete);
        QVERIFY(!session.outbound().isIdInUse(id)); // free only after PUBCOMP
    }

    void writeAheadStoresThePublishBeforeItIsSent()
    {
        Session session;
        connectClient(session);
        auto published = session.publish(reading("a/b", QoS::ExactlyOnce), t0);
        // The output's store changes are committed before its packets go out; the last save of the
        // flow must already say the PUBLISH is on the wire.
        const SaveOutbound *last = nullptr;
        for (const auto &change : published.output.store)
            if (const auto *save = std::get_if<SaveOutbound>(&change))
                last = save;
        QVERIFY(last);
        QCOMPARE(last->flow.state, FlowState::AwaitingPubRec);
        QCOMPARE(last->flow.message.topic, QStringLiteral("a/b"));
        auto out = session.receive(PubRec{.packetId = *published.ticket->packetId}, t0 + 1ms);
        QCOMPARE(out.store.size(), 1u);
        QCOMPARE(std::get<SaveOutbound>(out.store[0]).flow.state, FlowState::AwaitingPubComp);
        out = session.receive(PubComp{.packetId = *published.ticket->packetId}, t0 + 2ms);
        QCOMPARE(out.store, (std::vector<StoreChange>{DeleteOutbound{*published.ticket->packetId}}));
    }

    void qos1CompletesOnPubAck()
    {
        // [MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-4.3.2-3]: a new id, QoS 1, unacknowledged until its PUBACK
        Session session;
        connectClient(session);
        auto published = session.publish(reading("a/b", QoS::AtLeastOnce), t0);
        const PacketId id = *published.ticket->packetId;
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubAck);
        auto out = session.receive(PubAck{.packetId = id}, t0 + 1ms);
        QCOMPARE(out.flows.back().state, FlowState::Complete);
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::None);
    }

    void failingPubRecEndsTheFlowWithoutPubRel()
    {
        // [MQTT-4.4.0-2] a PUBREC of 0x80 or above acknowledges: no PUBREL, no resend, the quota comes back
        // mqtt_cpp#986: the id must be free again after a failing PUBREC.
        Session session;
        connectClient(session);
        auto published = session.publish(reading("a/b", QoS::ExactlyOnce), t0);
        const PacketId id = *published.ticket->packetId;
        auto out = session.receive(PubRec{.packetId = id, .reason = ReasonCode::QuotaExceeded}, t0 + 1ms);
        QVERIFY(out.sent.empty()); // Qt's QtMqtt sends PUBREL whatever PUBREC says; we must not
        QCOMPARE(out.flows.back().state, FlowState::Failed);
        QCOMPARE(out.flows.back().reason, ReasonCode::QuotaExceeded);
        QVERIFY(out.flows.back().note.contains(QStringLiteral("0x97 Quota exceeded")));
        QVERIFY(!session.outbound().isIdInUse(id));
        QCOMPARE(session.outbound().sendQuota(), 65535);
    }

    void pubRecWithSuccessCodeBelow0x80IsNotAFailure()
    {
        Session session;
        connectClient(session);
        auto published = session.publish(reading("a/b", QoS::ExactlyOnce), t0);
        const PacketId id = *published.ticket->packetId;
        auto out = session.receive(PubRec{.packetId = id, .reason = ReasonCode::NoMatchingSubscribers}, t0 + 1ms);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = id}}));
    }

    void duplicatePubRecResendsPubRel()
    {
        Session session;
        connectClient(session);
        const PacketId id = *session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket->packetId;
        session.receive(PubRec{.packetId = id}, t0 + 1ms);
        auto out = session.receive(PubRec{.packetId = id}, t0 + 2ms);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = id}}));
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubComp);
    }

    void unknownPubRecIsAnsweredWithPubRel0x92()
    {
        Session session;
        connectClient(session);
        auto out = session.receive(PubRec{.packetId = 77}, t0 + 1ms);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = 77, .reason = ReasonCode::PacketIdentifierNotFound}}));
        QVERIFY(findToleratedViolation(out));
        QCOMPARE(session.state(), SessionState::Connected);
    }

    void unknownPubCompAndPubAckAreReportedNotFatal()
    {
        Session session;
        connectClient(session);
        auto out = session.receive(PubComp{.packetId = 5}, t0 + 1ms);
        QVERIFY(out.sent.empty());
        QVERIFY(findToleratedViolation(out)->message.contains(QStringLiteral("PUBCOMP for id 5")));
        out = session.receive(PubAck{.packetId = 6}, t0 + 1ms);
        QVERIFY(findToleratedViolation(out)->message.contains(QStringLiteral("PUBACK for id 6")));
        QCOMPARE(findToleratedViolation(out)->rule, QStringLiteral("section 4.3.2"));
        QCOMPARE(session.state(), SessionState::Connected);
    }

    void pubCompBeforePubRecIsAProtocolError()
    {
        Session session;
        connectClient(session);
        const PacketId id = *session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket->packetId;
        auto out = session.receive(PubComp{.packetId = id}, t0 + 1ms);
        QVERIFY(out.close);
        QCOMPARE(out.sent, (Packets{Disconnect{.reason = ReasonCode::ProtocolError}}));
        QVERIFY(findClosingViolation(out)->message.contains(QStringLiteral("before its PUBREC")));
        QCOMPARE(findClosingViolation(out)->rule, QStringLiteral("[MQTT-4.3.3-5]"));
    }

    void idsAreNeverReusedWhileInFlight()
    {
        // emqx/qmqtt#262, paho.mqtt.c#649: the allocator must skip every id still in flight.
        Session session;
        connectClient(session);
        std::set<quint16> inFlight;
        for (int i = 0; i < 300; ++i) {
            const auto id = *session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket->packetId;
            QVERIFY2(inFlight.insert(id.value).second, qPrintable(QStringLiteral("id %1 handed out twice").arg(id.value)));
            if (i % 3 == 0) { // finish every third one
                session.receive(PubRec{.packetId = id}, t0);
                session.receive(PubComp{.packetId = id}, t0);
                inFlight.erase(id.value);
            }
        }
    }

    // A chosen id: once its flow completed (PUBCOMP) a new message may take it ([MQTT-2.2.1-3]);
    // while the flow is open it is refused, and the allocator never hands it out meanwhile.
    void chosenPacketIdIsTakenOnlyWhenUnused()
    {
        Session session;
        connectClient(session);
        const PublishOverrides seven{.packetId = PacketId(7)};
        const auto first = session.publish(reading("a/b", QoS::ExactlyOnce), t0, seven);
        QCOMPARE(first.ticket->packetId, std::optional<PacketId>(7));
        QCOMPARE(publishIdsOf(first.output), (std::vector<quint16>{7}));
        const auto busy = session.publish(reading("a/b", QoS::ExactlyOnce), t0, seven);
        QVERIFY(!busy.ticket);
        QCOMPARE(busy.ticket.problem().kind, ProblemKind::State);
        for (int i = 0; i < 10; ++i)
            QVERIFY(session.publish(reading("a/b", QoS::AtLeastOnce), t0).ticket->packetId != std::optional<PacketId>(7));
        session.receive(PubRec{.packetId = 7}, t0);
        session.receive(PubComp{.packetId = 7}, t0);
        const auto again = session.publish(reading("a/b", QoS::ExactlyOnce), t0, seven);
        QCOMPARE(again.ticket->packetId, std::optional<PacketId>(7));
        QVERIFY(!session.publish(reading("a/b", QoS::AtMostOnce), t0, seven).ticket); // QoS 0 has no id
    }

    // The probe's oversize PUBLISH: only QoS 0 (nothing stays to be resent), and only when asked.
    void exceedingThePeersMaximumPacketSizeOnlyWhenAsked()
    {
        Session session;
        Properties props;
        props.set(PropertyId::MaximumPacketSize, quint32(100));
        connectClient(session, {.connAckProperties = props});
        const ApplicationMessage large = reading("a/b", QoS::AtMostOnce, QByteArray(200, 'x'));
        QVERIFY(!session.publish(large, t0).ticket);
        const PublishOverrides over{.exceedPeerMaximumPacketSize = true};
        const auto sent = session.publish(large, t0, over);
        QVERIFY2(sent.ticket, qPrintable(sent.ticket.sentence()));
        QCOMPARE(sent.output.sent.size(), 1u);
        QVERIFY(encode(sent.output.sent.front(), ProtocolVersion::V5).size() > 100);
        QVERIFY(!session.publish(reading("a/b", QoS::AtLeastOnce, QByteArray(200, 'x')), t0, over).ticket);
    }

    void allocatorWrapsAroundSkippingUsedIds()
    {
        PacketIdAllocator ids;
        ids.reserve(1);
        ids.reserve(3);
        QCOMPARE(ids.allocate(), std::optional<PacketId>(2));
        QCOMPARE(ids.allocate(), std::optional<PacketId>(4));
        for (int i = 4; i < 65535; ++i)
            QVERIFY(ids.allocate());
        QCOMPARE(ids.allocate(), std::optional<PacketId>()); // all 65,535 in use
        ids.release(2);
        QCOMPARE(ids.allocate(), std::optional<PacketId>(2));
    }

    void windowIsBoundedByPeerReceiveMaximum()
    {
        // [MQTT-3.3.4-7] [MQTT-3.3.4-8] at most Receive Maximum unacknowledged QoS > 0 PUBLISHes; other packets are not held back
        Session session;
        Properties props;
        props.set(PropertyId::ReceiveMaximum, quint32(2));
        connectClient(session, {.connAckProperties = props});
        const auto a = session.publish(reading("a", QoS::ExactlyOnce), t0);
        const auto b = session.publish(reading("b", QoS::AtLeastOnce), t0);
        const auto c = session.publish(reading("c", QoS::ExactlyOnce), t0);
        QCOMPARE(a.output.sent.size(), 1u);
        QCOMPARE(b.output.sent.size(), 1u);
        QVERIFY(c.output.sent.empty()); // [MQTT-4.9.0-2] quota 0: nothing more goes out
        QCOMPARE(session.flowState(Direction::Outbound, *c.ticket->packetId), FlowState::Queued);
        QCOMPARE(session.outbound().sendQuota(), 0);

        // PUBREL still flows at quota 0 ([MQTT-4.9.0-3])
        auto out = session.receive(PubRec{.packetId = *a.ticket->packetId}, t0 + 1ms);
        QCOMPARE(out.sent, (Packets{PubRel{.packetId = *a.ticket->packetId}}));
        // PUBACK gives a unit back: the queued message goes out, in order
        out = session.receive(PubAck{.packetId = *b.ticket->packetId}, t0 + 2ms);
        QCOMPARE(out.sent.size(), 1u);
        QCOMPARE(std::get<Publish>(out.sent[0]).topic, QStringLiteral("c"));
        QCOMPARE(session.outbound().sendQuota(), 0);
        session.receive(PubComp{.packetId = *a.ticket->packetId}, t0 + 3ms);
        QCOMPARE(session.outbound().sendQuota(), 1);
    }

    void quotaResetsOnEveryConnection()
    {
        // [MQTT-4.9.0-1] the send quota starts at the peer's Receive Maximum on each connection
        // paho.mqtt.python#24, mosquitto#1332: an inflight counter that is not reset stalls sending.
        Session session;
        Properties props;
        props.set(PropertyId::ReceiveMaximum, quint32(1));
        connectClient(session, {.cleanStart = false, .sessionExpiry = 3600, .connAckProperties = props});
        QVERIFY(session.publish(reading("a", QoS::ExactlyOnce), t0).ticket);
        QCOMPARE(session.outbound().sendQuota(), 0);
        session.connectionLost(t0 + 1s);
        session.connect(connectPacket({.cleanStart = false, .sessionExpiry = 3600}), t0 + 2s);
        auto out = session.receive(ConnAck{true, ReasonCode::Success, props}, t0 + 2s);
        QCOMPARE(out.sent.size(), 1u); // the resend takes the one unit
        QCOMPARE(session.outbound().sendQuota(), 0);
        session.receive(PubRec{.packetId = 1}, t0 + 3s);
        session.receive(PubComp{.packetId = 1}, t0 + 3s);
        QCOMPARE(session.outbound().sendQuota(), 1);
    }

    void maximumQosFromConnAckRefusesHigherQos()
    {
        Session session;
        Properties props;
        props.set(PropertyId::MaximumQoS, quint32(1));
        connectClient(session, {.connAckProperties = props});
        auto result = session.publish(reading("a/b", QoS::ExactlyOnce), t0);
        QVERIFY(!result.ticket);
        QVERIFY(result.output.sent.empty());
        QVERIFY2(result.ticket.sentence().contains(QStringLiteral("at most QoS 1")), qPrintable(result.ticket.sentence()));
        QVERIFY(session.publish(reading("a/b", QoS::AtLeastOnce), t0).ticket);
    }

    void retainUnavailableRefusesRetainedPublish()
    {
        Session session;
        Properties props;
        props.set(PropertyId::RetainAvailable, quint32(0));
        connectClient(session, {.connAckProperties = props});
        auto m = reading("a/b", QoS::AtLeastOnce);
        m.retain = true;
        const auto result = session.publish(m, t0);
        QVERIFY(!result.ticket);
        QVERIFY(result.ticket.sentence().contains(QStringLiteral("Retain Available")));
    }

    void peerMaximumPacketSizeRefusesLargePublish()
    {
        Session session;
        Properties props;
        props.set(PropertyId::MaximumPacketSize, quint32(100));
        connectClient(session, {.connAckProperties = props});
        const auto result = session.publish(reading("a/b", QoS::AtLeastOnce, QByteArray(200, 'x')), t0);
        QVERIFY(!result.ticket);
        QVERIFY2(result.ticket.sentence().contains(QStringLiteral("at most 100 bytes")), qPrintable(result.ticket.sentence()));
        QVERIFY(!session.outbound().isIdInUse(1));
    }

    void invalidTopicIsRefused_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << QString() << QStringLiteral("empty");
        QTest::newRow("plus") << QStringLiteral("sensors/+/t") << QStringLiteral("wildcard");
        QTest::newRow("hash") << QStringLiteral("sensors/#") << QStringLiteral("wildcard");
    }
    void invalidTopicIsRefused()
    {
        QFETCH(QString, topic);
        QFETCH(QString, says);
        Session session;
        connectClient(session);
        const auto result = session.publish(reading(topic, QoS::AtLeastOnce), t0);
        QVERIFY(!result.ticket);
        QVERIFY2(result.ticket.sentence().contains(says), qPrintable(result.ticket.sentence()));
    }

    void qos0WhileDisconnectedIsRefusedNotSilentlyDropped()
    {
        Session session;
        const auto result = session.publish(reading("a/b", QoS::AtMostOnce), t0);
        QVERIFY(!result.ticket);
        QVERIFY(result.ticket.sentence().contains(QStringLiteral("Not connected")));
    }

    void qos2WhileDisconnectedIsQueuedAndSentOnConnect()
    {
        Session session;
        const auto result = session.publish(reading("a/b", QoS::ExactlyOnce), t0);
        QVERIFY(result.ticket);
        QVERIFY(result.output.sent.empty());
        session.connect(connectPacket(), t0 + 1ms);
        auto out = session.receive(ConnAck{}, t0 + 2ms);
        QCOMPARE(out.sent.size(), 1u);
        QCOMPARE(std::get<Publish>(out.sent[0]).dup, false); // first transmission
    }

    void queueIsBounded()
    {
        SessionOptions options;
        options.maximumQueued = 3;
        Session session(options);
        for (int i = 0; i < 3; ++i)
            QVERIFY(session.publish(reading("a/b", QoS::AtLeastOnce), t0).ticket);
        const auto result = session.publish(reading("a/b", QoS::AtLeastOnce), t0);
        QVERIFY(!result.ticket);
        QVERIFY(result.ticket.sentence().contains(QStringLiteral("queue limit")));
    }

    void queuedMessageExpires()
    {
        Session session;
        auto m = reading("a/b", QoS::AtLeastOnce);
        m.properties.set(PropertyId::MessageExpiryInterval, quint32(10));
        QVERIFY(session.publish(m, t0).ticket);
        session.connect(connectPacket(), t0 + 11s);
        const auto out = session.receive(ConnAck{}, t0 + 11s);
        QVERIFY(out.sent.empty());
        QCOMPARE(out.flows.back().state, FlowState::Failed);
        QVERIFY(out.flows.back().note.contains(QStringLiteral("Message Expiry Interval")));
    }

    void expiryIntervalCountsDownWhileQueued()
    {
        Session session;
        auto m = reading("a/b", QoS::AtLeastOnce);
        m.properties.set(PropertyId::MessageExpiryInterval, quint32(60));
        QVERIFY(session.publish(m, t0).ticket);
        session.connect(connectPacket(), t0 + 15s);
        const auto out = session.receive(ConnAck{}, t0 + 15s);
        QCOMPARE(std::get<Publish>(out.sent.at(0)).properties.integer(PropertyId::MessageExpiryInterval), 45u);
    }

    void topicAliasesWhenEnabledAndAllowed()
    {
        SessionOptions options;
        options.useTopicAliases = true;
        Session session(options);
        Properties props;
        props.set(PropertyId::TopicAliasMaximum, quint32(1));
        connectClient(session, {.connAckProperties = props});
        const auto first = std::get<Publish>(session.publish(reading("a/b", QoS::AtMostOnce), t0).output.sent.at(0));
        QCOMPARE(first.topic, QStringLiteral("a/b"));
        QCOMPARE(first.properties.integer(PropertyId::TopicAlias), 1u);
        const auto second = std::get<Publish>(session.publish(reading("a/b", QoS::AtMostOnce), t0).output.sent.at(0));
        QVERIFY(second.topic.isEmpty());
        QCOMPARE(second.properties.integer(PropertyId::TopicAlias), 1u);
        const auto other = std::get<Publish>(session.publish(reading("c/d", QoS::AtMostOnce), t0).output.sent.at(0));
        QCOMPARE(other.topic, QStringLiteral("c/d")); // the peer allows only one alias
        QVERIFY(!other.properties.contains(PropertyId::TopicAlias));
    }

    void qos0KeepsItsMessageExpiry_MQTT_3_3_2_6()
    {
        // [MQTT-3.3.2-6] the interval sent is the one given less the time the message waited: a QoS 0
        // message waits no time. It went out as 1 s, so a retained message expired at once at the broker.
        Session session;
        connectClient(session);
        auto m = reading("a/b", QoS::AtMostOnce);
        m.retain = true;
        m.properties.set(PropertyId::MessageExpiryInterval, quint32(3600));
        const auto sent = std::get<Publish>(session.publish(m, t0 + 5s).output.sent.at(0));
        QCOMPARE(sent.properties.integer(PropertyId::MessageExpiryInterval), 3600u);
    }

    void qos0GoesOutOnceWithDupZero_MQTT_4_3_1_1()
    {
        Session session;
        connectClient(session);
        const auto result = session.publish(reading("a/b", QoS::AtMostOnce), t0);
        QCOMPARE(result.output.sent.size(), 1u);
        const auto &sent = std::get<Publish>(result.output.sent[0]);
        QCOMPARE(sent.qos, QoS::AtMostOnce);
        QCOMPARE(sent.dup, false);
        QVERIFY(!sent.packetId);
        QCOMPARE(session.outbound().inflight(), 0); // nothing kept, so nothing is ever resent
    }

    void queuedMessageMeetsTheConnAckMaximumQos_MQTT_3_2_2_11()
    {
        Session session;
        QVERIFY(session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket); // queued: not connected yet
        Properties props;
        props.set(PropertyId::MaximumQoS, quint32(1));
        const auto out = connectClient(session, {.connAckProperties = props});
        QVERIFY2(out.sent.empty(), qPrintable(describePackets(out.sent)));
        QCOMPARE(out.flows.back().state, FlowState::Failed);
        QVERIFY2(out.flows.back().note.contains(QStringLiteral("[MQTT-3.2.2-11]")), qPrintable(out.flows.back().note));
        QCOMPARE(session.outbound().queued(), 0);
    }

    void queuedRetainedMessageMeetsRetainAvailable_MQTT_3_2_2_14()
    {
        Session session;
        auto m = reading("a/b", QoS::AtLeastOnce);
        m.retain = true;
        QVERIFY(session.publish(m, t0).ticket);
        QVERIFY(session.publish(reading("a/c", QoS::AtLeastOnce), t0).ticket);
        Properties props;
        props.set(PropertyId::RetainAvailable, quint32(0));
        const auto out = connectClient(session, {.connAckProperties = props});
        QCOMPARE(out.sent.size(), 1u); // only the unretained one
        QCOMPARE(std::get<Publish>(out.sent[0]).topic, QStringLiteral("a/c"));
        QVERIFY(out.flows.front().note.contains(QStringLiteral("[MQTT-3.2.2-14]")));
    }

    void userPublishPropertiesAreChecked_data()
    {
        QTest::addColumn<quint32>("topicAliasMaximum"); // in the CONNACK; 0 = none announced
        QTest::addColumn<int>("property");
        QTest::addColumn<quint32>("value");
        QTest::addColumn<QString>("rule");
        const int alias = int(PropertyId::TopicAlias);
        QTest::newRow("alias 0") << 5u << alias << 0u << QStringLiteral("[MQTT-3.3.2-8]");
        QTest::newRow("alias above the maximum") << 2u << alias << 3u << QStringLiteral("[MQTT-3.2.2-17]");
        QTest::newRow("alias with no maximum") << 0u << alias << 1u << QStringLiteral("[MQTT-3.2.2-18]");
        QTest::newRow("subscription identifier") << 5u << int(PropertyId::SubscriptionIdentifier) << 7u
                                                 << QStringLiteral("[MQTT-3.3.4-6]");
    }
    void userPublishPropertiesAreChecked()
    {
        QFETCH(quint32, topicAliasMaximum);
        QFETCH(int, property);
        QFETCH(quint32, value);
        QFETCH(QString, rule);
        Session session;
        Properties props;
        if (topicAliasMaximum > 0)
            props.set(PropertyId::TopicAliasMaximum, topicAliasMaximum);
        connectClient(session, {.connAckProperties = props});
        for (QoS qos : {QoS::AtMostOnce, QoS::AtLeastOnce}) {
            auto m = reading("a/b", qos);
            m.properties.set(PropertyId(property), value);
            const auto result = session.publish(m, t0);
            QVERIFY(!result.ticket);
            QVERIFY(result.output.sent.empty());
            QVERIFY2(result.ticket.sentence().contains(rule), qPrintable(result.ticket.sentence()));
        }
    }

    void userTopicAliasWithinTheMaximumIsSent()
    {
        Session session;
        Properties props;
        props.set(PropertyId::TopicAliasMaximum, quint32(2));
        connectClient(session, {.connAckProperties = props});
        auto m = reading("a/b", QoS::AtMostOnce);
        m.properties.set(PropertyId::TopicAlias, quint32(2));
        const auto result = session.publish(m, t0);
        QVERIFY2(result.ticket.sentence().isEmpty(), qPrintable(result.ticket.sentence()));
        QCOMPARE(std::get<Publish>(result.output.sent.at(0)).properties.integer(PropertyId::TopicAlias), 2u);
    }

    void aliasIsKnownToThePeerOnlyOnceItsPublishWentOut()
    {
        // A PUBLISH that would introduce an alias but is too large never reaches the peer, so the
        // next PUBLISH to that topic must carry the topic name again, not the alias alone.
        SessionOptions options;
        options.useTopicAliases = true;
        Session session(options);
        const QByteArray payload(40, 'x');
        Publish plain{false, QoS::AtLeastOnce, false, QStringLiteral("a/b"), PacketId(1), {}, payload};
        Properties props;
        props.set(PropertyId::TopicAliasMaximum, quint32(5));
        props.set(PropertyId::MaximumPacketSize, quint32(encode(plain, ProtocolVersion::V5).size()));
        connectClient(session, {.connAckProperties = props});
        const auto tooLarge = session.publish(reading("a/b", QoS::AtLeastOnce, payload), t0); // + 3 bytes of alias
        QVERIFY(tooLarge.output.sent.empty());
        const auto next = session.publish(reading("a/b", QoS::AtLeastOnce, "1"), t0);
        const auto sent = std::get<Publish>(next.output.sent.at(0));
        QCOMPARE(sent.topic, QStringLiteral("a/b"));
    }

    void v311HasNoReasonCodesOnTheWire()
    {
        Session session;
        connectClient(session, {.version = ProtocolVersion::V311});
        const auto id = *session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket->packetId;
        auto out = session.receive(PubRec{.packetId = id}, t0);
        QCOMPARE(encode(out.sent.at(0), ProtocolVersion::V311), QByteArray::fromHex("62020001"));
    }
};

QTEST_GUILESS_MAIN(TestOutboundFlow)
#include "tst_outbound_flow.moc"
