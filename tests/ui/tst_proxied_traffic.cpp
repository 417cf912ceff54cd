// Traffic the app only watches (a proxy's devices, role Observed, recorded at the device's end)
// on the diagram, in the flow index and in the Inspector's sentences, traced the way the proxy
// traces it: the device's lane opens under its address and takes its client id at CONNECT.

#include "diagram_layout.h"
#include "flow_story.h"
#include "workbench.h"

#include "protocol/encoder.h"

#include <QTemporaryDir>
#include <QTest>

using namespace mqs;

namespace {

const QString kBroker = QStringLiteral("broker mqtt://127.0.0.1:1883");

// One device's connection through a proxy, as the proxy writes it to the trace.
class TracedDevice
{
public:
    TracedDevice(TraceLog &trace, const QString &address) : m_trace(trace)
    {
        m_id = trace.addConnection(TraceConnection{.role = ConnectionRole::Observed, .name = address, .localParty = address,
                                                   .remoteParty = kBroker, .version = ProtocolVersion::V5});
        trace.append(TraceEvent{.connection = m_id, .kind = TraceKind::Opened, .note = QStringLiteral("device %1 → proxy").arg(address)});
    }

    ConnectionId id() const { return m_id; }

    // CONNECT names the lane before it is traced, and CONNACK answers.
    void connect(const QString &clientId)
    {
        TraceConnection lane = *m_trace.connection(m_id);
        lane.name = lane.localParty = lane.clientId = clientId;
        m_trace.updateConnection(lane);
        toBroker(Connect{.clientId = clientId});
        toDevice(ConnAck{});
    }
    quint64 toBroker(const Packet &packet, TraceMark mark = TraceMark::None, quint32 rule = 0)
    {
        return m_trace.appendPacket(m_id, TraceDirection::Sent, packet, encode(packet, ProtocolVersion::V5), FlowState::None, mark, rule);
    }
    quint64 toDevice(const Packet &packet) { return m_trace.appendPacket(m_id, TraceDirection::Received, packet, encode(packet, ProtocolVersion::V5), FlowState::None, TraceMark::None, 0); }

private:
    TraceLog &m_trace;
    ConnectionId m_id = 0;
};

Publish qos2(const QString &topic, quint16 id, const QByteArray &payload = "21.5")
{
    return Publish{.qos = QoS::ExactlyOnce, .topic = topic, .packetId = PacketId(id), .payload = payload};
}

QStringList laneNames(const DiagramLayout &layout)
{
    QStringList names;
    for (int lane : layout.laneOrder())
        names << layout.lanes()[std::size_t(lane)].name;
    return names;
}

} // namespace

class TestProxiedTraffic : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void aDevicesLaneTakesItsClientIdAtConnect()
    {
        TraceLog trace;
        FlowIndex flows(trace);
        DiagramLayout layout(trace, flows);
        TracedDevice device(trace, QStringLiteral("127.0.0.1:53122"));
        flows.update();
        layout.update();
        QCOMPARE(laneNames(layout), (QStringList{kBroker, QStringLiteral("127.0.0.1:53122")})); // its address before CONNECT
        device.connect(QStringLiteral("sensor-1"));
        flows.update();
        layout.update();
        // one lane for the device, named by its client id; the opening note moved onto it
        QCOMPARE(laneNames(layout), (QStringList{kBroker, QStringLiteral("sensor-1")}));
        const int lane = layout.laneNamed(QStringLiteral("sensor-1"));
        QCOMPARE(layout.rows().size(), 3u); // opened, CONNECT, CONNACK
        for (const DiagramRow &row : layout.rows())
            QVERIFY(row.from == lane || row.to == lane);
        QCOMPARE(layout.rows().front().kind, DiagramRow::Note);
        QCOMPARE(layout.rows().front().from, qint16(lane));
        QCOMPARE(layout.laneNamed(QStringLiteral("127.0.0.1:53122")), -1);
    }

    void devicesThatPublishStandLeftAndSubscribersRight()
    {
        TraceLog trace;
        FlowIndex flows(trace);
        DiagramLayout layout(trace, flows);
        TracedDevice subscriber(trace, QStringLiteral("127.0.0.1:50001"));
        subscriber.connect(QStringLiteral("dashboard-1"));
        subscriber.toBroker(Subscribe{.packetId = PacketId(1), .subscriptions = {Subscription{QStringLiteral("test/#"), {QoS::ExactlyOnce}}}});
        TracedDevice publisher(trace, QStringLiteral("127.0.0.1:50002"));
        publisher.connect(QStringLiteral("sensor-1"));
        publisher.toBroker(qos2(QStringLiteral("test/a"), 1));
        flows.update();
        layout.update();
        QCOMPARE(laneNames(layout), (QStringList{QStringLiteral("sensor-1"), kBroker, QStringLiteral("dashboard-1")}));
        // each packet one arrow, device → broker or broker → device
        const int broker = layout.laneNamed(kBroker);
        int arrows = 0;
        for (const DiagramRow &row : layout.rows())
            if (row.kind == DiagramRow::Arrow) {
                ++arrows;
                QVERIFY((row.from == broker) != (row.to == broker));
            }
        QCOMPARE(arrows, 6); // CONNECT, CONNACK, SUBSCRIBE; CONNECT, CONNACK, PUBLISH
    }

    void aHeldPubRelOfADeviceStallsSaysWhoseAndCompletesWhenReleased()
    {
        Workbench workbench(m_dir.filePath(QStringLiteral("store.db")));
        TraceLog &trace = workbench.trace();
        TracedDevice subscriber(trace, QStringLiteral("127.0.0.1:50001"));
        subscriber.connect(QStringLiteral("dashboard-1"));
        TracedDevice publisher(trace, QStringLiteral("127.0.0.1:50002"));
        publisher.connect(QStringLiteral("sensor-1"));
        publisher.toBroker(qos2(QStringLiteral("test/a"), 1));
        publisher.toDevice(PubRec{.packetId = PacketId(1)});
        publisher.toBroker(PubRel{.packetId = PacketId(1)}, TraceMark::Held, 1);
        workbench.flows().update();
        const FlowRecord &f = workbench.flows().flows().back();
        QCOMPARE(f.key.connection, publisher.id());
        QCOMPARE(f.key.direction, Direction::Outbound);
        QCOMPARE(f.hop, FlowHop::ToBroker);
        QCOMPARE(f.state, FlowState::AwaitingPubRel); // the broker waits for the PUBREL a rule holds
        QCOMPARE(FlowIndex::stateText(f), QStringLiteral("PUBREL held (the device's)"));
        const qint64 later = trace.clock().nowUs() + 10'000'000;
        QVERIFY(FlowIndex::isStalled(f, later, 5'000'000));
        const QString sentence = workbench.flows().sentence(f, later);
        QVERIFY2(sentence.contains(QStringLiteral("PUBREL (the device's) held by")) && sentence.endsWith(QStringLiteral("— release?")),
                 qPrintable(sentence));
        const FlowStory story = tellFlow(workbench, f, later);
        QCOMPARE(story.title, QStringLiteral("sensor-1 → %1 · id 1 · QoS 2 · test/a").arg(kBroker));
        QVERIFY2(story.meaning.startsWith(QStringLiteral("the broker will not deliver this message until it gets the device's PUBREL")),
                 qPrintable(story.meaning));
        QVERIFY2(!story.meaning.contains(QStringLiteral("our")), qPrintable(story.meaning));

        // released: it crosses, the broker completes, and forwards to the subscriber with its own id
        publisher.toBroker(PubRel{.packetId = PacketId(1)}, TraceMark::Released, 1);
        publisher.toDevice(PubComp{.packetId = PacketId(1)});
        subscriber.toDevice(qos2(QStringLiteral("test/a"), 7));
        workbench.flows().update();
        const FlowRecord *done = workbench.flows().find(f.id);
        QCOMPARE(done->state, FlowState::Complete);
        QVERIFY(!done->heldEvent);
        const FlowRecord &forwarded = workbench.flows().flows().back();
        QCOMPARE(forwarded.hop, FlowHop::FromBroker);
        QCOMPARE(hopSentence(trace, workbench.flows(), *done), QStringLiteral("forwarded to dashboard-1 as id 7"));
        QCOMPARE(hopSentence(trace, workbench.flows(), forwarded), QStringLiteral("forwarded from sensor-1's id 1"));
    }
};

QTEST_MAIN(TestProxiedTraffic)
#include "tst_proxied_traffic.moc"
