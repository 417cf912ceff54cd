// mqttscope-cli probe against a real mosquitto 2.0.11 (its queue made small, so a burst overflows
// it, and a max_packet_size set) and against the sandbox broker: mosquitto's Receive Maximum
// overrun, its silent queue drop, its PUBCOMP 0x00 for an unknown PUBREL and its taking a PUBLISH
// over its own Maximum Packet Size are deviations with their rule and packets; every other check's
// verdict is asserted on 5.0 and 3.1.1, and the HTML report read back; the sandbox conforms to
// every check on 5.0 and, where the check applies, on 3.1.1. A TLS broker and one that refuses
// anonymous clients stop the probe before the checks with one sentence naming the options to give.

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace mqs;
using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
// Above both brokers' queues in this test (5 messages), small enough to run quickly.
const QString kBurst = QStringLiteral("20");
constexpr int kProbeTimeoutMs = 240000;
// mosquitto's max_packet_size here: announced in its 5.0 CONNACK, above the 2,000-byte message of
// the client's own Maximum Packet Size check.
constexpr int kMosquittoMaximumPacketSize = 4096;
// The one user of the broker that refuses anonymous clients.
const MosquittoUser kUser{QStringLiteral("prober"), QStringLiteral("s3cret")};

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

// Every check the probe has, with what mosquitto 2.0.11 answers to it on 5.0 and on 3.1.1 (as
// observed: mosquitto closes a taken-over connection without DISCONNECT 0x8E, which 5.0 allows).
struct Expected {
    const char *id;
    const char *v5;
    const char *v311;
};
const Expected kMosquitto[] = {
    {"qos2-exactly-once", "conforms", "conforms"},
    {"cut-after-publish", "conforms", "conforms"},
    {"cut-after-pubrec", "conforms", "conforms"},
    {"cut-after-pubrel", "conforms", "conforms"},
    {"cut-after-pubcomp", "conforms", "conforms"},
    {"duplicate-publish-before-pubrel", "conforms", "conforms"},
    {"dup-publish-never-seen", "conforms", "conforms"},
    {"packet-id-reuse", "conforms", "conforms"},
    {"unknown-pubrel", "deviates", "not supported"},
    {"pubrec-failure-ends-flow", "conforms", "not supported"},
    {"receive-maximum", "deviates", "not supported"},
    {"maximum-packet-size", "conforms", "not supported"},
    {"broker-maximum-packet-size", "deviates", "not supported"},
    {"session-present", "conforms", "conforms"},
    {"session-expiry", "conforms", "not supported"},
    {"takeover", "conforms", "conforms"},
    {"will", "conforms", "conforms"},
    {"will-delay", "conforms", "not supported"},
    {"retained-qos-downgrade", "conforms", "conforms"},
    {"retained-message-expiry", "conforms", "not supported"},
    {"overlapping-subscriptions", "conforms", "conforms"},
    {"dollar-topics", "conforms", "conforms"},
    {"shared-subscription", "conforms", "not supported"},
    {"topic-aliases", "conforms", "not supported"},
    {"delivery-audit", "deviates", "deviates"},
};
constexpr int kChecks = int(std::size(kMosquitto));

// The HTML report read back: its parse error (empty when it is well-formed), the table's cells,
// and the <svg> elements in each check's section.
struct Report {
    QString error;
    QStringList cells;
    std::map<QString, int> svgsInSection;
};

Report readReport(const QString &path)
{
    Report r;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Report{QStringLiteral("no report at %1").arg(path), {}, {}};
    QXmlStreamReader xml(&file);
    QString section;
    while (xml.readNext() != QXmlStreamReader::Invalid && !xml.atEnd()) {
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("section"))
            section = xml.attributes().value(QStringLiteral("id")).toString();
        else if (xml.name() == QLatin1String("svg"))
            ++r.svgsInSection[section];
        else if (xml.name() == QLatin1String("td") || xml.name() == QLatin1String("th"))
            r.cells << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    if (xml.hasError())
        r.error = xml.errorString();
    return r;
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
        options.extraConfig << QStringLiteral("max_queued_messages 5")
                            << QStringLiteral("max_packet_size %1").arg(kMosquittoMaximumPacketSize);
        m_mosquitto = std::make_unique<MosquittoBroker>(options);
        const Status started = m_mosquitto->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void mosquittoDeviatesWithRuleAndPackets()
    {
        QTemporaryDir dir;
        const QString reportPath = dir.filePath(QStringLiteral("probe.html"));
        const ClientRun run = runProgram(kCli, {QStringLiteral("probe"), m_mosquitto->url(), QStringLiteral("-V"), QStringLiteral("mqttv5"),
                                                QStringLiteral("--json"), QStringLiteral("--burst"), kBurst, QStringLiteral("--report"), reportPath},
                                         kProbeTimeoutMs);
        QCOMPARE(run.exitCode, 1);
        const auto checks = checksOf(run);
        QCOMPARE(int(checks.size()), kChecks);
        for (const Expected &e : kMosquitto)
            QVERIFY2(verdictOf(checks, QLatin1String(e.id)) == QLatin1String(e.v5), qPrintable(QLatin1String(e.id) + QStringLiteral(": ") + run.out));

        // The report: well-formed, every check with its verdict, the CONNACK's properties, and a
        // sequence diagram for each deviation.
        const Report report = readReport(reportPath);
        QVERIFY2(report.error.isEmpty(), qPrintable(report.error));
        for (const Expected &e : kMosquitto) {
            const QString name = checks.at(QLatin1String(e.id)).value(QStringLiteral("name")).toString();
            const qsizetype row = report.cells.indexOf(name);
            QVERIFY2(row >= 0 && report.cells.value(row + 1) == QLatin1String(e.v5), qPrintable(name));
            const bool deviates = QLatin1String(e.v5) == QLatin1String("deviates");
            QCOMPARE(report.svgsInSection.count(QStringLiteral("check-%1").arg(QLatin1String(e.id))), size_t(deviates ? 1 : 0));
        }
        const qsizetype receiveMaximumRow = report.cells.indexOf(QStringLiteral("Receive Maximum"));
        QVERIFY2(receiveMaximumRow >= 0 && report.cells.value(receiveMaximumRow + 1) == QLatin1String("20"), qPrintable(report.cells.join(u'|')));
        QVERIFY(report.cells.contains(QStringLiteral("[MQTT-3.3.4-9]")));

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

        // mosquitto leaves the Remaining Length's own bytes out of its count: a PUBLISH one byte over
        // the max_packet_size it announces is taken, and the publisher stays connected.
        const QJsonObject ownLimit = checks.at(QStringLiteral("broker-maximum-packet-size"));
        QCOMPARE(ownLimit.value(QStringLiteral("spec")).toString(), QStringLiteral("[MQTT-4.13.1-1]"));
        QVERIFY2(ownLimit.value(QStringLiteral("why")).toString().endsWith("expect publisher is disconnected within 5000 ms: connected"),
                 qPrintable(ownLimit.value(QStringLiteral("why")).toString()));
    }

    // Every check on 3.1.1: the QoS 2 and session checks conform, mosquitto's silent queue drop
    // deviates, the checks of 5.0 features are not supported.
    void mosquitto311VerdictOfEveryCheck()
    {
        const ClientRun run = runProgram(kCli, {QStringLiteral("probe"), m_mosquitto->url(), QStringLiteral("-V"), QStringLiteral("mqttv311"),
                                                QStringLiteral("--json"), QStringLiteral("--burst"), kBurst}, kProbeTimeoutMs);
        QCOMPARE(run.exitCode, 1);
        const auto checks = checksOf(run);
        QCOMPARE(int(checks.size()), kChecks);
        for (const Expected &e : kMosquitto)
            QVERIFY2(verdictOf(checks, QLatin1String(e.id)) == QLatin1String(e.v311), qPrintable(QLatin1String(e.id) + QStringLiteral(": ") + run.out));
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
        QVERIFY2(run.out.count("conforms ") == kChecks, run.out.constData());
    }

    // With 3.1.1, whose PUBREC cannot refuse, the sandbox withholds PUBREC while the subscriber's
    // queue is full, so the delivery audit conforms too; the checks of 5.0 features are not supported.
    void sandboxBrokerConformsToEveryCheckWithMqtt311()
    {
        SandboxBroker::Options options;
        options.core.maximumQueuedPerClient = 5;
        SandboxBroker broker(options, nullptr);
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const ClientRun run = runProgramAsync(kCli, {QStringLiteral("probe"), broker.url(), QStringLiteral("-V"), QStringLiteral("mqttv311"),
                                                     QStringLiteral("--json"), QStringLiteral("--burst"), kBurst},
                                              kProbeTimeoutMs);
        QVERIFY2(run.exitCode == 0, run.out + run.err);
        const auto checks = checksOf(run);
        QCOMPARE(int(checks.size()), kChecks);
        for (const Expected &e : kMosquitto) {
            const QLatin1String expected(QLatin1String(e.v311) == QLatin1String("not supported") ? "not supported" : "conforms");
            QVERIFY2(verdictOf(checks, QLatin1String(e.id)) == expected, qPrintable(QLatin1String(e.id) + QStringLiteral(": ") + run.out));
        }
        QVERIFY2(checks.at(QStringLiteral("delivery-audit")).value(QStringLiteral("verdict")).toString() == QStringLiteral("conforms"),
                 run.out.constData());
    }

    // A TLS broker: without its CA the probe stops before the checks with one sentence naming the
    // options; a CA file that does not exist is a usage error; with the CA the checks run.
    void aTlsBrokerIsProbedWithItsCa()
    {
        MosquittoBroker broker({.tls = true});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const QString url = broker.tlsUrl();
        const QStringList check{QStringLiteral("--check"), QStringLiteral("qos2-exactly-once")};

        const ClientRun untrusted = runProgram(kCli, QStringList{QStringLiteral("probe"), url} + check);
        QCOMPARE(untrusted.exitCode, 1);
        QVERIFY2(untrusted.err.contains("is not trusted"), untrusted.err);
        QVERIFY2(untrusted.err.contains("Give the broker's CA with --cafile"), untrusted.err);
        QVERIFY2(!untrusted.out.contains("conforms"), untrusted.out);

        const QString missing = broker.dataDir() + QStringLiteral("/no-such-ca.pem");
        const ClientRun noFile = runProgram(kCli, QStringList{QStringLiteral("probe"), url, QStringLiteral("--cafile"), missing} + check);
        QCOMPARE(noFile.exitCode, 2);
        QVERIFY2(noFile.err.contains(missing.toUtf8()), noFile.err);

        const ClientRun trusted = runProgram(
            kCli, QStringList{QStringLiteral("probe"), url, QStringLiteral("--cafile"), broker.certificates().caFile,
                              QStringLiteral("--json")} + check, kProbeTimeoutMs);
        QVERIFY2(trusted.exitCode == 0, trusted.err + trusted.out);
        QCOMPARE(verdictOf(checksOf(trusted), QStringLiteral("qos2-exactly-once")), QStringLiteral("conforms"));
    }

    // A broker that lets only its users in: without -u and -P the probe stops before the checks
    // with the broker's refusal and the options to give; with them the checks run.
    void aLoginIsGivenWithUsernameAndPassword()
    {
        MosquittoBroker broker({.users = {kUser}});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const QStringList check{QStringLiteral("--check"), QStringLiteral("qos2-exactly-once")};

        const ClientRun anonymous = runProgram(kCli, QStringList{QStringLiteral("probe"), broker.url()} + check);
        QCOMPARE(anonymous.exitCode, 1);
        QVERIFY2(anonymous.err.contains("The broker refused the connection: Not authorized (CONNACK 0x87)."), anonymous.err);
        QVERIFY2(anonymous.err.contains("Give the user name with -u and the password with -P."), anonymous.err);
        QVERIFY2(!anonymous.out.contains("inconclusive"), anonymous.out);

        const ClientRun login = runProgram(kCli, QStringList{QStringLiteral("probe"), broker.url(), QStringLiteral("-u"), kUser.name,
                                                             QStringLiteral("-P"), kUser.password, QStringLiteral("--json")} + check,
                                           kProbeTimeoutMs);
        QVERIFY2(login.exitCode == 0, login.err + login.out);
        QCOMPARE(verdictOf(checksOf(login), QStringLiteral("qos2-exactly-once")), QStringLiteral("conforms"));
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
