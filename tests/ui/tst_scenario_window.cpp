// Tools ▸ Run scenario… in a real window (offscreen) against a real mosquitto: the scenario's
// packets on the diagram and the Flows tab, its steps ticked green; a failing expectation red
// with its flow selected; Stop; a malformed file named by line and field. And the reading generator's
// delivery audit, which counts a message a fault rule dropped and says on which hop it vanished.

#include "mosquitto_fixture.h"
#include "window_fixture.h"

#include "faults/fault_rule.h"
#include "publish_panel.h"
#include "scenario_panel.h"
#include "sequence_diagram_view.h"
#include "subscription_model.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QElapsedTimer>
#include <QTableView>
#include <QTimer>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr int kScenarioTimeoutMs = 30000;
constexpr int kLongWaitMs = 60000; // the wait Stop cuts short
constexpr int kClickPollMs = 20;

// A scenario in a file of the test's own folder.
QString writeScenario(const QTemporaryDir &dir, const QString &name, const QByteArray &json)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

const QByteArray kExactlyOnce = R"({
  "name": "Five readings exactly once",
  "clients": {
    "sensor": { "url": "${BROKER_URL}", "clientId": "window-scenario-sensor" },
    "dashboard": { "url": "${BROKER_URL}", "clientId": "window-scenario-dashboard" }
  },
  "steps": [
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "window/scenario", "qos": 2 },
    { "do": "connect", "client": "sensor" },
    { "do": "publish", "client": "sensor", "topic": "window/scenario", "qos": 2, "count": 5, "template": "{{seq}}" },
    { "expect": "received", "client": "dashboard", "seq": "1..5", "exactlyOnce": true, "withinMs": 10000 }
  ]
})";

// The sensor's PUBREL is held: mosquitto releases a QoS 2 message to subscribers on PUBREL, so
// the dashboard receives nothing and the sensor's flow waits in AwaitingPubComp.
const QByteArray kHeldPubRel = R"({
  "name": "A held PUBREL",
  "clients": {
    "sensor": { "url": "${BROKER_URL}", "clientId": "window-held-sensor" },
    "dashboard": { "url": "${BROKER_URL}", "clientId": "window-held-dashboard" }
  },
  "steps": [
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "window/held", "qos": 2 },
    { "do": "connect", "client": "sensor" },
    { "do": "fault", "client": "sensor", "rule": "hold out PUBREL", "name": "stall" },
    { "do": "publish", "client": "sensor", "topic": "window/held", "qos": 2, "template": "{{seq}}" },
    { "expect": "received", "client": "dashboard", "seq": [1], "withinMs": 1500 }
  ]
})";

} // namespace

class TestScenarioWindow : public QObject
{
    Q_OBJECT

    TestWindows m_windows;
    MosquittoBroker m_broker;
    QTemporaryDir m_dir;

    QMap<QString, QString> brokerVariables() const { return {{QStringLiteral("BROKER_URL"), m_broker.url()}}; }

private slots:
    void initTestCase() { QVERIFY2(m_broker.start().ok(), qPrintable(m_broker.logText())); }

    void aScenarioRunsInTheWindowWithEveryExpectationTicked()
    {
        auto w = m_windows.open();
        const Status started = w->runScenario(writeScenario(m_dir, QStringLiteral("once.json"), kExactlyOnce), brokerVariables());
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        QVERIFY(w->scenarioDock()->isVisible());
        ScenarioPanel *panel = w->scenarioPanel();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning() && panel->statusText().startsWith(QStringLiteral("Passed")), kScenarioTimeoutMs);
        QCOMPARE(panel->model().rowCount(), 5);
        for (int row = 0; row < panel->model().rowCount(); ++row)
            QCOMPARE(panel->model().progressOf(row), ScenarioStepModel::Progress::Passed);
        QCOMPARE(panel->model().index(4, ScenarioStepModel::Mark).data().toString(), QStringLiteral("✓"));
        // Its clients are lanes of the window's diagram, its flows rows of the Flows tab.
        QTRY_VERIFY(w->diagram()->layout().laneNamed(QStringLiteral("sensor")) >= 0);
        QVERIFY(w->diagram()->layout().laneNamed(QStringLiteral("dashboard")) >= 0);
        QTRY_COMPARE(flowsOf(*w, QStringLiteral("sensor")), 5);
        QCOMPARE(flowsOf(*w, QStringLiteral("dashboard")), 5);
    }

    void aFailedExpectationIsRedAndSelectsItsFlow()
    {
        auto w = m_windows.open();
        const Status started = w->runScenario(writeScenario(m_dir, QStringLiteral("held.json"), kHeldPubRel), brokerVariables());
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        ScenarioPanel *panel = w->scenarioPanel();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), kScenarioTimeoutMs);
        QVERIFY2(panel->statusText().startsWith(QStringLiteral("Failed: 5 of 6 held")), qPrintable(panel->statusText()));
        QCOMPARE(panel->model().progressOf(5), ScenarioStepModel::Progress::Failed);
        const QModelIndex mark = panel->model().index(5, ScenarioStepModel::Mark);
        QCOMPARE(mark.data().toString(), QStringLiteral("✗"));
        QCOMPARE(mark.data(Qt::ForegroundRole).value<QBrush>().color(), problemColor());
        const QString step = panel->model().index(5, ScenarioStepModel::Step).data().toString();
        QVERIFY2(step.contains(QStringLiteral("received 0 message(s)")), qPrintable(step));
        // The flow it concerns: the sensor's message, stuck waiting for PUBCOMP behind its held PUBREL.
        const std::optional<FlowId> selected = w->inspector()->selectedFlow();
        QVERIFY(selected);
        QCOMPARE(w->diagram()->selectedFlow(), selected);
        const FlowRecord &flow = w->workbench().flows().at(*selected);
        QCOMPARE(w->workbench().trace().connection(flow.key.connection)->name, QStringLiteral("sensor"));
        QCOMPARE(flow.state, FlowState::AwaitingPubComp);
        QCOMPARE(flow.topic, QStringLiteral("window/held"));
    }

    void aMalformedFileNamesItsLineAndField()
    {
        auto w = m_windows.open();
        const QByteArray bad = QByteArray(kExactlyOnce).replace(R"("qos": 2, "count": 5)", R"("qos": 7, "count": 5)");
        const Status started = w->runScenario(writeScenario(m_dir, QStringLiteral("bad.json"), bad), brokerVariables());
        QVERIFY(!started.ok());
        QCOMPARE(started.problem().kind, ProblemKind::InvalidInput);
        QVERIFY2(started.sentence().startsWith(QStringLiteral("Line 11, field \"qos\"")), qPrintable(started.sentence()));
        QVERIFY(!w->scenarioPanel()->isRunning());
        QVERIFY2(w->scenarioPanel()->statusText().startsWith(QStringLiteral("Line 11, field \"qos\"")),
                 qPrintable(w->scenarioPanel()->statusText()));
        QVERIFY(w->scenarioPanel()->statusText().endsWith(QStringLiteral("Fix the file, then run it again.")));
    }

    // Stop ends a run in the middle of a long wait: the wait fails as stopped, the rest is not run.
    void stopEndsARunAtOnce()
    {
        const QByteArray waits = R"({
  "name": "A long wait",
  "clients": { "sensor": { "url": "${BROKER_URL}", "clientId": "window-stop-sensor" } },
  "steps": [
    { "do": "connect", "client": "sensor" },
    { "do": "wait", "ms": 60000 },
    { "expect": "received", "client": "sensor", "count": 0 }
  ]
})";
        auto w = m_windows.open();
        QVERIFY(w->runScenario(writeScenario(m_dir, QStringLiteral("waits.json"), waits), brokerVariables()).ok());
        ScenarioPanel *panel = w->scenarioPanel();
        // The run spins its own event loop: the click comes from a timer inside it, once the wait began.
        QTimer stopper;
        stopper.setInterval(kClickPollMs);
        connect(&stopper, &QTimer::timeout, panel, [&] {
            if (panel->model().progressOf(1) == ScenarioStepModel::Progress::Running && panel->stopButton()->isEnabled()) {
                stopper.stop();
                QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
            }
        });
        stopper.start();
        QElapsedTimer clock;
        clock.start();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), kLongWaitMs);
        QVERIFY(clock.elapsed() < kLongWaitMs / 2);
        QCOMPARE(panel->statusText(), QStringLiteral("Stopped: 1 of 3 held before the stop."));
        QCOMPARE(panel->model().progressOf(1), ScenarioStepModel::Progress::Failed);
        QVERIFY(panel->model().index(1, ScenarioStepModel::Step).data().toString().endsWith(QStringLiteral("stopped before it finished")));
        QCOMPARE(panel->model().progressOf(2), ScenarioStepModel::Progress::NotRun);
    }

    void theVariablesAFileUsesAreAskedOnce()
    {
        QCOMPARE(scenarioVariables(kExactlyOnce), QStringList{QStringLiteral("BROKER_URL")});
        QCOMPARE(scenarioVariables("{\"a\": \"${X}/${Y_2}\", \"b\": \"${X}\", \"c\": \"$X {X}\"}"),
                 (QStringList{QStringLiteral("X"), QStringLiteral("Y_2")}));
    }

    // The reader's connection drops the third PUBLISH the broker forwards it: mosquitto then waits
    // for its PUBACK, and the readings after it arrive. The audit counts seq 3 lost, on the hop
    // from the broker to the reader.
    void theGeneratorsAuditCountsAMessageAFaultRuleDropped()
    {
        auto w = m_windows.open();
        Connection *reader = w->addConnection(profileFor(m_broker.url(), QStringLiteral("audit-reader")), true);
        Connection *writer = w->addConnection(profileFor(m_broker.url(), QStringLiteral("audit-writer")), true);
        QTRY_COMPARE(reader->state(), ConnectionState::Connected);
        QTRY_COMPARE(writer->state(), ConnectionState::Connected);
        const Result<FaultRule> drop = FaultRule::parse(QStringLiteral("drop in PUBLISH every 3 limit 1"));
        QVERIFY(drop.ok());
        reader->faults().add(*drop);
        w->workbench().setCurrent(reader);
        auto *filter = w->findChild<QLineEdit *>(QStringLiteral("subscribeFilter"));
        QVERIFY(filter);
        QTest::keyClicks(filter, QStringLiteral("audit/#"));
        QTest::keyClick(filter, Qt::Key_Return);
        QTRY_COMPARE(w->subscriptions()->rowCount(), 1);
        QTRY_VERIFY(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString().startsWith(QStringLiteral("QoS")));
        w->workbench().setCurrent(writer);
        PublishPanel *panel = w->publishPanel();
        panel->topic()->setCurrentText(QStringLiteral("audit/readings"));
        panel->qos()->setCurrentIndex(1);
        panel->format()->setCurrentIndex(0);
        panel->payload()->setPlainText(QStringLiteral("{\"seq\": {{seq}}, \"t\": {{walk 21 ±0.5}}}"));
        panel->templated()->setChecked(true);
        panel->count()->setValue(6);
        panel->interval()->setValue(10);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isGenerating(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(panel->auditText(),
                                  QStringLiteral("audit-reader: sent 6 · received 5 · lost 1 (seq 3: forwarded, never completed) "
                                                 "· 0 duplicates · 0 reordered"),
                                  10000);
        QVERIFY(panel->findChild<QLabel *>(QStringLiteral("generatorAudit"))->isVisible());
    }

private:
    static int flowsOf(MainWindow &w, const QString &lane)
    {
        w.workbench().flows().update();
        int n = 0;
        for (const FlowRecord &f : w.workbench().flows().flows())
            if (const auto c = w.workbench().trace().connection(f.key.connection); c && c->name == lane)
                ++n;
        return n;
    }
};

QTEST_MAIN(TestScenarioWindow)
#include "tst_scenario_window.moc"
