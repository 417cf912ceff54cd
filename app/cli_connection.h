#pragma once
// What `pub` and `sub` share: mosquitto_pub/mosquitto_sub's connection flags turned into
// ConnectionSettings, the session store, the trace printer, fault rules, and running a
// Connection until it is done.

#include "client/connection.h"
#include "store/sqlite_session_store.h"

#include <QCommandLineParser>

#include <memory>

namespace mqs::cli {

// -D COMMAND NAME VALUE [VALUE]: a 5.0 property for CONNECT, PUBLISH or SUBSCRIBE.
struct PropertyFlag {
    QString command; // connect, publish, subscribe
    Property property;
};

struct ClientOptions {
    ConnectionSettings settings;
    std::vector<PropertyFlag> properties;
    QString storePath;
    bool trace = false;
    std::vector<FaultRule> faults;
    QString urlTopic; // the topic of -L mqtt://host/topic
};

// Takes the -D flags out of `arguments` (QCommandLineParser cannot take several values).
Result<std::vector<PropertyFlag>> extractPropertyFlags(QStringList &arguments);
void addConnectionOptions(QCommandLineParser &parser, const QString &defaultClientPrefix);
// The settings the flags describe, or a problem saying which flag is wrong.
Result<ClientOptions> readConnectionOptions(const QCommandLineParser &parser, std::vector<PropertyFlag> properties,
                                            const QString &defaultClientPrefix);
Properties propertiesFor(const std::vector<PropertyFlag> &flags, const QString &command);
// Parses `arguments` for a pub/sub command, or prints the usage error (or the help); `exitCode` is
// set when the command should end now.
std::optional<ClientOptions> parseClient(const QString &command, QStringList arguments, QCommandLineParser &parser,
                                         const QString &clientPrefix, int &exitCode);
std::optional<QoS> parseQos(const QString &text);
// One line per unfinished flow of `session` ("'a/b' id 3 AwaitingPubAck"), outbound or inbound.
QStringList unfinishedFlows(const Session &session, Direction direction);
// What happens to unfinished flows when the process ends: kept in the store, or lost.
QString whereUnfinishedGo(const ClientOptions &options);

// One connection with its trace printer and store, as the CLI runs it.
class CliClient
{
public:
    explicit CliClient(const ClientOptions &options);
    ~CliClient();
    // Success when ready; else the store could not be opened.
    Status setUp();
    Connection &connection() { return *m_connection; }
    TraceLog &trace() { return m_trace; }
    SessionStore *store() { return m_store.get(); }

private:
    void printTraceEvent(quint64 sequence);
    // What to do about a session event, in this program's options, when there is something to do.
    [[nodiscard]] std::optional<QString> adviceFor(const SessionEvent &event) const;

    ClientOptions m_options;
    TraceLog m_trace{TraceLog::kKeepOnlyNewest}; // printed as it grows (--trace), never read back
    std::unique_ptr<SqliteSessionStore> m_store;
    std::unique_ptr<Connection> m_connection;
};

// Quits the event loop on SIGINT / SIGTERM, calling `onSignal` first.
void quitOnSignals(std::function<void()> onSignal);

} // namespace mqs::cli
