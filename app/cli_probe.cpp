// mqttscope-cli probe: runs the built-in checks (resources/probe/) against one broker and prints
// each verdict, with the rule and the packets for a deviation. Exit 0 when every check conforms or
// is not supported, 1 when one deviates or is inconclusive, 2 on usage errors.

#include "cli_commands.h"

#include "scenario/probe.h"
#include "transport/server_url.h"

#include <QCommandLineParser>
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

} // namespace

int probeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Probes a broker's QoS 2 and session behaviour with the built-in checks (scenario files; see the README's "
        "\"Probing a broker\") and prints each verdict: conforms, deviates (with the rule and the packets), not "
        "supported, or inconclusive.\n\nExit status: 0 when every check conforms or is not supported, 1 when one "
        "deviates or is inconclusive, 2 on usage errors."));
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
    parser.addOptions({version, json, burst, only});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("probe"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("probe"), QStringLiteral("give exactly one broker URL."));
    ProbeOptions options{parser.positionalArguments().first()};
    if (const Result<ServerUrl> url = ServerUrl::parse(options.brokerUrl); !url)
        return usageError(QStringLiteral("probe"), url.sentence());
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
    QStringList files = probeCheckFiles();
    if (parser.isSet(only)) {
        const QStringList wanted = parser.values(only);
        for (const QString &id : wanted)
            if (!files.contains(QStringLiteral(":/probe/%1.json").arg(id)))
                return usageError(QStringLiteral("probe"), QStringLiteral("no check named '%1'.").arg(id));
        files.clear();
        for (const QString &id : wanted)
            files << QStringLiteral(":/probe/%1.json").arg(id);
    }
    if (!parser.isSet(json))
        out(QStringLiteral("Probing %1 with %2: %3 checks").arg(options.brokerUrl, versionName(options.version)).arg(files.size()));
    QJsonArray checks;
    bool clean = true;
    for (const QString &file : files) {
        const ProbeCheck check = runProbeCheck(file, options);
        clean = clean && (check.verdict == ProbeVerdict::Conforms || check.verdict == ProbeVerdict::NotSupported);
        if (parser.isSet(json))
            checks.append(checkJson(check));
        else
            printCheck(check);
    }
    if (parser.isSet(json))
        out(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("broker"), options.brokerUrl},
                                                        {QStringLiteral("version"), versionName(options.version)},
                                                        {QStringLiteral("checks"), checks}})
                                  .toJson(QJsonDocument::Indented)).trimmed());
    return clean ? 0 : 1;
}

} // namespace mqs::cli
