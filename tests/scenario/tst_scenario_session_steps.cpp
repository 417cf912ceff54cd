// The scenario steps and expectations the session checks of the probe use, each against a real
// broker: disconnect (with a new Session Expiry Interval), require (a CONNACK capability), the
// client's will, retained and expiring messages, and the connack, message and connected
// expectations; a "duplicate" fault on a QoS 2 PUBLISH is a resend with DUP = 1.

#include "scenario_brokers.h"

#include "protocol/decoder.h"
#include "scenario_run.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

QByteArray scenario(const QByteArray &clients, const QByteArray &steps)
{
    return "{\n  \"name\": \"session step kinds\",\n  \"clients\": {\n" + clients + "\n  },\n  \"steps\": [\n" + steps + "\n  ]\n}\n";
}

const QByteArray kKeeper = R"(
    "keeper": { "url": "${BROKER_URL}", "clientId": "${ID}-keeper", "cleanStart": false, "sessionExpiry": 300 },
    "publisher": { "url": "${BROKER_URL}", "clientId": "${ID}-pub" })";

void brokers_data()
{
    QTest::addColumn<bool>("sandbox");
    QTest::newRow("sandbox") << true;
    QTest::newRow("mosquitto") << false;
}

} // namespace

class TestScenarioSessionSteps : public QObject
{
    Q_OBJECT
    const ScenarioBrokers &m_brokers;

public:
    explicit TestScenarioSessionSteps(const ScenarioBrokers &brokers) : m_brokers(brokers) {}

private slots:
    // A persistent session is there on reconnect; a DISCONNECT with Session Expiry Interval 0
    // ends it ([MQTT-3.2.2-3]; 5.0 3.14.2.2.2).
    void disconnectAndSessionPresent_data() { brokers_data(); }
    void disconnectAndSessionPresent()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(kKeeper, R"(
    { "do": "connect", "client": "keeper" },
    { "expect": "connack", "client": "keeper", "sessionPresent": false },
    { "do": "disconnect", "client": "keeper" },
    { "expect": "connected", "client": "keeper", "connected": false },
    { "do": "connect", "client": "keeper" },
    { "expect": "connack", "client": "keeper", "sessionPresent": true },
    { "do": "disconnect", "client": "keeper", "sessionExpiry": 0 },
    { "do": "connect", "client": "keeper" },
    { "expect": "connack", "client": "keeper", "sessionPresent": false })"),
                                sandbox ? m_brokers.sandbox->url() : m_brokers.mosquitto->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS keeper disconnects with Session Expiry Interval 0 s"), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS expect keeper's CONNACK says Session Present 1"), qPrintable(run.text));
    }

    void failingConnAckSaysWhatItWas()
    {
        const Run run = runJson(scenario(kKeeper, R"(
    { "do": "connect", "client": "keeper" },
    { "expect": "connack", "client": "keeper", "sessionPresent": true, "withinMs": 100 })"), m_brokers.sandbox->url());
        QVERIFY2(run.text.contains("FAIL expect keeper's CONNACK says Session Present 1 within 100 ms: the last CONNACK said Session Present 0"),
                 qPrintable(run.text));
    }

    // mosquitto 2.0.11 announces Topic Alias Maximum 10 and no Maximum Packet Size: "require" holds
    // for the first; for the second it fails as unsupported and the run stops there.
    void requireReadsTheConnAck()
    {
        const Run run = runJson(scenario(kKeeper, R"(
    { "do": "connect", "client": "publisher" },
    { "do": "require", "client": "publisher", "capability": "topicAliases" },
    { "do": "require", "client": "publisher", "capability": "maximumPacketSize" },
    { "do": "disconnect", "client": "publisher" })"), m_brokers.mosquitto->url());
        QCOMPARE(int(run.outcome.steps.size()), 3);
        QVERIFY(!run.outcome.steps[1].unsupported);
        QVERIFY2(run.outcome.steps[2].unsupported && !run.outcome.steps[2].passed, qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL publisher's broker declares a Maximum Packet Size: the broker's CONNACK does not declare "
                                   "a Maximum Packet Size"), qPrintable(run.text));
    }

    // Retained with QoS 2, subscribed with QoS 1: it arrives retained at QoS 1 ([MQTT-3.8.4-8]);
    // one with a Message Expiry Interval of 1 s is gone 1.5 s later ([MQTT-3.3.2-5]).
    void retainedMessagesAndExpiry_data() { brokers_data(); }
    void retainedMessagesAndExpiry()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(kKeeper, R"(
    { "do": "connect", "client": "publisher" },
    { "do": "publish", "client": "publisher", "topic": "steps/${ID}/kept", "qos": 2, "retain": true, "template": "{{seq}}" },
    { "do": "publish", "client": "publisher", "topic": "steps/${ID}/gone", "qos": 1, "retain": true, "messageExpiry": 1, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "publisher", "seq": 2, "state": "Complete" } },
    { "do": "wait", "ms": 1500 },
    { "do": "connect", "client": "keeper" },
    { "do": "subscribe", "client": "keeper", "topic": "steps/${ID}/+", "qos": 1 },
    { "expect": "message", "client": "keeper", "seq": 1, "qos": 1, "retain": true, "topic": "steps/${ID}/kept" },
    { "expect": "received", "client": "keeper", "seq": [1], "forMs": 300 },
    { "expect": "message", "client": "keeper", "seq": 1, "qos": 2, "withinMs": 100 })"),
                                sandbox ? m_brokers.sandbox->url() : m_brokers.mosquitto->url());
        QCOMPARE(run.outcome.failures(), 1);
        QVERIFY2(run.text.contains("PASS expect keeper received seq 1 with QoS 1, retain 1, on steps/"), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS expect keeper received seq 1, exactly once, for 300 ms"), qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL expect keeper received seq 1 with QoS 2 within 100 ms: seq 1 came with QoS 1, retain 1 on steps/"),
                 qPrintable(run.text));
    }

    // A will sent on a dropped connection, none after DISCONNECT; "together" counts the messages
    // of two clients as one.
    void willAndTogether_data() { brokers_data(); }
    void willAndTogether()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(R"(
    "dying": { "url": "${BROKER_URL}", "clientId": "${ID}-dying", "will": { "topic": "steps/${ID}/will", "payload": "7", "qos": 1 } },
    "watcher": { "url": "${BROKER_URL}", "clientId": "${ID}-watcher" },
    "other": { "url": "${BROKER_URL}", "clientId": "${ID}-other" })", R"(
    { "do": "connect", "client": "watcher" },
    { "do": "subscribe", "client": "watcher", "topic": "steps/${ID}/will", "qos": 1 },
    { "do": "connect", "client": "other" },
    { "do": "subscribe", "client": "other", "topic": "steps/${ID}/will", "qos": 1 },
    { "do": "connect", "client": "dying" },
    { "do": "disconnect", "client": "dying" },
    { "expect": "received", "client": "watcher", "count": 0, "forMs": 300 },
    { "do": "connect", "client": "dying" },
    { "do": "cut", "client": "dying" },
    { "expect": "received", "client": "watcher", "seq": [7] },
    { "expect": "received", "client": "watcher", "together": ["other"], "seq": [7, 7], "exactlyOnce": false },
    { "expect": "received", "client": "watcher", "together": ["other"], "seq": [7], "withinMs": 100 })"),
                                sandbox ? m_brokers.sandbox->url() : m_brokers.mosquitto->url());
        QCOMPARE(run.outcome.failures(), 1);
        QVERIFY2(run.text.contains("PASS expect watcher received 0 message(s), exactly once, for 300 ms"), qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL expect watcher and other received seq 7, exactly once within 100 ms: received 2 message(s): 7,7; twice: 7"),
                 qPrintable(run.text));
    }

    // A step marked "version": "5" is skipped for a 3.1.1 client.
    void stepsOfTheOtherVersionAreSkipped()
    {
        const Run run = runJson(scenario(R"(
    "old": { "url": "${BROKER_URL}", "version": "3.1.1", "clientId": "${ID}-old" })", R"(
    { "do": "connect", "client": "old" },
    { "expect": "connack", "client": "old", "sessionPresent": true, "version": "5" },
    { "expect": "connack", "client": "old", "sessionPresent": false, "version": "3.1.1" })"), m_brokers.mosquitto->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QCOMPARE(int(run.outcome.steps.size()), 2);
    }

    // [MQTT-3.3.1-1] the copy a "duplicate" rule sends of a QoS 2 PUBLISH is a resend: DUP = 1.
    // The broker answers both with PUBREC and delivers once ([MQTT-4.3.3-10]).
    void duplicatedPublishIsSentAgainWithDup()
    {
        const Run run = runJson(scenario(R"(
    "sensor": { "url": "${BROKER_URL}", "version": "3.1.1", "clientId": "${ID}-sensor" },
    "dashboard": { "url": "${BROKER_URL}", "version": "3.1.1", "clientId": "${ID}-dashboard" })", R"(
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "steps/${ID}/t", "qos": 2 },
    { "do": "connect", "client": "sensor" },
    { "do": "fault", "client": "sensor", "rule": "duplicate out PUBLISH limit 1" },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}/t", "qos": 2, "template": "{{seq}}" },
    { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" },
    { "expect": "received", "client": "dashboard", "seq": [1], "exactlyOnce": true, "forMs": 300 })"), m_brokers.mosquitto->url());
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        std::vector<bool> dupOfSentPublishes;
        const TraceLog &trace = *run.trace;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
            if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != PacketType::Publish || trace.directionOf(s) != TraceDirection::Sent)
                continue;
            const auto decoded = decodePacket(trace.rawView(s), ProtocolVersion::V311);
            QVERIFY(std::holds_alternative<Packet>(decoded));
            dupOfSentPublishes.push_back(std::get<Publish>(std::get<Packet>(decoded)).dup);
        }
        QCOMPARE(dupOfSentPublishes, (std::vector<bool>{false, true}));
    }

    void malformedSessionKindsNameLineAndField_data()
    {
        QTest::addColumn<QByteArray>("steps");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("capability") << QByteArray(R"(    { "do": "require", "client": "keeper", "capability": "wings" })")
                                    << QStringLiteral("Line 9, field \"capability\": must be sharedSubscriptions");
        QTest::newRow("together") << QByteArray(R"(    { "expect": "received", "client": "keeper", "count": 1, "together": ["nobody"] })")
                                  << QStringLiteral("Line 9, field \"together\": \"nobody\" is not one of the scenario's clients.");
        QTest::newRow("version") << QByteArray(R"(    { "do": "connect", "client": "keeper", "version": "4" })")
                                 << QStringLiteral("Line 9, field \"version\": must be \"5\" or \"3.1.1\".");
        QTest::newRow("message seq") << QByteArray(R"(    { "expect": "message", "client": "keeper", "qos": 1 })")
                                     << QStringLiteral("Line 9, field \"seq\": is missing.");
    }

    void malformedSessionKindsNameLineAndField()
    {
        QFETCH(QByteArray, steps);
        QFETCH(QString, sentence);
        QString problem;
        runJson(scenario(kKeeper, steps), m_brokers.sandbox->url(), &problem);
        QVERIFY2(problem.startsWith(sentence), qPrintable(problem));
    }
};

int mqs::test::runScenarioSessionStepTests(const ScenarioBrokers &brokers, int argc, char **argv)
{
    TestScenarioSessionSteps tests(brokers);
    return QTest::qExec(&tests, argc, argv);
}

#include "tst_scenario_session_steps.moc"
