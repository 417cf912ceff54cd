// mqttscope-cli sub: mosquitto_sub's flags on MQTT Scope's engine. Like mosquitto_sub it
// reconnects when the connection drops (with back-off here; --no-reconnect exits instead) and
// exits when the broker refuses every filter.

#include "cli_commands.h"
#include "cli_connection.h"
#include "cli_payload_printer.h"

#include "protocol/topic.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTimer>

#include <cstdio>

namespace mqs::cli {
namespace {

// After the last message, open QoS 2 handshakes get this long to finish (their PUBREL) before
// DISCONNECT; a persistent session would complete them on the next connect.
constexpr int kSettleMs = 2000;
// mosquitto_sub's exit status when -W passes before -C messages arrived.
constexpr int kTimedOutExit = 27;

struct SubOptions {
    QStringList filters;
    QoS qos = QoS::AtMostOnce;
    bool verbose = false;
    bool newline = true;
    int count = 0; // -C; 0: no limit
    double timeoutSeconds = 0; // -W; 0: none
    std::shared_ptr<PayloadPrinter> decoded{}; // --decode/--proto: payloads printed as JSON lines
};

// One run of `sub`.
class SubRun
{
public:
    SubRun(Connection &connection, const ClientOptions &client, SubOptions options);

private:
    void onMessage(const Delivery &d);
    void onSessionEvent(const SessionEvent &event);
    void onSubscribed(const SubscribeAcknowledged &ack);
    void onStateChanged(ConnectionState state);
    void onTimeout();
    void closeWhenSettled();
    void subscribe();
    void end(int result);

    Connection &m_connection;
    const ClientOptions &m_client;
    SubOptions m_options;
    int m_received = 0;
    int m_result = 0;
    bool m_everConnected = false;
    bool m_brokerEndedIt = false;
    QTimer m_settle;
    QTimer m_deadline;
};

SubRun::SubRun(Connection &connection, const ClientOptions &client, SubOptions options)
    : m_connection(connection), m_client(client), m_options(std::move(options))
{
    m_settle.setSingleShot(true);
    QObject::connect(&m_settle, &QTimer::timeout, [this] { m_connection.close(); });
    QObject::connect(&connection, &Connection::flowUpdated, [this](const FlowUpdate &) {
        if (m_settle.isActive() && m_connection.session().inbound().awaitingPubRel() == 0) {
            m_settle.stop();
            m_connection.close();
        }
    });
    QObject::connect(&connection, &Connection::messageReceived, [this](const Delivery &d) { onMessage(d); });
    QObject::connect(&connection, &Connection::sessionEvent, [this](const SessionEvent &e) { onSessionEvent(e); });
    QObject::connect(&connection, &Connection::stateChanged, [this](ConnectionState s) { onStateChanged(s); });
    QObject::connect(&connection, &Connection::errorOccurred,
                     [](const Problem &problem) { err(QStringLiteral("mqttscope-cli sub: ") + problem.sentence + tlsAdvice(problem)); });
    if (m_options.timeoutSeconds > 0) {
        m_deadline.setSingleShot(true);
        QObject::connect(&m_deadline, &QTimer::timeout, [this] { onTimeout(); });
        m_deadline.start(int(m_options.timeoutSeconds * 1000));
    }
}

void SubRun::onMessage(const Delivery &d)
{
    if (m_options.count > 0 && m_received >= m_options.count)
        return;
    if (m_options.decoded) {
        const QList<QByteArray> lines = m_options.decoded->linesFor(d.message.topic, d.message.payload,
                                                                    QDateTime::currentMSecsSinceEpoch(), m_options.verbose);
        for (const QByteArray &line : lines)
            std::fwrite((line + '\n').constData(), 1, size_t(line.size() + 1), stdout);
    } else {
        QByteArray line = m_options.verbose ? d.message.topic.toUtf8() + ' ' + d.message.payload : d.message.payload;
        if (m_options.newline)
            line += '\n';
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    }
    std::fflush(stdout);
    if (m_options.count > 0 && ++m_received >= m_options.count)
        closeWhenSettled();
}

void SubRun::closeWhenSettled()
{
    if (m_connection.session().inbound().awaitingPubRel() == 0)
        m_connection.close();
    else if (!m_settle.isActive())
        m_settle.start(kSettleMs);
}

void SubRun::onSessionEvent(const SessionEvent &event)
{
    if (const auto *connected = std::get_if<Connected>(&event)) {
        // A resumed session keeps its subscriptions; anything else needs them again.
        if (!m_everConnected || !connected->sessionPresent)
            subscribe();
        m_everConnected = true;
        m_brokerEndedIt = false;
    } else if (const auto *ack = std::get_if<SubscribeAcknowledged>(&event)) {
        onSubscribed(*ack);
    } else if (const auto *disconnected = std::get_if<PeerDisconnected>(&event)) {
        m_brokerEndedIt = true;
        if (!isFailure(disconnected->reason)) // a failing reason already came as errorOccurred
            err(QStringLiteral("mqttscope-cli sub: the broker ended the connection. ") + disconnected->message);
        const QStringList unfinished = unfinishedFlows(m_connection.session(), Direction::Inbound);
        if (!unfinished.isEmpty())
            err(QStringLiteral("mqttscope-cli sub: %1 QoS 2 message(s) received but not released (no PUBREL yet): %2. %3")
                    .arg(unfinished.size())
                    .arg(unfinished.join(QStringLiteral(", ")), whereUnfinishedGo(m_client)));
    }
}

void SubRun::onSubscribed(const SubscribeAcknowledged &ack)
{
    int refused = 0;
    for (std::size_t i = 0; i < ack.reasons.size(); ++i) {
        if (!isFailure(ack.reasons[i]))
            continue;
        ++refused;
        err(QStringLiteral("mqttscope-cli sub: the broker refused '%1': %2")
                .arg(ack.subscriptions[i].filter, reasonText(ack.reasons[i], PacketType::SubAck)));
    }
    if (refused > 0 && refused == int(ack.reasons.size())) {
        err(QStringLiteral("mqttscope-cli sub: every filter was refused; nothing can arrive, so exiting."));
        m_result = 1;
        m_connection.close();
    }
}

void SubRun::subscribe()
{
    std::vector<Subscription> subscriptions;
    for (const QString &filter : m_options.filters)
        subscriptions.push_back(Subscription{filter, {m_options.qos}});
    m_connection.subscribe(subscriptions, propertiesFor(m_client.properties, QStringLiteral("subscribe")));
}

void SubRun::onStateChanged(ConnectionState state)
{
    if (state == ConnectionState::WaitingToReconnect) {
        if (!m_everConnected) { // as mosquitto_sub: a first connection that fails ends the run
            m_connection.close();
            return;
        }
        err(QStringLiteral("mqttscope-cli sub: connection lost; reconnecting with back-off (%1 s, doubling up to %2 s). "
                           "--no-reconnect exits instead.")
                .arg(m_client.settings.reconnectMinimumMs / 1000.0)
                .arg(m_client.settings.reconnectMaximumMs / 1000.0));
        return;
    }
    if (state == ConnectionState::Connected && m_everConnected)
        err(QStringLiteral("mqttscope-cli sub: reconnected."));
    if (state == ConnectionState::Disconnected) {
        const bool failed = !m_connection.lastError().isEmpty() || m_brokerEndedIt || !m_everConnected;
        end(m_result != 0 ? m_result : (failed ? 1 : 0));
    }
}

void SubRun::onTimeout()
{
    if (m_options.count > 0 && m_received < m_options.count)
        m_result = kTimedOutExit;
    m_connection.close();
    if (m_connection.state() == ConnectionState::Disconnected)
        end(m_result);
}

void SubRun::end(int result)
{
    QCoreApplication::exit(result);
}

// sub's flags, each named once: added to the parser and read back through the same object.
struct SubFlags {
    QCommandLineOption topic{{QStringLiteral("t"), QStringLiteral("topic")},
                             QStringLiteral("Topic filter to subscribe to (repeatable)."), QStringLiteral("FILTER")};
    QCommandLineOption qos{{QStringLiteral("q"), QStringLiteral("qos")}, QStringLiteral("Maximum QoS 0, 1 or 2 (default 0)."),
                           QStringLiteral("QOS")};
    QCommandLineOption verbose{{QStringLiteral("v"), QStringLiteral("verbose")},
                               QStringLiteral("Print the topic before each payload.")};
    QCommandLineOption count{{QStringLiteral("C"), QStringLiteral("count")}, QStringLiteral("Exit after N messages."),
                             QStringLiteral("N")};
    QCommandLineOption timeout{{QStringLiteral("W"), QStringLiteral("timeout")}, QStringLiteral("Exit after SECONDS."),
                               QStringLiteral("SECONDS")};
    QCommandLineOption noNewline{{QStringLiteral("N"), QStringLiteral("no-newline")},
                                 QStringLiteral("Do not end payloads with a newline.")};
    QCommandLineOption noReconnect{QStringLiteral("no-reconnect"),
                                   QStringLiteral("Exit (status 1) when the connection drops instead of reconnecting.")};

    DecodeFlags decoding;

    QList<QCommandLineOption> all() const { return QList<QCommandLineOption>{topic, qos, verbose, count, timeout, noNewline, noReconnect} + decoding.all(); }
};

// The subscription options, or the usage error.
Result<SubOptions> readSubOptions(const QCommandLineParser &parser, const SubFlags &flags,
                                                 const ClientOptions &client)
{
    SubOptions o;
    o.filters = parser.values(flags.topic);
    if (o.filters.isEmpty() && !client.urlTopic.isEmpty())
        o.filters << client.urlTopic;
    if (o.filters.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("give at least one topic filter with -t.")};
    for (const QString &filter : o.filters)
        if (Status problem = checkTopicFilter(filter); !problem)
            return problem.problem();
    const auto qos = parseQos(parser.value(flags.qos).isEmpty() ? QStringLiteral("0") : parser.value(flags.qos));
    if (!qos)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("-q must be 0, 1 or 2.")};
    o.qos = *qos;
    bool ok = true;
    o.count = parser.isSet(flags.count) ? parser.value(flags.count).toInt(&ok) : 0;
    if (!ok || o.count < 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("-C must be a count of messages.")};
    o.timeoutSeconds = parser.isSet(flags.timeout) ? parser.value(flags.timeout).toDouble(&ok) : 0;
    if (!ok || o.timeoutSeconds < 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("-W must be a number of seconds.")};
    o.verbose = parser.isSet(flags.verbose);
    o.newline = !parser.isSet(flags.noNewline);
    if (flags.decoding.anySet(parser)) {
        auto printer = PayloadPrinter::fromFlags(parser, flags.decoding);
        if (!printer)
            return printer.problem();
        o.decoded = std::move(printer).value();
    }
    return o;
}

} // namespace

int subCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Subscribes and prints each message's payload on a line (with -v: topic and payload); with --decode "
                       "or --proto each payload is decoded and printed as one line of JSON. When the "
                       "connection drops it reconnects with back-off, as mosquitto_sub reconnects.\n"
                       "Exit status: 0 after -C messages, on SIGINT/SIGTERM, or when -W passes without -C; 27 when -W "
                       "passes before -C messages arrived; 1 when the connection failed, the broker refused every "
                       "filter, or (with --no-reconnect) the connection ended; 2 on a usage error."));
    parser.addOption({QStringLiteral("help"), QStringLiteral("Show these options.")}); // -h is the host, as in mosquitto_sub
    addConnectionOptions(parser, QStringLiteral("mqttscope-sub"));
    const SubFlags flags;
    parser.addOptions(flags.all());
    int exitCode = 0;
    auto parsed = parseClient(QStringLiteral("sub"), arguments, parser, QStringLiteral("mqttscope-sub"), exitCode);
    if (!parsed)
        return exitCode;
    ClientOptions client = *parsed;
    client.settings.autoReconnect = !parser.isSet(flags.noReconnect);
    auto options = readSubOptions(parser, flags, client);
    if (!options)
        return usageError(QStringLiteral("sub"), options.sentence());

    CliClient cli(client);
    if (const Status ready = cli.setUp(); !ready) {
        err(QStringLiteral("mqttscope-cli sub: ") + ready.sentence());
        return 1;
    }
    Connection &connection = cli.connection();
    SubRun run(connection, client, *options);
    quitOnSignals([&] { connection.close(); });
    connection.open();
    if (connection.state() == ConnectionState::Disconnected)
        return 1;
    return QCoreApplication::exec();
}

} // namespace mqs::cli
