// mqttscope-cli broker | demo: the sandbox broker headless, and the demo in a terminal.

#include "cli_commands.h"
#include "cli_connection.h"

#include "broker/sandbox_demo.h"
#include "trace/trace_text.h"

#include <QCoreApplication>

namespace mqs::cli {
namespace {

std::optional<quint16> parsePort(const QCommandLineParser &parser, const QString &name, QString &error)
{
    if (!parser.isSet(name))
        return std::nullopt;
    bool ok = false;
    const uint port = parser.value(name).toUInt(&ok);
    if (!ok || port > 65535) {
        error = QStringLiteral("--%1 must be 0 to 65535 (0: any free port), not '%2'.").arg(name, parser.value(name));
        return std::nullopt;
    }
    return quint16(port);
}

// --maximum-qos, --no-retain, --maximum-packet-size, --connect-timeout; a sentence when one is wrong.
std::optional<QString> parseLimits(const QCommandLineParser &parser, SandboxBroker::Options &options)
{
    bool ok = true;
    if (parser.isSet(QStringLiteral("maximum-qos"))) {
        const uint qos = parser.value(QStringLiteral("maximum-qos")).toUInt(&ok);
        if (!ok || qos > 2)
            return QStringLiteral("--maximum-qos must be 0, 1 or 2.");
        options.core.maximumQoS = QoS(qos);
    }
    options.core.retainAvailable = !parser.isSet(QStringLiteral("no-retain"));
    if (parser.isSet(QStringLiteral("maximum-packet-size"))) {
        const uint bytes = parser.value(QStringLiteral("maximum-packet-size")).toUInt(&ok);
        if (!ok || bytes > kMaximumPossiblePacketSize)
            return QStringLiteral("--maximum-packet-size must be 0 (no limit) to %1 bytes.").arg(kMaximumPossiblePacketSize);
        options.core.maximumPacketSize = bytes;
    }
    if (parser.isSet(QStringLiteral("connect-timeout"))) {
        const int ms = parser.value(QStringLiteral("connect-timeout")).toInt(&ok);
        if (!ok || ms < 1)
            return QStringLiteral("--connect-timeout must be 1 ms or more.");
        options.connectTimeoutMs = ms;
    }
    return std::nullopt;
}

} // namespace

int brokerCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs the sandbox broker on 127.0.0.1 until interrupted. The first line on stdout says where it "
                       "listens. It is a debugging sandbox, not a production broker."));
    parser.addHelpOption();
    parser.addOptions({
        {{QStringLiteral("p"), QStringLiteral("port")}, QStringLiteral("TCP port (default 1883; 0: any free port)."), QStringLiteral("N"),
         QStringLiteral("1883")},
        {QStringLiteral("ws-port"), QStringLiteral("Also accept MQTT over WebSocket on this port."), QStringLiteral("N")},
        {QStringLiteral("store"), QStringLiteral("Keep sessions and retained messages in this SQLite file."), QStringLiteral("FILE")},
        {QStringLiteral("trace"), QStringLiteral("Print every packet on stdout as it happens.")},
        {QStringLiteral("fault"), QStringLiteral("A broker-side fault rule, e.g. \"hold out PUBCOMP client dashboard\" (repeatable)."),
         QStringLiteral("RULE")},
        {QStringLiteral("inbound-method"), QStringLiteral("How it receives QoS 2: B (default: deliver at PUBLISH) or A (at PUBREL)."),
         QStringLiteral("A|B")},
        {QStringLiteral("receive-maximum"), QStringLiteral("QoS 1/2 messages it accepts unacknowledged per client (default 20)."),
         QStringLiteral("N")},
        {QStringLiteral("max-queued"), QStringLiteral("Messages kept per offline client (default 1000)."), QStringLiteral("N")},
        {QStringLiteral("maximum-qos"), QStringLiteral("Highest QoS it accepts (0, 1 or 2; default 2): announced to 5.0 "
                                                       "clients; a will above it is refused."),
         QStringLiteral("N")},
        {QStringLiteral("no-retain"), QStringLiteral("No retained messages: announced to 5.0 clients as Retain Available 0; "
                                                     "a retained PUBLISH or will is refused.")},
        {QStringLiteral("maximum-packet-size"), QStringLiteral("Largest packet it accepts, in bytes (default 1048576; 0: no "
                                                               "limit); announced to 5.0 clients."),
         QStringLiteral("BYTES")},
        {QStringLiteral("connect-timeout"), QStringLiteral("Milliseconds a new connection has to complete its CONNECT "
                                                           "(default 10000)."),
         QStringLiteral("MS")},
    });
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("broker"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    QString error;
    SandboxBroker::Options options;
    options.port = parsePort(parser, QStringLiteral("port"), error).value_or(1883);
    options.webSocketPort = parsePort(parser, QStringLiteral("ws-port"), error);
    if (!error.isEmpty())
        return usageError(QStringLiteral("broker"), error);
    options.storePath = parser.value(QStringLiteral("store"));
    if (parser.isSet(QStringLiteral("inbound-method"))) {
        const QString method = parser.value(QStringLiteral("inbound-method")).toUpper();
        if (method != QLatin1String("A") && method != QLatin1String("B"))
            return usageError(QStringLiteral("broker"), QStringLiteral("--inbound-method must be A or B."));
        options.core.inboundMethod = method == QLatin1String("A") ? InboundMethod::A : InboundMethod::B;
    }
    bool ok = true;
    if (parser.isSet(QStringLiteral("receive-maximum"))) {
        const uint n = parser.value(QStringLiteral("receive-maximum")).toUInt(&ok);
        if (!ok || n == 0 || n > 65535)
            return usageError(QStringLiteral("broker"), QStringLiteral("--receive-maximum must be 1 to 65535."));
        options.core.receiveMaximum = quint16(n);
    }
    if (parser.isSet(QStringLiteral("max-queued"))) {
        const int n = parser.value(QStringLiteral("max-queued")).toInt(&ok);
        if (!ok || n < 0)
            return usageError(QStringLiteral("broker"), QStringLiteral("--max-queued must be 0 or more."));
        options.core.maximumQueuedPerClient = n;
    }
    if (auto problem = parseLimits(parser, options))
        return usageError(QStringLiteral("broker"), *problem);
    TraceLog trace(TraceLog::kKeepOnlyNewest); // printed as it grows, never read back
    SandboxBroker broker(options, &trace);
    for (const QString &text : parser.values(QStringLiteral("fault"))) {
        auto rule = FaultRule::parse(text);
        if (const auto *problem = std::get_if<QString>(&rule))
            return usageError(QStringLiteral("broker"), *problem);
        broker.faults().add(std::get<FaultRule>(rule));
    }
    if (parser.isSet(QStringLiteral("trace")))
        trace.addObserver([&trace](quint64 first, quint64 last) {
            for (quint64 s = first; s <= last; ++s)
                out(traceLine(trace, s));
        });
    if (const auto problem = broker.start()) {
        err(QStringLiteral("mqttscope-cli broker: ") + *problem);
        return 1;
    }
    if (!parser.isSet(QStringLiteral("trace")))
        out(QStringLiteral("Sandbox broker listening on %1%2").arg(broker.url(), options.webSocketPort
                                                                                  ? QStringLiteral(" and ws://127.0.0.1:%1/mqtt").arg(broker.webSocketPort())
                                                                                  : QString()));
    quitOnSignals([&] {
        broker.stop();
        QCoreApplication::quit();
    });
    return QCoreApplication::exec();
}

int demoCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs the demo in a terminal: the sandbox broker, a living-room sensor publishing a temperature "
                       "reading at QoS 2 every 2 s, and a dashboard subscribed to sensors/#. Prints every packet of both "
                       "hops: time, lane → lane, the packet, and its sender's flow state."));
    parser.addHelpOption();
    parser.addOptions({
        {{QStringLiteral("C"), QStringLiteral("count")}, QStringLiteral("Exit after N readings completed on both hops."),
         QStringLiteral("N")},
        {QStringLiteral("interval"), QStringLiteral("Milliseconds between readings (default 2000)."), QStringLiteral("MS")},
        {{QStringLiteral("p"), QStringLiteral("port")}, QStringLiteral("The sandbox broker's port (default: any free one)."),
         QStringLiteral("N")},
        {{QStringLiteral("V"), QStringLiteral("protocol-version")}, QStringLiteral("mqttv311 or mqttv5 (default)."),
         QStringLiteral("VERSION")},
    });
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("demo"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    SandboxDemo::Options options;
    bool ok = true;
    const int count = parser.isSet(QStringLiteral("count")) ? parser.value(QStringLiteral("count")).toInt(&ok) : 0;
    if (!ok || count < 0)
        return usageError(QStringLiteral("demo"), QStringLiteral("--count must be a number of readings."));
    if (parser.isSet(QStringLiteral("interval"))) {
        options.intervalMs = parser.value(QStringLiteral("interval")).toInt(&ok);
        if (!ok || options.intervalMs < 1)
            return usageError(QStringLiteral("demo"), QStringLiteral("--interval must be 1 ms or more."));
    }
    QString error;
    options.brokerPort = parsePort(parser, QStringLiteral("port"), error).value_or(0);
    if (!error.isEmpty())
        return usageError(QStringLiteral("demo"), error);
    if (parser.isSet(QStringLiteral("V"))) {
        const auto version = parseVersion(parser.value(QStringLiteral("V")));
        if (!version)
            return usageError(QStringLiteral("demo"), QStringLiteral("-V must be mqttv311 or mqttv5."));
        options.version = *version;
    }
    TraceLog trace(TraceLog::kKeepOnlyNewest); // printed as it grows, never read back
    // Each packet once, from the side that sent it (with that side's flow state).
    trace.addObserver([&trace](quint64 first, quint64 last) {
        for (quint64 s = first; s <= last; ++s)
            if (trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == TraceDirection::Sent)
                out(traceLine(trace, s));
    });
    SandboxDemo demo(options, trace);
    int result = 0;
    QObject::connect(&demo, &SandboxDemo::problem, [&](const QString &text) {
        err(QStringLiteral("mqttscope-cli demo: ") + text);
        result = 1;
        QCoreApplication::quit();
    });
    QObject::connect(&demo, &SandboxDemo::readingCompleted, [&](int completed) {
        if (count > 0 && completed >= count) {
            demo.stop();
            QCoreApplication::quit();
        }
    });
    if (const auto problem = demo.start()) {
        err(QStringLiteral("mqttscope-cli demo: ") + *problem);
        return 1;
    }
    quitOnSignals([&] {
        demo.stop();
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return result;
}

} // namespace mqs::cli
