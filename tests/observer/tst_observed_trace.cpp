// An observed connection written into a TraceLog reads like one of our own: FlowIndex finds its
// flows per hop with the observer's states, the lane is named by client id once CONNECT is seen,
// and each violation is a trace event right after the packet that committed it.

#include "observed_wire.h"

#include "observer/observed_trace.h"
#include "trace/flow_index.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

struct TracedWire {
    TraceLog log;
    ObservedTrace trace{log, {.client = QStringLiteral("192.168.1.7:50312"), .broker = QStringLiteral("10.0.0.2:1883")}};
    qint64 nowUs = 0;

    quint64 client(const Packet &p, qint64 afterUs = kStepUs) { return send(ObservedSide::Client, p, afterUs); }
    quint64 broker(const Packet &p, qint64 afterUs = kStepUs) { return send(ObservedSide::Broker, p, afterUs); }
    quint64 send(ObservedSide from, const Packet &p, qint64 afterUs)
    {
        nowUs += afterUs;
        const ProtocolVersion version = std::holds_alternative<Connect>(p) ? std::get<Connect>(p).version : trace.observer().version();
        return trace.packet(from, p, encode(p, version), nowUs);
    }
};

} // namespace

class TestObservedTrace : public QObject
{
    Q_OBJECT

private slots:
    void laneIsNamedByAddressThenClientId()
    {
        TracedWire wire;
        const ConnectionId id = wire.trace.connection();
        QCOMPARE(wire.log.connection(id)->role, ConnectionRole::Observed);
        QCOMPARE(wire.log.connection(id)->name, QStringLiteral("192.168.1.7:50312"));
        QCOMPARE(wire.log.connection(id)->remoteParty, QStringLiteral("broker 10.0.0.2:1883"));
        wire.client(connectPacket({.version = ProtocolVersion::V311, .clientId = QStringLiteral("boiler-12")}));
        QCOMPARE(wire.log.connection(id)->name, QStringLiteral("boiler-12"));
        QCOMPARE(wire.log.connection(id)->clientId, QStringLiteral("boiler-12"));
        QCOMPARE(wire.log.connection(id)->version, ProtocolVersion::V311);
    }

    void captureTimesAndDirectionsAreKept()
    {
        TracedWire wire;
        const quint64 connect = wire.client(connectPacket({}), 2'500'000);
        const quint64 connAck = wire.broker(connAckPacket({}), 300);
        QCOMPARE(wire.log.timeUs(connect), 2'500'000);
        QCOMPARE(wire.log.timeUs(connAck), 2'500'300);
        QCOMPARE(wire.log.directionOf(connect), TraceDirection::Sent);
        QCOMPARE(wire.log.directionOf(connAck), TraceDirection::Received);
    }

    void flowIndexShowsObservedFlowsLikeOwnOnes()
    {
        TracedWire wire;
        wire.client(connectPacket({}));
        wire.broker(connAckPacket({}));
        wire.client(publish(1, QoS::ExactlyOnce));
        wire.broker(PubRec{.packetId = 1});
        wire.client(PubRel{.packetId = 1});
        wire.broker(PubComp{.packetId = 1});
        const quint64 toClient = wire.broker(publish(1, QoS::ExactlyOnce, false, QStringLiteral("plant/alarm")));
        wire.client(PubRec{.packetId = 1});
        QCOMPARE(wire.log.flowStateOf(toClient), FlowState::AwaitingPubRec);

        FlowIndex index(wire.log);
        index.update();
        QCOMPARE(index.flows().size(), 2u);
        const FlowRecord &up = index.flows()[0];
        const FlowRecord &down = index.flows()[1];
        QCOMPARE(up.key.direction, Direction::Outbound);
        QCOMPARE(up.hop, FlowHop::ToBroker);
        QCOMPARE(up.state, FlowState::Complete);
        QCOMPARE(up.topic, QStringLiteral("plant/temp"));
        QCOMPARE(up.events.size(), 4u);
        QCOMPARE(down.key.direction, Direction::Inbound);
        QCOMPARE(down.hop, FlowHop::FromBroker);
        QCOMPARE(down.state, FlowState::AwaitingPubRel);
        QCOMPARE(down.topic, QStringLiteral("plant/alarm"));
        QVERIFY(FlowIndex::isStalled(down, wire.nowUs + 10'000'000, 5'000'000));
        QVERIFY2(index.sentence(down, wire.nowUs + 10'000'000).contains(QStringLiteral("waiting for PUBREL from the sender")),
                 qPrintable(index.sentence(down, wire.nowUs + 10'000'000)));
        QCOMPARE(index.inFlight(wire.trace.connection(), Direction::Inbound), std::vector<PacketId>{1});
    }

    void violationFollowsThePacketThatCommittedIt()
    {
        TracedWire wire;
        wire.client(connectPacket({}));
        wire.broker(connAckPacket({}));
        wire.client(publish(4, QoS::AtLeastOnce));
        const quint64 reuse = wire.client(publish(4, QoS::AtLeastOnce)); // the client's violation
        QCOMPARE(wire.log.kindOf(reuse + 1), TraceKind::Violation);
        QCOMPARE(wire.log.directionOf(reuse + 1), TraceDirection::Sent);
        QVERIFY2(wire.log.noteOf(reuse + 1).startsWith(QStringLiteral("[MQTT-2.2.1-3] a new PUBLISH (DUP = 0) with id 4")),
                 qPrintable(wire.log.noteOf(reuse + 1)));
        QVERIFY(wire.log.noteOf(reuse + 1).endsWith(QStringLiteral("(the client broke it)")));
        const auto findings = wire.trace.takeFindings();
        QCOMPARE(findings.size(), 1u);

        FlowIndex index(wire.log);
        index.update();
        QCOMPARE(index.violationAt(reuse), wire.log.noteOf(reuse + 1));
        QCOMPARE(index.flows().front().violations.size(), 1u);
        const QString sentence = index.sentence(index.flows().front(), wire.nowUs);
        QVERIFY2(sentence.contains(QStringLiteral(" Violation: [MQTT-2.2.1-3]")) && !sentence.contains(QStringLiteral("Peer")),
                 qPrintable(sentence));
    }

    // A finding a proxy's fault rule may have caused carries the rule's id: the flow lists it apart
    // from violations, and its packet is not marked as a fault.
    void aFaultRulesEffectIsNotAViolation()
    {
        TracedWire wire;
        wire.trace.setRuleNames([](quint32 id) { return id == 5 ? QStringLiteral("duplicate out PUBLISH") : QString(); });
        wire.client(connectPacket({}));
        wire.broker(connAckPacket({}));
        wire.client(publish(2, QoS::ExactlyOnce));
        wire.nowUs += kStepUs;
        const Publish copy = publish(2, QoS::ExactlyOnce, true);
        const quint64 copied = wire.trace.packet(ObservedSide::Client, copy, encode(copy, ProtocolVersion::V5), wire.nowUs,
                                                 TraceMark::Duplicated, 5);
        QCOMPARE(wire.log.kindOf(copied + 1), TraceKind::Violation);
        QCOMPARE(wire.log.ruleOf(copied + 1), 5u);
        QVERIFY2(wire.log.noteOf(copied + 1).contains(QStringLiteral("duplicate out PUBLISH")), qPrintable(wire.log.noteOf(copied + 1)));

        FlowIndex index(wire.log);
        index.update();
        QVERIFY(index.violationAt(copied).isEmpty());
        const FlowRecord &flow = index.flows().front();
        QVERIFY(flow.violations.empty());
        QCOMPARE(flow.ruleEffects.size(), 1u);
        const QString sentence = index.sentence(flow, wire.nowUs);
        QVERIFY2(sentence.contains(QStringLiteral(" A fault rule's doing: [MQTT-4.4.0-1]")) && !sentence.contains(QStringLiteral("Violation")),
                 qPrintable(sentence));
    }

    void closingTracesWhatTheSessionOwed()
    {
        TracedWire wire;
        wire.client(connectPacket({}));
        wire.broker(connAckPacket({}));
        wire.trace.closed(wire.nowUs + 1000, QStringLiteral("the device closed the connection"));
        QCOMPARE(wire.log.kindOf(wire.log.endSequence() - 1), TraceKind::Closed);
        QCOMPARE(wire.log.noteOf(wire.log.endSequence() - 1), QStringLiteral("the device closed the connection"));
    }
};

QTEST_GUILESS_MAIN(TestObservedTrace)
#include "tst_observed_trace.moc"
