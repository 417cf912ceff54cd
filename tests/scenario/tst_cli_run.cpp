// mqttscope-cli run: the shipped QoS 2 scenario passes against a real mosquitto and the sandbox
// broker; a failing expectation exits 1 with a JUnit <failure>; a malformed file exits 2 naming
// its line and field; ${NAME} variables come from --var.

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace mqs;
using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
const QString kExample = QStringLiteral(EXAMPLE_SCENARIO);

struct JUnitCase {
    QString name;
    QString failure; // empty when it passed
};

// The testcases of a JUnit file, read back as a CI system would.
std::vector<JUnitCase> readJUnit(const QString &path, int &declaredFailures)
{
    QFile file(path);
    std::vector<JUnitCase> cases;
    if (!file.open(QIODevice::ReadOnly))
        return cases;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("testsuite"))
            declaredFailures = xml.attributes().value(QLatin1String("failures")).toInt();
        else if (xml.name() == QLatin1String("testcase"))
            cases.push_back({xml.attributes().value(QLatin1String("name")).toString(), {}});
        else if (xml.name() == QLatin1String("failure") && !cases.empty())
            cases.back().failure = xml.attributes().value(QLatin1String("message")).toString();
    }
    if (xml.hasError())
        cases.clear();
    return cases;
}

QString writeScenario(const QTemporaryDir &dir, const QByteArray &json)
{
    const QString path = dir.filePath(QStringLiteral("scenario.json"));
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(json);
    return path;
}

const QByteArray kMissingMessage = R"({
  "name": "expects a message nobody sends",
  "clients": { "watcher": { "url": "${BROKER_URL}" }, "sender": { "url": "${BROKER_URL}", "version": "3.1.1" } },
  "steps": [
    { "do": "connect", "client": "watcher" },
    { "do": "subscribe", "client": "watcher", "topic": "${TOPIC}", "qos": 1 },
    { "do": "connect", "client": "sender" },
    { "do": "publish", "client": "sender", "topic": "${TOPIC}", "qos": 1, "count": 3, "template": "{{seq}}" },
    { "expect": "received", "client": "watcher", "seq": [1, 2, 3, 4], "withinMs": 1500 }
  ]
})";
} // namespace

class TestCliRun : public QObject
{
    Q_OBJECT
    std::unique_ptr<MosquittoBroker> m_mosquitto;
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        m_mosquitto = std::make_unique<MosquittoBroker>();
        const Status started = m_mosquitto->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void exampleScenarioPassesOnMosquitto()
    {
        const QString junit = m_dir.filePath(QStringLiteral("mosquitto.xml"));
        const QString trace = m_dir.filePath(QStringLiteral("mosquitto.pcap"));
        const ClientRun run = runProgram(kCli, {QStringLiteral("run"), kExample, QStringLiteral("--var"),
                                                QStringLiteral("BROKER_URL=") + m_mosquitto->url(), QStringLiteral("--junit"),
                                                junit, QStringLiteral("--trace"), trace}, 30000);
        QVERIFY2(run.exitCode == 0, run.out + run.err);
        QVERIFY2(run.out.contains("PASS expect dashboard received seq 1,2,3,4,5,6,7,8,9,10, exactly once"), run.out);
        QVERIFY(!run.out.contains("FAIL"));
        int failures = -1;
        const std::vector<JUnitCase> cases = readJUnit(junit, failures);
        QCOMPARE(int(cases.size()), 9);
        QCOMPARE(failures, 0);
        QVERIFY(QFileInfo(trace).size() > 0);
    }

    void exampleScenarioPassesOnTheSandboxBroker()
    {
        SandboxBroker broker(SandboxBroker::Options{}, nullptr);
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        // The broker lives in this process: its event loop must run while the CLI talks to it.
        const ClientRun run = runProgramAsync(kCli, {QStringLiteral("run"), kExample, QStringLiteral("--var"),
                                                     QStringLiteral("BROKER_URL=") + broker.url()}, 30000);
        QVERIFY2(run.exitCode == 0, run.out + run.err);
        QVERIFY(run.out.contains("passed: 9 of 9 held"));
    }

    void failingExpectationExitsOneWithJUnitFailure()
    {
        const QString path = writeScenario(m_dir, kMissingMessage);
        const QString junit = m_dir.filePath(QStringLiteral("failing.xml"));
        const ClientRun run = runProgram(kCli, {QStringLiteral("run"), path, QStringLiteral("--var"),
                                                QStringLiteral("BROKER_URL=") + m_mosquitto->url(), QStringLiteral("--var"),
                                                QStringLiteral("TOPIC=scenario/failing"), QStringLiteral("--junit"), junit}, 30000);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains("FAIL expect watcher received seq 1,2,3,4"), run.out);
        QVERIFY2(run.out.contains("missing: 4"), run.out);
        int failures = -1;
        const std::vector<JUnitCase> cases = readJUnit(junit, failures);
        QCOMPARE(int(cases.size()), 5);
        QCOMPARE(failures, 1);
        QVERIFY(cases[3].failure.isEmpty());
        QVERIFY2(cases[4].failure.contains("received 3 message(s): 1,2,3; missing: 4"), qPrintable(cases[4].failure));
    }

    void malformedFileExitsTwoNamingLineAndField_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("sentence");
        QByteArray badQos = kMissingMessage;
        badQos.replace(R"("qos": 1 },)", R"("qos": 3 },)");
        QTest::newRow("qos out of range") << badQos << QStringLiteral("Line 6, field \"qos\": must be a whole number from 0 to 2.");
        QByteArray unknownClient = kMissingMessage;
        unknownClient.replace(R"("do": "connect", "client": "sender")", R"("do": "connect", "client": "sendr")");
        QTest::newRow("unknown client") << unknownClient
                                        << QStringLiteral("Line 7, field \"client\": \"sendr\" is not one of the scenario's clients.");
        QByteArray unknownStep = kMissingMessage;
        unknownStep.replace(R"("do": "publish")", R"("do": "publsh")");
        QTest::newRow("unknown step") << unknownStep << QStringLiteral("Line 8, field \"do\": \"publsh\" is not a step");
        QTest::newRow("not JSON") << QByteArray("{\n  \"name\": \"x\",\n  \"clients\": {\n}") << QStringLiteral("Line 4: not valid JSON");
    }

    void malformedFileExitsTwoNamingLineAndField()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, sentence);
        const ClientRun run = runProgram(kCli, {QStringLiteral("run"), writeScenario(m_dir, json), QStringLiteral("--var"),
                                                QStringLiteral("BROKER_URL=") + m_mosquitto->url(), QStringLiteral("--var"),
                                                QStringLiteral("TOPIC=t")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(sentence.toUtf8()), run.err);
    }

    void variableWithoutVarIsABadFile()
    {
        const ClientRun run = runProgram(kCli, {QStringLiteral("run"), writeScenario(m_dir, kMissingMessage), QStringLiteral("--var"),
                                                QStringLiteral("BROKER_URL=") + m_mosquitto->url()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("Line 6, field \"topic\": uses ${TOPIC}, which no --var gives."), run.err);
    }
};

QTEST_GUILESS_MAIN(TestCliRun)
#include "tst_cli_run.moc"
