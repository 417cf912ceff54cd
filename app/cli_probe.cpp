// mqttscope-cli probe: runs the built-in checks (resources/probe/) against one broker and prints
// each verdict, with the rule and the packets for a deviation (and writes them as HTML with --report). Exit 0 when every check conforms or
// is not supported, 1 when one deviates or is inconclusive or the broker cannot be reached, 2 on usage
// errors (a TLS file that cannot be read among them).

#include "cli_commands.h"

#include "scenario/probe_report.h"
#include "transport/server_url.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace mqs::cli {
namespace {

// The verdict column is as wide as its longest word ("not supported").
constexpr int kVerdictWidth = 13;
// A burst must exceed a queue to test it, and stay small enough to finish.
constexpr int kMaximumBurst = 100000;

QJsonObject checkJson(const ProbeCheck &check)
{
    return QJsonObject{{QStringLiteral("id"), check.id},
                       {QStringLiteral("name"), check.name},
                       {QStringLiteral("verdict"), probeVerdictName(check.verdict)},
                       {QStringLiteral("spec"), check.spec},
                       {QStringLiteral("why"), check.why},
                       {QStringLiteral("evidence"), QJsonArray::fromStringList(check.evidence)}};
}

void printCheck(const ProbeCheck &check)
{
    out(QStringLiteral("%1  %2").arg(probeVerdictName(check.verdict), -kVerdictWidth).arg(check.name.isEmpty() ? check.id : check.name));
    if (check.verdict == ProbeVerdict::Conforms)
        return;
    const QString rule = check.spec.isEmpty() ? QString() : check.spec + QStringLiteral(": ");
    out(QStringLiteral("               %1%2").arg(rule, check.why));
    for (const QString &line : check.evidence)
        out(QStringLiteral("                 ") + line);
}

// The files of the checks named by --check (all of them when none is).
Result<QStringList> checkFiles(const QStringList &wanted)
{
    const QStringList all = probeCheckFiles();
    QStringList files;
    for (const QString &id : wanted) {
        files << QStringLiteral(":/probe/%1.json").arg(id);
        if (!all.contains(files.last()))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("no check named '%1'.").arg(id)};
    }
    return files.isEmpty() ? all : files;
}

// Runs the checks in order, printing each verdict as it comes unless the output is JSON.
ProbeReport runChecks(const QStringList &files, const ProbeOptions &options, bool json)
{
    if (!json)
        out(QStringLiteral("Probing %1 with %2: %3 checks").arg(options.brokerUrl, versionName(options.version)).arg(files.size()));
    ProbeReport report{options.brokerUrl, options.version, QDateTime::currentDateTimeUtc(), {}};
    for (const QString &file : files) {
        report.checks.push_back(runProbeCheck(file, options));
        if (!json)
            printCheck(report.checks.back());
    }
    return report;
}

void printJson(const ProbeReport &report)
{
    QJsonArray checks;
    for (const ProbeCheck &check : report.checks)
        checks.append(checkJson(check));
    out(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("broker"), report.brokerUrl},
                                                    {QStringLiteral("version"), versionName(report.version)},
                                                    {QStringLiteral("checks"), checks}})
                              .toJson(QJsonDocument::Indented)).trimmed());
}

// What to do about a broker that could not be reached, in this command's options.
QString reachAdvice(const Problem &problem, const BrokerReach &reach)
{
    if (reach.credentialsRefused())
        return QStringLiteral(" Give the user name with -u and the password with -P.");
    return tlsAdvice(problem);
}

// Connects once before the checks (see BrokerReach), waiting in an event loop for the answer.
// `reach` outlives the call, so its DISCONNECT goes out while the checks run.
Status reachBroker(BrokerReach &reach, const ProbeOptions &options)
{
    QEventLoop loop;
    Status reached;
    QObject::connect(&reach, &BrokerReach::finished, &loop, [&](const Status &answer) {
        reached = answer;
        loop.quit();
    });
    if (const Status started = reach.start(options); !started)
        return started;
    loop.exec();
    return reached;
}

} // namespace

int probeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Probes a broker's QoS 2 and session behaviour with the built-in checks (scenario files; see the README's "
        "\"Probing a broker\") and prints each verdict: conforms, deviates (with the rule and the packets), not "
        "supported, or inconclusive. For mqtts:// and wss:// give the broker's CA with --cafile; for a broker that "
        "refuses anonymous clients, -u and -P.\n\nExit status: 0 when "
        "every check conforms or is not supported, 1 when one deviates or is inconclusive or the broker cannot be "
        "reached, 2 on usage errors."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The broker: mqtt://host:port (or mqtts://, ws://, wss://)."));
    const QCommandLineOption version{{QStringLiteral("V"), QStringLiteral("protocol-version")},
                                     QStringLiteral("mqttv311 or mqttv5 (default mqttv5)."), QStringLiteral("VERSION")};
    const QCommandLineOption json{QStringLiteral("json"), QStringLiteral("Prints the verdicts as one JSON document.")};
    const QCommandLineOption burst{QStringLiteral("burst"),
                                   QStringLiteral("Messages in the delivery audit's burst (default 1100, above mosquitto's queue of 1000)."),
                                   QStringLiteral("N")};
    const QCommandLineOption only{QStringLiteral("check"), QStringLiteral("Runs only this check (repeatable), e.g. receive-maximum."),
                                  QStringLiteral("ID")};
    const QCommandLineOption report{QStringLiteral("report"),
                                    QStringLiteral("Also writes an HTML report: the broker's CONNACK, every verdict, and a sequence "
                                                   "diagram of the packets of each deviation."),
                                    QStringLiteral("FILE.html")};
    const QCommandLineOption caFile{QStringLiteral("cafile"), QStringLiteral("Trust the CA certificate(s) in this PEM file."),
                                    QStringLiteral("FILE")};
    const QCommandLineOption certificate{QStringLiteral("cert"), QStringLiteral("Client certificate (PEM)."), QStringLiteral("FILE")};
    const QCommandLineOption key{QStringLiteral("key"), QStringLiteral("Private key of --cert (PEM)."), QStringLiteral("FILE")};
    const QCommandLineOption insecure{QStringLiteral("insecure"),
                                      QStringLiteral("Do not verify the broker's certificate or host name (debugging only).")};
    // As pub and sub (and mosquitto_pub) name them.
    const QCommandLineOption username{{QStringLiteral("u"), QStringLiteral("username")},
                                      QStringLiteral("User name, for a broker that refuses anonymous clients."), QStringLiteral("USER")};
    const QCommandLineOption password{{QStringLiteral("P"), QStringLiteral("pw")}, QStringLiteral("Password."), QStringLiteral("PASSWORD")};
    parser.addOptions({version, json, burst, only, report, caFile, certificate, key, insecure, username, password});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("probe"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("probe"), QStringLiteral("give exactly one broker URL."));
    ProbeOptions options{parser.positionalArguments().first()};
    const Result<ServerUrl> url = ServerUrl::parse(options.brokerUrl);
    if (!url)
        return usageError(QStringLiteral("probe"), url.sentence());
    options.tls.caFile = parser.value(caFile);
    options.tls.clientCertificateFile = parser.value(certificate);
    options.tls.clientKeyFile = parser.value(key);
    options.tls.insecure = parser.isSet(insecure);
    if (parser.isSet(username))
        options.username = parser.value(username);
    if (parser.isSet(password))
        options.password = parser.value(password).toUtf8();
    const QString v = parser.value(version);
    if (!v.isEmpty() && v != QLatin1String("mqttv5") && v != QLatin1String("mqttv311"))
        return usageError(QStringLiteral("probe"), QStringLiteral("-V must be mqttv311 or mqttv5, not '%1'.").arg(v));
    options.version = v == QLatin1String("mqttv311") ? ProtocolVersion::V311 : ProtocolVersion::V5;
    if (parser.isSet(burst)) {
        bool ok = false;
        options.burst = parser.value(burst).toInt(&ok);
        if (!ok || options.burst < 1 || options.burst > kMaximumBurst)
            return usageError(QStringLiteral("probe"), QStringLiteral("--burst takes a number from 1 to %1.").arg(kMaximumBurst));
    }
    const Result<QStringList> files = checkFiles(parser.values(only));
    if (!files)
        return usageError(QStringLiteral("probe"), files.sentence());
    QFile reportFile(parser.value(report));
    if (parser.isSet(report) && !reportFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return usageError(QStringLiteral("probe"), QStringLiteral("cannot write %1: %2").arg(reportFile.fileName(), reportFile.errorString()));
    BrokerReach reach;
    if (const Status reached = reachBroker(reach, options); !reached) {
        const Problem &problem = reached.problem();
        const bool usage = problem.kind == ProblemKind::File || problem.kind == ProblemKind::InvalidInput;
        err(QStringLiteral("mqttscope-cli probe: ") + problem.sentence + reachAdvice(problem, reach));
        return usage ? 2 : 1;
    }
    const ProbeReport probed = runChecks(*files, options, parser.isSet(json));
    if (reportFile.isOpen()) {
        reportFile.write(probeReportHtml(probed));
        reportFile.close();
        if (!parser.isSet(json))
            out(QStringLiteral("Report written to %1").arg(reportFile.fileName()));
    }
    if (parser.isSet(json))
        printJson(probed);
    const bool clean = std::all_of(probed.checks.begin(), probed.checks.end(), [](const ProbeCheck &c) {
        return c.verdict == ProbeVerdict::Conforms || c.verdict == ProbeVerdict::NotSupported;
    });
    return clean ? 0 : 1;
}

} // namespace mqs::cli
