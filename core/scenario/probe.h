#pragma once
// The broker probe: the check scenarios shipped in resources/probe/ (compiled in as ":/probe"),
// each run against one broker and read as a verdict with its rule and its evidence.

#include "scenario_runner.h"

#include "client/connection.h"

#include <QStringList>

#include <memory>

namespace mqs {

enum class ProbeVerdict : quint8 {
    Conforms,
    Deviates, // an expectation with a "spec" failed: the broker broke that rule
    NotSupported, // the check needs what the broker (or the version probed) lacks
    Inconclusive, // a step failed, or an expectation without a rule: we cannot say
};

QString probeVerdictName(ProbeVerdict verdict); // "conforms", "deviates", "not supported", "inconclusive"

struct ProbeOptions {
    QString brokerUrl;
    ProtocolVersion version = ProtocolVersion::V5;
    int burst = 1100; // the delivery audit's messages: more than mosquitto's default queue of 1000
    TlsOptions tls{}; // every client's, for an mqtts:// or wss:// broker
    std::optional<QString> username{}; // every client's CONNECT, for a broker that refuses anonymous clients
    std::optional<QByteArray> password{};
};

// One packet (or note) of a check's evidence, placed for a sequence diagram (the HTML report).
struct EvidenceEvent {
    qint64 timeUs = 0; // trace time
    QString from; // the lane that sent it, as the trace names parties ("publisher", "broker 127.0.0.1:1883")
    QString to; // the lane that received it; empty for a note (cut, closed) on `from`'s lifeline
    QString label; // "PUBREC id=3 0x97 Quota exceeded", with the fault rule's mark
    TraceMark mark = TraceMark::None;
};

struct ProbeCheck {
    QString id; // the file's base name: "receive-maximum"
    QString name;
    QString description;
    ProbeVerdict verdict = ProbeVerdict::Inconclusive;
    QString spec; // the rule broken (Deviates)
    QString why; // the failed expectation's detail, or why the check says nothing
    QStringList evidence; // trace lines of the packets that show it (Deviates, Inconclusive)
    std::vector<EvidenceEvent> diagram; // the same packets, for a sequence diagram
    // The first CONNACK the broker sent in this check: its summary and its properties ("Receive Maximum: 20").
    QString connack;
    QStringList connackProperties;
    ScenarioOutcome outcome;
};

// The check files, in the order the probe runs them: ":/probe/….json".
QStringList probeCheckFiles();

// Runs the check in `file` (see probeCheckFiles()); `progress` as runScenario's.
ProbeCheck runProbeCheck(const QString &file, const ProbeOptions &options,
                         const std::function<void(const StepOutcome &)> &progress = {});
// The same, its packets recorded in `trace` (the window's, so a deviation can be shown on its
// diagram); `stopRequested` as runScenario's.
ProbeCheck runProbeCheck(const QString &file, const ProbeOptions &options, TraceLog &trace,
                         const std::function<void(const StepOutcome &)> &progress,
                         const std::function<bool()> &stopRequested = {});

// How long the reach check waits for the broker's CONNACK, TCP, TLS and WebSocket handshakes
// included: long enough for a distant broker over TLS. A broker that does not answer in this time
// would only make every check inconclusive, one timeout at a time.
inline constexpr int kBrokerReachTimeoutMs = 10000;

// The check before the checks: one connection with the probe's options (URL, version, TLS, user
// name and password), CONNECT answered by CONNACK, then DISCONNECT. A broker that is not there or
// silent, a certificate not trusted or credentials refused are then one problem, not 25
// inconclusive checks. The problem's kind says what went wrong (Network, Tls, Refused, Protocol;
// File or InvalidInput for options that cannot be used) and each front end says what to do.
class BrokerReach : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrokerReach)
public:
    explicit BrokerReach(QObject *parent = nullptr);
    ~BrokerReach() override;

    // Connects. Options that cannot be used (a TLS file missing or not PEM, a 3.1.1 password
    // without a user name) are the problem returned, and nothing follows; otherwise finished()
    // follows once, at a later turn of the event loop, within `timeoutMs`. Starting again
    // abandons a reach under way.
    [[nodiscard]] Status start(const ProbeOptions &options, int timeoutMs = kBrokerReachTimeoutMs);
    // Whether the last answer was a CONNACK refusing the user name and password (5.0: 0x86, 0x87;
    // 3.1.1: 0x04, 0x05), so the front end points at its credentials rather than the broker's other reasons.
    bool credentialsRefused() const;

signals:
    // Success when the broker accepted the CONNECT; else why not.
    void finished(const mqs::Status &reached);

private:
    void answer(const Status &reached);

    TraceLog m_trace; // the connection's packets; nobody reads them (before m_connection, which records into it)
    std::unique_ptr<Connection> m_connection;
    bool m_opening = false; // inside Connection::open(): a problem now is one of the options
    std::optional<Status> m_answer;
    std::optional<ReasonCode> m_refusal; // the CONNACK's, when it refused
};

} // namespace mqs
