// mqttscope-cli pub | sub | history: mosquitto_pub / mosquitto_sub's flags on MQTT Scope's
// engine, plus --store (a session that survives a killed process) and --trace.

#include "cli_commands.h"
#include "cli_connection.h"

#include "protocol/topic.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTimer>

#include <cstdio>
#include <set>
#include <unistd.h>

namespace mqs::cli {
namespace {

// Parses, or prints the usage error; `exitCode` is set when the command should end now.
std::optional<ClientOptions> parseClient(const QString &command, QStringList arguments, QCommandLineParser &parser,
                                         const QString &clientPrefix, int &exitCode)
{
    auto properties = extractPropertyFlags(arguments);
    if (const auto *error = std::get_if<QString>(&properties)) {
        exitCode = usageError(command, *error);
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
    auto options = readConnectionOptions(parser, std::get<std::vector<PropertyFlag>>(properties), clientPrefix);
    if (const auto *error = std::get_if<QString>(&options)) {
        exitCode = usageError(command, *error);
        return std::nullopt;
    }
    return std::get<ClientOptions>(options);
}

std::optional<QoS> parseQos(const QString &text)
{
    if (text == QLatin1String("0") || text == QLatin1String("1") || text == QLatin1String("2"))
        return QoS(text.toInt());
    return std::nullopt;
}

} // namespace

int pubCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Publishes messages and waits until each is acknowledged (PUBACK, or PUBCOMP for QoS 2).\n"
                       "Exit status: 0 when every message completed; 1 when the connection failed or a message was "
                       "refused or failed; 2 on a usage error."));
    parser.addOption({QStringLiteral("help"), QStringLiteral("Show these options.")}); // -h is the host, as in mosquitto_pub
    addConnectionOptions(parser, QStringLiteral("mqttscope-pub"));
    parser.addOptions({
        {{QStringLiteral("t"), QStringLiteral("topic")}, QStringLiteral("Topic to publish to."), QStringLiteral("TOPIC")},
        {{QStringLiteral("m"), QStringLiteral("message")}, QStringLiteral("Message payload."), QStringLiteral("MESSAGE")},
        {{QStringLiteral("n"), QStringLiteral("null-message")}, QStringLiteral("An empty payload.")},
        {{QStringLiteral("f"), QStringLiteral("file")}, QStringLiteral("Send the file's contents as the payload."), QStringLiteral("FILE")},
        {{QStringLiteral("s"), QStringLiteral("stdin-file")}, QStringLiteral("Send all of stdin as one payload.")},
        {{QStringLiteral("l"), QStringLiteral("stdin-line")}, QStringLiteral("Send each line of stdin as a message.")},
        {{QStringLiteral("q"), QStringLiteral("qos")}, QStringLiteral("QoS 0, 1 or 2 (default 0)."), QStringLiteral("QOS")},
        {{QStringLiteral("r"), QStringLiteral("retain")}, QStringLiteral("Retain the message.")},
        {QStringLiteral("repeat"), QStringLiteral("Publish the message N times."), QStringLiteral("N")},
    });
    int exitCode = 0;
    auto parsed = parseClient(QStringLiteral("pub"), arguments, parser, QStringLiteral("mqttscope-pub"), exitCode);
    if (!parsed)
        return exitCode;
    ClientOptions options = *parsed;
    const QString topic = parser.isSet(QStringLiteral("t")) ? parser.value(QStringLiteral("t")) : options.urlTopic;
    if (topic.isEmpty())
        return usageError(QStringLiteral("pub"), QStringLiteral("give a topic with -t."));
    if (const auto problem = topicNameProblem(topic))
        return usageError(QStringLiteral("pub"), *problem);
    const auto qos = parseQos(parser.value(QStringLiteral("q")).isEmpty() ? QStringLiteral("0") : parser.value(QStringLiteral("q")));
    if (!qos)
        return usageError(QStringLiteral("pub"), QStringLiteral("-q must be 0, 1 or 2."));
    const int sources = int(parser.isSet(QStringLiteral("m"))) + int(parser.isSet(QStringLiteral("n")))
                        + int(parser.isSet(QStringLiteral("f"))) + int(parser.isSet(QStringLiteral("s")))
                        + int(parser.isSet(QStringLiteral("l")));
    if (sources != 1)
        return usageError(QStringLiteral("pub"), QStringLiteral("give exactly one of -m, -n, -f, -s or -l."));
    bool repeatOk = true;
    const int repeat = parser.isSet(QStringLiteral("repeat")) ? parser.value(QStringLiteral("repeat")).toInt(&repeatOk) : 1;
    if (!repeatOk || repeat < 1)
        return usageError(QStringLiteral("pub"), QStringLiteral("--repeat must be 1 or more."));

    std::vector<QByteArray> payloads;
    if (parser.isSet(QStringLiteral("m"))) {
        payloads.push_back(parser.value(QStringLiteral("m")).toUtf8());
    } else if (parser.isSet(QStringLiteral("n"))) {
        payloads.push_back(QByteArray());
    } else if (parser.isSet(QStringLiteral("f"))) {
        QFile file(parser.value(QStringLiteral("f")));
        if (!file.open(QIODevice::ReadOnly)) {
            err(QStringLiteral("mqttscope-cli pub: cannot read %1: %2.").arg(file.fileName(), file.errorString()));
            return 1;
        }
        payloads.push_back(file.readAll());
    }
    const bool lines = parser.isSet(QStringLiteral("l"));
    const bool wholeStdin = parser.isSet(QStringLiteral("s"));

    CliClient client(options);
    if (const auto error = client.setUp()) {
        err(QStringLiteral("mqttscope-cli pub: ") + *error);
        return 1;
    }
    Connection &connection = client.connection();
    const Properties publishProperties = propertiesFor(options.properties, QStringLiteral("publish"));
    std::set<quint64> pending;
    bool inputDone = !lines && !wholeStdin;
    bool failed = false;
    QByteArray stdinBuffer;

    auto finishIfDone = [&] {
        if (inputDone && pending.empty() && connection.state() == ConnectionState::Connected)
            connection.close();
    };
    auto publishOne = [&](const QByteArray &payload) {
        const PublishResult result =
            connection.publish(ApplicationMessage{topic, payload, *qos, parser.isSet(QStringLiteral("r")), publishProperties});
        if (!result.ticket) {
            err(QStringLiteral("mqttscope-cli pub: not published: ") + result.refusal);
            failed = true;
            return;
        }
        if (result.ticket->serial)
            pending.insert(result.ticket->serial);
    };
    QObject::connect(&connection, &Connection::flowUpdated, [&](const FlowUpdate &u) {
        if (u.direction != Direction::Outbound || !isFinished(u.state) || !pending.erase(u.serial))
            return;
        if (u.state != FlowState::Complete) {
            err(QStringLiteral("mqttscope-cli pub: message on '%1' (id %2) %3: %4")
                    .arg(u.topic)
                    .arg(u.packetId.value)
                    .arg(u.state == FlowState::Failed ? QStringLiteral("failed") : QStringLiteral("was abandoned"), u.note));
            failed = true;
        }
        finishIfDone();
    });
    bool started = false;
    QObject::connect(&connection, &Connection::stateChanged, [&](ConnectionState state) {
        if (state == ConnectionState::Connected && !started) {
            started = true;
            for (int i = 0; i < repeat; ++i)
                for (const QByteArray &payload : payloads)
                    publishOne(payload);
            finishIfDone();
        }
        if (state == ConnectionState::Disconnected)
            QCoreApplication::exit(failed || !pending.empty() || !connection.lastError().isEmpty() ? 1 : 0);
    });
    QObject::connect(&connection, &Connection::errorOccurred, [&](const QString &message) {
        err(QStringLiteral("mqttscope-cli pub: ") + message);
        failed = true;
    });
    std::unique_ptr<QSocketNotifier> stdinNotifier;
    if (lines || wholeStdin) {
        stdinNotifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        QObject::connect(stdinNotifier.get(), &QSocketNotifier::activated, [&] {
            char buffer[65536];
            const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n > 0)
                stdinBuffer.append(buffer, n);
            if (lines) {
                qsizetype newline;
                while ((newline = stdinBuffer.indexOf('\n')) >= 0) {
                    payloads.push_back(stdinBuffer.left(newline));
                    stdinBuffer.remove(0, newline + 1);
                    if (started)
                        publishOne(payloads.back());
                }
            }
            if (n <= 0) {
                stdinNotifier->setEnabled(false);
                if (wholeStdin || !stdinBuffer.isEmpty()) {
                    payloads.push_back(stdinBuffer);
                    if (started)
                        publishOne(payloads.back());
                }
                inputDone = true;
                finishIfDone();
            }
        });
    }
    quitOnSignals([&] { connection.close(); });
    connection.open();
    if (connection.state() == ConnectionState::Disconnected)
        return 1; // could not even start (the error is printed)
    return QCoreApplication::exec();
}

int subCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Subscribes and prints each message's payload on a line (with -v: topic and payload).\n"
                       "Exit status: 0 after -C messages, on SIGINT/SIGTERM, or when -W passes without -C; 27 when -W "
                       "passes before -C messages arrived; 1 when the connection failed; 2 on a usage error."));
    parser.addOption({QStringLiteral("help"), QStringLiteral("Show these options.")}); // -h is the host, as in mosquitto_sub
    addConnectionOptions(parser, QStringLiteral("mqttscope-sub"));
    parser.addOptions({
        {{QStringLiteral("t"), QStringLiteral("topic")}, QStringLiteral("Topic filter to subscribe to (repeatable)."), QStringLiteral("FILTER")},
        {{QStringLiteral("q"), QStringLiteral("qos")}, QStringLiteral("Maximum QoS 0, 1 or 2 (default 0)."), QStringLiteral("QOS")},
        {{QStringLiteral("v"), QStringLiteral("verbose")}, QStringLiteral("Print the topic before each payload.")},
        {{QStringLiteral("C"), QStringLiteral("count")}, QStringLiteral("Exit after N messages."), QStringLiteral("N")},
        {{QStringLiteral("W"), QStringLiteral("timeout")}, QStringLiteral("Exit after SECONDS."), QStringLiteral("SECONDS")},
        {{QStringLiteral("N"), QStringLiteral("no-newline")}, QStringLiteral("Do not end payloads with a newline.")},
    });
    int exitCode = 0;
    auto parsed = parseClient(QStringLiteral("sub"), arguments, parser, QStringLiteral("mqttscope-sub"), exitCode);
    if (!parsed)
        return exitCode;
    ClientOptions options = *parsed;
    QStringList filters = parser.values(QStringLiteral("t"));
    if (filters.isEmpty() && !options.urlTopic.isEmpty())
        filters << options.urlTopic;
    if (filters.isEmpty())
        return usageError(QStringLiteral("sub"), QStringLiteral("give at least one topic filter with -t."));
    for (const QString &filter : filters)
        if (const auto problem = topicFilterProblem(filter))
            return usageError(QStringLiteral("sub"), *problem);
    const auto qos = parseQos(parser.value(QStringLiteral("q")).isEmpty() ? QStringLiteral("0") : parser.value(QStringLiteral("q")));
    if (!qos)
        return usageError(QStringLiteral("sub"), QStringLiteral("-q must be 0, 1 or 2."));
    bool ok = true;
    const int count = parser.isSet(QStringLiteral("C")) ? parser.value(QStringLiteral("C")).toInt(&ok) : 0;
    if (!ok || count < 0)
        return usageError(QStringLiteral("sub"), QStringLiteral("-C must be a count of messages."));
    const double timeout = parser.isSet(QStringLiteral("W")) ? parser.value(QStringLiteral("W")).toDouble(&ok) : 0;
    if (!ok || timeout < 0)
        return usageError(QStringLiteral("sub"), QStringLiteral("-W must be a number of seconds."));

    CliClient client(options);
    if (const auto error = client.setUp()) {
        err(QStringLiteral("mqttscope-cli sub: ") + *error);
        return 1;
    }
    Connection &connection = client.connection();
    int received = 0;
    int result = 0;
    bool subscribed = false;
    // After the last message, let open QoS 2 handshakes finish (their PUBREL) before DISCONNECT,
    // for at most two seconds; a persistent session would complete them on the next connect.
    QTimer settle;
    settle.setSingleShot(true);
    QObject::connect(&settle, &QTimer::timeout, [&] { connection.close(); });
    auto closeWhenSettled = [&] {
        if (connection.session().inbound().awaitingPubRel() == 0)
            connection.close();
        else if (!settle.isActive())
            settle.start(2000);
    };
    QObject::connect(&connection, &Connection::flowUpdated, [&](const FlowUpdate &) {
        if (settle.isActive() && connection.session().inbound().awaitingPubRel() == 0) {
            settle.stop();
            connection.close();
        }
    });
    const bool verbose = parser.isSet(QStringLiteral("v"));
    const bool newline = !parser.isSet(QStringLiteral("N"));
    QObject::connect(&connection, &Connection::messageReceived, [&](const Delivery &d) {
        if (count > 0 && received >= count)
            return;
        QByteArray line = verbose ? d.message.topic.toUtf8() + ' ' + d.message.payload : d.message.payload;
        if (newline)
            line += '\n';
        std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
        std::fflush(stdout);
        if (count > 0 && ++received >= count)
            closeWhenSettled();
    });
    QObject::connect(&connection, &Connection::sessionEvent, [&](const SessionEvent &event) {
        if (const auto *ack = std::get_if<SubscribeAcknowledged>(&event)) {
            for (std::size_t i = 0; i < ack->reasons.size(); ++i)
                if (isFailure(ack->reasons[i]))
                    err(QStringLiteral("mqttscope-cli sub: the broker refused '%1': %2")
                            .arg(ack->subscriptions[i].filter, reasonText(ack->reasons[i], PacketType::SubAck)));
        }
    });
    QObject::connect(&connection, &Connection::stateChanged, [&](ConnectionState state) {
        if (state == ConnectionState::Connected && (!subscribed || options.settings.cleanStart)) {
            subscribed = true;
            std::vector<Subscription> subscriptions;
            for (const QString &filter : filters)
                subscriptions.push_back(Subscription{filter, {*qos}});
            connection.subscribe(subscriptions, propertiesFor(options.properties, QStringLiteral("subscribe")));
        }
        if (state == ConnectionState::Disconnected)
            QCoreApplication::exit(result != 0 ? result : (!connection.lastError().isEmpty() ? 1 : 0));
    });
    QObject::connect(&connection, &Connection::errorOccurred,
                     [&](const QString &message) { err(QStringLiteral("mqttscope-cli sub: ") + message); });
    QTimer deadline;
    if (timeout > 0) {
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, [&] {
            if (count > 0 && received < count)
                result = 27; // as mosquitto_sub
            connection.close();
            if (connection.state() == ConnectionState::Disconnected)
                QCoreApplication::exit(result);
        });
        deadline.start(int(timeout * 1000));
    }
    quitOnSignals([&] { connection.close(); });
    connection.open();
    if (connection.state() == ConnectionState::Disconnected)
        return 1;
    return QCoreApplication::exec();
}

int historyCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the message history a session store keeps: every QoS 2 message delivered, exactly once, oldest first."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("store"), QStringLiteral("The SQLite session store (as given to pub/sub --store)."), QStringLiteral("FILE")},
        {QStringLiteral("json"), QStringLiteral("One JSON object per line.")},
        {{QStringLiteral("i"), QStringLiteral("id")}, QStringLiteral("Only this client id's history."), QStringLiteral("ID")},
    });
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("history"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (!parser.isSet(QStringLiteral("store")))
        return usageError(QStringLiteral("history"), QStringLiteral("give the session store with --store FILE."));
    const QString path = parser.value(QStringLiteral("store"));
    if (!QFile::exists(path)) {
        err(QStringLiteral("mqttscope-cli history: %1 does not exist.").arg(path));
        return 1;
    }
    SqliteSessionStore store(path);
    if (store.error()) {
        err(QStringLiteral("mqttscope-cli history: ") + store.error()->message);
        return 1;
    }
    auto keys = store.historyKeys();
    if (const auto *error = std::get_if<StoreError>(&keys)) {
        err(QStringLiteral("mqttscope-cli history: ") + error->message);
        return 1;
    }
    const bool json = parser.isSet(QStringLiteral("json"));
    for (const SessionKey &key : std::get<std::vector<SessionKey>>(keys)) {
        if (parser.isSet(QStringLiteral("i")) && key.clientId != parser.value(QStringLiteral("i")))
            continue;
        auto history = store.history(key, std::numeric_limits<int>::max());
        if (const auto *error = std::get_if<StoreError>(&history)) {
            err(QStringLiteral("mqttscope-cli history: ") + error->message);
            return 1;
        }
        for (const Delivery &d : std::get<std::vector<Delivery>>(history)) {
            const QString at = QDateTime::fromMSecsSinceEpoch(d.at.count()).toString(Qt::ISODateWithMs);
            if (json) {
                QJsonObject o{{QStringLiteral("at"), at},
                              {QStringLiteral("server"), key.scope},
                              {QStringLiteral("client"), key.clientId},
                              {QStringLiteral("topic"), d.message.topic},
                              {QStringLiteral("qos"), qosValue(d.message.qos)},
                              {QStringLiteral("retain"), d.message.retain},
                              {QStringLiteral("payload"), QString::fromUtf8(d.message.payload)}};
                if (d.packetId)
                    o.insert(QStringLiteral("id"), d.packetId->value);
                out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
            } else {
                out(QStringLiteral("%1  %2  id=%3 qos=%4 %5 %6")
                        .arg(at, key.clientId)
                        .arg(d.packetId ? d.packetId->value : 0)
                        .arg(qosValue(d.message.qos))
                        .arg(d.message.topic, QString::fromUtf8(d.message.payload)));
            }
        }
    }
    return 0;
}

} // namespace mqs::cli
