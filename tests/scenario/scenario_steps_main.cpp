// One test binary for the scenario runner's step kinds: both test classes share one sandbox
// broker and one mosquitto instead of starting their own.

#include "scenario_brokers.h"

#include <QCoreApplication>

#include <cstdio>

namespace mqs::test {
namespace {

// Small enough that a burst to an offline subscriber overflows it: mosquitto's silent drop.
constexpr int kMosquittoQueuePerClient = 5;

} // namespace

Status ScenarioBrokers::start()
{
    sandbox = std::make_unique<SandboxBroker>(SandboxBroker::Options{}, nullptr);
    if (const Status started = sandbox->start(); !started)
        return Problem{started.problem().kind, QStringLiteral("The sandbox broker did not start: ") + started.sentence()};
    MosquittoBroker::Options options;
    options.extraConfig << QStringLiteral("max_queued_messages %1").arg(kMosquittoQueuePerClient);
    mosquitto = std::make_unique<MosquittoBroker>(options);
    if (const Status started = mosquitto->start(); !started)
        return Problem{started.problem().kind, QStringLiteral("mosquitto did not start: ") + started.sentence()};
    return {};
}

} // namespace mqs::test

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    mqs::test::ScenarioBrokers brokers;
    if (const mqs::Status started = brokers.start(); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.sentence()));
        return 1;
    }
    const int steps = mqs::test::runScenarioStepTests(brokers, argc, argv);
    const int sessionSteps = mqs::test::runScenarioSessionStepTests(brokers, argc, argv);
    return steps != 0 || sessionSteps != 0 ? 1 : 0;
}
