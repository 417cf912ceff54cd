// mqttscope-cli broker | demo: the sandbox broker headless, and the demo in a terminal.

#include "cli_commands.h"
#include "cli_connection.h"

#include "broker/sandbox_demo.h"
#include "trace/trace_text.h"

#include <QCoreApplication>

namespace mqs::cli {
namespace {

constexpr quint16 kDefaultBrokerPort = 1883; // MQTT over TCP (IANA)

// The broker command's flags, each named once: added to the parser and read back through the same object.
struct BrokerFlags {
    QCommandLineOption port{{QStringLiteral("p"), QStringLiteral("port")},
                            QStringLiteral("TCP port (default 1883; 0: any free port)."), QStringLiteral("N"),
                            QString::number(kDefaultBrokerPort)};
    QCommandLineOption webSocketPort{QStringLiteral("ws-port"), QStringLiteral("Also accept MQTT over WebSocket on this port."),
                                     QStringLiteral("N")};
    QCommandLineOption store{QStringLiteral("store"), QStringLiteral("Keep sessions and retained messages in this SQLite file."),
                             QStringLiteral("FILE")};
    QCommandLineOption trace{QStringLiteral("trace"), QStringLiteral("Print every packet on stdout as it happens.")};
    QCommandLineOption fault{QStringLiteral("fault"),
                             QStringLiteral("A broker-side fault rule, e.g. \"hold out PUBCOMP client dashboard\" (repeatable)."),
                             QStringLiteral("RULE")};
    QCommandLineOption inboundMethod{QStringLiteral("inbound-method"),
                                     QStringLiteral("How it receives QoS 2: B (default: deliver at PUBLISH) or A (at PUBREL)."),
                                     QStringLiteral("A|B")};
    QCommandLineOption receiveMaximum{QStringLiteral("receive-maximum"),
                                      QStringLiteral("QoS 1/2 messages it accepts unacknowledged per client (default 20)."),
                                      QStringLiteral("N")};
    QCommandLineOption maxQueued{QStringLiteral("max-queued"), QStringLiteral("Messages kept per offline client (default 1000)."),
                                 QStringLiteral("N")};
    QCommandLineOption maximumQos{QStringLiteral("maximum-qos"),
                                  QStringLiteral("Highest QoS it accepts (0, 1 or 2; default 2): announced to 5.0 "
                                                 "clients; a will above it is refused."),
                                  QStringLiteral("N")};
    QCommandLineOption noRetain{QStringLiteral("no-retain"),
                                QStringLiteral("No retained messages: announced to 5.0 clients as Retain Available 0; "
                                               "a retained PUBLISH or will is refused.")};
    QCommandLineOption maximumPacketSize{QStringLiteral("maximum-packet-size"),
                                         QStringLiteral("Largest packet it accepts, in bytes (default 1048576; 0: no "
                                                        "limit); announced to 5.0 clients."),
                                         QStringLiteral("BYTES")};
    QCommandLineOption connectTimeout{QStringLiteral("connect-timeout"),
                                      QStringLiteral("Milliseconds a new connection has to complete its CONNECT "
                                                     "(default 10000)."),
                                      QStringLiteral("MS")};

    QList<QCommandLineOption> all() const
    {
        return {port, webSocketPort, store, trace, fault, inboundMethod, receiveMaximum, maxQueued, maximumQos, noRetain,
                maximumPacketSize, connectTimeout};
    }
};

// The demo command's flags.
struct DemoFlags {
    QCommandLineOption count{{QStringLiteral("C"), QStringLiteral("count")},
                             QStringLiteral("Exit after N readings completed on both hops."), QStringLiteral("N")};
    QCommandLineOption interval{QStringLiteral("interval"), QStringLiteral("Milliseconds between readings (default 2000)."),
                                QStringLiteral("MS")};
    QCommandLineOption port{{QStringLiteral("p"), QStringLiteral("port")},
                            QStringLiteral("The sandbox broker's port (default: any free one)."), QStringLiteral("N")};
    QCommandLineOption version{{QStringLiteral("V"), QStringLiteral("protocol-version")},
                               QStringLiteral("mqttv311 or mqttv5 (default)."), QStringLiteral("VERSION")};

    QList<QCommandLineOption> all() const { return {count, interval, port, version}; }
};

std::optional<quint16> parsePort(const QCommandLineParser &parser, const QCommandLineOption &flag, QString &error)
{
    if (!parser.isSet(flag))
        return std::nullopt;
    bool ok = false;
    const uint port = parser.value(flag).toUInt(&ok);
    if (!ok || port > 65535) {
        error = QStringLiteral("--%1 must be 0 to 65535 (0: any free port), not '%2'.").arg(flag.names().constLast(),
                                                                                            parser.value(flag));
        return std::nullopt;
    }
    return quint16(port);
}

// --inbound-method, --receive-maximum, --max-queued; a problem when one is wrong.
Status parseSessionOptions(const QCommandLineParser &parser, const BrokerFlags &flags,
                                           SandboxBroker::Options &options)
{
    if (parser.isSet(flags.inboundMethod)) {
        const QString method = parser.value(flags.inboundMethod).toUpper();
        if (method != QLatin1String("A") && method != QLatin1String("B"))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--inbound-method must be A or B.")};
        options.core.inboundMethod = method == QLatin1String("A") ? InboundMethod::A : InboundMethod::B;
    }
    bool ok = true;
    if (parser.isSet(flags.receiveMaximum)) {
        const uint n = parser.value(flags.receiveMaximum).toUInt(&ok);
        if (!ok || n == 0 || n > 65535)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--receive-maximum must be 1 to 65535.")};
        options.core.receiveMaximum = quint16(n);
    }
    if (parser.isSet(flags.maxQueued)) {
        const int n = parser.value(flags.maxQueued).toInt(&ok);
        if (!ok || n < 0)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--max-queued must be 0 or more.")};
        options.core.maximumQueuedPerClient = n;
    }
    return {};
}

// --maximum-qos, --no-retain, --maximum-packet-size, --connect-timeout; a problem when one is wrong.
Status parseLimits(const QCommandLineParser &parser, const BrokerFlags &flags, SandboxBroker::Options &options)
{
    bool ok = true;
    if (parser.isSet(flags.maximumQos)) {
        const uint qos = parser.value(flags.maximumQos).toUInt(&ok);
        if (!ok || qos > 2)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--maximum-qos must be 0, 1 or 2.")};
        options.core.maximumQoS = QoS(qos);
    }
    options.core.retainAvailable = !parser.isSet(flags.noRetain);
    if (parser.isSet(flags.maximumPacketSize)) {
        const uint bytes = parser.value(flags.maximumPacketSize).toUInt(&ok);
        if (!ok || bytes > kMaximumPossiblePacketSize)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--maximum-packet-size must be 0 (no limit) to %1 bytes.").arg(kMaximumPossiblePacketSize)};
        options.core.maximumPacketSize = bytes;
    }
    if (parser.isSet(flags.connectTimeout)) {
        const int ms = parser.value(flags.connectTimeout).toInt(&ok);
        if (!ok || ms < 1)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--connect-timeout must be 1 ms or more.")};
        options.connectTimeoutMs = ms;
    }
    return {};
}

// The broker's options from its flags, or a problem saying which flag is wrong.
Result<SandboxBroker::Options> readBrokerOptions(const QCommandLineParser &parser, const BrokerFlags &flags)
{
    QString error;
    SandboxBroker::Options options;
    options.port = parsePort(parser, flags.port, error).value_or(kDefaultBrokerPort);
    options.webSocketPort = parsePort(parser, flags.webSocketPort, error);
    if (!error.isEmpty())
        return Problem{ProblemKind::InvalidInput, error};
    options.storePath = parser.value(flags.store);
    if (Status read = parseSessionOptions(parser, flags, options); !read)
        return read.problem();
    if (Status read = parseLimits(parser, flags, options); !read)
        return read.problem();
    return options;
}

// The demo's options from its flags (and the readings to stop after, 0: never), or what is wrong.
Result<std::pair<SandboxDemo::Options, int>> readDemoOptions(const QCommandLineParser &parser,
                                                                            const DemoFlags &flags)
{
    SandboxDemo::Options options;
    bool ok = true;
    const int count = parser.isSet(flags.count) ? parser.value(flags.count).toInt(&ok) : 0;
    if (!ok || count < 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("--count must be a number of readings.")};
    if (parser.isSet(flags.interval)) {
        options.intervalMs = parser.value(flags.interval).toInt(&ok);
        if (!ok || options.intervalMs < 1)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--interval must be 1 ms or more.")};
    }
    QString error;
    options.brokerPort = parsePort(parser, flags.port, error).value_or(0);
    if (!error.isEmpty())
        return Problem{ProblemKind::InvalidInput, error};
    if (parser.isSet(flags.version)) {
        const auto version = parseVersion(parser.value(flags.version));
        if (!version)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-V must be mqttv311 or mqttv5.")};
        options.version = *version;
    }
    return std::pair{options, count};
}

} // namespace

int brokerCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Runs the sandbox broker on 127.0.0.1 until interrupted. The first line on stdout says where it "
                       "listens. It is a debugging sandbox, not a production broker."));
    parser.addHelpOption();
    const BrokerFlags flags;
    parser.addOptions(flags.all());
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("broker"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    auto read = readBrokerOptions(parser, flags);
    if (!read)
        return usageError(QStringLiteral("broker"), read.sentence());
    const SandboxBroker::Options &options = *read;
    TraceLog trace(TraceLog::kKeepOnlyNewest); // printed as it grows, never read back
    SandboxBroker broker(options, &trace);
    for (const QString &text : parser.values(flags.fault)) {
        auto rule = FaultRule::parse(text);
        if (!rule)
            return usageError(QStringLiteral("broker"), rule.sentence());
        broker.faults().add(*rule);
    }
    if (parser.isSet(flags.trace))
        trace.addObserver([&trace](quint64 first, quint64 last) {
            for (quint64 s = first; s <= last; ++s)
                out(traceLine(trace, s));
        });
    if (const Status started = broker.start(); !started) {
        err(QStringLiteral("mqttscope-cli broker: ") + started.sentence());
        return 1;
    }
    if (!parser.isSet(flags.trace))
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
    const DemoFlags flags;
    parser.addOptions(flags.all());
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("demo"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    auto read = readDemoOptions(parser, flags);
    if (!read)
        return usageError(QStringLiteral("demo"), read.sentence());
    const SandboxDemo::Options options = read->first;
    const int count = read->second;
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
    if (const Status started = demo.start(); !started) {
        err(QStringLiteral("mqttscope-cli demo: ") + started.sentence());
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
