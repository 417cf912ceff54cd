// mqttscope-cli pub: mosquitto_pub's flags on MQTT Scope's engine. It waits for every message it
// is responsible for (its own, and those an earlier run left in --store), reads -l input only
// while the session's queue has room, and says what is left unfinished when the broker ends it.

#include "cli_commands.h"
#include "cli_connection.h"

#include "protocol/topic.h"

#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>

#include <algorithm>
#include <deque>
#include <set>
#include <unistd.h>

namespace mqs::cli {
namespace {

// Bytes asked of stdin at a time: large enough for throughput, small enough that one read adds
// only a few thousand lines beyond the queue.
constexpr qsizetype kStdinChunk = 65536;

struct PubOptions {
    QString topic;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    Properties properties;
    std::vector<QByteArray> payloads; // -m, -n, -f: sent `repeat` times once connected
    int repeat = 1;
    bool lines = false; // -l
    bool wholeStdin = false; // -s
    int queueLimit = 0; // messages waiting in the session before -l stops reading
};

// One run of `pub`.
class PubRun
{
public:
    PubRun(Connection &connection, const ClientOptions &client, PubOptions options);
    // Takes in what an earlier run left in the store (the connection has loaded it), then waits for it too.
    void adoptRestoredFlows();
    int exitCode() const;

private:
    void onConnected();
    void onFlowUpdated(const FlowUpdate &u);
    void onSessionEvent(const SessionEvent &event);
    void onDisconnected();
    void readStdin();
    void publishWaitingLines();
    void publishOne(const QByteArray &payload);
    bool queueHasRoom() const;
    void finishIfDone();

    Connection &m_connection;
    const ClientOptions &m_client;
    PubOptions m_options;
    std::set<quint64> m_pending; // serials of flows not finished yet
    std::set<quint64> m_restored; // those an earlier run left
    std::deque<QByteArray> m_waitingLines; // read from stdin, not yet handed to the session
    QByteArray m_partialLine;
    std::unique_ptr<QSocketNotifier> m_stdin;
    bool m_inputDone = true;
    bool m_started = false;
    bool m_failed = false;
};

PubRun::PubRun(Connection &connection, const ClientOptions &client, PubOptions options)
    : m_connection(connection), m_client(client), m_options(std::move(options))
{
    QObject::connect(&connection, &Connection::flowUpdated, [this](const FlowUpdate &u) { onFlowUpdated(u); });
    QObject::connect(&connection, &Connection::sessionEvent, [this](const SessionEvent &e) { onSessionEvent(e); });
    QObject::connect(&connection, &Connection::stateChanged, [this](ConnectionState state) {
        if (state == ConnectionState::Connected && !m_started)
            onConnected();
        if (state == ConnectionState::Disconnected)
            onDisconnected();
    });
    QObject::connect(&connection, &Connection::errorOccurred, [this](const Problem &problem) {
        err(QStringLiteral("mqttscope-cli pub: ") + problem.sentence + tlsAdvice(problem));
        m_failed = true;
    });
    if (m_options.lines || m_options.wholeStdin) {
        m_inputDone = false;
        m_stdin = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(m_stdin.get(), &QSocketNotifier::activated, [this] { readStdin(); });
    }
}

void PubRun::adoptRestoredFlows()
{
    for (const OutboundFlow &f : m_connection.session().outbound().flows())
        if (!isFinished(f.state))
            m_restored.insert(f.serial);
    if (m_restored.empty())
        return;
    m_pending.insert(m_restored.begin(), m_restored.end());
    err(QStringLiteral("mqttscope-cli pub: %1 message(s) an earlier run left unfinished in %2; resending them and "
                       "waiting for them too: %3")
            .arg(m_restored.size())
            .arg(m_client.storePath, unfinishedFlows(m_connection.session(), Direction::Outbound).join(QStringLiteral(", "))));
}

int PubRun::exitCode() const
{
    const bool everythingSent = m_inputDone && m_waitingLines.empty() && m_pending.empty();
    return m_failed || !everythingSent || !m_connection.lastError().isEmpty() ? 1 : 0;
}

void PubRun::onConnected()
{
    m_started = true;
    for (int i = 0; i < m_options.repeat; ++i)
        for (const QByteArray &payload : m_options.payloads)
            publishOne(payload);
    publishWaitingLines();
    finishIfDone();
}

void PubRun::onFlowUpdated(const FlowUpdate &u)
{
    if (u.direction != Direction::Outbound || !isFinished(u.state) || !m_pending.erase(u.serial))
        return;
    const bool restored = m_restored.erase(u.serial) > 0;
    if (u.state != FlowState::Complete) {
        err(QStringLiteral("mqttscope-cli pub: %1message on '%2' (id %3) %4: %5")
                .arg(restored ? QStringLiteral("restored ") : QString(), u.topic)
                .arg(u.packetId.value)
                .arg(u.state == FlowState::Failed ? QStringLiteral("failed") : QStringLiteral("was abandoned"), u.note));
        m_failed = true;
    } else if (restored) {
        err(QStringLiteral("mqttscope-cli pub: restored message on '%1' (id %2) completed.").arg(u.topic).arg(u.packetId.value));
    }
    publishWaitingLines();
    finishIfDone();
}

void PubRun::onSessionEvent(const SessionEvent &event)
{
    const auto *disconnected = std::get_if<PeerDisconnected>(&event);
    // A failing reason already came as errorOccurred; a normal one ends the run just the same.
    if (disconnected && !isFailure(disconnected->reason))
        err(QStringLiteral("mqttscope-cli pub: the broker ended the connection. ") + disconnected->message);
}

void PubRun::onDisconnected()
{
    const QStringList unfinished = unfinishedFlows(m_connection.session(), Direction::Outbound);
    if (!unfinished.isEmpty())
        err(QStringLiteral("mqttscope-cli pub: %1 message(s) not acknowledged: %2. %3")
                .arg(unfinished.size())
                .arg(unfinished.join(QStringLiteral(", ")), whereUnfinishedGo(m_client)));
    if (!m_waitingLines.empty() || !m_inputDone)
        err(QStringLiteral("mqttscope-cli pub: input not published: %1 line(s) read and waiting%2.")
                .arg(m_waitingLines.size())
                .arg(m_inputDone ? QString() : QStringLiteral(", and the rest of stdin unread")));
    QCoreApplication::exit(exitCode());
}

void PubRun::readStdin()
{
    QByteArray chunk(kStdinChunk, Qt::Uninitialized);
    const ssize_t n = ::read(STDIN_FILENO, chunk.data(), size_t(chunk.size()));
    if (n > 0)
        m_partialLine.append(chunk.constData(), n);
    if (m_options.lines) {
        qsizetype start = 0;
        for (qsizetype newline; (newline = m_partialLine.indexOf('\n', start)) >= 0; start = newline + 1)
            m_waitingLines.push_back(m_partialLine.sliced(start, newline - start));
        m_partialLine.remove(0, start);
    }
    if (n <= 0) {
        if (m_options.wholeStdin || !m_partialLine.isEmpty())
            m_waitingLines.push_back(m_partialLine);
        m_partialLine.clear();
        m_inputDone = true;
    }
    // Read no further while lines wait: the queue decides when the next chunk is welcome.
    m_stdin->setEnabled(false);
    publishWaitingLines();
    finishIfDone();
}

void PubRun::publishWaitingLines()
{
    while (m_started && !m_waitingLines.empty() && queueHasRoom() && m_connection.state() == ConnectionState::Connected) {
        const QByteArray line = std::move(m_waitingLines.front());
        m_waitingLines.pop_front();
        publishOne(line);
    }
    if (m_stdin && !m_inputDone && m_waitingLines.empty())
        m_stdin->setEnabled(true);
}

bool PubRun::queueHasRoom() const
{
    return m_connection.session().outbound().queued() < m_options.queueLimit;
}

void PubRun::publishOne(const QByteArray &payload)
{
    const PublishResult result =
        m_connection.publish(ApplicationMessage{m_options.topic, payload, m_options.qos, m_options.retain, m_options.properties});
    if (!result.ticket) {
        err(QStringLiteral("mqttscope-cli pub: not published: ") + result.ticket.sentence());
        m_failed = true;
        return;
    }
    if (result.ticket->serial)
        m_pending.insert(result.ticket->serial);
}

void PubRun::finishIfDone()
{
    if (m_inputDone && m_waitingLines.empty() && m_pending.empty() && m_connection.state() == ConnectionState::Connected)
        m_connection.close();
}

// pub's message flags, each named once: added to the parser and read back through the same object.
struct PubFlags {
    QCommandLineOption topic{{QStringLiteral("t"), QStringLiteral("topic")}, QStringLiteral("Topic to publish to."),
                             QStringLiteral("TOPIC")};
    QCommandLineOption message{{QStringLiteral("m"), QStringLiteral("message")}, QStringLiteral("Message payload."),
                               QStringLiteral("MESSAGE")};
    QCommandLineOption nullMessage{{QStringLiteral("n"), QStringLiteral("null-message")}, QStringLiteral("An empty payload.")};
    QCommandLineOption file{{QStringLiteral("f"), QStringLiteral("file")}, QStringLiteral("Send the file's contents as the payload."),
                            QStringLiteral("FILE")};
    QCommandLineOption stdinFile{{QStringLiteral("s"), QStringLiteral("stdin-file")},
                                 QStringLiteral("Send all of stdin as one payload.")};
    QCommandLineOption stdinLine{{QStringLiteral("l"), QStringLiteral("stdin-line")},
                                 QStringLiteral("Send each line of stdin as a message; stdin is read only while the queue "
                                                "has room.")};
    QCommandLineOption qos{{QStringLiteral("q"), QStringLiteral("qos")}, QStringLiteral("QoS 0, 1 or 2 (default 0)."),
                           QStringLiteral("QOS")};
    QCommandLineOption retain{{QStringLiteral("r"), QStringLiteral("retain")}, QStringLiteral("Retain the message.")};
    QCommandLineOption repeat{QStringLiteral("repeat"), QStringLiteral("Publish the message N times."), QStringLiteral("N")};
    QCommandLineOption queueLimit{QStringLiteral("queue-limit"),
                                  QStringLiteral("Messages that may wait in the session for the send window (default %1); "
                                                 "-l pauses reading stdin at the limit, other messages beyond it are "
                                                 "refused.")
                                      .arg(SessionOptions{}.maximumQueued),
                                  QStringLiteral("N")};

    QList<QCommandLineOption> all() const
    {
        return {topic, message, nullMessage, file, stdinFile, stdinLine, qos, retain, repeat, queueLimit};
    }
    // Where the payloads come from: exactly one is given.
    QList<QCommandLineOption> payloadSources() const { return {message, nullMessage, file, stdinFile, stdinLine}; }
};

// The payloads of -m, -n or -f; a File problem when the file cannot be read.
Result<std::vector<QByteArray>> fixedPayloads(const QCommandLineParser &parser, const PubFlags &flags)
{
    if (parser.isSet(flags.message))
        return std::vector<QByteArray>{parser.value(flags.message).toUtf8()};
    if (parser.isSet(flags.nullMessage))
        return std::vector<QByteArray>{QByteArray()};
    if (parser.isSet(flags.file)) {
        QFile file(parser.value(flags.file));
        if (!file.open(QIODevice::ReadOnly))
            return Problem{ProblemKind::File, QStringLiteral("cannot read %1: %2.").arg(file.fileName(), file.errorString())};
        return std::vector<QByteArray>{file.readAll()};
    }
    return std::vector<QByteArray>{};
}

// The message options, or the usage error.
Result<PubOptions> readPubOptions(const QCommandLineParser &parser, const PubFlags &flags,
                                                 const ClientOptions &client)
{
    PubOptions o;
    o.topic = parser.isSet(flags.topic) ? parser.value(flags.topic) : client.urlTopic;
    if (o.topic.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("give a topic with -t.")};
    if (Status problem = checkTopicName(o.topic); !problem)
        return problem.problem();
    const auto qos = parseQos(parser.value(flags.qos).isEmpty() ? QStringLiteral("0") : parser.value(flags.qos));
    if (!qos)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("-q must be 0, 1 or 2.")};
    o.qos = *qos;
    o.retain = parser.isSet(flags.retain);
    const auto sources = flags.payloadSources();
    if (std::count_if(sources.begin(), sources.end(), [&](const QCommandLineOption &f) { return parser.isSet(f); }) != 1)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("give exactly one of -m, -n, -f, -s or -l.")};
    bool ok = true;
    o.repeat = parser.isSet(flags.repeat) ? parser.value(flags.repeat).toInt(&ok) : 1;
    if (!ok || o.repeat < 1)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("--repeat must be 1 or more.")};
    o.queueLimit = client.settings.session.maximumQueued;
    o.lines = parser.isSet(flags.stdinLine);
    o.wholeStdin = parser.isSet(flags.stdinFile);
    o.properties = propertiesFor(client.properties, QStringLiteral("publish"));
    return o;
}

} // namespace

int pubCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Publishes messages and waits until each is acknowledged (PUBACK, or PUBCOMP for QoS 2), "
                       "including those an earlier run left unfinished in --store.\n"
                       "Exit status: 0 when every message completed; 1 when the connection failed or ended (the broker's "
                       "DISCONNECT included) before that, or a message was refused or failed; 2 on a usage error."));
    parser.addOption({QStringLiteral("help"), QStringLiteral("Show these options.")}); // -h is the host, as in mosquitto_pub
    addConnectionOptions(parser, QStringLiteral("mqttscope-pub"));
    const PubFlags flags;
    parser.addOptions(flags.all());
    int exitCode = 0;
    auto parsed = parseClient(QStringLiteral("pub"), arguments, parser, QStringLiteral("mqttscope-pub"), exitCode);
    if (!parsed)
        return exitCode;
    ClientOptions client = *parsed;
    if (parser.isSet(flags.queueLimit)) {
        bool ok = false;
        client.settings.session.maximumQueued = parser.value(flags.queueLimit).toInt(&ok);
        if (!ok || client.settings.session.maximumQueued < 1)
            return usageError(QStringLiteral("pub"), QStringLiteral("--queue-limit must be 1 or more."));
    }
    auto options = readPubOptions(parser, flags, client);
    if (!options)
        return usageError(QStringLiteral("pub"), options.sentence());
    auto payloads = fixedPayloads(parser, flags);
    if (!payloads) {
        err(QStringLiteral("mqttscope-cli pub: ") + payloads.sentence());
        return 1;
    }
    options->payloads = std::move(payloads).value();

    CliClient cli(client);
    if (const Status ready = cli.setUp(); !ready) {
        err(QStringLiteral("mqttscope-cli pub: ") + ready.sentence());
        return 1;
    }
    Connection &connection = cli.connection();
    PubRun run(connection, client, *options);
    quitOnSignals([&] { connection.close(); });
    connection.open();
    if (connection.state() == ConnectionState::Disconnected)
        return 1; // could not even start (the error is printed)
    run.adoptRestoredFlows();
    return QCoreApplication::exec();
}

} // namespace mqs::cli
