#include "cli_commands.h"

#include <QCommandLineParser>

#include <cstdio>

namespace mqs::cli {

QString portAdvice(const Problem &problem)
{
    // Core says the capture holds no MQTT on the ports named; naming another is this front end's flag.
    return problem.kind == ProblemKind::InvalidInput ? QStringLiteral(" Give the broker's port with --port.") : QString();
}

Result<std::vector<quint16>> capturePorts(const QCommandLineParser &parser)
{
    if (!parser.isSet(QStringLiteral("port")))
        return std::vector<quint16>{};
    bool ok = false;
    const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return Problem{ProblemKind::InvalidInput,
                       QStringLiteral("--port must be 1 to 65535, not '%1'.").arg(parser.value(QStringLiteral("port")))};
    return std::vector<quint16>{quint16(port)};
}

QString tlsAdvice(const Problem &problem)
{
    if (problem.kind != ProblemKind::Tls)
        return {};
    return QStringLiteral(" Give the broker's CA with --cafile, a client certificate with --cert and --key, or use "
                          "--insecure to skip verification.");
}

int usageError(const QString &command, const QString &text)
{
    std::fprintf(stderr, "mqttscope-cli %s: %s\nRun 'mqttscope-cli %s --help' for the options.\n", qPrintable(command),
                 qPrintable(text), qPrintable(command));
    return 2;
}

void out(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void err(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

} // namespace mqs::cli
