#pragma once
// A scenario's outcome as JUnit XML, the report format CI systems (GitLab, Jenkins, GitHub
// actions) show: one testsuite, one testcase per step, <failure> on the ones that did not hold.

#include "scenario_runner.h"

#include <QIODevice>

namespace mqs {

void writeJUnit(const ScenarioOutcome &outcome, QIODevice &out);

} // namespace mqs
