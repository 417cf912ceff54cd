// The scenario runner's steps and expectations, each run against a real broker in this process
// (the sandbox broker) or a real mosquitto: flow states, reason codes, violations by spec id, the
// delivery audit, wait-until and kill-and-restore from the SQLite session store.

#include "scenario_brokers.h"

#include "scenario_run.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

const QByteArray kClients = R"(
  "clients": {
    "sensor": { "url": "${BROKER_URL}", "clientId": "${ID}-sensor", "cleanStart": false, "sessionExpiry": 300 },
    "dashboard": { "url": "${BROKER_URL}", "clientId": "${ID}-dashboard", "cleanStart": false, "sessionExpiry": 300 }
  },)";

QByteArray scenario(const QByteArray &steps)
{
    return "{\n  \"name\": \"one step kind\"," + kClients + "\n  \"steps\": [\n" + steps + "\n  ]\n}\n";
}

const QByteArray kSubscribed = R"(
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "steps/t", "qos": 2 },
    { "do": "connect", "client": "sensor" },)";

} // namespace

class TestScenarioSteps : public QObject
{
    Q_OBJECT
    const ScenarioBrokers &m_brokers;

public:
    explicit TestScenarioSteps(const ScenarioBrokers &brokers) : m_brokers(brokers) {}

private slots:
    // A PUBREL held at the gate keeps the outbound flow in AwaitingPubComp; after a reconnect the
    // session resends it ([MQTT-4.4.0-1]) and the flow completes.
    void flowStaysAwaitingPubCompThenCompletes()
    {
        const Run run = runJson(scenario(kSubscribed + R"(
    { "do": "fault", "client": "sensor", "rule": "hold out PUBREL", "name": "no pubrel" },
    { "do": "publish", "client": "sensor", "topic": "steps/t", "qos": 2, "template": "{{seq}}" },
    { "expect": "flow", "client": "sensor", "seq": 1, "state": "AwaitingPubComp", "forMs": 300 },
    { "do": "unfault", "client": "sensor", "name": "no pubrel" },
    { "do": "reconnect", "client": "sensor" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" }, "withinMs": 5000 },
    { "expect": "received", "client": "dashboard", "seq": [1] })"), m_brokers.sandbox->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS expect sensor's outbound flow of seq 1 is AwaitingPubComp for 300 ms"), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS wait until sensor's outbound flow of seq 1 is Complete"), qPrintable(run.text));
    }

    void failingFlowExpectationSaysWhatTheFlowIs()
    {
        const Run run = runJson(scenario(kSubscribed + R"(
    { "do": "publish", "client": "sensor", "topic": "steps/t", "qos": 2, "template": "{{seq}}" },
    { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" },
    { "expect": "flow", "client": "sensor", "seq": 1, "state": "AwaitingPubRec", "withinMs": 200 },
    { "expect": "flow", "client": "sensor", "seq": 2, "state": "Complete", "withinMs": 200 })"), m_brokers.sandbox->url());
        QCOMPARE(run.outcome.failures(), 2);
        QVERIFY2(run.text.contains("FAIL expect sensor's outbound flow of seq 1 is AwaitingPubRec within 200 ms: the flow is Complete"),
                 qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL expect sensor's outbound flow of seq 2 is Complete within 200 ms: sensor published no QoS 1 "
                                   "or 2 message with seq 2"), qPrintable(run.text));
    }

    // The second copy of a PUBREL reaches a receiver that has already forgotten the id: 5.0 says
    // PUBCOMP 0x92 ([MQTT-4.3.3-11] and the PUBCOMP reason table); the sandbox does.
    void reasonCodesSeen()
    {
        const Run run = runJson(scenario(kSubscribed + R"(
    { "do": "fault", "client": "sensor", "rule": "duplicate out PUBREL" },
    { "do": "publish", "client": "sensor", "topic": "steps/t", "qos": 2, "template": "{{seq}}" },
    { "expect": "reason", "client": "sensor", "packet": "CONNACK", "code": 0 },
    { "expect": "reason", "client": "dashboard", "packet": "SUBACK", "code": "0x02" },
    { "expect": "reason", "client": "sensor", "packet": "PUBCOMP", "code": "0x92" },
    { "expect": "reason", "client": "sensor", "packet": "PUBREL", "code": "0x00", "from": "client" },
    { "expect": "reason", "client": "sensor", "packet": "PUBREC", "code": "0x97", "withinMs": 200 })"), m_brokers.sandbox->url());
        QCOMPARE(run.outcome.failures(), 1);
        QVERIFY2(run.text.contains("PASS expect sensor received PUBCOMP 0x92"), qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL expect sensor received PUBREC 0x97 within 200 ms: PUBREC reason codes seen: 0x00"),
                 qPrintable(run.text));
    }

    // mosquitto 2.0.11 sends a resumed subscriber more QoS 2 PUBLISHes than its Receive Maximum:
    // the client's session names the rule.
    void violationNamedBySpecId()
    {
        const QByteArray json = R"({
  "name": "receive maximum on a queued session",
  "clients": {
    "publisher": { "url": "${BROKER_URL}" },
    "subscriber": { "url": "${BROKER_URL}", "clientId": "${ID}-rm", "cleanStart": false, "sessionExpiry": 300, "receiveMaximum": 2 }
  },
  "steps": [
    { "do": "connect", "client": "subscriber" },
    { "do": "subscribe", "client": "subscriber", "topic": "steps/rm", "qos": 2 },
    { "do": "cut", "client": "subscriber" },
    { "do": "connect", "client": "publisher" },
    { "do": "publish", "client": "publisher", "topic": "steps/rm", "qos": 2, "count": 5, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "publisher", "seq": 5, "state": "Complete" } },
    { "do": "reconnect", "client": "subscriber" },
    { "expect": "violation", "client": "subscriber", "rule": "[MQTT-3.3.4-9]" },
    { "expect": "violation", "client": "publisher", "rule": null }
  ]
})";
        const Run run = runJson(json, m_brokers.mosquitto->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("more than our Receive Maximum of 2 [MQTT-3.3.4-9]"), qPrintable(run.text));
        const Run sandbox = runJson(json, m_brokers.sandbox->url());
        QVERIFY2(sandbox.text.contains("FAIL expect subscriber caught the broker breaking [MQTT-3.3.4-9] within 10000 ms: no violation"),
                 qPrintable(sandbox.text));
    }

    // A burst to an offline subscriber, larger than mosquitto's queue (5 here): mosquitto completes
    // every handshake with the publisher and drops the rest silently; the audit says how many.
    void deliveryAuditCountsWhatNeverLeftTheBroker()
    {
        const QByteArray json = scenario(R"(
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "steps/audit", "qos": 2 },
    { "do": "cut", "client": "dashboard" },
    { "do": "connect", "client": "sensor" },
    { "do": "publish", "client": "sensor", "topic": "steps/audit", "qos": 2, "count": 12, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 12, "state": "Complete" } },
    { "do": "reconnect", "client": "dashboard" },
    { "do": "wait", "ms": 500 },
    { "expect": "audit", "publisher": "sensor", "subscriber": "dashboard", "withinMs": 1000 })");
        const Run mosquitto = runJson(json, m_brokers.mosquitto->url());
        QCOMPARE(mosquitto.outcome.failures(), 1);
        QVERIFY2(mosquitto.text.contains("the broker completed 12 QoS 2 handshakes with sensor and delivered 5 to dashboard; "
                                         "7 never left the broker (seq 6..12)"), qPrintable(mosquitto.text));
        const Run sandbox = runJson(json, m_brokers.sandbox->url());
        QVERIFY2(sandbox.outcome.passed(), qPrintable(sandbox.text));
        QVERIFY2(sandbox.text.contains("completed 12 QoS 2 handshakes with sensor and delivered 12 to dashboard; 0 never left"),
                 qPrintable(sandbox.text));
    }

    // Kill the publisher between PUBLISH and PUBREC (the PUBRECs dropped) and rebuild it from its
    // SQLite store: the resent PUBLISHes (DUP) complete, each message arrives once.
    void restoreResumesFromTheStore()
    {
        const Run run = runJson(scenario(kSubscribed + R"(
    { "do": "fault", "client": "sensor", "rule": "drop in PUBREC", "name": "lose pubrec" },
    { "do": "publish", "client": "sensor", "topic": "steps/t", "qos": 2, "count": 5, "template": "{{seq}}" },
    { "expect": "flow", "client": "sensor", "seq": 5, "state": "AwaitingPubRec", "forMs": 200 },
    { "do": "unfault", "client": "sensor", "name": "lose pubrec" },
    { "do": "restore", "client": "sensor" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 5, "state": "Complete" } },
    { "expect": "received", "client": "dashboard", "seq": "1..5", "exactlyOnce": true })"),
                                m_brokers.mosquitto->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS kill sensor and restore it from its session store"), qPrintable(run.text));
    }

    void waitUntilThatNeverHoldsStopsTheRun()
    {
        const Run run = runJson(scenario(kSubscribed + R"(
    { "do": "wait", "until": { "expect": "received", "client": "dashboard", "count": 1 }, "withinMs": 200 },
    { "expect": "received", "client": "dashboard", "count": 0 })"), m_brokers.sandbox->url());
        QCOMPARE(run.outcome.failures(), 1);
        QCOMPARE(int(run.outcome.steps.size()), 4); // the expectation after it never ran
        QVERIFY2(run.text.contains("FAIL wait until dashboard received 1 message(s), exactly once (at most 200 ms)"), qPrintable(run.text));
    }

    void malformedNewKindsNameLineAndField_data()
    {
        QTest::addColumn<QByteArray>("steps");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("state") << QByteArray(R"(    { "expect": "flow", "client": "sensor", "seq": 1,
      "state": "Done" })") << QStringLiteral("Line 9, field \"state\": must be a flow state");
        QTest::newRow("code") << QByteArray(R"(    { "expect": "reason", "client": "sensor", "packet": "PUBCOMP", "code": "0x1ff" })")
                              << QStringLiteral("Line 8, field \"code\": must be a reason code from 0 to 255");
        QTest::newRow("packet") << QByteArray(R"(    { "expect": "reason", "client": "sensor", "packet": "PUBLISH", "code": 0 })")
                                << QStringLiteral("Line 8, field \"packet\": must name a packet with a reason code");
        QTest::newRow("rule") << QByteArray(R"(    { "expect": "violation", "client": "sensor", "rule": 7 })")
                              << QStringLiteral("Line 8, field \"rule\": must be a rule id");
        QTest::newRow("until") << QByteArray(R"(    { "do": "wait",
      "until": { "expect": "flow", "client": "sensor" } })")
                               << QStringLiteral("Line 9, field \"expect\": an outbound \"flow\" needs \"seq\"");
        QTest::newRow("audit client") << QByteArray(R"(    { "expect": "audit", "subscriber": "dashboard",
      "publisher": "sensr" })") << QStringLiteral("Line 9, field \"publisher\": \"sensr\" is not one of the scenario's clients.");
    }

    void malformedNewKindsNameLineAndField()
    {
        QFETCH(QByteArray, steps);
        QFETCH(QString, sentence);
        QString problem;
        runJson(scenario(steps), m_brokers.sandbox->url(), &problem);
        QVERIFY2(problem.startsWith(sentence), qPrintable(problem));
    }
};

int mqs::test::runScenarioStepTests(const ScenarioBrokers &brokers, int argc, char **argv)
{
    TestScenarioSteps tests(brokers);
    return QTest::qExec(&tests, argc, argv);
}

#include "tst_scenario_steps.moc"
