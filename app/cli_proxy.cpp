// mqttscope-cli proxy: stand between devices and their real broker, print what each device does
// (and every packet with --trace), break handshakes with fault rules, save the trace on exit.

#include "cli_commands.h"
#include "cli_connection.h"

#include "proxy/proxy.h"
#include "trace/trace_export.h"
#include "trace/trace_text.h"

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <memory>

#include <unistd.h>

namespace mqs::cli {
namespace {

const QString kCommand = QStringLiteral("proxy");

struct ProxyFlags {
    QCommandLineOption listen{QStringLiteral("listen"),
                              QStringLiteral("Where devices connect: HOST:PORT (default 127.0.0.1:1884; port 0: any free one)."),
                              QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:1884")};
    QCommandLineOption upstream{QStringLiteral("upstream"),
                                QStringLiteral("The real broker: mqtt://, mqtts://, ws:// or wss:// URL (required)."),
                                QStringLiteral("URL")};
    QCommandLineOption webSocketPort{QStringLiteral("ws-port"),
                                     QStringLiteral("Also accept devices over WebSocket on this port (same host as --listen)."),
                                     QStringLiteral("N")};
    QCommandLineOption listenCert{QStringLiteral("listen-cert"),
                                  QStringLiteral("Accept devices over TLS with this PEM certificate (with --listen-key). "
                                                 "The devices must trust it: it is the proxy's, not the broker's."),
                                  QStringLiteral("FILE")};
    QCommandLineOption listenKey{QStringLiteral("listen-key"), QStringLiteral("The private key of --listen-cert (PEM)."),
                                 QStringLiteral("FILE")};
    QCommandLineOption trace{QStringLiteral("trace"), QStringLiteral("Print every packet on stdout as it crosses.")};
    QCommandLineOption fault{QStringLiteral("fault"),
                             QStringLiteral("A fault rule on proxied packets (repeatable). Directions are seen from the "
                                            "device: out = device → broker, in = broker → device; 'client ID' picks one "
                                            "device. E.g. \"hold out PUBREL client sensor-1\", \"drop in PUBCOMP\"."),
                             QStringLiteral("RULE")};
    QCommandLineOption store{QStringLiteral("store"),
                             QStringLiteral("On exit (Ctrl-C, SIGTERM), save the trace of every device to FILE: pcap "
                                            "for .pcap (opens in Wireshark), JSON Lines for .jsonl. Unlike pub/sub's "
                                            "--store, no session is kept: the proxy owns none."),
                             QStringLiteral("FILE")};
    QCommandLineOption caFile{QStringLiteral("cafile"), QStringLiteral("Trust the CA certificate(s) in this PEM file (upstream)."),
                              QStringLiteral("FILE")};
    QCommandLineOption certificate{QStringLiteral("cert"), QStringLiteral("Client certificate for the broker (PEM)."),
                                   QStringLiteral("FILE")};
    QCommandLineOption key{QStringLiteral("key"), QStringLiteral("Private key of --cert (PEM)."), QStringLiteral("FILE")};
    QCommandLineOption insecure{QStringLiteral("insecure"),
                                QStringLiteral("Do not verify the broker's certificate or host name (debugging only).")};
    QCommandLineOption synthesizeConnAck{QStringLiteral("answer-connect"),
                                         QStringLiteral("When the broker cannot be reached, answer the device's CONNECT "
                                                        "with CONNACK 'Server unavailable' before closing (default: just "
                                                        "close, as the device would see without the proxy).")};

    QList<QCommandLineOption> all() const
    {
        return {listen, upstream, webSocketPort, listenCert, listenKey, trace, fault, store, caFile, certificate, key,
                insecure, synthesizeConnAck};
    }
};

// "127.0.0.1:1884", "[::1]:1884", "1884" (loopback)
std::optional<std::pair<QHostAddress, quint16>> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString host = colon < 0 ? QStringLiteral("127.0.0.1") : text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    const QHostAddress address(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (!ok || port > 65535 || address.isNull())
        return std::nullopt;
    return std::pair{address, quint16(port)};
}

// The proxy's settings from its flags, or a Problem saying which flag is wrong.
Result<ProxySettings> readSettings(const QCommandLineParser &parser, const ProxyFlags &flags)
{
    ProxySettings settings;
    const auto listen = parseListen(parser.value(flags.listen));
    if (!listen)
        return problem(ProblemKind::InvalidInput, QStringLiteral("--listen must be HOST:PORT with a numeric address, e.g. 127.0.0.1:1884."));
    std::tie(settings.listenAddress, settings.listenPort) = *listen;
    if (!parser.isSet(flags.upstream))
        return problem(ProblemKind::InvalidInput, QStringLiteral("--upstream URL is required: where the devices' broker is."));
    auto url = ServerUrl::parse(parser.value(flags.upstream));
    if (!url)
        return problem(ProblemKind::InvalidInput, QStringLiteral("--upstream: ") + url.sentence());
    settings.upstream = *url;
    if (parser.isSet(flags.webSocketPort)) {
        bool ok = false;
        const uint port = parser.value(flags.webSocketPort).toUInt(&ok);
        if (!ok || port > 65535)
            return problem(ProblemKind::InvalidInput, QStringLiteral("--ws-port must be 0 to 65535."));
        settings.webSocketPort = quint16(port);
    }
    settings.certificateFile = parser.value(flags.listenCert);
    settings.keyFile = parser.value(flags.listenKey);
    settings.upstreamTls.caFile = parser.value(flags.caFile);
    settings.upstreamTls.clientCertificateFile = parser.value(flags.certificate);
    settings.upstreamTls.clientKeyFile = parser.value(flags.key);
    settings.upstreamTls.insecure = parser.isSet(flags.insecure);
    settings.synthesizeConnAckOnUpstreamFailure = parser.isSet(flags.synthesizeConnAck);
    return settings;
}

[[nodiscard]] Status saveTrace(const TraceLog &trace, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return problem(ProblemKind::File, QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
    return path.endsWith(QLatin1String(".pcap"), Qt::CaseInsensitive) ? writePcap(trace, file) : writeJsonLines(trace, file);
}

bool storeFormatKnown(const QString &path)
{
    return path.endsWith(QLatin1String(".pcap"), Qt::CaseInsensitive) || path.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive);
}

QString deviceLabel(const ProxyDevice &device)
{
    return device.clientId.isEmpty() ? QStringLiteral("device %1").arg(device.address)
                                     : QStringLiteral("device %1 '%2'").arg(device.address, device.clientId);
}

// One line per thing that happens to a device, and per packet a rule holds (with the id that
// `release N` takes).
void printDeviceEvents(Proxy &proxy)
{
    QObject::connect(&proxy, &Proxy::deviceOpened, &proxy, [&proxy](ConnectionId id) {
        out(QStringLiteral("%1 connected (lane %2)").arg(deviceLabel(*proxy.device(id))).arg(id));
    });
    // What changed since the device was last printed: its CONNECT, or its broker connection.
    auto printed = std::make_shared<QHash<ConnectionId, ProxyDevice>>();
    QObject::connect(&proxy, &Proxy::deviceChanged, &proxy, [&proxy, printed](ConnectionId id) {
        const ProxyDevice device = *proxy.device(id);
        const ProxyDevice before = printed->value(id);
        if (device.connectSeen && (!before.connectSeen || device.clientId != before.clientId))
            out(QStringLiteral("%1 sent CONNECT (%2)").arg(deviceLabel(device), versionName(device.version)));
        if (device.state == ProxyDeviceState::Forwarding && before.state != ProxyDeviceState::Forwarding)
            out(QStringLiteral("%1 is connected to the broker").arg(deviceLabel(device)));
        printed->insert(id, device);
    });
    QObject::connect(&proxy, &Proxy::deviceClosed, &proxy, [&proxy](ConnectionId id) {
        out(QStringLiteral("%1 disconnected").arg(deviceLabel(*proxy.device(id))));
    });
    // A device's own TLS failure with the proxy (no lane yet) is the device's to fix, not the upstream options'.
    QObject::connect(&proxy, &Proxy::problem, &proxy, [](ConnectionId id, const Problem &problem) {
        err(problem.sentence + (id != 0 ? tlsAdvice(problem) : QString()));
    });
    QObject::connect(&proxy, &Proxy::heldChanged, &proxy, [&proxy] {
        for (const HeldPacket &held : proxy.heldPackets())
            out(QStringLiteral("held %1: %2 id %3 %4 of '%5' by rule '%6' (type 'release %1', 'drop %1')")
                    .arg(held.id)
                    .arg(packetTypeName(held.type))
                    .arg(held.packetId.value)
                    .arg(held.direction == TraceDirection::Sent ? QStringLiteral("toward the broker")
                                                                : QStringLiteral("toward the device"),
                         held.clientId, held.ruleName));
    });
}

// Commands on stdin, one a line: "release N", "drop N", "cut LANE", "held".
void readCommands(Proxy &proxy)
{
    auto *notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, &proxy);
    QObject::connect(notifier, &QSocketNotifier::activated, &proxy, [&proxy, notifier] {
        char buffer[256];
        const auto got = ::read(STDIN_FILENO, buffer, sizeof buffer - 1);
        if (got <= 0) {
            notifier->setEnabled(false); // stdin closed: keep running until a signal
            return;
        }
        for (const QString &line : QString::fromUtf8(buffer, got).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QStringList words = line.simplified().split(QLatin1Char(' '));
            const quint64 n = words.value(1).toULongLong();
            Status done = problem(ProblemKind::InvalidInput, QStringLiteral("Commands: release N, drop N, cut LANE."));
            if (words.first() == QLatin1String("release"))
                done = proxy.release(n);
            else if (words.first() == QLatin1String("drop"))
                done = proxy.drop(n);
            else if (words.first() == QLatin1String("cut"))
                done = proxy.cut(ConnectionId(n));
            if (!done)
                err(done.sentence());
        }
    });
}

} // namespace

int proxyCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Stands between devices and their broker: each device that connects to --listen gets its own connection to "
        "--upstream, and its packets are forwarded unchanged. Prints a line per device event (and per packet with "
        "--trace). Fault rules (--fault) see directions from the device: out = toward the broker (device → broker), "
        "in = toward the device (broker → device); 'client ID' in a rule picks one device. A held packet is "
        "printed with an id; type 'release N' or 'drop N' on stdin, or 'cut LANE' to cut a device. Stop with Ctrl-C."));
    parser.addHelpOption();
    const ProxyFlags flags;
    parser.addOptions(flags.all());
    if (!parser.parse(arguments))
        return usageError(kCommand, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    auto read = readSettings(parser, flags);
    if (!read)
        return usageError(kCommand, read.sentence());
    const QString storePath = parser.value(flags.store);
    if (!storePath.isEmpty() && !storeFormatKnown(storePath))
        return usageError(kCommand, QStringLiteral("--store FILE must end in .pcap or .jsonl."));
    FaultRuleSet rules;
    for (const QString &text : parser.values(flags.fault)) {
        auto rule = FaultRule::parse(text);
        if (!rule)
            return usageError(kCommand, rule.sentence());
        rules.add(*rule);
    }
    // Kept whole only when it is saved at the end; otherwise printed as it grows.
    TraceLog trace(storePath.isEmpty() ? TraceLog::kKeepOnlyNewest : TraceLog::kDefaultMemoryLimit);
    if (parser.isSet(flags.trace))
        trace.addObserver([&trace](quint64 first, quint64 last) {
            for (quint64 s = first; s <= last; ++s)
                out(traceLine(trace, s));
        });
    Proxy proxy(*read, rules, trace);
    printDeviceEvents(proxy);
    if (Status started = proxy.start(); !started) {
        err(QStringLiteral("mqttscope-cli proxy: ") + started.sentence());
        return 1;
    }
    out(QStringLiteral("Proxy listening on %1:%2%3, forwarding to %4")
            .arg(proxy.settings().listenAddress.toString())
            .arg(proxy.port())
            .arg(proxy.webSocketPort() ? QStringLiteral(" and ws port %1").arg(proxy.webSocketPort()) : QString(),
                 proxy.settings().upstream.toString()));
    readCommands(proxy);
    int result = 0;
    quitOnSignals([&] {
        proxy.stop();
        if (!storePath.isEmpty()) {
            if (Status saved = saveTrace(trace, storePath); !saved) {
                err(QStringLiteral("mqttscope-cli proxy: ") + saved.sentence());
                result = 1;
            } else {
                err(QStringLiteral("Trace saved to %1 (%2 events).").arg(storePath).arg(trace.size()));
            }
        }
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return result;
}

} // namespace mqs::cli
