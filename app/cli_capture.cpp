// mqttscope-cli capture -i IFACE [--port N] [--write FILE.pcapng] [--duration S]

#include "cli_commands.h"

#include "protocol/overloaded.h"
#include "trace/live_capture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <csignal>

namespace mqs::cli {
namespace {

volatile std::sig_atomic_t g_stopRequested = 0;
// How often a stop asked for by Ctrl+C or SIGTERM is noticed.
constexpr int kStopCheckMs = 50;

void requestStop(int)
{
    g_stopRequested = 1;
}

QString noteLine(const CaptureStreamNote &note)
{
    return (note.error ? QStringLiteral("error: ") : QStringLiteral("note: ")) + note.sentence;
}

struct CaptureOptions {
    LiveCapture::Options live;
    int durationMs = 0; // 0: until interrupted
};

std::optional<int> parse(const QStringList &arguments, CaptureOptions &options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Captures MQTT on a network interface with libpcap (filtered in the kernel to the MQTT ports) and prints every "
        "packet as it crosses, like 'decode'. Stops on Ctrl+C or after --duration.\n\nExit status: 0 when the capture "
        "ran; 1 when it could not start (no such interface, no right to capture, the file cannot be written) or "
        "stopped on an error; 2 on usage errors."));
    parser.addHelpOption();
    parser.addOption({{QStringLiteral("i"), QStringLiteral("interface")}, QStringLiteral("The interface, e.g. eth0 or lo."),
                      QStringLiteral("IFACE")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("The broker's TCP port (default: 1883 and 8883)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("write"), QStringLiteral("Also save every captured frame to this pcapng file."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("duration"), QStringLiteral("Stop after this many seconds."), QStringLiteral("S")});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("capture"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (!parser.isSet(QStringLiteral("interface")) || !parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("capture"), QStringLiteral("give the interface to capture on with -i, e.g. -i lo."));
    options.live.interfaceName = parser.value(QStringLiteral("interface"));
    options.live.savePath = parser.value(QStringLiteral("write"));
    bool ok = true;
    if (parser.isSet(QStringLiteral("port"))) {
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return usageError(QStringLiteral("capture"),
                              QStringLiteral("--port must be 1 to 65535, not '%1'.").arg(parser.value(QStringLiteral("port"))));
        options.live.ports = {quint16(port)};
    }
    if (parser.isSet(QStringLiteral("duration"))) {
        const double seconds = parser.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || seconds <= 0)
            return usageError(QStringLiteral("capture"), QStringLiteral("--duration must be a number of seconds above 0."));
        options.durationMs = int(seconds * 1000);
    }
    return std::nullopt;
}

// The sentence for a capture that could not start, with what to do when rights are missing.
QString startProblem(const Problem &problem)
{
    if (problem.kind != ProblemKind::Privileges)
        return problem.sentence;
    return problem.sentence + QLatin1Char(' ') + captureRightsAdvice(QCoreApplication::applicationFilePath());
}

} // namespace

int captureCommand(const QStringList &arguments)
{
    CaptureOptions options;
    if (const auto exit = parse(arguments, options))
        return *exit;
    LiveCapture capture([](CaptureItem item) {
        std::visit(overloaded{
                       [](const CapturedPacket &packet) { out(captureLine(packet)); },
                       [](const CaptureStreamNote &note) { err(noteLine(note)); },
                   },
                   item);
    });
    if (Status started = capture.start(options.live); !started) {
        err(QStringLiteral("mqttscope-cli capture: ") + startProblem(started.problem()));
        return 1;
    }
    err(QStringLiteral("Capturing on %1 (%2)%3; Ctrl+C stops.")
            .arg(options.live.interfaceName, capture.filter(),
                 options.live.savePath.isEmpty() ? QString() : QStringLiteral(", saving to ") + options.live.savePath));
    int exitCode = 0;
    QObject::connect(&capture, &LiveCapture::failed, [&](const Problem &problem) {
        err(QStringLiteral("mqttscope-cli capture: ") + problem.sentence);
        exitCode = 1;
        QCoreApplication::quit();
    });
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    QTimer stopCheck;
    QObject::connect(&stopCheck, &QTimer::timeout, [] {
        if (g_stopRequested)
            QCoreApplication::quit();
    });
    stopCheck.start(kStopCheckMs);
    if (options.durationMs > 0)
        QTimer::singleShot(options.durationMs, qApp, &QCoreApplication::quit);
    QCoreApplication::exec();
    capture.stop();
    err(QStringLiteral("Captured %1 frames; %2 MQTT streams.").arg(capture.frames()).arg(capture.streams().streams().size()));
    return exitCode;
}

} // namespace mqs::cli
