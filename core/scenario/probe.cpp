#include "probe.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "trace/trace_text.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>
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

// The last handshake packets and notes on the lanes of `client` (every lane when empty), oldest first.
std::vector<quint64> evidenceSequences(const TraceLog &trace, const QString &client)
{
    std::vector<quint64> found;
    for (quint64 s = trace.endSequence(); s-- > trace.firstSequence() && found.size() < size_t(kEvidenceLines);) {
        const std::optional<TraceConnection> lane = trace.connection(trace.connectionOf(s));
        const bool packet = trace.kindOf(s) == TraceKind::Packet && concernsHandshake(trace.typeOf(s));
        if ((packet || trace.kindOf(s) != TraceKind::Packet) && lane && (client.isEmpty() || lane->name == client))
            found.insert(found.begin(), s);
    }
    return found;
}

QString markText(TraceMark mark)
{
    switch (mark) {
    case TraceMark::Held: return QStringLiteral(" [held]");
    case TraceMark::Released: return QStringLiteral(" [released]");
    case TraceMark::Dropped: return QStringLiteral(" [dropped]");
    case TraceMark::Delayed: return QStringLiteral(" [delayed]");
    case TraceMark::Duplicated: return QStringLiteral(" [duplicated]");
    case TraceMark::None: break;
    }
    return {};
}

EvidenceEvent evidenceEvent(const TraceLog &trace, quint64 s)
{
    const TraceConnection lane = trace.connection(trace.connectionOf(s)).value_or(TraceConnection{});
    EvidenceEvent event{trace.timeUs(s), lane.localParty, {}, {}, trace.markOf(s)};
    if (trace.kindOf(s) != TraceKind::Packet) {
        event.label = trace.noteOf(s);
        return event;
    }
    const bool sent = trace.directionOf(s) == TraceDirection::Sent;
    event.from = partyName(trace, lane, !sent);
    event.to = partyName(trace, lane, sent);
    const auto decoded = decodePacket(trace.rawView(s), lane.version);
    event.label = (std::holds_alternative<Packet>(decoded) ? describe(std::get<Packet>(decoded), lane.version)
                                                           : std::get<ProtocolError>(decoded).toString())
                  + markText(event.mark);
    return event;
}

void recordEvidence(ProbeCheck &check, const TraceLog &trace, const QString &client)
{
    for (const quint64 s : evidenceSequences(trace, client)) {
        check.evidence << traceLine(trace, s).trimmed();
        check.diagram.push_back(evidenceEvent(trace, s));
    }
}

// The first CONNACK a client of the check received: what the broker says of itself.
void recordConnAck(ProbeCheck &check, const TraceLog &trace)
{
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != PacketType::ConnAck || trace.directionOf(s) != TraceDirection::Received)
            continue;
        const ProtocolVersion version = trace.connection(trace.connectionOf(s)).value_or(TraceConnection{}).version;
        const auto decoded = decodePacket(trace.rawView(s), version);
        const auto *connack = std::get_if<Packet>(&decoded) ? std::get_if<ConnAck>(std::get_if<Packet>(&decoded)) : nullptr;
        if (!connack)
            continue;
        check.connack = describe(*connack, version);
        for (const Property &p : connack->properties.items())
            check.connackProperties << QStringLiteral("%1: %2").arg(propertyName(p.id), propertyValueText(p));
        return;
    }
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
    if (failure->unsupported) {
        check.verdict = ProbeVerdict::NotSupported;
        check.why = failure->detail;
        return;
    }
    const StepOutcome &shown = deviation != steps.end() ? *deviation : *failure;
    check.verdict = deviation != steps.end() ? ProbeVerdict::Deviates : ProbeVerdict::Inconclusive;
    check.spec = deviation != steps.end() ? deviation->spec : QString();
    check.why = shown.description + QStringLiteral(": ") + shown.detail;
    recordEvidence(check, trace, clientNamed(shown, scenario));
}

// The reach check's connection: a client id of its own and a clean session, so it leaves nothing
// at the broker for a check to find.
ConnectionSettings reachSettings(const ProbeOptions &options, const ServerUrl &url, int timeoutMs)
{
    ConnectionSettings settings;
    settings.clientId = runId(QStringLiteral("reach"));
    settings.name = settings.clientId;
    settings.url = url;
    settings.tls = options.tls;
    settings.version = options.version;
    settings.username = options.username;
    settings.password = options.password;
    settings.connectTimeoutMs = timeoutMs;
    return settings;
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
    static const QStringList order{
        QStringLiteral("qos2-exactly-once"), QStringLiteral("cut-after-publish"), QStringLiteral("cut-after-pubrec"),
        QStringLiteral("cut-after-pubrel"), QStringLiteral("cut-after-pubcomp"), QStringLiteral("duplicate-publish-before-pubrel"),
        QStringLiteral("dup-publish-never-seen"), QStringLiteral("packet-id-reuse"), QStringLiteral("unknown-pubrel"),
        QStringLiteral("pubrec-failure-ends-flow"), QStringLiteral("receive-maximum"), QStringLiteral("maximum-packet-size"),
        QStringLiteral("broker-maximum-packet-size"), QStringLiteral("session-present"), QStringLiteral("session-expiry"),
        QStringLiteral("takeover"), QStringLiteral("will"), QStringLiteral("will-delay"), QStringLiteral("retained-qos-downgrade"),
        QStringLiteral("retained-message-expiry"), QStringLiteral("overlapping-subscriptions"), QStringLiteral("dollar-topics"),
        QStringLiteral("shared-subscription"), QStringLiteral("topic-aliases"), QStringLiteral("delivery-audit")};
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
    Result<Scenario> scenario = parseScenario(in.readAll(), variables);
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
    for (ScenarioClient &client : scenario->clients) {
        client.settings.tls = options.tls;
        client.settings.username = options.username;
        client.settings.password = options.password;
    }
    check.outcome = runScenario(*scenario, trace, progress, stopRequested);
    judge(check, *scenario, trace);
    recordConnAck(check, trace);
    return check;
}

BrokerReach::BrokerReach(QObject *parent)
    : QObject(parent)
    , m_trace(TraceLog::kKeepOnlyNewest)
{
}

BrokerReach::~BrokerReach() = default;

Status BrokerReach::start(const ProbeOptions &options, int timeoutMs)
{
    const Result<ServerUrl> url = ServerUrl::parse(options.brokerUrl);
    if (!url)
        return url.problem();
    m_answer.reset();
    m_refusal.reset();
    m_connection = std::make_unique<Connection>(reachSettings(options, *url, timeoutMs), m_trace, nullptr);
    connect(m_connection.get(), &Connection::stateChanged, this, [this](ConnectionState state) {
        if (state == ConnectionState::Connected)
            answer(Status{});
    });
    connect(m_connection.get(), &Connection::errorOccurred, this, [this](const Problem &problem) { answer(problem); });
    connect(m_connection.get(), &Connection::sessionEvent, this, [this](const SessionEvent &event) {
        if (const auto *refused = std::get_if<ConnectionRefused>(&event))
            m_refusal = refused->reason;
    });
    m_opening = true;
    m_connection->open();
    m_opening = false;
    if (m_answer) { // open() said no at once: the options, not the broker
        const Status problem = *m_answer;
        m_connection.reset();
        return problem;
    }
    return {};
}

bool BrokerReach::credentialsRefused() const
{
    return m_refusal == ReasonCode::BadUserNameOrPassword || m_refusal == ReasonCode::NotAuthorized;
}

// The first answer counts: the transport's close after a refusal or a timeout says nothing new.
// It is told at the next turn of the event loop, when the CONNACK's reason (sessionEvent, which
// follows errorOccurred) is in too.
void BrokerReach::answer(const Status &reached)
{
    if (m_answer)
        return;
    m_answer = reached;
    if (m_opening)
        return;
    QTimer::singleShot(0, m_connection.get(), [this] {
        // Deaf first: a plain TCP transport reports our own close at once, which is not the broker's answer.
        m_connection->disconnect(this);
        m_connection->close();
        emit finished(*m_answer);
    });
}

} // namespace mqs
