// A connection the app does not own (proxy, capture), written by ObservedTrace, reads in the
// diagram and the Flows tab's model like one of our own: a device lane named by its client id, a
// broker lane, arrows each way, a violation row, and its flows with the observer's states.

#include "observer/observed_trace.h"
#include "protocol/encoder.h"

#include "diagram_layout.h"
#include "flow_table_model.h"

#include <QTest>

using namespace mqs;

namespace {

struct Observed {
    TraceLog log;
    ObservedTrace trace{log, {.client = QStringLiteral("192.168.1.7:50312"), .broker = QStringLiteral("10.0.0.2:1883")}};
    qint64 nowUs = 0;
    void send(ObservedSide from, const Packet &p)
    {
        nowUs += 1000;
        const ProtocolVersion version = std::holds_alternative<Connect>(p) ? std::get<Connect>(p).version : trace.observer().version();
        trace.packet(from, p, encode(p, version), nowUs);
    }
    void client(const Packet &p) { send(ObservedSide::Client, p); }
    void broker(const Packet &p) { send(ObservedSide::Broker, p); }
};

Publish reading(quint16 id)
{
    return Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("boiler/pressure"), .packetId = PacketId(id), .payload = "2.1"};
}

} // namespace

class TestObservedDiagram : public QObject
{
    Q_OBJECT

private slots:
    void observedConnectionDrawsLikeOurOwn()
    {
        Observed o;
        o.client(Connect{.version = ProtocolVersion::V5, .clientId = QStringLiteral("boiler-12")});
        o.broker(ConnAck{});
        o.client(reading(7));
        o.broker(PubRec{.packetId = 7});
        o.client(reading(7)); // DUP = 0 on an id in flight: the device's violation

        FlowIndex flows(o.log);
        flows.update();
        DiagramLayout layout(o.log, flows);
        layout.update();
        QCOMPARE(layout.lanes().size(), 2u);
        const DiagramLane &device = layout.lanes()[0];
        const DiagramLane &broker = layout.lanes()[1];
        QCOMPARE(device.name, QStringLiteral("boiler-12"));
        QCOMPARE(broker.name, QStringLiteral("broker 10.0.0.2:1883"));
        QCOMPARE(broker.role, LaneRole::Broker);
        QVERIFY(device.role != LaneRole::Broker);
        std::vector<DiagramRow> rows(layout.rows().begin(), layout.rows().end());
        QCOMPARE(rows.size(), 6u); // five arrows and the violation
        QCOMPARE(rows[2].kind, DiagramRow::Arrow); // PUBLISH device → broker
        QCOMPARE(rows[2].from, 0);
        QCOMPARE(rows[2].to, 1);
        QCOMPARE(rows[3].from, 1); // PUBREC broker → device
        QCOMPARE(rows[5].kind, DiagramRow::Note);
        QVERIFY(o.log.noteOf(rows[5].sequence).startsWith(QStringLiteral("[MQTT-2.2.1-3]")));

        FlowTableModel model(o.log, flows);
        model.syncRows();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, FlowTableModel::Connection).data().toString(), QStringLiteral("boiler-12"));
        QCOMPARE(model.index(0, FlowTableModel::Topic).data().toString(), QStringLiteral("boiler/pressure"));
        QCOMPARE(model.index(0, FlowTableModel::State).data(FlowTableModel::StateRole).value<int>(), int(FlowState::AwaitingPubRec));
    }
};

QTEST_MAIN(TestObservedDiagram)
#include "tst_observed_diagram.moc"
