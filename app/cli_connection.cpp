#include "cli_connection.h"

#include "cli_commands.h"

#include "trace/trace_text.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <limits>
#include <unistd.h>

namespace mqs::cli {
namespace {

struct PropertyName {
    const char *name;
    PropertyId id;
};

// mosquitto's -D names.
const PropertyName kPropertyNames[] = {
    {"payload-format-indicator", PropertyId::PayloadFormatIndicator},
    {"message-expiry-interval", PropertyId::MessageExpiryInterval},
    {"content-type", PropertyId::ContentType},
    {"response-topic", PropertyId::ResponseTopic},
    {"correlation-data", PropertyId::CorrelationData},
    {"subscription-identifier", PropertyId::SubscriptionIdentifier},
    {"session-expiry-interval", PropertyId::SessionExpiryInterval},
    {"authentication-method", PropertyId::AuthenticationMethod},
    {"authentication-data", PropertyId::AuthenticationData},
    {"request-problem-information", PropertyId::RequestProblemInformation},
    {"will-delay-interval", PropertyId::WillDelayInterval},
    {"request-response-information", PropertyId::RequestResponseInformation},
    {"receive-maximum", PropertyId::ReceiveMaximum},
    {"topic-alias-maximum", PropertyId::TopicAliasMaximum},
    {"topic-alias", PropertyId::TopicAlias},
    {"user-property", PropertyId::UserProperty},
    {"maximum-packet-size", PropertyId::MaximumPacketSize},
};

// Messages in flight at once, as mosquitto_pub and mosquitto_sub default to (--max-inflight 20).
constexpr int kCliMaximumInflight = 20;

int signalPipe[2] = {-1, -1};

void onUnixSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalPipe[1], &byte, 1);
}

} // namespace

Result<std::vector<PropertyFlag>> extractPropertyFlags(QStringList &arguments)
{
    std::vector<PropertyFlag> flags;
    for (qsizetype i = 1; i < arguments.size();) {
        if (arguments[i] != QLatin1String("-D") && arguments[i] != QLatin1String("--property")) {
            ++i;
            continue;
        }
        const QString command = arguments.value(i + 1).toLower();
        const QString name = arguments.value(i + 2).toLower();
        if (command != QLatin1String("connect") && command != QLatin1String("publish") && command != QLatin1String("subscribe")
            && command != QLatin1String("will"))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1: the command must be connect, publish, subscribe or will.").arg(command)};
        const auto known = std::find_if(std::begin(kPropertyNames), std::end(kPropertyNames),
                                        [&](const PropertyName &p) { return name == QLatin1String(p.name); });
        if (known == std::end(kPropertyNames))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1 %2: unknown property; use mosquitto's names such as content-type or user-property.")
                .arg(command, name)};
        const PropertyInfo &info = propertyInfo(known->id);
        const PropertyContext context = command == QLatin1String("connect")   ? PropertyContext::Connect
                                        : command == QLatin1String("publish") ? PropertyContext::Publish
                                        : command == QLatin1String("will")    ? PropertyContext::Will
                                                                              : PropertyContext::Subscribe;
        if (!isPropertyAllowed(known->id, context))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1 %2: %3 is not allowed in %1.").arg(command, name, QString::fromLatin1(info.name))};
        int consumed = 4;
        Property property{known->id, quint32(0)};
        const QString value = arguments.value(i + 3);
        if (value.isNull())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1 %2 needs a value.").arg(command, name)};
        switch (info.type) {
        case PropertyType::Utf8String: property.value = value; break;
        case PropertyType::BinaryData: property.value = value.toUtf8(); break;
        case PropertyType::Utf8StringPair: {
            const QString second = arguments.value(i + 4);
            if (second.isNull())
                return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1 user-property needs a name and a value.").arg(command)};
            property.value = StringPair{value, second};
            consumed = 5;
            break;
        }
        default: {
            bool ok = false;
            const qulonglong number = value.toULongLong(&ok);
            if (!ok || number > std::numeric_limits<quint32>::max())
                return Problem{ProblemKind::InvalidInput, QStringLiteral("-D %1 %2: '%3' is not a number.").arg(command, name, value)};
            property.value = quint32(number);
        }
        }
        flags.push_back(PropertyFlag{command, property});
        arguments.remove(i, consumed);
    }
    return flags;
}

Properties propertiesFor(const std::vector<PropertyFlag> &flags, const QString &command)
{
    Properties properties;
    for (const PropertyFlag &f : flags)
        if (f.command == command)
            properties.append(f.property);
    return properties;
}

namespace {

QCommandLineOption option(const QStringList &names, const QString &description, const QString &valueName = {})
{
    return QCommandLineOption(names, description, valueName);
}
QCommandLineOption option(const QString &name, const QString &description, const QString &valueName = {})
{
    return QCommandLineOption(name, description, valueName);
}

// mosquitto_pub/mosquitto_sub's connection flags, each named once: added to the parser and read back
// through the same object.
struct ConnectionFlags {
    explicit ConnectionFlags(const QString &defaultClientPrefix)
        : id(option({QStringLiteral("i"), QStringLiteral("id")},
                    QStringLiteral("Client id (default %1-<random>).").arg(defaultClientPrefix), QStringLiteral("ID")))
    {
    }

    QCommandLineOption host = option({QStringLiteral("h"), QStringLiteral("host")},
                                     QStringLiteral("Broker host (default 127.0.0.1)."), QStringLiteral("HOST"));
    QCommandLineOption port = option({QStringLiteral("p"), QStringLiteral("port")},
                                     QStringLiteral("Broker port (default 1883, 8883 with TLS)."), QStringLiteral("PORT"));
    QCommandLineOption mosquittoUrl = option(QStringLiteral("L"),
                                             QStringLiteral("mosquitto URL: mqtt(s)://[user[:pass]@]host[:port]/topic."),
                                             QStringLiteral("URL"));
    QCommandLineOption url = option(QStringLiteral("url"),
                                    QStringLiteral("Broker URL: mqtt://, mqtts://, ws:// or wss://host[:port][/path]."),
                                    QStringLiteral("URL"));
    QCommandLineOption id;
    QCommandLineOption username = option({QStringLiteral("u"), QStringLiteral("username")}, QStringLiteral("User name."),
                                         QStringLiteral("USER"));
    QCommandLineOption password = option({QStringLiteral("P"), QStringLiteral("pw")}, QStringLiteral("Password."),
                                         QStringLiteral("PASSWORD"));
    QCommandLineOption version = option({QStringLiteral("V"), QStringLiteral("protocol-version")},
                                        QStringLiteral("mqttv311 or mqttv5 (default mqttv5)."), QStringLiteral("VERSION"));
    QCommandLineOption keepAlive = option({QStringLiteral("k"), QStringLiteral("keepalive")},
                                          QStringLiteral("Keep alive in seconds (default 60)."), QStringLiteral("SECONDS"));
    QCommandLineOption keepSession = option({QStringLiteral("c"), QStringLiteral("disable-clean-session")},
                                            QStringLiteral("Keep the session (Clean Start 0); with 5.0 give -x too."));
    QCommandLineOption sessionExpiry = option({QStringLiteral("x"), QStringLiteral("session-expiry-interval")},
                                              QStringLiteral("5.0 Session Expiry Interval in seconds; 'inf' for never."),
                                              QStringLiteral("SECONDS"));
    QCommandLineOption caFile = option(QStringLiteral("cafile"), QStringLiteral("Trust the CA certificate(s) in this PEM file."),
                                       QStringLiteral("FILE"));
    QCommandLineOption certificate = option(QStringLiteral("cert"), QStringLiteral("Client certificate (PEM)."),
                                            QStringLiteral("FILE"));
    QCommandLineOption key = option(QStringLiteral("key"), QStringLiteral("Client private key (PEM)."), QStringLiteral("FILE"));
    QCommandLineOption insecure = option(QStringLiteral("insecure"),
                                         QStringLiteral("Do not verify the broker's certificate or host name (debugging only)."));
    QCommandLineOption tls = option(QStringLiteral("tls"), QStringLiteral("Use TLS (mqtts://) with -h/-p."));
    QCommandLineOption willTopic = option(QStringLiteral("will-topic"), QStringLiteral("Will topic."), QStringLiteral("TOPIC"));
    QCommandLineOption willPayload = option(QStringLiteral("will-payload"), QStringLiteral("Will payload."),
                                            QStringLiteral("PAYLOAD"));
    QCommandLineOption willQos = option(QStringLiteral("will-qos"), QStringLiteral("Will QoS (0, 1, 2)."), QStringLiteral("QOS"));
    QCommandLineOption willRetain = option(QStringLiteral("will-retain"), QStringLiteral("Retain the will."));
    QCommandLineOption store = option(
        QStringLiteral("store"),
        QStringLiteral("Keep the session in this SQLite file, so a killed process resumes where it stopped."),
        QStringLiteral("FILE"));
    QCommandLineOption trace = option(
        QStringLiteral("trace"), QStringLiteral("Print every packet to stderr as it happens: time, direction, packet, flow state."));
    QCommandLineOption fault = option(
        QStringLiteral("fault"),
        QStringLiteral("A fault rule, e.g. \"hold out PUBREL\" or \"drop in PUBCOMP every 10\" (repeatable)."),
        QStringLiteral("RULE"));
    QCommandLineOption inboundMethod = option(QStringLiteral("inbound-method"),
                                              QStringLiteral("QoS 2 receive method: B (default) or A."), QStringLiteral("A|B"));
    QCommandLineOption receiveLimit = option(
        QStringLiteral("receive-limit"),
        QStringLiteral("Refuse (DISCONNECT 0x95) packets from the broker larger than BYTES (default %1). Not announced "
                       "to the broker; -D connect maximum-packet-size announces a limit, which the broker then keeps "
                       "by dropping larger messages without notice.")
            .arg(kDefaultReceiveLimit),
        QStringLiteral("BYTES"));
    // Taken out of the arguments before parsing (extractPropertyFlags); listed for --help.
    QCommandLineOption property = option(
        {QStringLiteral("D"), QStringLiteral("property")},
        QStringLiteral("A 5.0 property: -D connect|publish|subscribe|will NAME VALUE (user-property takes NAME VALUE)."),
        QStringLiteral("..."));

    QList<QCommandLineOption> all() const
    {
        return {host, port, mosquittoUrl, url, id, username, password, version, keepAlive, keepSession, sessionExpiry,
                caFile, certificate, key, insecure, tls, willTopic, willPayload, willQos, willRetain, store, trace, fault,
                inboundMethod, receiveLimit, property};
    }
};

// -h/-p/--tls, then -L, then --url: the last one given decides. -L's path is the topic.
Status readServerUrl(const QCommandLineParser &parser, const ConnectionFlags &flags, ClientOptions &o)
{
    const bool tls = parser.isSet(flags.tls) || parser.isSet(flags.caFile) || parser.isSet(flags.certificate);
    QString url = QStringLiteral("%1://%2").arg(tls ? QStringLiteral("mqtts") : QStringLiteral("mqtt"),
                                               parser.isSet(flags.host) ? parser.value(flags.host) : QStringLiteral("127.0.0.1"));
    if (parser.isSet(flags.port)) {
        bool ok = false;
        const uint port = parser.value(flags.port).toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-p must be a port from 1 to 65535, not '%1'.").arg(parser.value(flags.port))};
        url += QStringLiteral(":%1").arg(port);
    }
    if (parser.isSet(flags.mosquittoUrl)) {
        QString text = parser.value(flags.mosquittoUrl);
        const qsizetype hostStart = text.indexOf(QLatin1String("://"));
        const qsizetype slash = hostStart < 0 ? -1 : text.indexOf(QLatin1Char('/'), hostStart + 3);
        if (slash > 0) {
            o.urlTopic = text.mid(slash + 1);
            text.truncate(slash);
        }
        url = text;
    }
    if (parser.isSet(flags.url))
        url = parser.value(flags.url);
    auto parsed = ServerUrl::parse(url);
    if (!parsed)
        return parsed.problem();
    o.settings.url = *parsed;
    return {};
}

// Client id, credentials (the URL's, unless -u/-P say otherwise), version, keep alive, session.
Status readIdentityAndSession(const QCommandLineParser &parser, const ConnectionFlags &flags,
                                              const QString &defaultClientPrefix, ConnectionSettings &s)
{
    s.name = parser.isSet(flags.id) ? parser.value(flags.id) : QString();
    s.clientId = parser.isSet(flags.id) ? parser.value(flags.id)
                                        : QStringLiteral("%1-%2").arg(defaultClientPrefix).arg(::getpid());
    if (s.name.isEmpty())
        s.name = s.clientId;
    if (s.url.username)
        s.username = s.url.username;
    if (s.url.password)
        s.password = s.url.password->toUtf8();
    if (parser.isSet(flags.username))
        s.username = parser.value(flags.username);
    if (parser.isSet(flags.password))
        s.password = parser.value(flags.password).toUtf8();
    if (parser.isSet(flags.version)) {
        const auto version = parseVersion(parser.value(flags.version));
        if (!version)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-V must be mqttv311 or mqttv5, not '%1'.").arg(parser.value(flags.version))};
        s.version = *version;
    }
    if (parser.isSet(flags.keepAlive)) {
        bool ok = false;
        const uint keepAlive = parser.value(flags.keepAlive).toUInt(&ok);
        if (!ok || keepAlive > 65535)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-k must be 0 to 65535 seconds, not '%1'.").arg(parser.value(flags.keepAlive))};
        s.keepAlive = quint16(keepAlive);
    }
    s.cleanStart = !parser.isSet(flags.keepSession);
    if (parser.isSet(flags.sessionExpiry)) {
        const QString value = parser.value(flags.sessionExpiry);
        bool ok = true;
        s.sessionExpiry = value == QLatin1String("inf") ? kSessionNeverExpires : value.toUInt(&ok);
        if (!ok)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-x must be a number of seconds or 'inf', not '%1'.").arg(value)};
    }
    return {};
}

Status readWill(const QCommandLineParser &parser, const ConnectionFlags &flags, ClientOptions &o)
{
    if (!parser.isSet(flags.willTopic)) {
        if (parser.isSet(flags.willPayload))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--will-payload needs --will-topic.")};
        return {};
    }
    Will will;
    will.topic = parser.value(flags.willTopic);
    will.payload = parser.value(flags.willPayload).toUtf8();
    const QString qos = parser.value(flags.willQos);
    if (!qos.isEmpty()) {
        if (qos != QLatin1String("0") && qos != QLatin1String("1") && qos != QLatin1String("2"))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--will-qos must be 0, 1 or 2, not '%1'.").arg(qos)};
        will.qos = QoS(qos.toInt());
    }
    will.retain = parser.isSet(flags.willRetain);
    will.properties = propertiesFor(o.properties, QStringLiteral("will"));
    o.settings.will = will;
    return {};
}

// -D connect properties that the session keeps as limits, --receive-limit and --inbound-method.
Status readLimits(const QCommandLineParser &parser, const ConnectionFlags &flags, ConnectionSettings &s)
{
    if (const auto expiry = s.connectProperties.integer(PropertyId::SessionExpiryInterval))
        s.sessionExpiry = *expiry;
    if (const auto receiveMaximum = s.connectProperties.integer(PropertyId::ReceiveMaximum))
        s.session.receiveMaximum = quint16(*receiveMaximum);
    // Announced, so enforced: a larger packet from the broker is answered with DISCONNECT 0x95.
    if (const auto maximumPacketSize = s.connectProperties.integer(PropertyId::MaximumPacketSize)) {
        if (*maximumPacketSize == 0)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("-D connect maximum-packet-size must be 1 or more (0 is a protocol error in CONNECT).")};
        s.session.maximumPacketSize = *maximumPacketSize;
    }
    if (parser.isSet(flags.receiveLimit)) {
        bool ok = false;
        s.receiveLimit = parser.value(flags.receiveLimit).toUInt(&ok);
        if (!ok || s.receiveLimit > kMaximumPossiblePacketSize)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--receive-limit must be a number of bytes up to %1, not '%2'.")
                .arg(kMaximumPossiblePacketSize)
                .arg(parser.value(flags.receiveLimit))};
    }
    if (parser.isSet(flags.inboundMethod)) {
        const QString method = parser.value(flags.inboundMethod).toUpper();
        if (method != QLatin1String("A") && method != QLatin1String("B"))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("--inbound-method must be A or B, not '%1'.").arg(method)};
        s.session.inboundMethod = method == QLatin1String("A") ? InboundMethod::A : InboundMethod::B;
    }
    return {};
}

} // namespace

void addConnectionOptions(QCommandLineParser &parser, const QString &defaultClientPrefix)
{
    parser.addOptions(ConnectionFlags(defaultClientPrefix).all());
}

Result<ClientOptions> readConnectionOptions(const QCommandLineParser &parser, std::vector<PropertyFlag> properties,
                                                           const QString &defaultClientPrefix)
{
    const ConnectionFlags flags(defaultClientPrefix);
    ClientOptions o;
    ConnectionSettings &s = o.settings;
    o.properties = std::move(properties);
    if (Status read = readServerUrl(parser, flags, o); !read)
        return read.problem();
    if (Status read = readIdentityAndSession(parser, flags, defaultClientPrefix, s); !read)
        return read.problem();
    s.tls.caFile = parser.value(flags.caFile);
    s.tls.clientCertificateFile = parser.value(flags.certificate);
    s.tls.clientKeyFile = parser.value(flags.key);
    s.tls.insecure = parser.isSet(flags.insecure);
    if (Status read = readWill(parser, flags, o); !read)
        return read.problem();
    s.connectProperties = propertiesFor(o.properties, QStringLiteral("connect"));
    if (Status read = readLimits(parser, flags, s); !read)
        return read.problem();
    s.session.maximumInflight = kCliMaximumInflight;
    o.storePath = parser.value(flags.store);
    o.trace = parser.isSet(flags.trace);
    for (const QString &text : parser.values(flags.fault)) {
        auto rule = FaultRule::parse(text);
        if (!rule)
            return rule.problem();
        o.faults.push_back(std::move(rule).value());
    }
    if (Status settings = s.check(); !settings)
        return settings.problem();
    return o;
}

std::optional<ClientOptions> parseClient(const QString &command, QStringList arguments, QCommandLineParser &parser,
                                         const QString &clientPrefix, int &exitCode)
{
    auto properties = extractPropertyFlags(arguments);
    if (!properties) {
        exitCode = usageError(command, properties.sentence());
        return std::nullopt;
    }
    if (!parser.parse(arguments)) {
        exitCode = usageError(command, parser.errorText());
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        exitCode = 0;
        return std::nullopt;
    }
    auto options = readConnectionOptions(parser, std::move(properties).value(), clientPrefix);
    if (!options) {
        exitCode = usageError(command, options.sentence());
        return std::nullopt;
    }
    return std::move(options).value();
}

std::optional<QoS> parseQos(const QString &text)
{
    if (text == QLatin1String("0") || text == QLatin1String("1") || text == QLatin1String("2"))
        return QoS(text.toInt());
    return std::nullopt;
}

QStringList unfinishedFlows(const Session &session, Direction direction)
{
    QStringList lines;
    if (direction == Direction::Outbound) {
        for (const OutboundFlow &f : session.outbound().flows())
            if (!isFinished(f.state))
                lines << QStringLiteral("'%1' id %2 %3").arg(f.message.topic).arg(f.packetId.value).arg(flowStateName(f.state));
    } else {
        for (const InboundFlow &f : session.inbound().flows())
            lines << QStringLiteral("'%1' id %2 %3").arg(f.topic).arg(f.packetId.value).arg(flowStateName(f.state));
    }
    return lines;
}

QString whereUnfinishedGo(const ClientOptions &options)
{
    return options.storePath.isEmpty()
        ? QStringLiteral("Without --store they end with this process.")
        : QStringLiteral("They stay in %1; the next run with the same client id resumes them.").arg(options.storePath);
}

CliClient::CliClient(const ClientOptions &options)
    : m_options(options)
{
}

CliClient::~CliClient() = default;

Status CliClient::setUp()
{
    if (!m_options.storePath.isEmpty()) {
        m_store = std::make_unique<SqliteSessionStore>(m_options.storePath);
        if (!m_store->error())
            return m_store->error();
    }
    m_connection = std::make_unique<Connection>(m_options.settings, m_trace, m_store.get());
    for (const FaultRule &rule : m_options.faults)
        m_connection->faults().add(rule);
    QObject::connect(m_connection.get(), &Connection::sessionEvent, [this](const SessionEvent &event) {
        if (const auto advice = adviceFor(event))
            err(QStringLiteral("mqttscope-cli: ") + *advice);
    });
    if (m_options.trace)
        m_trace.addObserver([this](quint64 first, quint64 last) {
            for (quint64 s = first; s <= last; ++s)
                printTraceEvent(s);
        });
    return {};
}

std::optional<QString> CliClient::adviceFor(const SessionEvent &event) const
{
    const auto *refused = std::get_if<ConnectionRefused>(&event);
    if (refused && refused->reason == ReasonCode::UnsupportedProtocolVersion
        && m_options.settings.version == ProtocolVersion::V5)
        return QStringLiteral("the broker does not speak MQTT 5.0; run again with -V mqttv311.");
    const auto *violation = std::get_if<PeerViolation>(&event);
    if (violation && violation->rule == QStringLiteral("[MQTT-3.2.2-4]"))
        return m_options.storePath.isEmpty()
            ? QStringLiteral("to keep the session across runs, give --store FILE with -c (the same file every run); "
                             "to start afresh, leave out -c.")
            : QStringLiteral("%1 holds no session for this client id and broker; use the store file of the run "
                             "that began the session, or leave out -c to start afresh.")
                  .arg(m_options.storePath);
    return std::nullopt;
}

void CliClient::printTraceEvent(quint64 sequence)
{
    err(traceLine(m_trace, sequence));
}

void quitOnSignals(std::function<void()> onSignal)
{
    if (signalPipe[0] < 0 && ::pipe(signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [onSignal = std::move(onSignal)] {
        char byte;
        [[maybe_unused]] const auto got = ::read(signalPipe[0], &byte, 1);
        onSignal();
    });
    std::signal(SIGINT, onUnixSignal);
    std::signal(SIGTERM, onUnixSignal);
}

} // namespace mqs::cli
