#include "probe.h"

#include "trace/trace_text.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUuid>

namespace mqs {
namespace {

// Enough packets to show a handshake going wrong on both hops without burying it.
constexpr int kEvidenceLines = 14;

// Each run gets client ids and a topic of its own, so a broker's sessions from an earlier run
// (or another check) never answer for this one.
QString runId(const QString &checkId)
{
    return QStringLiteral("mqs-%1-%2").arg(checkId.left(12), QUuid::createUuid().toString(QUuid::Id128).left(8));
}

bool concernsHandshake(PacketType type)
{
    return belongsToFlow(type) || type == PacketType::ConnAck || type == PacketType::Disconnect;
}

// The last handshake packets and notes on the lanes of `client` (every lane when empty), as trace lines.
QStringList evidenceOf(const TraceLog &trace, const QString &client)
{
    QStringList lines;
    for (quint64 s = trace.endSequence(); s-- > trace.firstSequence() && lines.size() < kEvidenceLines;) {
        const std::optional<TraceConnection> lane = trace.connection(trace.connectionOf(s));
        const bool packet = trace.kindOf(s) == TraceKind::Packet && concernsHandshake(trace.typeOf(s));
        if ((packet || trace.kindOf(s) != TraceKind::Packet) && lane && (client.isEmpty() || lane->name == client))
            lines.prepend(traceLine(trace, s).trimmed());
    }
    return lines;
}

// The client a step's description begins with ("queued caught no violation ..." -> "queued").
QString clientNamed(const StepOutcome &step, const Scenario &scenario)
{
    QString text = step.description;
    text.remove(QRegularExpression(QStringLiteral("^(expect|wait until) ")));
    for (const ScenarioClient &c : scenario.clients)
        if (text.startsWith(c.name + QLatin1Char(' ')) || text.startsWith(c.name + QStringLiteral("'s ")))
            return c.name;
    return {};
}

void judge(ProbeCheck &check, const Scenario &scenario, const TraceLog &trace)
{
    const auto &steps = check.outcome.steps;
    const auto deviation = std::find_if(steps.begin(), steps.end(), [](const StepOutcome &s) { return !s.passed && !s.spec.isEmpty() && s.expectation; });
    const auto failure = std::find_if(steps.begin(), steps.end(), [](const StepOutcome &s) { return !s.passed; });
    if (failure == steps.end()) {
        check.verdict = ProbeVerdict::Conforms;
        return;
    }
    const StepOutcome &shown = deviation != steps.end() ? *deviation : *failure;
    check.verdict = deviation != steps.end() ? ProbeVerdict::Deviates : ProbeVerdict::Inconclusive;
    check.spec = deviation != steps.end() ? deviation->spec : QString();
    check.why = shown.description + QStringLiteral(": ") + shown.detail;
    check.evidence = evidenceOf(trace, clientNamed(shown, scenario));
}

} // namespace

QString probeVerdictName(ProbeVerdict verdict)
{
    switch (verdict) {
    case ProbeVerdict::Conforms: return QStringLiteral("conforms");
    case ProbeVerdict::Deviates: return QStringLiteral("deviates");
    case ProbeVerdict::NotSupported: return QStringLiteral("not supported");
    case ProbeVerdict::Inconclusive: return QStringLiteral("inconclusive");
    }
    return {};
}

QStringList probeCheckFiles()
{
    // The order a reader meets them in: the plain handshake first, the audit (the longest) last.
    static const QStringList order{QStringLiteral("qos2-exactly-once"), QStringLiteral("cut-after-publish"),
                                   QStringLiteral("cut-after-pubrec"), QStringLiteral("cut-after-pubrel"),
                                   QStringLiteral("cut-after-pubcomp"), QStringLiteral("duplicate-publish-before-pubrel"),
                                   QStringLiteral("unknown-pubrel"), QStringLiteral("receive-maximum"),
                                   QStringLiteral("delivery-audit")};
    QStringList files;
    for (const QString &id : order)
        files << QStringLiteral(":/probe/%1.json").arg(id);
    return files;
}

ProbeCheck runProbeCheck(const QString &file, const ProbeOptions &options, const std::function<void(const StepOutcome &)> &progress)
{
    TraceLog trace;
    return runProbeCheck(file, options, trace, progress);
}

ProbeCheck runProbeCheck(const QString &file, const ProbeOptions &options, TraceLog &trace,
                         const std::function<void(const StepOutcome &)> &progress, const std::function<bool()> &stopRequested)
{
    ProbeCheck check;
    check.id = QFileInfo(file).completeBaseName();
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) {
        check.why = QStringLiteral("cannot read %1: %2").arg(file, in.errorString());
        return check;
    }
    const QMap<QString, QString> variables{{QStringLiteral("BROKER_URL"), options.brokerUrl},
                                           {QStringLiteral("VERSION"), options.version == ProtocolVersion::V5 ? QStringLiteral("5") : QStringLiteral("3.1.1")},
                                           {QStringLiteral("RUN"), runId(check.id)},
                                           {QStringLiteral("BURST"), QString::number(options.burst)}};
    const Result<Scenario> scenario = parseScenario(in.readAll(), variables);
    if (!scenario) {
        check.why = scenario.sentence();
        return check;
    }
    check.name = scenario->name;
    check.description = scenario->description;
    if (scenario->requiresVersion && *scenario->requiresVersion != options.version) {
        check.verdict = ProbeVerdict::NotSupported;
        check.why = QStringLiteral("needs %1; probed with %2").arg(versionName(*scenario->requiresVersion), versionName(options.version));
        return check;
    }
    check.outcome = runScenario(*scenario, trace, progress, stopRequested);
    judge(check, *scenario, trace);
    return check;
}

} // namespace mqs
