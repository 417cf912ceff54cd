#pragma once
// Runs a scenario given as JSON text in this process, for the scenario tests: each step's outcome
// as one "PASS description: detail" line.

#include "scenario/scenario_runner.h"

#include <QTest>

#include <memory>

namespace mqs::test {

struct Run {
    ScenarioOutcome outcome;
    QString text; // every step: "PASS description: detail"
    std::shared_ptr<TraceLog> trace; // what crossed the clients' connections
};

// Parses `json` with BROKER_URL and runs it; a parse problem fails the calling test through `problem`.
inline Run runJson(const QByteArray &json, const QString &brokerUrl, QString *problem = nullptr)
{
    // Client ids of their own per run: the brokers keep persistent sessions between tests.
    static int runs = 0;
    const QString prefix = QStringLiteral("%1-%2").arg(QString::fromLatin1(QTest::currentTestFunction())).arg(++runs);
    const Result<Scenario> scenario = parseScenario(json, {{QStringLiteral("BROKER_URL"), brokerUrl}, {QStringLiteral("ID"), prefix}});
    if (!scenario) {
        if (problem)
            *problem = scenario.sentence();
        return {};
    }
    auto trace = std::make_shared<TraceLog>();
    Run run{runScenario(*scenario, *trace), {}, trace};
    for (const StepOutcome &s : run.outcome.steps)
        run.text += QStringLiteral("%1 %2: %3\n").arg(s.passed ? "PASS" : "FAIL", s.description, s.detail);
    return run;
}

} // namespace mqs::test
