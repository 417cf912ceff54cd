// mqttscope-cli decode FILE [--port N] [--json]

#include "cli_commands.h"

#include "trace/capture_decoder.h"

#include <QCommandLineParser>
#include <QJsonDocument>

namespace mqs::cli {

int decodeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Lists the MQTT packets of a capture (pcap or pcapng), one per line: time, TCP stream, ports and "
                       "the packet. Each TCP stream is reassembled in order.\n\nExit status: 0 when every MQTT stream "
                       "decoded; 1 when the file is not a capture, holds no MQTT on the port, or a stream broke the "
                       "protocol (those lines start with 'error:' on stderr)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The capture to read."));
    parser.addOption({QStringLiteral("port"),
                      QStringLiteral("The broker's TCP port (default: 1883, 8883 and any stream that starts with a CONNECT)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object per line instead of text.")});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("decode"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    const QStringList files = parser.positionalArguments();
    if (files.size() != 1)
        return usageError(QStringLiteral("decode"), QStringLiteral("give exactly one capture file."));
    const auto ports = capturePorts(parser);
    if (!ports)
        return usageError(QStringLiteral("decode"), ports.sentence());

    // Streamed: each packet is printed as it is decoded, so memory does not grow with the file.
    const bool json = parser.isSet(QStringLiteral("json"));
    const auto totals = streamCapture(
        files.first(), *ports,
        {.packet = [&](CapturedPacket &&packet) {
             out(json ? QString::fromUtf8(QJsonDocument(captureJson(packet)).toJson(QJsonDocument::Compact)) : captureLine(packet));
         },
         .problem = [](const CaptureProblem &problem) { err(QStringLiteral("error: ") + problem.toString()); },
         .note = [](const QString &note) { err(QStringLiteral("note: ") + note); }});
    if (!totals) {
        err(QStringLiteral("mqttscope-cli decode: ") + totals.sentence() + portAdvice(totals.problem()));
        return 1;
    }
    return totals->problems == 0 ? 0 : 1;
}

} // namespace mqs::cli
