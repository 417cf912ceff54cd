// mqttscope-cli run: a scenario file headless, for CI. Prints each step and expectation with
// PASS/FAIL, optionally writes JUnit XML and the trace; exit 0 when all hold, 1 otherwise, 2 on a bad file.

#include "cli_commands.h"

#include "scenario/junit_report.h"
#include "scenario/scenario_runner.h"
#include "trace/trace_export.h"

#include <QCommandLineParser>
#include <QFile>
#include <QSaveFile>

namespace mqs::cli {
namespace {

// Exit status when the file cannot be run (usage errors share it, as in every command).
constexpr int kBadFile = 2;

Result<QMap<QString, QString>> variablesFrom(const QStringList &assignments)
{
    QMap<QString, QString> variables;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        if (equals <= 0)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--var takes NAME=VALUE, not '%1'.").arg(assignment)};
        variables.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return variables;
}

bool writeFile(const QString &path, const std::function<void(QIODevice &)> &write)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    write(file);
    return file.commit();
}

} // namespace

int runCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs a scenario file (clients, steps, expectations; see the README's Scenarios section) and prints each "
        "step with PASS or FAIL.\n\nExit status: 0 when every step and expectation held, 1 when one did not, 2 when "
        "the file cannot be read (the message names its line and field)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("SCENARIO"), QStringLiteral("The scenario's JSON file."));
    const QCommandLineOption var{QStringLiteral("var"), QStringLiteral("Gives ${NAME} in the file a value (repeatable)."),
                                 QStringLiteral("NAME=VALUE")};
    const QCommandLineOption junit{QStringLiteral("junit"), QStringLiteral("Writes a JUnit XML report."), QStringLiteral("FILE")};
    const QCommandLineOption trace{QStringLiteral("trace"), QStringLiteral("Writes the packets as a pcap file (Wireshark, the window)."),
                                   QStringLiteral("FILE")};
    parser.addOptions({var, junit, trace});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("run"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("run"), QStringLiteral("give exactly one scenario file."));
    const Result<QMap<QString, QString>> variables = variablesFrom(parser.values(var));
    if (!variables)
        return usageError(QStringLiteral("run"), variables.sentence());
    const QString path = parser.positionalArguments().first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        err(QStringLiteral("mqttscope-cli run: cannot read %1: %2").arg(path, file.errorString()));
        return kBadFile;
    }
    const Result<Scenario> scenario = parseScenario(file.readAll(), *variables);
    if (!scenario) {
        err(QStringLiteral("mqttscope-cli run: %1: %2 Fix the file and run again.").arg(path, scenario.sentence()));
        return kBadFile;
    }
    TraceLog log;
    const ScenarioOutcome outcome = runScenario(*scenario, log, [](const StepOutcome &step) {
        out(QStringLiteral("%1 %2%3").arg(step.passed ? QStringLiteral("PASS") : QStringLiteral("FAIL"), step.description,
                                          step.detail.isEmpty() ? QString() : QStringLiteral(": ") + step.detail));
    });
    out(QStringLiteral("%1: %2 of %3 held").arg(outcome.passed() ? QStringLiteral("passed") : QStringLiteral("FAILED"))
            .arg(int(outcome.steps.size()) - outcome.failures()).arg(scenario->steps.size()));
    bool written = true;
    if (parser.isSet(junit) && !writeFile(parser.value(junit), [&](QIODevice &d) { writeJUnit(outcome, d); })) {
        err(QStringLiteral("mqttscope-cli run: cannot write %1.").arg(parser.value(junit)));
        written = false;
    }
    if (parser.isSet(trace) && !writeFile(parser.value(trace), [&](QIODevice &d) { (void)writePcap(log, d); })) {
        err(QStringLiteral("mqttscope-cli run: cannot write %1.").arg(parser.value(trace)));
        written = false;
    }
    return outcome.passed() && written ? 0 : 1;
}

} // namespace mqs::cli
