// mqttscope-cli probe against a real mosquitto 2.0.11 (its queue made small, so a burst overflows
// it) and against the sandbox broker: mosquitto's Receive Maximum overrun, its silent queue drop
// and its PUBCOMP 0x00 for an unknown PUBREL are deviations with their rule and packets; every
// other check's verdict is asserted; the sandbox conforms to every check.

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
// Above both brokers' queues in this test (5 messages), small enough to run quickly.
const QString kBurst = QStringLiteral("20");
constexpr int kProbeTimeoutMs = 240000;

// The checks of a --json run, by id.
std::map<QString, QJsonObject> checksOf(const ClientRun &run)
{
    std::map<QString, QJsonObject> checks;
    for (const QJsonValue check : QJsonDocument::fromJson(run.out).object().value(QStringLiteral("checks")).toArray())
        checks[check.toObject().value(QStringLiteral("id")).toString()] = check.toObject();
    return checks;
}

QString verdictOf(const std::map<QString, QJsonObject> &checks, const QString &id)
{
    return checks.count(id) ? checks.at(id).value(QStringLiteral("verdict")).toString() : QStringLiteral("(missing)");
}

QString evidenceOf(const QJsonObject &check)
{
    QStringList lines;
    for (const QJsonValue line : check.value(QStringLiteral("evidence")).toArray())
        lines << line.toString();
    return lines.join(QLatin1Char('\n'));
}
} // namespace

class TestCliProbe : public QObject
{
    Q_OBJECT
    std::unique_ptr<MosquittoBroker> m_mosquitto;

private slots:
    void initTestCase()
    {
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("max_queued_messages 5");
        m_mosquitto = std::make_unique<MosquittoBroker>(options);
        const Status started = m_mosquitto->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void mosquittoDeviatesWithRuleAndPackets()
    {
        const ClientRun run = runProgram(kCli, {QStringLiteral("probe"), m_mosquitto->url(), QStringLiteral("-V"), QStringLiteral("mqttv5"),
                                                QStringLiteral("--json"), QStringLiteral("--burst"), kBurst}, kProbeTimeoutMs);
        QCOMPARE(run.exitCode, 1);
        const auto checks = checksOf(run);
        QCOMPARE(int(checks.size()), 9);
        for (const QString &id : {QStringLiteral("qos2-exactly-once"), QStringLiteral("cut-after-publish"), QStringLiteral("cut-after-pubrec"),
                                 QStringLiteral("cut-after-pubrel"), QStringLiteral("cut-after-pubcomp"),
                                 QStringLiteral("duplicate-publish-before-pubrel")})
            QVERIFY2(verdictOf(checks, id) == QLatin1String("conforms"), qPrintable(id + QStringLiteral(": ") + run.out));

        const QJsonObject receiveMaximum = checks.at(QStringLiteral("receive-maximum"));
        QCOMPARE(receiveMaximum.value(QStringLiteral("verdict")).toString(), QStringLiteral("deviates"));
        QCOMPARE(receiveMaximum.value(QStringLiteral("spec")).toString(), QStringLiteral("[MQTT-3.3.4-9]"));
        QVERIFY2(receiveMaximum.value(QStringLiteral("why")).toString().contains("more than our Receive Maximum of 2"), qPrintable(run.out));
        QVERIFY2(evidenceOf(receiveMaximum).contains("DISCONNECT 0x93 Receive Maximum exceeded"), qPrintable(evidenceOf(receiveMaximum)));

        const QJsonObject audit = checks.at(QStringLiteral("delivery-audit"));
        QCOMPARE(audit.value(QStringLiteral("verdict")).toString(), QStringLiteral("deviates"));
        QCOMPARE(audit.value(QStringLiteral("spec")).toString(), QStringLiteral("[MQTT-4.5.0-1]"));
        QVERIFY2(audit.value(QStringLiteral("why")).toString().contains(
                     "the broker completed 20 QoS 2 handshakes with publisher and delivered 5 to subscriber; 15 never left the broker"),
                 qPrintable(audit.value(QStringLiteral("why")).toString()));
        QVERIFY2(evidenceOf(audit).contains("PUBCOMP id=5"), qPrintable(evidenceOf(audit)));

        // mosquitto answers PUBCOMP 0x00 where 5.0 gives 0x92 Packet Identifier not found.
        const QJsonObject unknownPubRel = checks.at(QStringLiteral("unknown-pubrel"));
        QCOMPARE(unknownPubRel.value(QStringLiteral("verdict")).toString(), QStringLiteral("deviates"));
        QVERIFY2(unknownPubRel.value(QStringLiteral("why")).toString().contains("PUBCOMP reason codes seen: 0x00"), qPrintable(run.out));
        QVERIFY2(evidenceOf(unknownPubRel).contains("PUBREL id=1  AwaitingPubComp  [duplicated]"), qPrintable(evidenceOf(unknownPubRel)));
    }

    void mqtt311ChecksThatNeedFiveAreNotSupported()
    {
        const ClientRun run = runProgram(kCli, {QStringLiteral("probe"), m_mosquitto->url(), QStringLiteral("-V"), QStringLiteral("mqttv311"),
                                                QStringLiteral("--check"), QStringLiteral("qos2-exactly-once"), QStringLiteral("--check"),
                                                QStringLiteral("receive-maximum"), QStringLiteral("--check"), QStringLiteral("unknown-pubrel")},
                                         kProbeTimeoutMs);
        QVERIFY2(run.exitCode == 0, run.out + run.err);
        QVERIFY2(run.out.contains("conforms       QoS 2 exactly once on both hops"), run.out);
        QVERIFY2(run.out.contains("not supported  The broker honours the client's Receive Maximum\n"
                                  "               needs MQTT 5.0; probed with MQTT 3.1.1"), run.out);
        QVERIFY2(run.out.contains("not supported  An unknown PUBREL is answered with PUBCOMP 0x92"), run.out);
    }

    // The sandbox refuses with PUBREC 0x97 what a full queue could not take, rather than completing
    // the handshake and dropping the message as mosquitto does.
    void sandboxBrokerConformsToEveryCheck()
    {
        SandboxBroker::Options options;
        options.core.maximumQueuedPerClient = 5;
        SandboxBroker broker(options, nullptr);
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const ClientRun run = runProgramAsync(kCli, {QStringLiteral("probe"), broker.url(), QStringLiteral("--burst"), kBurst},
                                              kProbeTimeoutMs);
        QVERIFY2(run.exitCode == 0, run.out + run.err);
        QCOMPARE(run.out.count("conforms "), 9);
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("no url") << QStringList{} << QStringLiteral("give exactly one broker URL.");
        QTest::newRow("version") << QStringList{QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("-V"), QStringLiteral("mqttv4")}
                                 << QStringLiteral("-V must be mqttv311 or mqttv5, not 'mqttv4'.");
        QTest::newRow("check") << QStringList{QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("--check"), QStringLiteral("nope")}
                               << QStringLiteral("no check named 'nope'.");
    }

    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, sentence);
        const ClientRun run = runProgram(kCli, QStringList{QStringLiteral("probe")} + arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(sentence.toUtf8()), run.err);
    }
};

QTEST_GUILESS_MAIN(TestCliProbe)
#include "tst_cli_probe.moc"
