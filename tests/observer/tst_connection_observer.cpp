// The passive observer, driven by packet sequences: clean handshakes give flows and no findings;
// each rule either side can be seen breaking from outside is named with its spec id (5.0 and
// 3.1.1 number them differently) and the side that broke it.

#include "observed_wire.h"

#include <QFile>
#include <QSet>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr auto V5 = ProtocolVersion::V5;
constexpr auto V311 = ProtocolVersion::V311;
constexpr auto QoS1 = QoS::AtLeastOnce;
constexpr auto QoS2 = QoS::ExactlyOnce;

QSet<QString> specIds(const QString &name)
{
    QFile file(QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/") + name);
    file.open(QIODevice::ReadOnly | QIODevice::Text);
    QSet<QString> ids;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith("MQTT-"))
            ids.insert(QString::fromLatin1(line.trimmed()));
    return ids;
}

void addVersions()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("5.0") << V5;
    QTest::newRow("3.1.1") << V311;
}

// The rule id `rule` has on a `version` connection when `side` breaks it.
QString on(ObservedRule rule, ObservedSide side, ProtocolVersion version)
{
    return observedRuleId(rule, side, version) + QLatin1Char(' ') + sideName(side);
}

} // namespace

class TestConnectionObserver : public QObject
{
    Q_OBJECT

private slots:
    void everyRuleIdIsAStatementOfItsVersion()
    {
        const QSet<QString> v5 = specIds(QStringLiteral("spec_ids_v5.txt"));
        const QSet<QString> v311 = specIds(QStringLiteral("spec_ids_v311.txt"));
        QVERIFY(v5.size() > 200 && v311.size() > 100);
        for (int rule = 0; rule <= int(ObservedRule::PacketAfterDisconnect); ++rule)
            for (ObservedSide side : {ObservedSide::Client, ObservedSide::Broker}) {
                const QString id5 = observedRuleId(ObservedRule(rule), side, V5);
                const QString id311 = observedRuleId(ObservedRule(rule), side, V311);
                QVERIFY2(id5.isEmpty() || v5.contains(id5), qPrintable(id5));
                QVERIFY2(id311.isEmpty() || v311.contains(id311), qPrintable(id311));
            }
        // Same meaning, different numbers: the client's unused packet id.
        QCOMPARE(observedRuleId(ObservedRule::IdInUse, ObservedSide::Client, V5), QStringLiteral("MQTT-2.2.1-3"));
        QCOMPARE(observedRuleId(ObservedRule::IdInUse, ObservedSide::Client, V311), QStringLiteral("MQTT-2.3.1-2"));
    }

    void cleanExchangeAtEveryQoSHasNoFindings_data() { addVersions(); }
    void cleanExchangeAtEveryQoSHasNoFindings()
    {
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(Subscribe{.packetId = 1, .subscriptions = {{.filter = QStringLiteral("plant/#")}}});
        wire.broker(SubAck{.packetId = 1, .reasons = {ReasonCode::GrantedQoS2}});
        wire.client(qos0());
        QCOMPARE(wire.client(publish(1, QoS1)).state, FlowState::AwaitingPubAck);
        QCOMPARE(wire.broker(PubAck{.packetId = 1}).state, FlowState::Complete);
        QCOMPARE(wire.client(publish(2, QoS2)).state, FlowState::AwaitingPubRec);
        QCOMPARE(wire.broker(PubRec{.packetId = 2}).state, FlowState::AwaitingPubRel);
        QCOMPARE(wire.client(PubRel{.packetId = 2}).state, FlowState::AwaitingPubComp);
        QCOMPARE(wire.broker(PubComp{.packetId = 2}).state, FlowState::Complete);
        // The broker's hop toward the client has its own ids: id 2 again is another flow.
        const ObservedStep toClient = wire.broker(publish(2, QoS2));
        QCOMPARE(toClient.flowSender, ObservedSide::Broker);
        wire.client(PubRec{.packetId = 2});
        wire.broker(PubRel{.packetId = 2});
        wire.client(PubComp{.packetId = 2});
        wire.client(PingReq{});
        wire.broker(PingResp{});
        wire.client(Disconnect{});
        wire.close();
        QVERIFY2(wire.findings.empty(), qPrintable(wire.texts()));
        const ObservedCounts &counts = wire.observer.counts();
        QCOMPARE(counts.messages[0], 1u);
        QCOMPARE(counts.messages[1], 1u);
        QCOMPARE(counts.messages[2], 2u);
        QCOMPARE(counts.completed, 3u);
        QCOMPARE(counts.resends, 0u);
        QVERIFY(wire.observer.openFlows().empty());
        QCOMPARE(wire.observer.finishedFlows().size(), 3u);
        QCOMPARE(wire.observer.finishedFlows().back().sender, ObservedSide::Broker);
        QVERIFY(!wire.observer.startedMidSession());
    }

    void limitsAndInFlightIdsAreRead()
    {
        ObservedWire wire;
        handshake(wire, {.keepAlive = 30, .receiveMaximum = 5, .maximumPacketSize = 4096, .topicAliasMaximum = 3},
                {.sessionPresent = false, .receiveMaximum = 20, .maximumPacketSize = 1 << 20, .topicAliasMaximum = 10,
                 .maximumQoS = 1, .retainAvailable = 0});
        const ObservedLimits &l = wire.observer.limits();
        QCOMPARE(l.clientId, QStringLiteral("sensor-7"));
        QCOMPARE(l.version, V5);
        QCOMPARE(l.keepAliveS, 30);
        QCOMPARE(l.clientReceiveMaximum, 5);
        QCOMPARE(l.brokerReceiveMaximum, 20);
        QCOMPARE(l.clientMaximumPacketSize, 4096u);
        QCOMPARE(l.brokerMaximumPacketSize, 1u << 20);
        QCOMPARE(l.clientTopicAliasMaximum, 3);
        QCOMPARE(l.brokerTopicAliasMaximum, 10);
        QCOMPARE(l.maximumQoS, QoS1);
        QVERIFY(!l.retainAvailable);
        QCOMPARE(l.sessionPresent, false);
        wire.client(publish(4, QoS1));
        wire.client(publish(9, QoS1));
        wire.broker(publish(1, QoS1));
        QCOMPARE(wire.observer.inFlight(ObservedSide::Client), (std::vector<PacketId>{4, 9}));
        QCOMPARE(wire.observer.sendQuota(ObservedSide::Client), 18);
        QCOMPARE(wire.observer.sendQuota(ObservedSide::Broker), 4);
        wire.broker(PubAck{.packetId = 4});
        QCOMPARE(wire.observer.inFlight(ObservedSide::Client), (std::vector<PacketId>{9}));
        QVERIFY2(wire.findings.empty(), qPrintable(wire.texts()));
    }

    void stalledFlowSaysWhatItWaitsFor()
    {
        ObservedWire wire;
        handshake(wire);
        wire.client(publish(7, QoS2));
        wire.broker(PubRec{.packetId = 7});
        constexpr qint64 kThresholdUs = 5'000'000;
        QVERIFY(wire.observer.stalls(wire.nowUs + kThresholdUs, kThresholdUs).empty());
        const auto stalls = wire.observer.stalls(wire.nowUs + 8'200'000, kThresholdUs);
        QCOMPARE(stalls.size(), 1u);
        QCOMPARE(stalls[0].state, FlowState::AwaitingPubRel);
        QCOMPARE(stalls[0].owedBy, ObservedSide::Client);
        QCOMPARE(stalls[0].sentence, QStringLiteral("QoS 2 id 7 on plant/temp (client → broker) waits for PUBREL from the "
                                                    "sender (the client) for 8.2 s"));
    }

    void midSessionStreamIsFollowed()
    {
        ObservedWire wire;
        // The capture began after CONNECT: acknowledgements of PUBLISHes it never saw are no violation.
        QCOMPARE(wire.broker(PubRec{.packetId = 3}).state, FlowState::AwaitingPubRel);
        QCOMPARE(wire.client(PubRel{.packetId = 3}).state, FlowState::AwaitingPubComp);
        QCOMPARE(wire.broker(PubComp{.packetId = 3}).state, FlowState::Complete);
        wire.client(PubAck{.packetId = 12});
        wire.broker(publish(5, QoS1));
        wire.client(PubAck{.packetId = 5});
        QVERIFY(wire.observer.startedMidSession());
        QVERIFY(!wire.observer.limits().connectSeen);
        QVERIFY2(wire.findings.empty(), qPrintable(wire.texts()));
        QCOMPARE(wire.observer.counts().completed, 3u);
    }

    // --- violations, each on both versions where the version has the rule

    void firstPacketNotConnect_data() { addVersions(); }
    void firstPacketNotConnect()
    {
        // 5.0 [MQTT-3.1.0-1]; 3.1.1 [MQTT-3.1.0-1]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire({.start = StreamStart::Beginning, .assumedVersion = version});
        wire.client(publish(1, QoS1));
        QCOMPARE(wire.found(), QStringList{on(ObservedRule::FirstPacketNotConnect, ObservedSide::Client, version)});
        QCOMPARE(wire.found().first().section(QLatin1Char(' '), 0, 0), QStringLiteral("MQTT-3.1.0-1"));
        QVERIFY(!wire.observer.startedMidSession());
    }

    void secondConnect_data() { addVersions(); }
    void secondConnect()
    {
        // 5.0 [MQTT-3.1.0-2]; 3.1.1 [MQTT-3.1.0-2]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(connectPacket({.version = version}));
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.1.0-2 client")});
    }

    void brokerSpeaksBeforeConnAck_data() { addVersions(); }
    void brokerSpeaksBeforeConnAck()
    {
        // 5.0 [MQTT-3.2.0-1]; 3.1.1 [MQTT-3.2.0-1]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        wire.client(connectPacket({.version = version}));
        wire.broker(publish(1, QoS1));
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.2.0-1 broker")});
    }

    void secondConnAckIn5()
    {
        // 5.0 [MQTT-3.2.0-2]
        ObservedWire wire;
        handshake(wire);
        wire.broker(connAckPacket({}));
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.2.0-2 broker")});
    }

    void pubRelResentOnALiveConnectionIn5()
    {
        // 5.0 [MQTT-4.4.0-1]
        ObservedWire wire;
        handshake(wire);
        wire.client(publish(6, QoS2));
        wire.broker(PubRec{.packetId = 6});
        wire.client(PubRel{.packetId = 6});
        wire.client(PubRel{.packetId = 6});
        wire.broker(PubComp{.packetId = 6});
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.4.0-1 client")});
        QCOMPARE(wire.observer.counts().resends, 1u);
        QCOMPARE(wire.observer.counts().completed, 1u);
    }

    void serverKeepAliveWins()
    {
        // 5.0 [MQTT-3.1.2-21] [MQTT-3.1.2-20]
        ObservedWire wire;
        wire.client(connectPacket({.keepAlive = 600}));
        ConnAck connAck = connAckPacket({});
        connAck.properties.set(PropertyId::ServerKeepAlive, 10u);
        wire.broker(connAck);
        QCOMPARE(wire.observer.limits().effectiveKeepAliveS(), 10);
        wire.client(PingReq{}, 16'000'000);
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.1.2-20 client")});
    }

    void sessionPresentAnsweringCleanStart_data() { addVersions(); }
    void sessionPresentAnsweringCleanStart()
    {
        // 5.0 [MQTT-3.2.2-2]; 3.1.1 [MQTT-3.2.2-1]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version, .cleanStart = true}, {.sessionPresent = true});
        QCOMPARE(wire.found(), QStringList{version == V5 ? QStringLiteral("MQTT-3.2.2-2 broker") : QStringLiteral("MQTT-3.2.2-1 broker")});
    }

    void idReusedInFlightWithoutDup_data() { addVersions(); }
    void idReusedInFlightWithoutDup()
    {
        // 5.0 [MQTT-2.2.1-3] [MQTT-2.2.1-4]; 3.1.1 [MQTT-2.3.1-2] [MQTT-2.3.1-4]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(publish(1, QoS2));
        wire.client(publish(1, QoS2)); // paho.mqtt.c#649: a new message took an id still in flight
        wire.broker(publish(4, QoS1));
        wire.broker(publish(4, QoS1));
        QCOMPARE(wire.found(), (QStringList{version == V5 ? QStringLiteral("MQTT-2.2.1-3 client") : QStringLiteral("MQTT-2.3.1-2 client"),
                                            version == V5 ? QStringLiteral("MQTT-2.2.1-4 broker") : QStringLiteral("MQTT-2.3.1-4 broker")}));
        QCOMPARE(wire.findings[0].packetId, PacketId(1));
    }

    // emqx/qmqtt#262: the allocator handed out an id a SUBSCRIBE still held.
    void publishAndSubscribeShareTheClientsIds_data() { addVersions(); }
    void publishAndSubscribeShareTheClientsIds()
    {
        // 5.0 [MQTT-2.2.1-3]; 3.1.1 [MQTT-2.3.1-2]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(Subscribe{.packetId = 3, .subscriptions = {{.filter = QStringLiteral("plant/#")}}});
        wire.client(publish(3, QoS1));
        wire.client(Unsubscribe{.packetId = 3, .filters = {QStringLiteral("plant/#")}});
        const QString id = version == V5 ? QStringLiteral("MQTT-2.2.1-3 client") : QStringLiteral("MQTT-2.3.1-2 client");
        QCOMPARE(wire.found(), (QStringList{id, id}));
        wire.broker(SubAck{.packetId = 3, .reasons = {ReasonCode::GrantedQoS1}});
        wire.broker(PubAck{.packetId = 3});
        wire.broker(UnsubAck{.packetId = 3});
        wire.client(Subscribe{.packetId = 3, .subscriptions = {{.filter = QStringLiteral("plant/#")}}});
        QCOMPARE(wire.findings.size(), 2u); // free again once acknowledged
    }

    void pubRelForAnIdThatGotNoPubRec_data() { addVersions(); }
    void pubRelForAnIdThatGotNoPubRec()
    {
        // 5.0 [MQTT-4.3.3-4]; 3.1.1 [MQTT-4.3.3-1]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(PubRel{.packetId = 8}); // nothing was published
        wire.broker(PubComp{.packetId = 8}); // answering it is right ([MQTT-4.3.3-11])
        wire.client(publish(9, QoS2));
        wire.client(PubRel{.packetId = 9}); // before the PUBREC
        const QString id = version == V5 ? QStringLiteral("MQTT-4.3.3-4 client") : QStringLiteral("MQTT-4.3.3-1 client");
        QCOMPARE(wire.found(), (QStringList{id, id}));
        QVERIFY2(wire.texts().contains(QStringLiteral("PUBREL id 8, which got no PUBREC")), qPrintable(wire.texts()));
    }

    void pubRelAfterAFailingPubRec()
    {
        // 5.0 [MQTT-4.3.3-4] [MQTT-4.4.0-2]
        ObservedWire wire;
        handshake(wire);
        wire.client(publish(2, QoS2));
        QCOMPARE(wire.broker(PubRec{.packetId = 2, .reason = ReasonCode::QuotaExceeded}).state, FlowState::Failed);
        wire.client(PubRel{.packetId = 2}); // mqtt_cpp#986, Qt's QtMqtt: PUBREL whatever PUBREC said
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.3.3-4 client")});
        QCOMPARE(wire.observer.counts().failed, 1u);
    }

    void acknowledgementsForNothing_data() { addVersions(); }
    void acknowledgementsForNothing()
    {
        // 5.0 [MQTT-2.2.1-5] [MQTT-4.3.3-11]; 3.1.1 [MQTT-2.3.1-6] [MQTT-4.3.3-2]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.broker(PubAck{.packetId = 3});
        wire.broker(PubRec{.packetId = 4});
        wire.client(publish(5, QoS2));
        wire.broker(PubRec{.packetId = 5});
        wire.broker(PubComp{.packetId = 5}); // before the PUBREL
        wire.client(PubComp{.packetId = 6});
        const QString ack = version == V5 ? QStringLiteral("MQTT-2.2.1-5") : QStringLiteral("MQTT-2.3.1-6");
        const QString comp = version == V5 ? QStringLiteral("MQTT-4.3.3-11") : QStringLiteral("MQTT-4.3.3-2");
        QCOMPARE(wire.found(), (QStringList{ack + QStringLiteral(" broker"), ack + QStringLiteral(" broker"),
                                            comp + QStringLiteral(" broker"), comp + QStringLiteral(" client")}));
    }

    void pubAckAnsweringQoS2()
    {
        // 5.0 [MQTT-2.2.1-5]
        ObservedWire wire;
        handshake(wire);
        wire.client(publish(5, QoS2));
        wire.broker(PubAck{.packetId = 5});
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-2.2.1-5 broker")});
        QCOMPARE(wire.observer.openFlow(ObservedSide::Client, 5)->state, FlowState::AwaitingPubRec);
    }

    void moreInFlightThanReceiveMaximum()
    {
        // 5.0 [MQTT-3.3.4-7] [MQTT-3.3.4-9] [MQTT-4.9.0-2]
        ObservedWire wire;
        handshake(wire, {.receiveMaximum = 1}, {.receiveMaximum = 2});
        wire.client(publish(1, QoS1));
        wire.client(publish(2, QoS2));
        wire.client(publish(3, QoS1)); // one over the broker's 2
        wire.broker(publish(1, QoS2));
        wire.broker(publish(2, QoS2)); // one over the client's 1
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-3.3.4-7 client"), QStringLiteral("MQTT-3.3.4-9 broker")}));
        // A completed flow gives its unit back: no finding.
        wire.broker(PubAck{.packetId = 1});
        wire.broker(PubAck{.packetId = 3});
        wire.client(publish(4, QoS1));
        QCOMPARE(wire.findings.size(), 2u);
    }

    void noReceiveMaximumIn311()
    {
        ObservedWire wire;
        handshake(wire, {.version = V311});
        for (quint16 id = 1; id <= 30; ++id)
            wire.client(publish(id, QoS1));
        QVERIFY2(wire.findings.empty(), qPrintable(wire.texts()));
    }

    void packetOverMaximumPacketSize()
    {
        // 5.0 [MQTT-3.2.2-15] [MQTT-3.1.2-24]
        ObservedWire wire;
        handshake(wire, {.maximumPacketSize = 64}, {.maximumPacketSize = 128});
        Publish big = publish(1, QoS1);
        big.payload = QByteArray(200, 'x');
        wire.client(big);
        wire.broker(big);
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-3.2.2-15 client"), QStringLiteral("MQTT-3.1.2-24 broker")}));
    }

    void dupOnQoS0_data() { addVersions(); }
    void dupOnQoS0()
    {
        // 5.0 [MQTT-3.3.1-2]; 3.1.1 [MQTT-3.3.1-2]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        Publish p = qos0();
        p.dup = true;
        wire.observer.packet(ObservedSide::Broker, p, QByteArray(20, '\0'), 1); // the encoder would refuse it
        for (ObservedFinding &f : wire.observer.takeFindings())
            wire.findings.push_back(f);
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.3.1-2 broker")});
    }

    void topicAliasZeroOrOverMaximum()
    {
        // 5.0 [MQTT-3.3.2-8] [MQTT-3.3.2-9] [MQTT-3.3.2-11]
        ObservedWire wire;
        handshake(wire, {.topicAliasMaximum = 2}, {.topicAliasMaximum = 5});
        Publish p = qos0();
        p.properties.set(PropertyId::TopicAlias, 6u);
        wire.client(p);
        p.properties.set(PropertyId::TopicAlias, 3u);
        wire.broker(p);
        p.properties.set(PropertyId::TopicAlias, 0u);
        wire.observer.packet(ObservedSide::Client, p, QByteArray(20, '\0'), wire.nowUs);
        for (ObservedFinding &f : wire.observer.takeFindings())
            wire.findings.push_back(f);
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-3.3.2-9 client"), QStringLiteral("MQTT-3.3.2-11 broker"),
                                            QStringLiteral("MQTT-3.3.2-8 client")}));
    }

    void topicAliasResolvesTheFlowsTopic()
    {
        ObservedWire wire;
        handshake(wire, {}, {.topicAliasMaximum = 5});
        Publish first = publish(1, QoS1, false, QStringLiteral("plant/line1/temp"));
        first.properties.set(PropertyId::TopicAlias, 2u);
        wire.client(first);
        Publish second = publish(2, QoS1, false, QString());
        second.properties.set(PropertyId::TopicAlias, 2u);
        wire.client(second);
        QCOMPARE(wire.observer.openFlow(ObservedSide::Client, 2)->topic, QStringLiteral("plant/line1/temp"));
        QVERIFY(wire.findings.empty());
    }

    void maximumQoSAndRetainAvailable()
    {
        // 5.0 [MQTT-3.2.2-11] [MQTT-3.2.2-14]
        ObservedWire wire;
        handshake(wire, {}, {.maximumQoS = 1, .retainAvailable = 0});
        wire.client(publish(1, QoS2));
        Publish retained = qos0();
        retained.retain = true;
        wire.client(retained);
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-3.2.2-11 client"), QStringLiteral("MQTT-3.2.2-14 client")}));
    }

    void packetsAfterDisconnect_data() { addVersions(); }
    void packetsAfterDisconnect()
    {
        // 5.0 [MQTT-3.14.4-1]; 3.1.1 [MQTT-3.14.4-2]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(Disconnect{});
        wire.client(PingReq{});
        QCOMPARE(wire.found(), QStringList{version == V5 ? QStringLiteral("MQTT-3.14.4-1 client") : QStringLiteral("MQTT-3.14.4-2 client")});
    }

    void keepAliveExceeded_data() { addVersions(); }
    void keepAliveExceeded()
    {
        // 5.0 [MQTT-3.1.2-20]; 3.1.1 [MQTT-3.1.2-23]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version, .keepAlive = 10});
        wire.client(PingReq{}, 14'000'000); // within one and a half periods
        QVERIFY(wire.findings.empty());
        wire.observer.tick(wire.nowUs + 16'000'000);
        for (ObservedFinding &f : wire.observer.takeFindings())
            wire.findings.push_back(f);
        wire.client(PingReq{}, 20'000'000); // the same silence: reported once
        QCOMPARE(wire.found(), QStringList{version == V5 ? QStringLiteral("MQTT-3.1.2-20 client") : QStringLiteral("MQTT-3.1.2-23 client")});
        QVERIFY2(wire.texts().contains(QStringLiteral("nothing for 16.0 s with a Keep Alive of 10 s")), qPrintable(wire.texts()));
    }

    void publishResentAfterPubRel_data() { addVersions(); }
    void publishResentAfterPubRel()
    {
        // 5.0 [MQTT-4.3.3-6]; 3.1.1 [MQTT-4.3.3-1]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.broker(publish(3, QoS2));
        wire.client(PubRec{.packetId = 3});
        wire.broker(PubRel{.packetId = 3});
        wire.broker(publish(3, QoS2, true));
        QCOMPARE(wire.found(), QStringList{version == V5 ? QStringLiteral("MQTT-4.3.3-6 broker") : QStringLiteral("MQTT-4.3.3-1 broker")});
    }

    void resendOnALiveConnectionOnlyIn5()
    {
        // 5.0 [MQTT-4.4.0-1]
        for (ProtocolVersion version : {V5, V311}) {
            ObservedWire wire;
            handshake(wire, {.version = version});
            wire.client(publish(1, QoS1));
            wire.client(publish(1, QoS1, true));
            wire.broker(PubAck{.packetId = 1});
            QCOMPARE(wire.found(), version == V5 ? QStringList{QStringLiteral("MQTT-4.4.0-1 client")} : QStringList{});
            QCOMPARE(wire.observer.counts().resends, 1u);
        }
    }

    void acknowledgementsOutOfOrder_data() { addVersions(); }
    void acknowledgementsOutOfOrder()
    {
        // 5.0 [MQTT-4.6.0-2] [MQTT-4.6.0-3] [MQTT-4.6.0-4]; 3.1.1 [MQTT-4.6.0-2] [MQTT-4.6.0-3] [MQTT-4.6.0-4]
        QFETCH(ProtocolVersion, version);
        ObservedWire wire;
        handshake(wire, {.version = version});
        wire.client(publish(1, QoS1));
        wire.client(publish(2, QoS1));
        wire.broker(PubAck{.packetId = 2});
        wire.client(publish(3, QoS2));
        wire.client(publish(4, QoS2));
        wire.broker(PubRec{.packetId = 4});
        wire.broker(PubRec{.packetId = 3});
        wire.client(PubRel{.packetId = 3}); // PUBREC 4 came first
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-4.6.0-2 broker"), QStringLiteral("MQTT-4.6.0-3 broker"),
                                            QStringLiteral("MQTT-4.6.0-4 client")}));
    }

    // A proxy's duplicate rule sent a QoS 2 PUBLISH twice: the copy, the broker's second PUBREC,
    // the device's answer to it and the broker's answer to that are all the rule's doing. Each is
    // still found and named, but no side is blamed; a new message with the same id is judged again.
    void whatADuplicateRuleCausesNamesTheRule()
    {
        const ObservedFault rule{.ruleId = 3, .ruleName = QStringLiteral("duplicate out PUBLISH"), .how = Interference::Duplicated};
        ObservedWire wire;
        handshake(wire);
        wire.client(publish(1, QoS2));
        wire.copy(ObservedSide::Client, publish(1, QoS2, true), rule);
        wire.broker(PubRec{.packetId = 1});
        wire.broker(PubRec{.packetId = 1}); // the broker answers the copy
        wire.client(PubRel{.packetId = 1});
        wire.client(PubRel{.packetId = 1}); // the device answers the second PUBREC
        wire.broker(PubComp{.packetId = 1});
        wire.broker(PubComp{.packetId = 1, .reason = ReasonCode::PacketIdentifierNotFound});
        QVERIFY2(!wire.findings.empty(), "the copy is still seen as a resend on a live connection");
        QCOMPARE(wire.blamed(), QStringList{});
        QCOMPARE(wire.findings.front().ruleId, QStringLiteral("MQTT-4.4.0-1"));
        QVERIFY(wire.findings.front().madeByFault);
        QVERIFY2(wire.findings.front().text().contains(QStringLiteral("the copy fault rule \u201cduplicate out PUBLISH\u201d made; "
                                                                      "the client did not send it")),
                 qPrintable(wire.texts()));
        for (const ObservedFinding &f : wire.findings)
            QVERIFY2(f.text().contains(QStringLiteral("duplicate out PUBLISH")) && !f.text().contains(QStringLiteral("broke it")),
                     qPrintable(f.text()));
        QCOMPARE(wire.observer.counts().violations, 0u);
        QCOMPARE(wire.observer.counts().faultCaused, quint64(wire.findings.size()));
        QCOMPARE(wire.observer.counts().completed, 1u);

        // Id 1 again for a new message, with no rule acting: the client's own resend is its own.
        wire.findings.clear();
        wire.client(publish(1, QoS2));
        wire.broker(PubRec{.packetId = 1});
        wire.client(PubRel{.packetId = 1});
        wire.client(PubRel{.packetId = 1});
        QCOMPARE(wire.blamed(), QStringList{QStringLiteral("MQTT-4.4.0-1 client")});
        QCOMPARE(wire.observer.counts().violations, 1u);
    }

    // A held PUBREL lets the next one cross first: the order is the rule's, not the device's.
    // The same order with nothing held is the device's.
    void aHeldPacketExcusesTheOrderItBreaks_data() { addVersions(); }
    void aHeldPacketExcusesTheOrderItBreaks()
    {
        QFETCH(ProtocolVersion, version);
        const ObservedFault hold{.ruleId = 1, .ruleName = QStringLiteral("hold out PUBREL id 1"), .how = Interference::Held};
        for (bool held : {true, false}) {
            ObservedWire wire;
            handshake(wire, {.version = version});
            wire.client(publish(1, QoS2));
            wire.client(publish(2, QoS2));
            wire.broker(PubRec{.packetId = 1});
            wire.broker(PubRec{.packetId = 2});
            if (held)
                wire.withhold(ObservedSide::Client, PubRel{.packetId = 1}, hold);
            wire.client(PubRel{.packetId = 2});
            QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.6.0-4 client")});
            QCOMPARE(wire.blamed(), held ? QStringList{} : QStringList{QStringLiteral("MQTT-4.6.0-4 client")});
            if (held)
                QVERIFY2(wire.texts().contains(QStringLiteral("after fault rule \u201chold out PUBREL id 1\u201d held a packet of "
                                                              "this handshake: the rule, not the client, may be the cause")),
                         qPrintable(wire.texts()));
        }
    }

    // A rule that drops the device's PINGREQs makes its silence: the keep-alive finding names it.
    void droppedPingsExcuseTheKeepAlive()
    {
        const ObservedFault drop{.ruleId = 2, .ruleName = QStringLiteral("drop out PINGREQ"), .how = Interference::Dropped};
        ObservedWire wire;
        handshake(wire, {.keepAlive = 10});
        wire.withhold(ObservedSide::Client, PingReq{}, drop, 9'000'000);
        wire.observer.tick(wire.nowUs + 8'000'000);
        for (ObservedFinding &f : wire.observer.takeFindings())
            wire.findings.push_back(f);
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-3.1.2-20 client")});
        QCOMPARE(wire.blamed(), QStringList{});
        QVERIFY2(wire.texts().contains(QStringLiteral("dropped a packet the client sent")), qPrintable(wire.texts()));
    }
};

QTEST_GUILESS_MAIN(TestConnectionObserver)
#include "tst_connection_observer.moc"
