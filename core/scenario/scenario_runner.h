#pragma once
// Runs a Scenario headless: one Connection per client over one trace, the steps in order, each
// expectation polled until it holds or its time runs out. A received message's sequence number is
// its payload's "seq" field when the payload is a JSON object, else the payload read as a number
// (a template "{{seq}}" gives both).

#include "scenario.h"

#include "trace/trace_log.h"

#include <functional>

namespace mqs {

struct StepOutcome {
    QString description; // describeStep()
    bool expectation = false;
    bool passed = false;
    QString detail; // why it failed, or what was seen
    qint64 elapsedMs = 0;
    QString spec{}; // the step's "spec": the rule its failure means was broken
    quint64 firstEvent = 0; // the trace events while it ran: [firstEvent, endEvent)
    quint64 endEvent = 0;
    bool unsupported = false; // a "require" step: the broker declared it lacks what the scenario needs
};

struct ScenarioOutcome {
    QString name;
    std::vector<StepOutcome> steps;
    bool passed() const;
    int failures() const;
};

// Runs `scenario` to the end (a failed step stops the run; a failed expectation does not), calling
// `progress` after each step. Spins the event loop of the calling thread. When `stopRequested`
// answers true (asked while waiting and between steps), the step under way fails as stopped and
// the run ends there: the window's Cancel button.
ScenarioOutcome runScenario(const Scenario &scenario, TraceLog &trace,
                            const std::function<void(const StepOutcome &)> &progress = {},
                            const std::function<bool()> &stopRequested = {});

// The sequence number a payload carries, or nothing (see above).
std::optional<int> sequenceNumberOf(const QByteArray &payload);

} // namespace mqs
