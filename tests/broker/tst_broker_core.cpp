// The sandbox broker's logic, end to end through encoded packets, with a fake clock.

#include "broker_wire.h"

#include "broker/broker_client_session.h"

using namespace mqs;

class TestBrokerCore : public QObject
{
    Q_OBJECT

private slots:
    void qos2RunsOnBothHopsWithTheirOwnIds()
    {
        BrokerWire wire;
        auto &dashboard = wire.client(QStringLiteral("dashboard"));
        auto &sensor = wire.client(QStringLiteral("sensor"));
        wire.connect(dashboard, connectAs(QStringLiteral("dashboard")));
        wire.subscribe(dashboard, {Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}});
        wire.connect(sensor, connectAs(QStringLiteral("sensor")));
        // the sensor has used ids before: its id differs from the broker's id toward the dashboard
        for (int i = 0; i < 4; ++i)
            wire.publish(sensor, QStringLiteral("warmup/x"), QoS::ExactlyOnce, "0");
        wire.log.clear();
        wire.publish(sensor, QStringLiteral("sensors/temperature/livingroom"), QoS::ExactlyOnce, "21.5");
        QCOMPARE(wire.logOf(QStringLiteral("sensor")),
                 (QStringList{QStringLiteral("sensor -> broker: PUBLISH id=5 qos=2 dup=0 retain=0 sensors/temperature/livingroom (4 B)"),
                              QStringLiteral("broker -> sensor: PUBREC id=5"),
                              QStringLiteral("sensor -> broker: PUBREL id=5"),
                              QStringLiteral("broker -> sensor: PUBCOMP id=5")}));
        QCOMPARE(wire.logOf(QStringLiteral("dashboard")),
                 (QStringList{QStringLiteral("broker -> dashboard: PUBLISH id=1 qos=2 dup=0 retain=0 sensors/temperature/livingroom (4 B)"),
                              QStringLiteral("dashboard -> broker: PUBREC id=1"),
                              QStringLiteral("broker -> dashboard: PUBREL id=1"),
                              QStringLiteral("dashboard -> broker: PUBCOMP id=1")}));
        QCOMPARE(dashboard.received.size(), 1u);
        QCOMPARE(dashboard.received[0].message.payload, QByteArray("21.5"));
    }

    void qosIsDowngradedToTheGrantedQos()
    {
        BrokerWire wire;
        auto &sub = wire.client(QStringLiteral("sub"));
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(sub, connectAs(QStringLiteral("sub")));
        wire.subscribe(sub, {Subscription{QStringLiteral("a/+"), {QoS::AtLeastOnce}}});
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        wire.publish(pub, QStringLiteral("a/b"), QoS::ExactlyOnce, "x");
        QCOMPARE(sub.received.size(), 1u);
        QCOMPARE(sub.received[0].message.qos, QoS::AtLeastOnce);
    }

    void wildcardsAndDollarTopics()
    {
        BrokerWire wire;
        auto &sub = wire.client(QStringLiteral("sub"));
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(sub, connectAs(QStringLiteral("sub")));
        wire.subscribe(sub, {Subscription{QStringLiteral("#"), {QoS::AtMostOnce}},
                             Subscription{QStringLiteral("sensors/+/kitchen"), {QoS::AtLeastOnce}}});
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        wire.publish(pub, QStringLiteral("$SYS/uptime"), QoS::AtMostOnce, "1"); // [MQTT-4.7.2-1]
        wire.publish(pub, QStringLiteral("sensors/humidity/kitchen"), QoS::AtLeastOnce, "40");
        QCOMPARE(sub.received.size(), 1u);
        // overlapping subscriptions: delivered once, at the highest granted QoS
        QCOMPARE(sub.received[0].message.qos, QoS::AtLeastOnce);
        QCOMPARE(sub.received[0].message.topic, QStringLiteral("sensors/humidity/kitchen"));
    }

    void retainedMessagesAndClearing()
    {
        BrokerWire wire;
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        wire.publish(pub, QStringLiteral("sensors/temperature/attic"), QoS::ExactlyOnce, "{\"t\":19.25}", true);
        auto &late = wire.client(QStringLiteral("late"));
        wire.connect(late, connectAs(QStringLiteral("late")));
        wire.subscribe(late, {Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}});
        QCOMPARE(late.received.size(), 1u);
        QCOMPARE(late.received[0].message.retain, true); // [MQTT-3.3.1-9]
        QCOMPARE(wire.broker.retainedMessages().size(), 1u);
        // an empty retained message clears it, and is still forwarded
        wire.publish(pub, QStringLiteral("sensors/temperature/attic"), QoS::AtLeastOnce, QByteArray(), true);
        QVERIFY(wire.broker.retainedMessages().empty());
        QVERIFY(wire.store.retained(wire.broker.retainedKey()).value().empty());
        QCOMPARE(late.received.size(), 2u);
        QCOMPARE(late.received[1].message.retain, false); // live messages lose the flag unless Retain As Published
    }

    void subscriptionOptions()
    {
        BrokerWire wire;
        auto &me = wire.client(QStringLiteral("me"));
        wire.connect(me, connectAs(QStringLiteral("me")));
        wire.publish(me, QStringLiteral("r/x"), QoS::AtMostOnce, "kept", true);
        Subscription noLocal{QStringLiteral("chat/#"), {QoS::AtLeastOnce, true, false, RetainHandling::SendAtSubscribe}};
        Subscription rap{QStringLiteral("r/#"), {QoS::AtLeastOnce, false, true, RetainHandling::DoNotSend}};
        wire.subscribe(me, {noLocal, rap});
        QVERIFY(me.received.empty()); // Retain Handling 2: no retained message at subscribe
        wire.publish(me, QStringLiteral("chat/room"), QoS::AtLeastOnce, "mine");
        QVERIFY(me.received.empty()); // No Local
        auto &other = wire.client(QStringLiteral("other"));
        wire.connect(other, connectAs(QStringLiteral("other")));
        wire.publish(other, QStringLiteral("r/x"), QoS::AtLeastOnce, "new", true);
        QCOMPARE(me.received.size(), 1u);
        QCOMPARE(me.received[0].message.retain, true); // Retain As Published
        // Retain Handling 1: only for a new subscription
        Subscription ifNew{QStringLiteral("r/#"), {QoS::AtLeastOnce, false, false, RetainHandling::SendAtSubscribeIfNew}};
        wire.subscribe(me, {ifNew});
        QCOMPARE(me.received.size(), 1u);
        auto &third = wire.client(QStringLiteral("third"));
        wire.connect(third, connectAs(QStringLiteral("third")));
        wire.subscribe(third, {ifNew});
        QCOMPARE(third.received.size(), 1u);
    }

    void subscriptionIdentifiersAreForwarded()
    {
        BrokerWire wire;
        auto &sub = wire.client(QStringLiteral("sub"));
        wire.connect(sub, connectAs(QStringLiteral("sub")));
        Properties props;
        props.set(PropertyId::SubscriptionIdentifier, quint32(7));
        wire.subscribe(sub, {Subscription{QStringLiteral("a/#"), {QoS::AtLeastOnce}}}, props);
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        wire.publish(pub, QStringLiteral("a/b"), QoS::AtLeastOnce, "x");
        QCOMPARE(sub.received.at(0).message.properties.subscriptionIdentifiers(), std::vector<quint32>{7});
    }

    void willOnLossButNotOnDisconnect()
    {
        BrokerWire wire;
        auto &watcher = wire.client(QStringLiteral("watcher"));
        wire.connect(watcher, connectAs(QStringLiteral("watcher")));
        wire.subscribe(watcher, {Subscription{QStringLiteral("status/#"), {QoS::AtLeastOnce}}});
        auto &sensor = wire.client(QStringLiteral("sensor"));
        Connect c = connectAs(QStringLiteral("sensor"));
        c.will = Will{QStringLiteral("status/sensor"), "offline", QoS::AtLeastOnce, false, {}};
        wire.connect(sensor, c);
        wire.fromClient(sensor, sensor.session.disconnect(wire.now));
        wire.run();
        QVERIFY(watcher.received.empty()); // [MQTT-3.1.2-10]
        wire.connect(sensor, c);
        wire.drop(sensor);
        QCOMPARE(watcher.received.size(), 1u);
        QCOMPARE(watcher.received[0].message.payload, QByteArray("offline"));
    }

    void willDelayIsCancelledByAReconnect()
    {
        BrokerWire wire;
        auto &watcher = wire.client(QStringLiteral("watcher"));
        wire.connect(watcher, connectAs(QStringLiteral("watcher")));
        wire.subscribe(watcher, {Subscription{QStringLiteral("status/#"), {QoS::AtLeastOnce}}});
        auto &sensor = wire.client(QStringLiteral("sensor"));
        Connect c = connectAs(QStringLiteral("sensor"), {.cleanStart = false, .sessionExpiry = 3600});
        Will will{QStringLiteral("status/sensor"), "offline", QoS::AtLeastOnce, false, {}};
        will.properties.set(PropertyId::WillDelayInterval, quint32(10));
        c.will = will;
        wire.connect(sensor, c);
        wire.drop(sensor);
        wire.advance(5s);
        QVERIFY(watcher.received.empty());
        wire.connect(sensor, c); // back within the delay: no will
        wire.advance(10s);
        QVERIFY(watcher.received.empty());
        wire.drop(sensor);
        wire.advance(11s);
        QCOMPARE(watcher.received.size(), 1u);
    }

    void persistentSessionQueuesAndResumesExactlyOnce()
    {
        BrokerWire wire;
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("plant/#"), QoS::ExactlyOnce);
        auto &plant = wire.client(QStringLiteral("plant"));
        wire.connect(plant, connectAs(QStringLiteral("plant")));
        for (const char *v : {"71.0", "72.0", "73.0"})
            wire.publish(plant, QStringLiteral("plant/line1/temp"), QoS::ExactlyOnce, v);
        QVERIFY(dash.received.empty());
        wire.connect(dash, persistent);
        QCOMPARE(dash.received.size(), 3u);
        QCOMPARE(dash.received[0].message.payload, QByteArray("71.0"));
        QCOMPARE(dash.received[2].message.payload, QByteArray("73.0"));
    }

    void offlineQueueIsBounded()
    {
        BrokerOptions options;
        options.maximumQueuedPerClient = 2;
        BrokerWire wire(options);
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("q/#"), QoS::AtLeastOnce);
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub")));
        for (int i = 0; i < 4; ++i)
            wire.publish(pub, QStringLiteral("q/x"), QoS::AtLeastOnce, QByteArray::number(i));
        // 5.0: what the full queue cannot take is refused with 0x97 rather than acknowledged and
        // dropped ([MQTT-4.5.0-1]), so the publisher knows (mosquitto drops it silently).
        const QStringList refused = wire.logOf(QStringLiteral("pub")).filter(QStringLiteral("0x97"));
        QVERIFY2(refused.size() == 2, qPrintable(wire.logOf(QStringLiteral("pub")).join(QLatin1Char('\n'))));
        QVERIFY(refused.first().startsWith(QStringLiteral("broker -> pub: PUBACK")));
        wire.connect(dash, persistent);
        QCOMPARE(dash.received.size(), 2u);
    }

    // 3.1.1 has no way to refuse a PUBLISH: what the full queue cannot take stays unacknowledged
    // (the publisher keeps it) until there is room, so the queue stays bounded and nothing the
    // broker acknowledged is dropped ([MQTT-4.5.0-1]).
    void fullQueueWithholdsTheAcknowledgementInMqtt311_data()
    {
        QTest::addColumn<QoS>("qos");
        QTest::newRow("QoS 1") << QoS::AtLeastOnce;
        QTest::newRow("QoS 2") << QoS::ExactlyOnce;
    }
    void fullQueueWithholdsTheAcknowledgementInMqtt311()
    {
        QFETCH(QoS, qos);
        BrokerOptions options;
        options.maximumQueuedPerClient = 2;
        BrokerWire wire(options);
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("q/#"), qos);
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub"), {.version = ProtocolVersion::V311}));
        for (int i = 1; i <= 5; ++i)
            wire.publish(pub, QStringLiteral("q/x"), qos, QByteArray::number(i));
        const QString ack = qos == QoS::AtLeastOnce ? QStringLiteral("broker -> pub: PUBACK") : QStringLiteral("broker -> pub: PUBREC");
        QCOMPARE(wire.logOf(QStringLiteral("pub")).filter(ack).size(), 2);
        QCOMPARE(wire.broker.session(QStringLiteral("dash"))->outbound().queued(), 2);
        QCOMPARE(pub.session.outbound().inflight(), 3); // never acknowledged: the publisher still holds them
        QVERIFY(std::any_of(wire.notes.begin(), wire.notes.end(), [](const QString &n) { return n.contains(QStringLiteral("waits unacknowledged")); }));

        wire.connect(dash, persistent);
        QCOMPARE(wire.logOf(QStringLiteral("pub")).filter(ack).size(), 5);
        QCOMPARE(pub.session.outbound().inflight(), 0);
        QCOMPARE(dash.received.size(), 5u);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(dash.received[size_t(i)].message.payload, QByteArray::number(i + 1));
    }

    // A 3.1.1 publisher that goes on sending while its first message waits for room: the broker
    // holds what it read up to its bound (65,535 messages, or 64 MiB of topics and payloads), then
    // closes the connection. It acknowledged nothing it did not take: the waiting QoS 2 message is
    // still the publisher's, and what the subscriber gets is what was taken, in order.
    void withheldMessagesAreBoundedInMqtt311_data()
    {
        QTest::addColumn<int>("payloadBytes");
        QTest::addColumn<int>("closedAt"); // the QoS 0 message that passes the bound
        // "waits" (8 bytes with its topic) and 63 messages of 1 MiB + 3 are held; the 64th passes 64 MiB.
        QTest::newRow("64 MiB") << 1024 * 1024 << 64;
        // "waits" and 65,534 messages are held; the next would be the 65,536th.
        QTest::newRow("65,535 messages") << 1 << kMostWithheldMessages;
    }
    void withheldMessagesAreBoundedInMqtt311()
    {
        QFETCH(int, payloadBytes);
        QFETCH(int, closedAt);
        BrokerOptions options;
        options.maximumQueuedPerClient = 1;
        BrokerWire wire(options);
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("q/#"), QoS::ExactlyOnce);
        auto &pub = wire.client(QStringLiteral("pub"));
        wire.connect(pub, connectAs(QStringLiteral("pub"), {.version = ProtocolVersion::V311}));
        wire.publish(pub, QStringLiteral("q/x"), QoS::ExactlyOnce, "taken"); // fills dash's queue
        wire.publish(pub, QStringLiteral("q/x"), QoS::ExactlyOnce, "waits");
        const QByteArray payload(payloadBytes, 'x');
        int sent = 0;
        while (pub.connected && sent < closedAt + 10) {
            wire.publish(pub, QStringLiteral("q/x"), QoS::AtMostOnce, payload);
            ++sent;
        }
        QVERIFY2(!pub.connected, "the broker closes the connection once it holds its bound");
        QCOMPARE(sent, closedAt);
        QVERIFY(std::any_of(wire.notes.begin(), wire.notes.end(),
                            [](const QString &n) { return n.contains(QStringLiteral("more than the broker holds")); }));
        QCOMPARE(wire.logOf(QStringLiteral("pub")).filter(QStringLiteral("broker -> pub: PUBREC")).size(), 1); // "taken" only
        QCOMPARE(pub.session.outbound().inflight(), 1); // "waits": never acknowledged, still the publisher's

        wire.connect(dash, persistent);
        QCOMPARE(dash.received.size(), 1u);
        QCOMPARE(dash.received[0].message.payload, QByteArray("taken"));
    }

    // The publisher goes away while its messages wait: they were never acknowledged, so its session
    // resends them on the next connection and they arrive once the queue has room.
    void withheldMessagesAreResentAfterAReconnectInMqtt311()
    {
        BrokerOptions options;
        options.maximumQueuedPerClient = 1;
        BrokerWire wire(options);
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("q/#"), QoS::ExactlyOnce);
        auto &pub = wire.client(QStringLiteral("pub"));
        const Connect publisher = connectAs(QStringLiteral("pub"), {.version = ProtocolVersion::V311, .cleanStart = false});
        wire.connect(pub, publisher);
        for (int i = 1; i <= 3; ++i)
            wire.publish(pub, QStringLiteral("q/x"), QoS::ExactlyOnce, QByteArray::number(i));
        wire.drop(pub);
        wire.connect(pub, publisher);
        QCOMPARE(wire.logOf(QStringLiteral("pub")).filter(QStringLiteral("dup=1")).size(), 2);
        wire.connect(dash, persistent);
        QCOMPARE(dash.received.size(), 3u);
        QCOMPARE(pub.session.outbound().inflight(), 0);
    }

    void sessionTakeover()
    {
        BrokerWire wire;
        auto &first = wire.client(QStringLiteral("first"));
        auto &second = wire.client(QStringLiteral("second"));
        wire.connect(first, connectAs(QStringLiteral("same-id")));
        wire.connect(second, connectAs(QStringLiteral("same-id")));
        QVERIFY(!first.connected);
        QVERIFY(wire.logOf(QStringLiteral("first")).contains(QStringLiteral("broker -> first: DISCONNECT 0x8e Session taken over")));
        QVERIFY(second.connected);
    }

    void sessionExpiresWhileOffline()
    {
        BrokerWire wire;
        auto &dash = wire.client(QStringLiteral("dash"));
        wire.connect(dash, connectAs(QStringLiteral("dash"), {.cleanStart = false, .sessionExpiry = 30}));
        wire.subscribe(dash, {Subscription{QStringLiteral("a"), {QoS::AtLeastOnce}}});
        wire.drop(dash);
        wire.advance(20s);
        QCOMPARE(wire.broker.sessionIds(), std::vector<QString>{QStringLiteral("dash")});
        wire.advance(11s);
        QVERIFY(wire.broker.sessionIds().empty());
        QVERIFY(!wire.store.load(SessionKey{wire.broker.storeScope(), QStringLiteral("dash")}).value());
    }

    void keepAliveIsEnforced()
    {
        BrokerWire wire;
        auto &quiet = wire.client(QStringLiteral("quiet"));
        wire.connect(quiet, connectAs(QStringLiteral("quiet"), {.keepAlive = 10}));
        quiet.connected = true;
        wire.now += 16s; // the client's own keep alive is not ticked: it stays silent
        wire.advance(0s);
        QVERIFY(wire.logOf(QStringLiteral("quiet")).contains(QStringLiteral("broker -> quiet: DISCONNECT 0x8d Keep Alive timeout")));
    }

    void emptyClientIdIsAssignedIn5AndRefusedIn311WithoutCleanSession()
    {
        BrokerWire wire;
        auto &anon = wire.client(QStringLiteral("anon"));
        wire.connect(anon, connectAs(QString()));
        QVERIFY(anon.session.meta().clientId.startsWith(QStringLiteral("sandbox-")));
        auto &old = wire.client(QStringLiteral("old"));
        wire.connect(old, connectAs(QString(), {.version = ProtocolVersion::V311, .cleanStart = false}));
        QVERIFY(wire.logOf(QStringLiteral("old")).contains(QStringLiteral("broker -> old: CONNACK session-present=0 0x85 Client Identifier not valid")));
    }

    void restartKeepingStateCompletesUnfinishedFlows()
    {
        BrokerWire wire;
        auto &dash = wire.client(QStringLiteral("dash"));
        const Connect persistent = leaveSubscribedOffline(wire, dash, QStringLiteral("plant/#"), QoS::ExactlyOnce);
        auto &plant = wire.client(QStringLiteral("plant"));
        wire.connect(plant, connectAs(QStringLiteral("plant")));
        wire.publish(plant, QStringLiteral("plant/a"), QoS::ExactlyOnce, "1");
        wire.drop(plant);

        // restart: a new BrokerCore restored from the same store
        BrokerCore restarted;
        QVERIFY(restarted.restore(wire.store, wire.now).ok());
        QCOMPARE(restarted.sessionIds(), std::vector<QString>{QStringLiteral("dash")});
        QCOMPARE(restarted.subscriptions(QStringLiteral("dash")).size(), 1u);
        QCOMPARE(restarted.session(QStringLiteral("dash"))->outbound().queued(), 1);
    }
};

QTEST_GUILESS_MAIN(TestBrokerCore)
#include "tst_broker_core.moc"
