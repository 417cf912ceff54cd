// mqttscope-cli analyze FILE [--port N] [--stall-after SECONDS] [--json]

#include "cli_commands.h"

#include "observer/capture_analysis.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace mqs::cli {
namespace {

constexpr double kUsPerSecond = 1e6;

double seconds(qint64 us)
{
    return std::round(double(us) / kUsPerSecond * 1e6) / 1e6;
}

QString header(const AnalyzedConnection &c)
{
    const QString who = c.clientId.isEmpty() ? QStringLiteral("no client id seen") : QStringLiteral("client %1").arg(c.clientId);
    const QString start = c.startedMidSession ? QStringLiteral(", began mid-session (no CONNECT in the capture)") : QString();
    const QString evidence = c.versionEvidence.isEmpty() ? QString() : QStringLiteral(" since ") + c.versionEvidence;
    const QString version = c.versionSeen ? versionName(c.version) : QStringLiteral("read as %1%2").arg(versionName(c.version), evidence);
    const QString span = c.packets == 0 ? QStringLiteral("no MQTT packet decoded")
                                        : QStringLiteral("%1–%2 s").arg(c.firstSeconds, 0, 'f', 3).arg(c.lastSeconds, 0, 'f', 3);
    return QStringLiteral("stream %1  %2 → %3  %4, %5%6  (%7)").arg(c.stream).arg(c.clientAddress, c.brokerAddress, who, version, start, span);
}

QString failedText(const ObservedFlow &f)
{
    const PacketType ack = f.qos == QoS::AtLeastOnce ? PacketType::PubAck : PacketType::PubRec;
    const QString why = f.state == FlowState::Failed ? reasonText(f.reason, ack) : flowStateName(f.state);
    return QStringLiteral("QoS %1 id %2%3 (%4 → %5): %6")
        .arg(qosValue(f.qos))
        .arg(f.packetId.value)
        .arg(f.topic.isEmpty() ? QString() : QStringLiteral(" on ") + f.topic, sideName(f.sender), sideName(otherSide(f.sender)), why);
}

void printText(const AnalyzedConnection &c, qint64 stallAfterUs)
{
    out(header(c));
    for (const ObservedStall &s : c.unfinished)
        out(QStringLiteral("  %1: %2 [%3]")
                .arg(s.waitedUs > stallAfterUs ? QStringLiteral("stalled") : QStringLiteral("unfinished"), s.sentence,
                     flowStateName(s.state)));
    for (const ObservedFlow &f : c.failed)
        out(QStringLiteral("  failed: ") + failedText(f));
    if (c.counts.resends > 0)
        out(QStringLiteral("  resends: %1").arg(c.counts.resends));
    for (const ObservedFinding &f : c.violations)
        out(QStringLiteral("  violation at %1 s: %2").arg(seconds(f.timeUs), 0, 'f', 3).arg(f.text()));
    for (const CaptureProblem &p : c.problems)
        out(QStringLiteral("  error: ") + p.toString());
    if (c.notListed > 0)
        out(QStringLiteral("  … and %1 more violations or failed flows not listed").arg(c.notListed));
}

QJsonObject stallJson(const ObservedStall &s, qint64 stallAfterUs)
{
    return QJsonObject{{QStringLiteral("sender"), sideName(s.sender)},
                       {QStringLiteral("id"), s.packetId.value},
                       {QStringLiteral("topic"), s.topic},
                       {QStringLiteral("state"), flowStateName(s.state)},
                       {QStringLiteral("waiting_for"), waitingForText(s.state)},
                       {QStringLiteral("owed_by"), sideName(s.owedBy)},
                       {QStringLiteral("waited"), seconds(s.waitedUs)},
                       {QStringLiteral("stalled"), s.waitedUs > stallAfterUs},
                       {QStringLiteral("text"), s.sentence}};
}

QJsonObject connectionJson(const AnalyzedConnection &c, qint64 stallAfterUs)
{
    QJsonArray unfinished;
    for (const ObservedStall &s : c.unfinished)
        unfinished.append(stallJson(s, stallAfterUs));
    QJsonArray failed;
    for (const ObservedFlow &f : c.failed)
        failed.append(QJsonObject{{QStringLiteral("sender"), sideName(f.sender)}, {QStringLiteral("id"), f.packetId.value},
                                  {QStringLiteral("topic"), f.topic}, {QStringLiteral("state"), flowStateName(f.state)},
                                  {QStringLiteral("reason"), reasonValue(f.reason)}, {QStringLiteral("text"), failedText(f)}});
    QJsonArray violations;
    for (const ObservedFinding &f : c.violations)
        violations.append(QJsonObject{{QStringLiteral("rule"), f.ruleId}, {QStringLiteral("side"), sideName(f.side)},
                                      {QStringLiteral("id"), f.packetId ? QJsonValue(f.packetId->value) : QJsonValue()},
                                      {QStringLiteral("time"), seconds(f.timeUs)}, {QStringLiteral("text"), f.text()}});
    QJsonArray problems;
    for (const CaptureProblem &p : c.problems)
        problems.append(p.toString());
    return QJsonObject{
        {QStringLiteral("stream"), qint64(c.stream)},
        {QStringLiteral("client"), c.clientAddress},
        {QStringLiteral("broker"), c.brokerAddress},
        {QStringLiteral("client_id"), c.clientId},
        {QStringLiteral("version"), c.version == ProtocolVersion::V5 ? QStringLiteral("5.0") : QStringLiteral("3.1.1")},
        {QStringLiteral("mid_session"), c.startedMidSession},
        {QStringLiteral("version_evidence"), c.versionEvidence},
        {QStringLiteral("packets"), qint64(c.packets)},
        {QStringLiteral("first"), c.firstSeconds},
        {QStringLiteral("last"), c.lastSeconds},
        {QStringLiteral("messages"), QJsonArray{qint64(c.counts.messages[0]), qint64(c.counts.messages[1]), qint64(c.counts.messages[2])}},
        {QStringLiteral("completed"), qint64(c.counts.completed)},
        {QStringLiteral("resends"), qint64(c.counts.resends)},
        {QStringLiteral("unfinished"), unfinished},
        {QStringLiteral("failed"), failed},
        {QStringLiteral("violations"), violations},
        {QStringLiteral("problems"), problems},
    };
}

QJsonObject summaryJson(const CaptureSummary &s)
{
    return QJsonObject{
        {QStringLiteral("frames"), qint64(s.frames)},
        {QStringLiteral("connections"), qint64(s.connections)},
        {QStringLiteral("messages"), QJsonArray{qint64(s.messages[0]), qint64(s.messages[1]), qint64(s.messages[2])}},
        {QStringLiteral("completed"), qint64(s.completed)},
        {QStringLiteral("failed"), qint64(s.failed)},
        {QStringLiteral("unfinished"), qint64(s.unfinished)},
        {QStringLiteral("stalls"), qint64(s.stalls)},
        {QStringLiteral("resends"), qint64(s.resends)},
        {QStringLiteral("violations"), qint64(s.violations)},
        {QStringLiteral("problems"), qint64(s.problems)},
        {QStringLiteral("notes"), QJsonArray::fromStringList(QStringList(s.notes.begin(), s.notes.end()))},
        {QStringLiteral("notes_not_listed"), qint64(s.notesNotListed)},
    };
}

QString notesText(const CaptureSummary &s)
{
    QStringList lines;
    for (const QString &n : s.notes)
        lines << QStringLiteral("note: ") + n;
    if (s.notesNotListed > 0)
        lines << QStringLiteral("note: %1 more notes not listed").arg(s.notesNotListed);
    return lines.join(QLatin1Char('\n'));
}

QString summaryText(const CaptureSummary &s)
{
    return QStringLiteral("summary: %1 connections; messages QoS 0: %2, QoS 1: %3, QoS 2: %4; flows completed %5, failed %6, "
                          "unfinished %7 (%8 stalled); resends %9; violations %10; decode errors %11")
        .arg(s.connections)
        .arg(s.messages[0])
        .arg(s.messages[1])
        .arg(s.messages[2])
        .arg(s.completed)
        .arg(s.failed)
        .arg(s.unfinished)
        .arg(s.stalls)
        .arg(s.resends)
        .arg(s.violations)
        .arg(s.problems);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

int analyzeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Analyses the MQTT connections of a capture (pcap or pcapng) as MQTT Scope analyses live traffic: per connection, "
        "the QoS 1 and 2 flows that did not complete (what each waited for, and for how long, at the capture's end), "
        "resends, and every rule either side broke, with its spec id; then a summary.\n\nExit status: 0 when nothing is "
        "wrong; 1 when a flow stalled, a side broke a rule or a stream could not be decoded; 2 on a usage error or a "
        "file that cannot be read as a capture."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The capture to read."));
    parser.addOption({QStringLiteral("port"),
                      QStringLiteral("The broker's TCP port (default: 1883, 8883 and any stream that starts with a CONNECT)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("stall-after"),
                      QStringLiteral("A flow still open at the capture's end is a stall when it had waited longer than this "
                                     "(default 0: every unfinished flow)."),
                      QStringLiteral("SECONDS"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON document: {\"connections\": [...], \"summary\": {...}}.")});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("analyze"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return usageError(QStringLiteral("analyze"), QStringLiteral("give exactly one capture file."));
    const auto ports = capturePorts(parser);
    if (!ports)
        return usageError(QStringLiteral("analyze"), ports.sentence());
    bool ok = false;
    const double stallAfter = parser.value(QStringLiteral("stall-after")).toDouble(&ok);
    if (!ok || stallAfter < 0)
        return usageError(QStringLiteral("analyze"), QStringLiteral("--stall-after must be a number of seconds, 0 or more, not '%1'.")
                                                         .arg(parser.value(QStringLiteral("stall-after"))));

    const AnalysisOptions options{.ports = *ports, .stallAfterUs = qint64(stallAfter * kUsPerSecond)};
    const bool json = parser.isSet(QStringLiteral("json"));
    bool first = true;
    if (json)
        out(QStringLiteral("{\"connections\": ["));
    const auto summary = analyzeCapture(files.first(), options, [&](const AnalyzedConnection &c) {
        if (!json)
            return printText(c, options.stallAfterUs);
        out((first ? QString() : QStringLiteral(",")) + compact(connectionJson(c, options.stallAfterUs)));
        first = false;
    });
    if (!summary) {
        if (json)
            out(QStringLiteral("], \"error\": %1}").arg(QString::fromUtf8(QJsonDocument(QJsonArray{summary.sentence()}).toJson(QJsonDocument::Compact)).mid(1).chopped(1)));
        err(QStringLiteral("mqttscope-cli analyze: ") + summary.sentence() + portAdvice(summary.problem()));
        return 2;
    }
    if (json)
        out(QStringLiteral("], \"summary\": %1}").arg(compact(summaryJson(*summary))));
    else if (const QString notes = notesText(*summary); !notes.isEmpty())
        out(notes + QLatin1Char('\n') + summaryText(*summary));
    else
        out(summaryText(*summary));
    return summary->clean() ? 0 : 1;
}

} // namespace mqs::cli
