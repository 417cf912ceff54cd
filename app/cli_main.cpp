// mqttscope-cli: the engine of MQTT Scope, headless, for scripts and CI.

#include "cli_commands.h"

#include <QCoreApplication>

#include <cstdio>

namespace {

struct Command {
    const char *name;
    const char *summary;
    int (*run)(const QStringList &arguments);
};

const Command kCommands[] = {
    {"pub", "publish messages (mosquitto_pub's flags, plus --store and --trace)", mqs::cli::pubCommand},
    {"sub", "subscribe and print messages (mosquitto_sub's flags, plus --store and --trace)", mqs::cli::subCommand},
    {"history", "print the message history kept in a session store", mqs::cli::historyCommand},
    {"broker", "run the sandbox broker (a debugging sandbox, not a production broker)", mqs::cli::brokerCommand},
    {"demo", "run the demo: sandbox broker, a sensor publishing at QoS 2, a dashboard; print every packet", mqs::cli::demoCommand},
    {"proxy", "stand between devices and their broker: trace every packet, break handshakes with fault rules", mqs::cli::proxyCommand},
    {"decode", "list the MQTT packets of a pcap/pcapng capture", mqs::cli::decodeCommand},
    {"analyze", "check a capture's MQTT connections: unfinished flows, resends, rules broken (exit 1)", mqs::cli::analyzeCommand},
    {"run", "run a scenario file: steps and expectations, pass/fail, JUnit XML for CI", mqs::cli::runCommand},
    {"probe", "probe a broker's QoS 2 and session behaviour: a verdict per check, with the rule and the packets", mqs::cli::probeCommand},
    {"capture", "capture MQTT live on a network interface (libpcap), print it, save it as pcapng", mqs::cli::captureCommand},
};

void printUsage(FILE *stream)
{
    std::fprintf(stream, "Usage: mqttscope-cli COMMAND [OPTIONS...]\n\nCommands:\n");
    for (const Command &c : kCommands)
        std::fprintf(stream, "  %-10s %s\n", c.name, c.summary);
    std::fprintf(stream, "\nRun 'mqttscope-cli COMMAND --help' for a command's options.\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mqttscope-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printUsage(stderr);
        return 2;
    }
    const QString name = arguments.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h") || name == QLatin1String("help")) {
        printUsage(stdout);
        return 0;
    }
    if (name == QLatin1String("--version")) {
        std::printf("mqttscope-cli %s\n", qPrintable(QCoreApplication::applicationVersion()));
        return 0;
    }
    for (const Command &c : kCommands)
        if (name == QLatin1String(c.name))
            return c.run(QStringList{arguments.at(0) + QLatin1Char(' ') + name} + arguments.mid(2));
    std::fprintf(stderr, "mqttscope-cli: unknown command '%s'.\n\n", qPrintable(name));
    printUsage(stderr);
    return 2;
}
