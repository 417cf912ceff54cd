#pragma once
// The broker probe: the check scenarios shipped in resources/probe/ (compiled in as ":/probe"),
// each run against one broker and read as a verdict with its rule and its evidence.

#include "scenario_runner.h"

#include <QStringList>

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

} // namespace mqs
