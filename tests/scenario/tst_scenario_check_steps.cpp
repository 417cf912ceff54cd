// The scenario options the probe's packet-id, PUBREC-failure and broker-limit checks use, each run
// against the sandbox broker and a real mosquitto 2.0.11: a chosen packet id ("packetId"), a QoS 0
// PUBLISH one byte over the broker's Maximum Packet Size ("exceedMaximumPacketSize"), a refusing
// subscriber ("refuse") and a wait that ends when a client's flows stand still ("orSettledForMs").

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"
#include "protocol/decoder.h"
#include "scenario_run.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

// Both brokers' Maximum Packet Size in this test: small, so the oversize PUBLISH stays small too.
constexpr quint32 kBrokerLimit = 1000;

QByteArray scenario(const QByteArray &steps, const QByteArray &version = "5")
{
    return R"({
  "name": "check step kinds",
  "clients": {
    "sensor": { "url": "${BROKER_URL}", "version": ")" + version + R"(", "clientId": "${ID}-sensor" },
    "dashboard": { "url": "${BROKER_URL}", "version": ")" + version + R"(", "clientId": "${ID}-dashboard", "cleanStart": false, "sessionExpiry": 300 }
  },
  "steps": [
    { "do": "connect", "client": "dashboard" },
    { "do": "subscribe", "client": "dashboard", "topic": "steps/${ID}", "qos": 2 },
    { "do": "connect", "client": "sensor" },
)" + steps + "\n  ]\n}\n";
}

// The packets of `type` the scenario's clients sent, decoded.
template<typename P>
std::vector<std::pair<P, qsizetype>> sent(const Run &run, PacketType type, ProtocolVersion version = ProtocolVersion::V5)
{
    std::vector<std::pair<P, qsizetype>> found; // the packet and its size on the wire
    const TraceLog &trace = *run.trace;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != type || trace.directionOf(s) != TraceDirection::Sent)
            continue;
        const auto decoded = decodePacket(trace.rawView(s), version);
        if (const Packet *packet = std::get_if<Packet>(&decoded))
            found.emplace_back(std::get<P>(*packet), trace.rawView(s).size());
    }
    return found;
}

} // namespace

class TestScenarioCheckSteps : public QObject
{
    Q_OBJECT
    std::unique_ptr<SandboxBroker> m_sandbox;
    std::unique_ptr<SandboxBroker> m_unlimited;
    std::unique_ptr<MosquittoBroker> m_mosquitto;

    QString urlOf(bool sandbox) const { return sandbox ? m_sandbox->url() : m_mosquitto->url(); }

    static void brokers()
    {
        QTest::addColumn<bool>("sandbox");
        QTest::newRow("sandbox") << true;
        QTest::newRow("mosquitto") << false;
    }

private slots:
    void initTestCase()
    {
        SandboxBroker::Options limited;
        limited.core.maximumPacketSize = kBrokerLimit;
        m_sandbox = std::make_unique<SandboxBroker>(limited, nullptr);
        QVERIFY(m_sandbox->start().ok());
        SandboxBroker::Options unlimited;
        unlimited.core.maximumPacketSize = 0; // announces none
        m_unlimited = std::make_unique<SandboxBroker>(unlimited, nullptr);
        QVERIFY(m_unlimited->start().ok());
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("max_packet_size %1").arg(kBrokerLimit);
        m_mosquitto = std::make_unique<MosquittoBroker>(options);
        const Status started = m_mosquitto->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    // Two QoS 2 messages with packet id 7, the second after the first's PUBCOMP: both go out with
    // id 7 and both are delivered ([MQTT-4.3.3-12]).
    void chosenPacketIdIsUsedAgainAfterPubComp_data() { brokers(); }
    void chosenPacketIdIsUsedAgainAfterPubComp()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(R"(
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "packetId": 7, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" } },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "packetId": 7, "template": "{{seq}}" },
    { "expect": "flow", "client": "sensor", "seq": 2, "state": "Complete" },
    { "expect": "received", "client": "dashboard", "seq": [1, 2], "forMs": 300 })"), urlOf(sandbox));
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS sensor publishes 1 × QoS 2 to steps/"), qPrintable(run.text));
        QVERIFY2(run.text.contains(" with packet id 7"), qPrintable(run.text));
        std::vector<quint16> ids;
        for (const auto &[publish, size] : sent<Publish>(run, PacketType::Publish))
            ids.push_back(publish.packetId->value);
        QCOMPARE(ids, (std::vector<quint16>{7, 7}));
    }

    // While the first flow waits for its PUBCOMP, id 7 is in use: the second message is refused
    // and the step says why.
    void packetIdInUseFailsThePublish()
    {
        const Run run = runJson(scenario(R"(
    { "do": "fault", "client": "sensor", "rule": "hold out PUBREL" },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "packetId": 7, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 1, "state": "AwaitingPubComp" } },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "packetId": 7, "template": "{{seq}}" })"),
                                m_sandbox->url());
        QVERIFY2(run.text.contains("FAIL sensor publishes 1 × QoS 2 to steps/") && run.text.contains("message 1 refused: Packet id 7 is in use"),
                 qPrintable(run.text));
    }

    // The oversize PUBLISH is exactly one byte over the limit the broker announced. The sandbox
    // closes the connection with DISCONNECT 0x95 and passes nothing on. mosquitto 2.0.11 counts the
    // fixed header's first byte but not the Remaining Length's own bytes (remaining length + 1 >
    // max_packet_size), so a packet one or two bytes over its limit gets through, to the subscriber too.
    void oversizePublishIsOneByteOverTheBrokersLimit_data() { brokers(); }
    void oversizePublishIsOneByteOverTheBrokersLimit()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(R"(
    { "do": "require", "client": "sensor", "capability": "maximumPacketSize" },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 0, "template": "{{seq}}", "exceedMaximumPacketSize": true },
    { "expect": "connected", "client": "sensor", "connected": false, "withinMs": 3000 },
    { "expect": "received", "client": "dashboard", "count": 0, "forMs": 500, "withinMs": 1000 })"), urlOf(sandbox));
        QVERIFY2(run.text.contains("PASS sensor publishes 1 × QoS 0 to steps/") && run.text.contains(", one byte over the broker's Maximum Packet Size"),
                 qPrintable(run.text));
        const auto publishes = sent<Publish>(run, PacketType::Publish);
        QCOMPARE(publishes.size(), 1u);
        QCOMPARE(publishes.front().second, qsizetype(kBrokerLimit + 1));
        if (sandbox) {
            QVERIFY2(run.outcome.passed(), qPrintable(run.text));
            const Run reasons = runJson(scenario(R"(
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 0, "template": "{{seq}}", "exceedMaximumPacketSize": true },
    { "expect": "reason", "client": "sensor", "packet": "DISCONNECT", "code": "0x95" })"), m_sandbox->url());
            QVERIFY2(reasons.outcome.passed(), qPrintable(reasons.text));
            return;
        }
        QCOMPARE(run.outcome.failures(), 2);
        QVERIFY2(run.text.contains("FAIL expect sensor is disconnected within 3000 ms: connected"), qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL expect dashboard received 0 message(s), exactly once, for 500 ms within 1000 ms: received 1 message(s): 1"),
                 qPrintable(run.text));
    }

    // No limit announced, nothing to exceed: the step fails and says so (the probe's check stops
    // at its "require" step before it, as not supported).
    void oversizeNeedsAnAnnouncedLimit()
    {
        const Run run = runJson(scenario(R"(
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 0, "template": "{{seq}}", "exceedMaximumPacketSize": true })"),
                                m_unlimited->url());
        QVERIFY2(run.text.contains("FAIL sensor publishes 1 × QoS 0 to steps/") && run.text.contains(": the broker announced no Maximum Packet Size to exceed"),
                 qPrintable(run.text));
    }

    // The subscriber refuses the first QoS 2 message with PUBREC 0x97: it is not delivered, its
    // inbound flow is Failed, and the next message arrives. Neither broker sends PUBREL for it.
    void refuseAnswersPubRecWithTheReason_data() { brokers(); }
    void refuseAnswersPubRecWithTheReason()
    {
        QFETCH(bool, sandbox);
        const Run run = runJson(scenario(R"(
    { "do": "refuse", "client": "dashboard", "reason": "0x97", "count": 1 },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "count": 2, "template": "{{seq}}" },
    { "expect": "reason", "client": "dashboard", "packet": "PUBREC", "code": "0x97", "from": "client" },
    { "expect": "received", "client": "dashboard", "seq": [2], "forMs": 300 },
    { "expect": "flow", "client": "dashboard", "direction": "inbound", "packetId": 1, "state": "Failed" },
    { "expect": "violation", "client": "dashboard", "rule": null })"), urlOf(sandbox));
        QVERIFY2(run.outcome.passed(), qPrintable(run.text));
        QVERIFY2(run.text.contains("PASS dashboard refuses the next 1 QoS 1/2 message(s) with 0x97 Quota exceeded"), qPrintable(run.text));
    }

    void refuseNeedsMqtt5()
    {
        const Run run = runJson(scenario(R"(
    { "do": "refuse", "client": "dashboard", "reason": "0x80" })", "3.1.1"), m_sandbox->url());
        QVERIFY2(run.text.contains("FAIL dashboard refuses the next 1 QoS 1/2 message(s) with 0x80 Unspecified error: MQTT 3.1.1's PUBACK "
                                   "and PUBREC carry no reason code"),
                 qPrintable(run.text));
    }

    // A PUBREL held back keeps the flow AwaitingPubComp: "wait until Complete" alone runs out and
    // stops the run; with "orSettledForMs" it passes once the sensor's flows stood still that long.
    void waitEndsWhenTheFlowsSettle()
    {
        const Run run = runJson(scenario(R"(
    { "do": "fault", "client": "sensor", "rule": "hold out PUBREL" },
    { "do": "publish", "client": "sensor", "topic": "steps/${ID}", "qos": 2, "template": "{{seq}}" },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" }, "orSettledForMs": 300, "withinMs": 5000 },
    { "do": "wait", "until": { "expect": "flow", "client": "sensor", "seq": 1, "state": "Complete" }, "withinMs": 300 })"),
                                m_sandbox->url());
        QVERIFY2(run.text.contains("PASS wait until sensor's outbound flow of seq 1 is Complete, or until sensor's flows are still for 300 ms "
                                   "(at most 5000 ms): no flow of sensor changed for 300 ms; the flow is AwaitingPubComp"),
                 qPrintable(run.text));
        QVERIFY2(run.text.contains("FAIL wait until sensor's outbound flow of seq 1 is Complete (at most 300 ms): the flow is AwaitingPubComp"),
                 qPrintable(run.text));
    }

    void malformedOptionsNameLineAndField_data()
    {
        QTest::addColumn<QByteArray>("steps");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("packetId at QoS 0") << QByteArray(R"(    { "do": "publish", "client": "sensor", "topic": "t", "qos": 0, "payload": "1", "packetId": 3 })")
                                           << QStringLiteral("Line 11, field \"packetId\": needs QoS 1 or 2 and a count of 1");
        QTest::newRow("oversize at QoS 1") << QByteArray(R"(    { "do": "publish", "client": "sensor", "topic": "t", "qos": 1, "payload": "1",
      "exceedMaximumPacketSize": true })") << QStringLiteral("Line 12, field \"exceedMaximumPacketSize\": needs QoS 0 and a count of 1");
        QTest::newRow("refuse success") << QByteArray(R"(    { "do": "refuse", "client": "dashboard", "reason": "0x10" })")
                                        << QStringLiteral("Line 11, field \"reason\": must be a failing PUBACK/PUBREC reason");
        QTest::newRow("settled alone") << QByteArray(R"(    { "do": "wait", "ms": 10, "orSettledForMs": 100 })")
                                       << QStringLiteral("Line 11, field \"orSettledForMs\": needs \"until\"");
    }

    void malformedOptionsNameLineAndField()
    {
        QFETCH(QByteArray, steps);
        QFETCH(QString, sentence);
        QString problem;
        runJson(scenario(steps), m_sandbox->url(), &problem);
        QVERIFY2(problem.startsWith(sentence), qPrintable(problem));
    }
};

QTEST_GUILESS_MAIN(TestScenarioCheckSteps)
#include "tst_scenario_check_steps.moc"
