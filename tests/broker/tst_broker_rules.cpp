// The sandbox broker's server-side rules, each named by the spec statement it holds the broker
// to: closing on a violation, CONNECT checks, Session Expiry on DISCONNECT, takeover, assigned
// ids, Maximum QoS and Retain Available, retained message expiry.

#include "broker_wire.h"

using namespace mqs;

namespace {

// A watcher subscribed to `filter` (QoS 1), connected.
BrokerWire::Client &watch(BrokerWire &wire, const QString &filter)
{
    auto &watcher = wire.client(QStringLiteral("watcher"));
    wire.connect(watcher, connectAs(QStringLiteral("watcher")));
    wire.subscribe(watcher, {Subscription{filter, {QoS::AtLeastOnce}}});
    return watcher;
}

// Packets `client` sends in one go, bypassing its session's own checks (a misbehaving peer).
void sendRaw(BrokerWire &wire, BrokerWire::Client &client, std::vector<Packet> packets)
{
    SessionOutput out;
    out.sent = std::move(packets);
    wire.fromClient(client, std::move(out));
    wire.run();
}

Publish publishOn(const QString &topic, const QByteArray &payload)
{
    return Publish{.topic = topic, .payload = payload};
}

bool anyNoteContains(const BrokerWire &wire, const QString &text)
{
    return std::any_of(wire.notes.begin(), wire.notes.end(), [&](const QString &n) { return n.contains(text); });
}

Will willOn(const QString &topic, QoS qos = QoS::AtLeastOnce, bool retain = false)
{
    return Will{topic, "offline", qos, retain, {}};
}

// The CONNACK the broker answers `connect` with, straight from the core.
ConnAck connAckFor(BrokerCore &broker, const Connect &connect)
{
    const BrokerStep step = broker.received(1, connect, Millis(0));
    for (const ClientOutput &co : step.clients)
        for (const Packet &p : co.output.sent)
            if (const auto *ack = std::get_if<ConnAck>(&p))
                return *ack;
    return ConnAck{false, ReasonCode::UnspecifiedError, {}};
}

// One row per protocol version (column "version"), for a rule that holds in both.
void eachVersion(const char *v5Row = "5.0", const char *v311Row = "3.1.1")
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow(v5Row) << ProtocolVersion::V5;
    QTest::newRow(v311Row) << ProtocolVersion::V311;
}

// What an owner does with a step's store changes (BrokerWire does it for its own broker).
void commit(SessionStore &store, const BrokerStep &step)
{
    for (const auto &[key, changes] : step.store)
        QVERIFY(store.apply(key, changes).ok());
    for (const ClientOutput &co : step.clients)
        QVERIFY(store.apply(co.key, co.output.store).ok());
}

} // namespace

class TestBrokerRules : public QObject
{
    Q_OBJECT

private slots:
    // ---- nothing after the decision to close ------------------------------------------------

    void nothingIsProcessedAfterTheDecisionToClose_MQTT_3_1_0_2_data() { eachVersion(); }
    void nothingIsProcessedAfterTheDecisionToClose_MQTT_3_1_0_2()
    {
        QFETCH(ProtocolVersion, version);
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("t"));
        auto &rogue = wire.client(QStringLiteral("rogue"));
        wire.connect(rogue, connectAs(QStringLiteral("rogue"), {.version = version}));
        // one read: a second CONNECT (a Protocol Error that closes), then a new CONNECT and a PUBLISH
        sendRaw(wire, rogue, {connectAs(QStringLiteral("rogue"), {.version = version}), connectAs(QStringLiteral("impostor"), {.version = version}),
                              publishOn(QStringLiteral("t"), "smuggled")});
        QVERIFY(watcher.received.empty());
        QCOMPARE(wire.broker.sessionIds(), std::vector<QString>{QStringLiteral("watcher")});
        QVERIFY(!anyNoteContains(wire, QStringLiteral("[MQTT-3.1.0-1]"))); // not "PUBLISH before CONNECT"
        QVERIFY(!rogue.connected);
        if (version == ProtocolVersion::V5)
            QVERIFY(wire.logOf(QStringLiteral("rogue")).contains(QStringLiteral("broker -> rogue: DISCONNECT 0x82 Protocol Error")));
    }

    void nothingIsProcessedAfterARefusedConnect_MQTT_3_1_4_6()
    {
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("t"));
        auto &old = wire.client(QStringLiteral("old"));
        wire.open(old);
        // one read: a CONNECT refused with 0x85 (empty id, Clean Session 0), a CONNECT, a PUBLISH
        sendRaw(wire, old, {connectAs(QString(), {.version = ProtocolVersion::V311, .cleanStart = false}), connectAs(QStringLiteral("again"), {.version = ProtocolVersion::V311}),
                            publishOn(QStringLiteral("t"), "x")});
        QVERIFY(wire.logOf(QStringLiteral("old")).contains(QStringLiteral("broker -> old: CONNACK session-present=0 0x85 Client Identifier not valid")));
        QVERIFY(watcher.received.empty());
        QCOMPARE(wire.broker.sessionIds(), std::vector<QString>{QStringLiteral("watcher")});
    }

    // ---- CONNECT checks ---------------------------------------------------------------------

    void unsupportedProtocolLevelGetsConnAck0x01_MQTT_3_1_2_2()
    {
        BrokerCore broker;
        const BrokerStep step = broker.protocolError(
            1, ProtocolError{ReasonCode::UnsupportedProtocolVersion, QStringLiteral("level 6"), 7}, Millis(0));
        QCOMPARE(step.clients.size(), 1u);
        QCOMPARE(step.clients[0].output.sent.size(), 1u);
        const auto &ack = std::get<ConnAck>(step.clients[0].output.sent[0]);
        QCOMPARE(encode(ack, ProtocolVersion::V311), QByteArray::fromHex("20020001")); // 3.1.1 return code 0x01
        QVERIFY(step.clients[0].output.close);
        QVERIFY(broker.isClosing(1));
    }

    void authenticationDataWithoutMethodIsAProtocolError()
    {
        BrokerCore broker;
        Connect c = connectAs(QStringLiteral("auth"));
        c.properties.set(PropertyId::AuthenticationData, QByteArray("secret"));
        QCOMPARE(connAckFor(broker, c).reason, ReasonCode::ProtocolError);
        QVERIFY(broker.sessionIds().empty());
        QVERIFY(broker.isClosing(1));
    }

    void publishFromAClientWithASubscriptionIdentifierIsAProtocolError_MQTT_3_3_4_6()
    {
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("t"));
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        Publish p = publishOn(QStringLiteral("t"), "x");
        p.properties.set(PropertyId::SubscriptionIdentifier, quint32(5));
        sendRaw(wire, pub, {p});
        QVERIFY(watcher.received.empty());
        QVERIFY(wire.logOf(QStringLiteral("pub")).contains(QStringLiteral("broker -> pub: DISCONNECT 0x82 Protocol Error")));
        QVERIFY(anyNoteContains(wire, QStringLiteral("[MQTT-3.3.4-6]")));
    }

    void connAckLeavesSharedSubscriptionsAvailable()
    {
        BrokerCore broker;
        // absent, Shared Subscription Available means "available" (3.2.2.3.14), and it is
        QVERIFY(!connAckFor(broker, connectAs(QStringLiteral("c"))).properties.contains(PropertyId::SharedSubscriptionAvailable));
    }

    void connAckAnnouncesTheMaximumPacketSize()
    {
        BrokerCore broker;
        QCOMPARE(connAckFor(broker, connectAs(QStringLiteral("c"))).properties.integer(PropertyId::MaximumPacketSize),
                 std::optional<quint32>(BrokerOptions::kSandboxMaximumPacketSize));
    }

    // ---- Session Expiry Interval on DISCONNECT (3.14.2.2.2) ---------------------------------

    void disconnectCannotGiveAZeroSessionExpiryOne()
    {
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("status/#"));
        auto &c = wire.client(QStringLiteral("c"));
        Connect connect = connectAs(QStringLiteral("c")); // Session Expiry 0
        connect.will = willOn(QStringLiteral("status/c"));
        wire.connect(c, connect);
        Properties raise;
        raise.set(PropertyId::SessionExpiryInterval, quint32(30));
        sendRaw(wire, c, {Disconnect{ReasonCode::Success, raise}});
        QVERIFY(wire.logOf(QStringLiteral("c")).contains(QStringLiteral("broker -> c: DISCONNECT 0x82 Protocol Error")));
        QVERIFY(wire.broker.sessionIds() == std::vector<QString>{QStringLiteral("watcher")}); // ended with its connection
        QCOMPARE(watcher.received.size(), 1u); // a protocol error is no normal disconnection: the will goes
    }

    void disconnectRaisesTheSessionExpiry()
    {
        BrokerWire wire;
        auto &c = wire.client(QStringLiteral("c"));
        wire.connect(c, connectAs(QStringLiteral("c"), {.cleanStart = false, .sessionExpiry = 1}));
        Properties raise;
        raise.set(PropertyId::SessionExpiryInterval, quint32(3600));
        wire.fromClient(c, c.session.disconnect(wire.now, ReasonCode::Success, raise));
        wire.run();
        wire.advance(10s);
        QCOMPARE(wire.broker.sessionIds(), std::vector<QString>{QStringLiteral("c")});
        const auto stored = wire.store.load(SessionKey{wire.broker.storeScope(), QStringLiteral("c")}).value();
        QVERIFY(stored);
        QCOMPARE(stored->meta.sessionExpiry, 3600u); // a restart keeps it that long too
        wire.advance(3600s);
        QVERIFY(wire.broker.sessionIds().empty());
    }

    void disconnectWithSessionExpiryZeroEndsTheSession()
    {
        BrokerWire wire;
        auto &c = wire.client(QStringLiteral("c"));
        wire.connect(c, connectAs(QStringLiteral("c"), {.cleanStart = false, .sessionExpiry = 3600}));
        wire.subscribe(c, {Subscription{QStringLiteral("a"), {QoS::AtLeastOnce}}});
        Properties lower;
        lower.set(PropertyId::SessionExpiryInterval, quint32(0));
        wire.fromClient(c, c.session.disconnect(wire.now, ReasonCode::Success, lower));
        wire.run();
        QVERIFY(wire.broker.sessionIds().empty());
        QVERIFY(!wire.store.load(SessionKey{wire.broker.storeScope(), QStringLiteral("c")}).value());
    }

    // ---- session takeover -------------------------------------------------------------------

    void takeoverPublishesTheEarlierConnectionsWill_MQTT_3_1_4_3_data() { eachVersion(); }
    void takeoverPublishesTheEarlierConnectionsWill_MQTT_3_1_4_3()
    {
        QFETCH(ProtocolVersion, version);
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("status/#"));
        auto &first = wire.client(QStringLiteral("first"));
        auto &second = wire.client(QStringLiteral("second"));
        Connect withWill = connectAs(QStringLiteral("same-id"), {.version = version});
        withWill.will = willOn(QStringLiteral("status/same-id"));
        wire.connect(first, withWill);
        wire.connect(second, connectAs(QStringLiteral("same-id"), {.version = version}));
        QVERIFY(!first.connected);
        QVERIFY(second.connected);
        QCOMPARE(watcher.received.size(), 1u);
        QCOMPARE(watcher.received[0].message.topic, QStringLiteral("status/same-id"));
    }

    void takeoverOfA311ClientSendsNoDisconnect_MQTT_3_1_4_2()
    {
        BrokerWire wire;
        auto &first = wire.client(QStringLiteral("first"));
        auto &second = wire.client(QStringLiteral("second"));
        wire.connect(first, connectAs(QStringLiteral("same-id"), {.version = ProtocolVersion::V311}));
        wire.connect(second, connectAs(QStringLiteral("same-id"), {.version = ProtocolVersion::V311}));
        QVERIFY(!first.connected);
        QVERIFY(wire.logOf(QStringLiteral("first")).filter(QStringLiteral("DISCONNECT")).isEmpty()); // a client-only packet in 3.1.1
    }

    void takeoverDoesNotResumeASessionThatEndedWithItsConnection_MQTT_3_1_2_6_data()
    {
        eachVersion("5.0 expiry 0", "3.1.1 clean session 1");
    }
    void takeoverDoesNotResumeASessionThatEndedWithItsConnection_MQTT_3_1_2_6()
    {
        QFETCH(ProtocolVersion, version);
        BrokerWire wire;
        auto &first = wire.client(QStringLiteral("first"));
        auto &second = wire.client(QStringLiteral("second"));
        wire.connect(first, connectAs(QStringLiteral("same-id"), {.version = version}));
        wire.subscribe(first, {Subscription{QStringLiteral("a"), {QoS::AtLeastOnce}}});
        wire.connect(second, connectAs(QStringLiteral("same-id"), {.version = version, .cleanStart = false, .sessionExpiry = 3600}));
        QVERIFY(wire.logOf(QStringLiteral("second")).filter(QStringLiteral("CONNACK session-present=0")).size() == 1);
        QVERIFY(wire.broker.subscriptions(QStringLiteral("same-id")).empty());
    }

    void takeoverWithCleanStartEndsTheSessionAndItsDelayedWill()
    {
        BrokerWire wire;
        auto &watcher = watch(wire, QStringLiteral("status/#"));
        auto &first = wire.client(QStringLiteral("first"));
        auto &second = wire.client(QStringLiteral("second"));
        Connect delayed = connectAs(QStringLiteral("same-id"), {.cleanStart = false, .sessionExpiry = 3600});
        delayed.will = willOn(QStringLiteral("status/same-id"));
        delayed.will->properties.set(PropertyId::WillDelayInterval, quint32(60));
        wire.connect(first, delayed);
        wire.connect(second, connectAs(QStringLiteral("same-id"))); // Clean Start: the old session ends now
        QCOMPARE(watcher.received.size(), 1u); // 3.1.2.5: the delay or the session's end, whichever is first
    }

    // ---- assigned client ids ----------------------------------------------------------------

    void assignedClientIdsAreNotInUse_MQTT_3_2_2_16()
    {
        BrokerWire wire;
        auto &named = wire.client(QStringLiteral("named"));
        wire.connect(named, connectAs(QStringLiteral("sandbox-1")));
        auto &anon = wire.client(QStringLiteral("anon"));
        wire.connect(anon, connectAs(QString()));
        QVERIFY(named.connected); // not taken over
        QVERIFY(anon.session.meta().clientId.startsWith(QStringLiteral("sandbox-")));
        QVERIFY(anon.session.meta().clientId != QStringLiteral("sandbox-1"));
        QCOMPARE(wire.broker.sessionIds().size(), 2u);
    }

    // ---- Maximum QoS and Retain Available ---------------------------------------------------

    void willAboveTheMaximumQosIsRefused_MQTT_3_2_2_12()
    {
        BrokerCore broker(BrokerOptions{.maximumQoS = QoS::AtLeastOnce});
        Connect c = connectAs(QStringLiteral("c"));
        c.will = willOn(QStringLiteral("status/c"), QoS::ExactlyOnce);
        QCOMPARE(connAckFor(broker, c).reason, ReasonCode::QoSNotSupported);
        QVERIFY(broker.sessionIds().empty());
    }

    void retainedWillIsRefusedWithoutRetain_MQTT_3_2_2_13()
    {
        BrokerCore broker(BrokerOptions{.retainAvailable = false});
        Connect c = connectAs(QStringLiteral("c"));
        c.will = willOn(QStringLiteral("status/c"), QoS::AtMostOnce, true);
        QCOMPARE(connAckFor(broker, c).reason, ReasonCode::RetainNotSupported);
    }

    void retainedPublishIsRefusedWithoutRetain_MQTT_3_2_2_14()
    {
        BrokerWire wire(BrokerOptions{.retainAvailable = false});
        auto &watcher = watch(wire, QStringLiteral("t"));
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        Publish p = publishOn(QStringLiteral("t"), "x");
        p.retain = true;
        sendRaw(wire, pub, {p});
        QVERIFY(wire.logOf(QStringLiteral("pub")).filter(QStringLiteral("broker -> pub: DISCONNECT 0x9a")).size() == 1);
        QVERIFY(watcher.received.empty());
        QVERIFY(wire.broker.retainedMessages().empty());
    }

    // ---- shared subscriptions (5.0 4.8.2) ---------------------------------------------------

    void sharedSubscriptionHandsEachMessageToOneMemberInTurn()
    {
        BrokerWire wire;
        auto &a = wire.client(QStringLiteral("worker-a"));
        auto &b = wire.client(QStringLiteral("worker-b"));
        auto &plain = wire.client(QStringLiteral("plain"));
        for (auto *c : {&a, &b}) {
            wire.connect(*c, connectAs(c->name));
            wire.subscribe(*c, {Subscription{QStringLiteral("$share/workers/jobs/#"), {QoS::AtLeastOnce}}});
        }
        wire.connect(plain, connectAs(QStringLiteral("plain")));
        wire.subscribe(plain, {Subscription{QStringLiteral("jobs/#"), {QoS::AtLeastOnce}}});
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        for (int i = 0; i < 4; ++i)
            wire.publish(pub, QStringLiteral("jobs/%1").arg(i), QoS::AtLeastOnce, QByteArray::number(i));
        QCOMPARE(a.received.size(), 2u);
        QCOMPARE(b.received.size(), 2u);
        QCOMPARE(a.received[0].message.payload, QByteArray("0"));
        QCOMPARE(b.received[0].message.payload, QByteArray("1"));
        QCOMPARE(plain.received.size(), 4u); // a non-shared subscription gets every message
        QVERIFY(anyNoteContains(wire, QStringLiteral("'$share/workers/jobs/#' on 'jobs/3' went to 'worker-b' (2 of 2 in the group)")));
    }

    void sharedSubscriptionPrefersConnectedMembers()
    {
        BrokerWire wire;
        auto &away = wire.client(QStringLiteral("away"));
        leaveSubscribedOffline(wire, away, QStringLiteral("$share/g/t"), QoS::AtLeastOnce);
        auto &here = wire.client(QStringLiteral("here"));
        wire.connect(here, connectAs(QStringLiteral("here")));
        wire.subscribe(here, {Subscription{QStringLiteral("$share/g/t"), {QoS::AtLeastOnce}}});
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        for (int i = 0; i < 3; ++i)
            wire.publish(pub, QStringLiteral("t"), QoS::AtLeastOnce, "x");
        QCOMPARE(here.received.size(), 3u);
        QCOMPARE(wire.broker.session(QStringLiteral("away"))->outbound().queued(), 0);
    }

    void sharedSubscriptionGetsNoRetainedMessages()
    {
        BrokerWire wire;
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        wire.publish(pub, QStringLiteral("t"), QoS::AtLeastOnce, "kept", true);
        auto &member = wire.client(QStringLiteral("member"));
        wire.connect(member, connectAs(QStringLiteral("member")));
        wire.subscribe(member, {Subscription{QStringLiteral("$share/g/t"), {QoS::AtLeastOnce}}});
        QVERIFY(member.received.empty());
    }

    // ---- wills in the stored session ([MQTT-3.1.2-7]) ---------------------------------------

    void aWillSurvivesARestart_MQTT_3_1_2_7()
    {
        BrokerWire wire;
        auto &watcher = wire.client(QStringLiteral("watcher"));
        leaveSubscribedOffline(wire, watcher, QStringLiteral("status/#"), QoS::AtLeastOnce);
        auto &sensor = wire.client(QStringLiteral("sensor"));
        Connect c = connectAs(QStringLiteral("sensor"), {.cleanStart = false, .sessionExpiry = 3600});
        c.will = willOn(QStringLiteral("status/sensor"));
        wire.connect(sensor, c);
        // the broker goes down with the sensor connected: a new core from the same store
        BrokerCore restarted;
        QVERIFY(restarted.restore(wire.store, wire.now).ok());
        commit(wire.store, restarted.tick(wire.now));
        QCOMPARE(restarted.session(QStringLiteral("watcher"))->outbound().queued(), 1); // the will, for the watcher
        // published once: a second restart finds no will
        BrokerCore again;
        QVERIFY(again.restore(wire.store, wire.now).ok());
        QVERIFY(!again.nextDeadline() || *again.nextDeadline() > wire.now);
    }

    void aWillWaitingOutItsDelayFiresAfterARestart()
    {
        BrokerWire wire;
        auto &watcher = wire.client(QStringLiteral("watcher"));
        leaveSubscribedOffline(wire, watcher, QStringLiteral("status/#"), QoS::AtLeastOnce);
        auto &sensor = wire.client(QStringLiteral("sensor"));
        Connect c = connectAs(QStringLiteral("sensor"), {.cleanStart = false, .sessionExpiry = 3600});
        c.will = willOn(QStringLiteral("status/sensor"));
        c.will->properties.set(PropertyId::WillDelayInterval, quint32(30));
        wire.connect(sensor, c);
        wire.drop(sensor);
        wire.advance(10s); // waiting out its delay when the broker restarts
        BrokerCore restarted;
        QVERIFY(restarted.restore(wire.store, wire.now).ok());
        restarted.tick(wire.now + 29s);
        QCOMPARE(restarted.session(QStringLiteral("watcher"))->outbound().queued(), 0);
        restarted.tick(wire.now + 30s); // the delay counts from the restart
        QCOMPARE(restarted.session(QStringLiteral("watcher"))->outbound().queued(), 1);
    }

    void aWillDiscardedByDisconnectIsGoneFromTheStore_MQTT_3_1_2_10()
    {
        BrokerWire wire;
        auto &sensor = wire.client(QStringLiteral("sensor"));
        Connect c = connectAs(QStringLiteral("sensor"), {.cleanStart = false, .sessionExpiry = 3600});
        c.will = willOn(QStringLiteral("status/sensor"));
        wire.connect(sensor, c);
        QCOMPARE(wire.store.retained(SessionKey{wire.broker.storeScope(), QStringLiteral("sensor")}).value().size(), 1u);
        wire.fromClient(sensor, sensor.session.disconnect(wire.now));
        wire.run();
        QVERIFY(wire.store.retained(SessionKey{wire.broker.storeScope(), QStringLiteral("sensor")}).value().empty());
    }

    // ---- retained message expiry ------------------------------------------------------------

    void retainedMessagesCarryTheirRemainingExpiryAndExpire_MQTT_3_3_2_6()
    {
        BrokerWire wire;
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        Properties expiry;
        expiry.set(PropertyId::MessageExpiryInterval, quint32(10));
        wire.publish(pub, QStringLiteral("r"), QoS::AtLeastOnce, "fresh", true, expiry);
        wire.advance(4s);
        auto &early = wire.client(QStringLiteral("early"));
        wire.connect(early, connectAs(QStringLiteral("early")));
        wire.subscribe(early, {Subscription{QStringLiteral("r"), {QoS::AtLeastOnce}}});
        QCOMPARE(early.received.size(), 1u);
        QCOMPARE(early.received[0].message.properties.integer(PropertyId::MessageExpiryInterval), std::optional<quint32>(6));
        wire.advance(7s);
        auto &late = wire.client(QStringLiteral("late"));
        wire.connect(late, connectAs(QStringLiteral("late")));
        wire.subscribe(late, {Subscription{QStringLiteral("r"), {QoS::AtLeastOnce}}});
        QVERIFY(late.received.empty()); // [MQTT-3.3.2-5]
        QVERIFY(wire.broker.retainedMessages().empty());
        QVERIFY(wire.store.retained(wire.broker.retainedKey()).value().empty());
    }
};

QTEST_GUILESS_MAIN(TestBrokerRules)
#include "tst_broker_rules.moc"
