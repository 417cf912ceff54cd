// The flow machine's one table (core/session/flow.cpp): every transition it has, that any other
// (state, event) pair is a violation, that both sessions of a hop and an observer of the wire
// walk the same rows, and the one answer to "what does it wait for".

#include "session_fixture.h"

#include "protocol/encoder.h"
#include "trace/flow_index.h"

#include <set>

using namespace mqs;

namespace {

constexpr FlowState kStates[] = {FlowState::None, FlowState::Queued, FlowState::AwaitingPubAck, FlowState::AwaitingPubRec,
                                 FlowState::AwaitingPubComp, FlowState::AwaitingPubRel, FlowState::Complete,
                                 FlowState::Failed, FlowState::Abandoned};
constexpr FlowEvent kEvents[] = {FlowEvent::Accepted, FlowEvent::PublishQoS1, FlowEvent::PublishQoS2, FlowEvent::PubAck,
                                 FlowEvent::PubAckRefused, FlowEvent::PubRec, FlowEvent::PubRecRefused, FlowEvent::PubRel,
                                 FlowEvent::PubComp, FlowEvent::PubCompNotFound, FlowEvent::NotSent, FlowEvent::SessionLost};

// An observer of one hop: fed each packet that crosses, it steps the table as the passive
// observer will; it remembers a step the table did not have.
struct WireObserver {
    FlowState state = FlowState::None;
    QStringList unknown;

    void see(const Packet &packet)
    {
        const PacketType type = packetType(packet);
        if (!belongsToFlow(type))
            return;
        const QoS qos = type == PacketType::Publish ? std::get<Publish>(packet).qos : QoS::ExactlyOnce;
        const auto next = nextFlowState(state, flowEventOf(type, qos, reasonOf(packet).value_or(ReasonCode::Success)));
        if (!next)
            unknown << QStringLiteral("%1 in %2").arg(packetTypeName(type), flowStateName(state));
        state = next.value_or(state);
    }
};

// `to` follows `from` in one step of a session: at most two rows of the table (a session
// answers in the step that received: PUBREC then PUBREL, PUBREL then PUBCOMP).
bool oneSessionStep(FlowState from, FlowState to)
{
    for (FlowEvent first : kEvents) {
        const auto middle = nextFlowState(from, first);
        if (!middle)
            continue;
        if (*middle == to)
            return true;
        for (FlowEvent second : kEvents)
            if (nextFlowState(*middle, second) == std::optional<FlowState>(to))
                return true;
    }
    return false;
}

// The states a session reports for its one flow, each a step of the table from the one before.
struct StateWalk {
    FlowState state = FlowState::None;
    QStringList unknown;

    void follow(const SessionOutput &out)
    {
        for (const FlowUpdate &u : out.flows) {
            if (!oneSessionStep(state, u.state))
                unknown << QStringLiteral("%1 → %2").arg(flowStateName(state), flowStateName(u.state));
            state = u.state;
        }
    }
};

// The sender's output crosses to the receiver and back until nothing is left to send.
void exchange(Session &sender, Session &receiver, Packets toReceiver, WireObserver &wire, StateWalk &senderWalk,
              StateWalk &receiverWalk, Millis now)
{
    while (!toReceiver.empty()) {
        Packets toSender;
        for (const Packet &p : toReceiver) {
            wire.see(p);
            auto out = receiver.receive(p, now);
            receiverWalk.follow(out);
            toSender.insert(toSender.end(), out.sent.begin(), out.sent.end());
        }
        toReceiver.clear();
        for (const Packet &p : toSender) {
            wire.see(p);
            auto out = sender.receive(p, now);
            senderWalk.follow(out);
            toReceiver.insert(toReceiver.end(), out.sent.begin(), out.sent.end());
        }
    }
}

// A receiving session, connected as a broker would see its client (answers CONNACK itself).
void acceptClient(Session &receiver)
{
    const Connect c = connectPacket();
    receiver.receive(c, t0);
    receiver.accept(c, ConnAck{}, t0);
}

TraceEvent packetEvent(qint64 time, TraceDirection direction, const Packet &p)
{
    TraceEvent e;
    e.timeUs = time;
    e.direction = direction;
    e.type = packetType(p);
    e.packetId = packetIdOf(p).value_or(PacketId());
    e.raw = encode(p, ProtocolVersion::V5);
    return e; // flowState None: as a capture records it
}

} // namespace

class TestFlowMachine : public QObject
{
    Q_OBJECT

private slots:
    void everyTransitionOfTheTable_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("event");
        QTest::addColumn<int>("to");
        for (const FlowTransition &t : flowTransitions())
            QTest::addRow("%s --%d--> %s", qPrintable(flowStateName(t.from)), int(t.event), qPrintable(flowStateName(t.to)))
                << int(t.from) << int(t.event) << int(t.to);
    }

    void everyTransitionOfTheTable()
    {
        QFETCH(int, from);
        QFETCH(int, event);
        QFETCH(int, to);
        QCOMPARE(nextFlowState(FlowState(from), FlowEvent(event)), std::optional<FlowState>(FlowState(to)));
    }

    void anyOtherPairIsAViolation()
    {
        std::set<std::pair<int, int>> inTable;
        for (const FlowTransition &t : flowTransitions())
            QVERIFY2(inTable.emplace(int(t.from), int(t.event)).second, "one (state, event) pair, one row");
        int violations = 0;
        for (FlowState state : kStates)
            for (FlowEvent event : kEvents)
                if (!inTable.count({int(state), int(event)})) {
                    QCOMPARE(nextFlowState(state, event), std::nullopt);
                    ++violations;
                }
        QCOMPARE(violations + int(flowTransitions().size()), int(std::size(kStates) * std::size(kEvents)));
        // Spot checks a reader can follow: nothing moves a finished flow, and PUBCOMP does not
        // answer a PUBLISH ([MQTT-4.3.3-5]: it answers PUBREL).
        for (FlowEvent event : kEvents) {
            QCOMPARE(nextFlowState(FlowState::Complete, event), std::nullopt);
            QCOMPARE(nextFlowState(FlowState::Failed, event), std::nullopt);
            QCOMPARE(nextFlowState(FlowState::Abandoned, event), std::nullopt);
        }
        QCOMPARE(nextFlowState(FlowState::AwaitingPubRec, FlowEvent::PubComp), std::nullopt);
        QCOMPARE(nextFlowState(FlowState::AwaitingPubAck, FlowEvent::PubRec), std::nullopt);
        QCOMPARE(nextFlowState(FlowState::Queued, FlowEvent::PubAck), std::nullopt);
    }

    void anUnknownTransitionInTheSessionIsAViolation()
    {
        // PUBCOMP while the flow awaits PUBREC: the table has no row, the session names the rule.
        Session session;
        connectClient(session);
        const auto id = *session.publish(reading("a/b", QoS::ExactlyOnce), t0).ticket->packetId;
        const auto out = session.receive(PubComp{.packetId = id}, t0 + 1ms);
        const auto *violation = findClosingViolation(out);
        QVERIFY(violation);
        QVERIFY2(violation->message.contains(QStringLiteral("[MQTT-4.3.3-5]")), qPrintable(violation->message));
        QCOMPARE(violation->rule, QStringLiteral("[MQTT-4.3.3-5]"));
        QCOMPARE(session.flowState(Direction::Outbound, id), FlowState::AwaitingPubRec); // unmoved
    }

    void bothSessionsOfAHopAndAnObserverWalkTheSameRows_data()
    {
        QTest::addColumn<int>("qos");
        QTest::addColumn<int>("method");
        QTest::newRow("QoS 1") << 1 << int(InboundMethod::B);
        QTest::newRow("QoS 2, method B") << 2 << int(InboundMethod::B);
        QTest::newRow("QoS 2, method A") << 2 << int(InboundMethod::A);
    }

    void bothSessionsOfAHopAndAnObserverWalkTheSameRows()
    {
        QFETCH(int, qos);
        QFETCH(int, method);
        Session sender;
        SessionOptions receiverOptions;
        receiverOptions.role = SessionRole::Server;
        receiverOptions.inboundMethod = InboundMethod(method);
        Session receiver(receiverOptions);
        acceptClient(receiver);
        connectClient(sender);
        WireObserver wire;
        auto published = sender.publish(reading("hop/x", QoS(qos)), t0 + 2ms);
        QCOMPARE(published.output.flows.front().state, FlowState::Queued);
        const PacketId id = *published.ticket->packetId;
        StateWalk senderWalk;
        StateWalk receiverWalk;
        senderWalk.follow(published.output);
        exchange(sender, receiver, published.output.sent, wire, senderWalk, receiverWalk, t0 + 3ms);
        QVERIFY2(wire.unknown.isEmpty(), qPrintable(wire.unknown.join(QStringLiteral(", "))));
        QVERIFY2(senderWalk.unknown.isEmpty(), qPrintable(senderWalk.unknown.join(QStringLiteral(", "))));
        QVERIFY2(receiverWalk.unknown.isEmpty(), qPrintable(receiverWalk.unknown.join(QStringLiteral(", "))));
        QCOMPARE(senderWalk.state, FlowState::Complete);
        QCOMPARE(receiverWalk.state, FlowState::Complete);
        QCOMPARE(wire.state, FlowState::Complete);
        QCOMPARE(sender.flowState(Direction::Outbound, id), FlowState::None); // finished and forgotten
        QCOMPARE(receiver.flowState(Direction::Inbound, id), FlowState::None);
    }

    void waitingForNamesTheNextPacketAndWhoOwesIt()
    {
        QCOMPARE(waitingFor(FlowState::Queued), (FlowWait{.forSendQuota = true}));
        QCOMPARE(waitingFor(FlowState::AwaitingPubAck), (FlowWait{.packet = PacketType::PubAck, .owedBy = FlowParty::Receiver}));
        QCOMPARE(waitingFor(FlowState::AwaitingPubRec), (FlowWait{.packet = PacketType::PubRec, .owedBy = FlowParty::Receiver}));
        QCOMPARE(waitingFor(FlowState::AwaitingPubRel), (FlowWait{.packet = PacketType::PubRel, .owedBy = FlowParty::Sender}));
        QCOMPARE(waitingFor(FlowState::AwaitingPubComp), (FlowWait{.packet = PacketType::PubComp, .owedBy = FlowParty::Receiver}));
        for (FlowState finished : {FlowState::None, FlowState::Complete, FlowState::Failed, FlowState::Abandoned}) {
            QCOMPARE(waitingFor(finished), FlowWait{});
            QVERIFY(waitingForText(finished).isEmpty());
        }
        QCOMPARE(waitingForText(FlowState::AwaitingPubRel), QStringLiteral("PUBREL from the sender"));
        QCOMPARE(waitingForText(FlowState::AwaitingPubComp), QStringLiteral("PUBCOMP from the receiver"));
    }

    void theIndexStepsTheTableWhereTheTraceRecordsNoState()
    {
        // A capture records no flow states: the index derives them from the packets, and a packet
        // the table has no row for is a violation of the flow.
        TraceLog log;
        const ConnectionId c = log.addConnection(TraceConnection{.name = QStringLiteral("captured")});
        FlowIndex index(log);
        const Publish publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("cap/x"), .packetId = PacketId(4), .payload = "1"};
        auto add = [&](qint64 t, TraceDirection d, const Packet &p) {
            TraceEvent e = packetEvent(t, d, p);
            e.connection = c;
            log.append(e);
            index.update();
        };
        add(10, TraceDirection::Sent, publish);
        QCOMPARE(index.flows().back().state, FlowState::AwaitingPubRec);
        add(20, TraceDirection::Received, PubRec{.packetId = PacketId(4)});
        QCOMPARE(index.flows().back().state, FlowState::AwaitingPubRel);
        QVERIFY2(index.sentence(index.flows().back(), 30).contains(QStringLiteral("waiting for PUBREL from the sender")),
                 qPrintable(index.sentence(index.flows().back(), 30)));
        add(30, TraceDirection::Received, PubComp{.packetId = PacketId(4)}); // before our PUBREL
        QCOMPARE(index.flows().back().state, FlowState::AwaitingPubRel);
        QCOMPARE(index.flows().back().violations.size(), 1u);
        add(40, TraceDirection::Sent, PubRel{.packetId = PacketId(4)});
        add(50, TraceDirection::Received, PubComp{.packetId = PacketId(4)});
        QCOMPARE(index.flows().back().state, FlowState::Complete);
    }
};

QTEST_GUILESS_MAIN(TestFlowMachine)
#include "tst_flow_machine.moc"
