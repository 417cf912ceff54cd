// The Flows tab as a user works a stalled handshake (offscreen, a real window, a real sandbox
// broker on loopback): the Inspector pane's sentences, the hops of one message linked, rows that
// hold still under the pointer, bulk release and drop, and rules that release what they hold.

#include "broker/sandbox_broker.h"
#include "fault_rules_panel.h"
#include "flow_inspector.h"
#include "inspector_pane.h"
#include "main_window.h"
#include "sequence_diagram_view.h"
#include "window_fixture.h"

#include <QCheckBox>
#include <QCursor>
#include <QEnterEvent>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace mqs;
using namespace mqs::test;

namespace {

ApplicationMessage message(const QString &topic, const QByteArray &payload = "21.5")
{
    ApplicationMessage m;
    m.topic = topic;
    m.payload = payload;
    m.qos = QoS::ExactlyOnce;
    return m;
}

// The newest flow of `connection` (trace id) in `direction` on `topic`.
const FlowRecord *flowOn(const FlowIndex &flows, ConnectionId connection, Direction direction, const QString &topic)
{
    const FlowRecord *found = nullptr;
    for (const FlowRecord &f : flows.flows())
        if (f.key.connection == connection && f.key.direction == direction && f.topic == topic)
            found = &f;
    return found;
}

// The visual row of `flow` in the table, or -1.
int visualRowOf(FlowInspector &inspector, FlowId flow)
{
    QAbstractItemModel *model = inspector.table()->model();
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, 0).data(FlowTableModel::FlowIdRole).value<FlowId>() == flow)
            return r;
    return -1;
}

// Moves the pointer over the table (or away) and delivers the Enter (Leave) as a window system would.
void pointerOver(QWidget *viewport, bool over)
{
    QCursor::setPos(over ? viewport->mapToGlobal(viewport->rect().center()) : viewport->window()->mapToGlobal(QPoint(-100, -100)));
    if (over) {
        QEnterEvent enter(QPointF(5, 5), QPointF(5, 5), viewport->mapToGlobal(QPointF(5, 5)));
        QCoreApplication::sendEvent(viewport, &enter);
    } else {
        QEvent leave(QEvent::Leave);
        QCoreApplication::sendEvent(viewport, &leave);
    }
}

} // namespace

class TestFlowsTab : public QObject
{
    Q_OBJECT

    TestWindows m_windows;

    struct Pair {
        std::unique_ptr<MainWindow> window;
        Connection *sensor = nullptr;
        Connection *dashboard = nullptr;
    };

    // A window with a publisher and a subscriber of sensors/# on `broker`, both connected.
    Pair openPair(SandboxBroker &broker)
    {
        Pair p;
        p.window = m_windows.open();
        p.dashboard = p.window->addConnection(profileFor(broker.url(), QStringLiteral("dashboard")), true);
        p.sensor = p.window->addConnection(profileFor(broker.url(), QStringLiteral("sensor")), true);
        [&] {
            QTRY_COMPARE(p.sensor->state(), ConnectionState::Connected);
            QTRY_COMPARE(p.dashboard->state(), ConnectionState::Connected);
        }();
        p.dashboard->subscribe({Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}});
        QTest::qWait(0);
        return p;
    }

    void addRule(MainWindow &w, Connection *c, const QString &text, const QString &name)
    {
        w.faultRules()->setTargets({{c->settings().name, &c->faults()}});
        QVERIFY(w.faultRules()->addRule(text, name).ok());
    }

private slots:
    void theInspectorSaysWhatAHeldPubRelMeans()
    {
        // A broker that delivers on PUBREL (method A, as mosquitto does) and a full send quota:
        // the sentence of issue #12, word for word.
        TraceLog brokerTrace;
        SandboxBroker broker({.core = {.inboundMethod = InboundMethod::A}}, &brokerTrace);
        QVERIFY(broker.start().ok());
        Pair p = openPair(broker);
        addRule(*p.window, p.sensor, QStringLiteral("hold out PUBREL"), QStringLiteral("stall at PUBREL"));
        constexpr int kQuota = 20; // the sandbox broker's Receive Maximum
        constexpr int kQueued = 4;
        for (int i = 0; i < kQuota + kQueued; ++i)
            QVERIFY(p.sensor->publish(message(QStringLiteral("sensors/t%1").arg(i))).ticket);
        QTRY_COMPARE(p.sensor->heldPackets().size(), std::size_t(kQuota));
        FlowInspector *inspector = p.window->inspector();
        FlowIndex &flows = p.window->workbench().flows();
        QTRY_VERIFY(flowOn(flows, p.sensor->traceId(), Direction::Outbound, QStringLiteral("sensors/t0")));
        const FlowRecord *held = flowOn(flows, p.sensor->traceId(), Direction::Outbound, QStringLiteral("sensors/t0"));
        QTRY_VERIFY(flows.find(held->id)->heldEvent);
        inspector->selectFlow(held->id);
        inspector->refresh();
        InspectorPane *pane = inspector->pane();
        QCOMPARE(pane->title(), QStringLiteral("Inspector"));
        QVERIFY2(pane->stateLine().contains(QStringLiteral("PUBREL held (ours)")), qPrintable(pane->stateLine()));
        QVERIFY(!pane->stateLine().contains(QStringLiteral("AwaitingPubComp")));
        QVERIFY2(pane->stateLine().contains(QStringLiteral("rule 'stall at PUBREL' holds our PUBREL")), qPrintable(pane->stateLine()));
        QCOMPARE(pane->hopsLine(), QStringLiteral("not forwarded yet"));
        QCOMPARE(pane->meaningLine(), QStringLiteral("the broker will not deliver this message until it gets our PUBREL; nobody "
                                                     "has received it yet; sensor: 20 of 20 send quota in use, 4 publishes queued"));
        QCOMPARE(pane->stepCount(), 3); // PUBLISH sent, PUBREC received, PUBREL held
        QCOMPARE(inspector->model().index(int(*flows.rowOf(held->id)), FlowTableModel::State).data().toString().contains(
                     QStringLiteral("PUBREL held (ours)")),
                 true);

        // Released: the broker delivers, and the pane names the other hop with its own id.
        QVERIFY(triggerBulk(*inspector, QStringLiteral("releaseAll"), QStringLiteral("Release everything held")));
        QTRY_VERIFY(flowOn(flows, p.dashboard->traceId(), Direction::Inbound, QStringLiteral("sensors/t0")));
        const FlowRecord *delivered = flowOn(flows, p.dashboard->traceId(), Direction::Inbound, QStringLiteral("sensors/t0"));
        QTRY_COMPARE(pane->hopsLine(), QStringLiteral("forwarded to dashboard as id %1").arg(delivered->key.packetId.value));
        QTRY_COMPARE(pane->meaningLine(), QStringLiteral("the flow is finished"));
    }

    // The line under the table and the Inspector once spoke of different connections (the current
    // one, the selected flow's) without saying whose quota: now both say it of the selected flow's
    // connection, in the same words, even while another connection is the current one.
    void theQuotaLineAndTheInspectorAgreeOnTheSelectedFlowsConnection()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({.core = {.inboundMethod = InboundMethod::A}}, &brokerTrace);
        QVERIFY(broker.start().ok());
        Pair p = openPair(broker);
        addRule(*p.window, p.sensor, QStringLiteral("hold out PUBREL"), QStringLiteral("stall at PUBREL"));
        constexpr int kQuota = 20; // the sandbox broker's Receive Maximum
        constexpr int kQueued = 2;
        for (int i = 0; i < kQuota + kQueued; ++i)
            QVERIFY(p.sensor->publish(message(QStringLiteral("sensors/q%1").arg(i))).ticket);
        QTRY_COMPARE(p.sensor->heldPackets().size(), std::size_t(kQuota));
        p.window->workbench().setCurrent(p.dashboard); // the current connection is not the flow's
        FlowInspector *inspector = p.window->inspector();
        FlowIndex &flows = p.window->workbench().flows();
        QTRY_VERIFY(flowOn(flows, p.sensor->traceId(), Direction::Outbound, QStringLiteral("sensors/q0")));
        inspector->selectFlow(flowOn(flows, p.sensor->traceId(), Direction::Outbound, QStringLiteral("sensors/q0"))->id);
        inspector->refresh();
        const QString quota = QStringLiteral("sensor: 20 of 20 send quota in use, 2 publishes queued");
        QVERIFY2(inspector->quotaLine().startsWith(quota), qPrintable(inspector->quotaLine()));
        QVERIFY2(inspector->pane()->meaningLine().endsWith(quota), qPrintable(inspector->pane()->meaningLine()));

        // Nothing selected: the line is the current connection's, and says so.
        inspector->table()->selectionModel()->clearCurrentIndex();
        inspector->table()->clearSelection();
        inspector->refresh();
        QVERIFY2(inspector->quotaLine().startsWith(QStringLiteral("dashboard: 0 of ")), qPrintable(inspector->quotaLine()));
    }

    void selectingAFlowHighlightsTheOtherHopOnTheDemo()
    {
        // The demo traces both ends of both hops: the sensor's flow and the dashboard's are one
        // message, with ids of their own.
        MainWindow::Options options;
        options.demo = true;
        options.demoIntervalMs = 100;
        auto w = m_windows.open(options);
        FlowIndex &flows = w->workbench().flows();
        QTRY_VERIFY(w->workbench().demo());
        SandboxDemo *demo = w->workbench().demo();
        QTRY_VERIFY_WITH_TIMEOUT(demo->readingsCompleted() >= 2, 10000);
        const FlowRecord *sensorFlow = nullptr;
        const FlowRecord *dashboardFlow = nullptr;
        for (const FlowRecord &f : flows.flows())
            if (f.key.connection == demo->sensor().traceId() && f.state == FlowState::Complete && !sensorFlow)
                sensorFlow = &f;
        QVERIFY(sensorFlow);
        for (FlowId other : flows.hopsOf(sensorFlow->id))
            if (flows.at(other).key.connection == demo->dashboard().traceId())
                dashboardFlow = &flows.at(other);
        QVERIFY(dashboardFlow);
        QCOMPARE(dashboardFlow->topic, sensorFlow->topic);
        QCOMPARE(dashboardFlow->hop, FlowHop::FromBroker);
        QCOMPARE(sensorFlow->hop, FlowHop::ToBroker);
        // both ends of each hop: the sensor's hop at the broker, the dashboard's hop at the broker
        QCOMPARE(flows.hopsOf(sensorFlow->id).size(), 3u);

        FlowInspector *inspector = w->inspector();
        inspector->refresh();
        QCOMPARE(visualRowOf(*inspector, flows.flows().back().id), 0); // newest first
        inspector->selectFlow(sensorFlow->id);
        emit inspector->flowSelected(sensorFlow->id);
        const int dashboardRow = visualRowOf(*inspector, dashboardFlow->id);
        QVERIFY(dashboardRow >= 0);
        QVERIFY(inspector->table()->model()->index(dashboardRow, 0).data(FlowTableModel::LinkedRole).toBool());
        QVERIFY(!inspector->table()->model()->index(visualRowOf(*inspector, sensorFlow->id), 0).data(FlowTableModel::LinkedRole).toBool());
        QCOMPARE(inspector->pane()->hopsLine(),
                 QStringLiteral("forwarded to dashboard as id %1").arg(dashboardFlow->key.packetId.value));
        // and from the subscriber's side, the publisher's hop
        inspector->selectFlow(dashboardFlow->id);
        QCOMPARE(inspector->pane()->hopsLine(),
                 QStringLiteral("forwarded from living-room sensor's id %1").arg(sensorFlow->key.packetId.value));
    }

    void rowsHoldStillUnderThePointerAndSelectionStaysOnItsFlow()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("clicker")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        for (int i = 0; i < 3; ++i)
            QVERIFY(c->publish(message(QStringLiteral("still/%1").arg(i))).ticket);
        FlowInspector *inspector = w->inspector();
        QTRY_COMPARE(inspector->model().rowCount(), 3);
        inspector->refresh();
        const FlowId chosen = w->workbench().flows().flows()[0].id; // the oldest: the last row, newest first
        QTRY_COMPARE(visualRowOf(*inspector, chosen), 2);
        inspector->selectFlow(chosen);
        const int before = visualRowOf(*inspector, chosen);
        pointerOver(inspector->table()->viewport(), true); // about to click
        for (int i = 3; i < 6; ++i)
            QVERIFY(c->publish(message(QStringLiteral("still/%1").arg(i))).ticket);
        QTRY_COMPARE(inspector->table()->model()->rowCount(), 6);
        inspector->refresh(); // the window's timer does this every 500 ms
        QCOMPARE(visualRowOf(*inspector, chosen), before); // the new rows went below, nothing moved
        QCOMPARE(inspector->selectedFlow(), std::optional<FlowId>(chosen));
        pointerOver(inspector->table()->viewport(), false); // newest first again, selection kept
        QCOMPARE(visualRowOf(*inspector, chosen), before + 3);
        QCOMPARE(inspector->selectedFlow(), std::optional<FlowId>(chosen));
        QCOMPARE(inspector->selectedFlows(), std::vector<FlowId>{chosen});
    }

    void bulkReleaseAndDropBySelectionRuleAndConnection()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("bulk")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        addRule(*w, c, QStringLiteral("hold out PUBREL topic a/#"), QStringLiteral("hold a"));
        addRule(*w, c, QStringLiteral("hold out PUBREL topic b/#"), QStringLiteral("hold b"));
        for (const char *topic : {"a/1", "a/2", "b/1", "b/2"})
            QVERIFY(c->publish(message(QString::fromLatin1(topic))).ticket);
        QTRY_COMPARE(c->heldPackets().size(), 4u);
        FlowInspector *inspector = w->inspector();
        FlowIndex &flows = w->workbench().flows();
        QTRY_VERIFY(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("b/2"))
                    && flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("b/2"))->heldEvent);
        inspector->refresh();
        // select a/1 and b/1 (ctrl-click), release the selection
        QTableView *table = inspector->table();
        for (const char *topic : {"a/1", "b/1"}) {
            const int row = visualRowOf(*inspector, flowOn(flows, c->traceId(), Direction::Outbound, QString::fromLatin1(topic))->id);
            table->selectionModel()->select(table->model()->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        QCOMPARE(inspector->selectedFlows().size(), 2u);
        auto *release = inspector->findChild<QPushButton *>(QStringLiteral("releaseSelected"));
        QTRY_VERIFY(release->isEnabled());
        QTest::mouseClick(release, Qt::LeftButton);
        QTRY_COMPARE(c->heldPackets().size(), 2u);
        QTRY_COMPARE(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("a/1"))->state, FlowState::Complete);
        QTRY_COMPARE(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("b/1"))->state, FlowState::Complete);
        // drop what rule 'hold a' holds: a/2 only
        QVERIFY(triggerBulk(*inspector, QStringLiteral("dropAll"), QStringLiteral("Drop held by rule 'hold a'")));
        QTRY_COMPARE(c->heldPackets().size(), 1u);
        QCOMPARE(c->heldPackets().front().topic, QStringLiteral("b/2"));
        // release everything held on the connection: b/2
        QVERIFY(triggerBulk(*inspector, QStringLiteral("releaseAll"), QStringLiteral("Release held on bulk")));
        QTRY_COMPARE(c->heldPackets().size(), 0u);
        QTRY_COMPARE(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("b/2"))->state, FlowState::Complete);
        QVERIFY(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("a/2"))->isOpen()); // its PUBREL was dropped
    }

    void turningARuleOffOrDeletingItReleasesWhatItHolds()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("retire")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        FaultRulesPanel *panel = w->faultRules();
        QVERIFY(panel->releasesOnRetire()); // on by default
        addRule(*w, c, QStringLiteral("hold out PUBREL"), QStringLiteral("stall"));
        QVERIFY(c->publish(message(QStringLiteral("r/1"))).ticket);
        QTRY_COMPARE(c->heldPackets().size(), 1u);
        // the check box of the rule's row, as a click sets it
        QVERIFY(panel->model().setData(panel->model().index(0, FaultRuleModel::Enabled), Qt::Unchecked, Qt::CheckStateRole));
        QTRY_COMPARE(c->heldPackets().size(), 0u);
        FlowIndex &flows = w->workbench().flows();
        QTRY_COMPARE(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("r/1"))->state, FlowState::Complete);

        // Deleted with the option off: what it held stays held; on: it crosses.
        addRule(*w, c, QStringLiteral("hold out PUBREL"), QStringLiteral("stall again"));
        QVERIFY(c->publish(message(QStringLiteral("r/2"))).ticket);
        QTRY_COMPARE(c->heldPackets().size(), 1u);
        panel->setReleasesOnRetire(false);
        panel->removeRule(1);
        QCoreApplication::processEvents(); // a release would have happened within removeRule()
        QCOMPARE(c->heldPackets().size(), 1u);
        addRule(*w, c, QStringLiteral("hold out PUBREL"), QStringLiteral("third"));
        QVERIFY(c->publish(message(QStringLiteral("r/3"))).ticket);
        QTRY_COMPARE(c->heldPackets().size(), 2u);
        panel->setReleasesOnRetire(true);
        panel->removeRule(int(c->faults().rules().size()) - 1);
        QTRY_COMPARE(c->heldPackets().size(), 1u);
        QTRY_COMPARE(flowOn(flows, c->traceId(), Direction::Outbound, QStringLiteral("r/3"))->state, FlowState::Complete);
    }
};

QTEST_MAIN(TestFlowsTab)
#include "tst_flows_tab.moc"
