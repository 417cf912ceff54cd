#pragma once
// The two brokers the scenario step tests run against, started once for their test binary (it
// runs both test classes, tst_scenario_steps and tst_scenario_session_steps, one after the other):
// the sandbox broker in this process and a real mosquitto.

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"

#include <memory>

namespace mqs::test {

struct ScenarioBrokers {
    std::unique_ptr<SandboxBroker> sandbox;
    std::unique_ptr<MosquittoBroker> mosquitto;

    // Starts both; a problem naming the one that did not come up.
    [[nodiscard]] Status start();
};

// Each test class, run by QTest::qExec against `brokers`; its exit code.
int runScenarioStepTests(const ScenarioBrokers &brokers, int argc, char **argv);
int runScenarioSessionStepTests(const ScenarioBrokers &brokers, int argc, char **argv);

} // namespace mqs::test
