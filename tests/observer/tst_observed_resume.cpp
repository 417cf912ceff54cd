// The passive observer across a client's connections: a session resumed on the next connection
// must resend what the previous one left unacknowledged, with its original ids and in order; a
// session not resumed owes nothing, and its stray packets are violations again.

#include "observed_wire.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr auto V5 = ProtocolVersion::V5;
constexpr auto V311 = ProtocolVersion::V311;
constexpr auto QoS1 = QoS::AtLeastOnce;
constexpr auto QoS2 = QoS::ExactlyOnce;

void addVersions()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("5.0") << V5;
    QTest::newRow("3.1.1") << V311;
}

// A first connection of "sensor-7" leaves, open: the client's QoS 2 id 1 awaiting PUBREC and id 2
// awaiting PUBCOMP, the broker's QoS 1 id 5 awaiting PUBACK.
void leaveFlowsOpen(ObservedSessions &sessions, ProtocolVersion version)
{
    ObservedWire first({.sessions = &sessions});
    handshake(first, {.version = version, .cleanStart = false});
    first.client(publish(2, QoS2));
    first.broker(PubRec{.packetId = 2});
    first.client(PubRel{.packetId = 2});
    first.client(publish(1, QoS2));
    first.broker(publish(5, QoS1));
    first.close();
    QVERIFY2(first.findings.empty(), qPrintable(first.texts()));
}
} // namespace

class TestObservedResume : public QObject
{
    Q_OBJECT

private slots:
    void resumeWithDupResendsInOrder_data() { addVersions(); }
    void resumeWithDupResendsInOrder()
    {
        // 5.0 [MQTT-4.4.0-1] [MQTT-3.3.1-1]; 3.1.1 [MQTT-4.4.0-1] [MQTT-3.3.1-1]
        QFETCH(ProtocolVersion, version);
        ObservedSessions sessions;
        leaveFlowsOpen(sessions, version);
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.version = version, .cleanStart = false}, {.sessionPresent = true});
        wire.client(publish(1, QoS2, true));
        wire.client(PubRel{.packetId = 2});
        wire.broker(publish(5, QoS1, true));
        wire.broker(PubRec{.packetId = 1});
        wire.broker(PubComp{.packetId = 2});
        wire.client(PubRel{.packetId = 1});
        wire.broker(PubComp{.packetId = 1});
        wire.client(PubAck{.packetId = 5});
        wire.close();
        QVERIFY2(wire.findings.empty(), qPrintable(wire.texts()));
        QCOMPARE(wire.observer.counts().resends, 3u);
        QCOMPARE(wire.observer.counts().completed, 3u);
        QVERIFY(wire.observer.openFlows().empty());
    }

    void resumedSessionThatDoesNotResend_data() { addVersions(); }
    void resumedSessionThatDoesNotResend()
    {
        // 5.0 [MQTT-4.4.0-1]; 3.1.1 [MQTT-4.4.0-1]
        QFETCH(ProtocolVersion, version);
        ObservedSessions sessions;
        leaveFlowsOpen(sessions, version);
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.version = version, .cleanStart = false}, {.sessionPresent = true});
        wire.client(PubRel{.packetId = 2});
        wire.broker(PubComp{.packetId = 2});
        wire.client(Disconnect{});
        wire.close();
        // MQTT.js#706 and friends: what the session owed never came.
        QCOMPARE(wire.found(), (QStringList{QStringLiteral("MQTT-4.4.0-1 client"), QStringLiteral("MQTT-4.4.0-1 broker")}));
        QCOMPARE(wire.findings[0].packetId, PacketId(1));
        QCOMPARE(wire.findings[1].packetId, PacketId(5));
    }

    void resumedSessionResendsOutOfOrder()
    {
        // 5.0 [MQTT-4.6.0-1]
        ObservedSessions sessions;
        {
            ObservedWire first({.sessions = &sessions});
            handshake(first, {.cleanStart = false});
            first.client(publish(1, QoS1));
            first.client(publish(2, QoS1));
            first.close();
        }
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.cleanStart = false}, {.sessionPresent = true});
        wire.client(publish(2, QoS1, true)); // paho.mqtt.c#807
        wire.client(publish(1, QoS1, true));
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.6.0-1 client")});
    }

    void pubRelsResentOutOfOrder_data() { addVersions(); }
    void pubRelsResentOutOfOrder()
    {
        // 5.0 [MQTT-4.6.0-4]; 3.1.1 [MQTT-4.6.0-4]
        QFETCH(ProtocolVersion, version);
        ObservedSessions sessions;
        {
            ObservedWire first({.sessions = &sessions});
            handshake(first, {.version = version, .cleanStart = false});
            for (quint16 id : {1, 2}) {
                first.client(publish(id, QoS2));
                first.broker(PubRec{.packetId = id});
                first.client(PubRel{.packetId = id});
            }
            first.close();
            QVERIFY2(first.findings.empty(), qPrintable(first.texts()));
        }
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.version = version, .cleanStart = false}, {.sessionPresent = true});
        wire.client(PubRel{.packetId = 2}); // at-wat/mqtt-go#152 resent them in another order
        wire.client(PubRel{.packetId = 1});
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.6.0-4 client")});
        QCOMPARE(wire.observer.counts().resends, 2u);
    }

    // 3.1.1 binds the client to resend whenever Clean Session = 0, whatever Session Present says.
    void cleanSession0ClientResendsEvenWithoutSessionPresentV311()
    {
        // 3.1.1 [MQTT-4.4.0-1]
        ObservedSessions sessions;
        leaveFlowsOpen(sessions, V311);
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.version = V311, .cleanStart = false}, {.sessionPresent = false});
        wire.client(PubRel{.packetId = 2});
        wire.broker(PubComp{.packetId = 2});
        wire.close();
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.4.0-1 client")}); // PUBLISH id 1 never came again
        QCOMPARE(wire.observer.counts().abandoned, 1u); // the broker's id 5: its session was gone
    }

    void publishResentInsteadOfPubRel()
    {
        // 5.0 [MQTT-4.3.3-6]
        ObservedSessions sessions;
        leaveFlowsOpen(sessions, V5);
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.cleanStart = false}, {.sessionPresent = true});
        wire.client(publish(1, QoS2, true));
        wire.client(publish(2, QoS2, true)); // fusesource/mqtt-client#120: its PUBREL had gone out already
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.3.3-6 client")});
    }

    void sessionNotResumedOwesNothing()
    {
        // 5.0 [MQTT-3.2.2-5] [MQTT-4.3.3-4]
        ObservedSessions sessions;
        leaveFlowsOpen(sessions, V5);
        ObservedWire wire({.sessions = &sessions});
        handshake(wire, {.cleanStart = false}, {.sessionPresent = false});
        wire.client(PubRel{.packetId = 2}); // the session is gone: the client must have discarded it
        wire.close();
        QCOMPARE(wire.found(), QStringList{QStringLiteral("MQTT-4.3.3-4 client")});
    }
};

QTEST_GUILESS_MAIN(TestObservedResume)
#include "tst_observed_resume.moc"
