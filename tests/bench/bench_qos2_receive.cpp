// The window's Connection as a QoS 2 subscriber of a 10,000 msg/s stream through mosquitto, with
// the SQLite session store and the trace as the window has them: a clean session (Clean Start,
// expiry 0) and a persistent one (expiry 3600), beside mosquitto_sub -q 2 in the same run.
// Run: build/tests/bench/bench_qos2_receive [N] [RATE]  (default 50000 at 10000/s; README.md here)

#include "client/connection.h"
#include "mosquitto_fixture.h"
#include "store/sqlite_session_store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace mqs;
using namespace mqs::test;

namespace {

const QString kTopic = QStringLiteral("bench/qos2");
// How often the backlog is sampled: often enough to see a queue build up within a second.
constexpr int kBacklogSampleMs = 10;

// The SQLite store, with the time its transactions take and how many there are.
class TimedStore final : public SessionStore
{
public:
    explicit TimedStore(const QString &path) : m_store(path) {}
    Status commit(const StoreBatch &batch) override
    {
        QElapsedTimer timer;
        timer.start();
        auto result = m_store.commit(batch);
        busyNs += timer.nsecsElapsed();
        ++transactions;
        return result;
    }
    Result<std::optional<StoredSession>> load(const SessionKey &key) override { return m_store.load(key); }
    Result<std::vector<SessionKey>> keys(const QString &scope) override { return m_store.keys(scope); }
    Result<std::vector<Delivery>> history(const SessionKey &key, int limit) override { return m_store.history(key, limit); }
    Result<std::vector<ApplicationMessage>> retained(const SessionKey &key) override { return m_store.retained(key); }
    Result<std::vector<SessionKey>> historyKeys() override { return m_store.historyKeys(); }
    QString location() const override { return m_store.location(); }

    qint64 busyNs = 0;
    qint64 transactions = 0;

private:
    SqliteSessionStore m_store;
};

// A line of /proc/self/io: "wchar" counts every write call (sockets too), "write_bytes" what
// reached the storage layer.
qint64 processIo(const QByteArray &field)
{
    QFile io(QStringLiteral("/proc/self/io"));
    if (!io.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : io.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().toLongLong();
    return 0;
}

qint64 bytesSent(const TraceLog &trace)
{
    qint64 total = 0;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == TraceDirection::Sent)
            total += trace.rawView(s).size();
    return total;
}

struct Stream {
    quint16 port = 0;
    int messages = 0;
    double rate = 0;
};

QProcess *startPublisher(const Stream &stream, QObject *parent)
{
    auto *publisher = new QProcess(parent);
    publisher->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    publisher->start(QStringLiteral(MQTTSCOPE_BENCH_QOS2_PUBLISHER),
                     {QString::number(stream.port), QString::number(stream.messages), QString::number(stream.rate), kTopic});
    return publisher;
}

// Waits for `done` while the event loop runs; false after `timeoutMs`.
bool runUntil(const std::function<bool()> &done, int timeoutMs);

// The rate the publisher held (its "published_per_s" line), once it has finished.
double publisherRate(QProcess &publisher)
{
    runUntil([&] { return publisher.state() == QProcess::NotRunning; }, 30000);
    for (const QByteArray &line : publisher.readAllStandardOutput().split('\n'))
        if (line.startsWith("published_per_s "))
            return line.mid(16).toDouble();
    return 0;
}

bool runUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    }
    return true;
}

int timeoutFor(const Stream &stream)
{
    constexpr int kSlowestRateCounted = 200; // messages/s; slower than this is a failure anyway
    return 20000 + stream.messages / kSlowestRateCounted * 1000;
}

struct SubscriberRun {
    double seconds = 0; // from the publisher's start to the last message
    double publisherRate = 0;
};

// mosquitto_sub -q 2 -C N to /dev/null: seconds from the publisher's start to its exit.
SubscriberRun runMosquittoSub(MosquittoBroker &broker, const Stream &stream)
{
    QProcess sub;
    sub.setStandardOutputFile(QProcess::nullDevice());
    sub.start(QStringLiteral("mosquitto_sub"),
              // 3.1.1: as 5.0, libmosquitto announces Receive Maximum 20 and drops the connection
              // when mosquitto 2.0.11 overruns it while draining a queue (see QOS2.md).
              {QStringLiteral("-p"), QString::number(stream.port), QStringLiteral("-V"), QStringLiteral("mqttv311"),
               QStringLiteral("-i"), QStringLiteral("bench-mosquitto-sub"), QStringLiteral("-q"), QStringLiteral("2"),
               QStringLiteral("-t"), kTopic, QStringLiteral("-C"), QString::number(stream.messages)});
    // mosquitto logs each subscription (log_type subscribe): the stream starts once it is in.
    if (!runUntil([&] { return broker.logText().contains(QStringLiteral("bench-mosquitto-sub 2 ") + kTopic); }, 10000))
        return {};
    QElapsedTimer wall;
    wall.start();
    QProcess *publisher = startPublisher(stream, &sub);
    if (!runUntil([&] { return sub.state() == QProcess::NotRunning; }, timeoutFor(stream)))
        return {};
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    if (sub.exitCode() != 0) {
        std::fprintf(stderr, "mosquitto_sub failed (%d): %s\n", sub.exitCode(), sub.readAllStandardError().constData());
        return {};
    }
    return {seconds, publisherRate(*publisher)};
}

struct ConnectionRun {
    double seconds = 0;
    double publisherRate = 0;
    qint64 storeBytes = 0; // write calls' bytes, less the bytes sent on the socket
    qint64 diskBytes = 0;
    qint64 transactions = 0;
    double storeBusySeconds = 0;
    int maxBacklogPackets = 0;
};

ConnectionSettings settingsFor(const Stream &stream, const QString &clientId, bool persistent)
{
    ConnectionSettings s;
    s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(stream.port)).value();
    s.clientId = clientId;
    s.cleanStart = !persistent;
    s.sessionExpiry = persistent ? 3600 : 0;
    s.autoReconnect = false;
    return s;
}

// The window's Connection (SQLite store, trace on) subscribed at QoS 2 while the stream runs.
ConnectionRun runConnection(const Stream &stream, const QString &storePath, const QString &clientId, bool persistent)
{
    TraceLog trace;
    TimedStore store(storePath);
    Connection c(settingsFor(stream, clientId, persistent), trace, &store);
    int received = 0;
    bool subscribed = false;
    QObject::connect(&c, &Connection::messageReceived, [&](const Delivery &) { ++received; });
    QObject::connect(&c, &Connection::errorOccurred, [](const Problem &e) { std::fprintf(stderr, "error: %s\n", qPrintable(e.sentence)); });
    QObject::connect(&c, &Connection::sessionEvent, [&](const SessionEvent &e) {
        subscribed = subscribed || std::holds_alternative<SubscribeAcknowledged>(e);
    });
    c.open();
    if (!runUntil([&] { return c.state() == ConnectionState::Connected; }, 10000))
        return {};
    c.subscribe({Subscription{kTopic, {QoS::ExactlyOnce}}});
    if (!runUntil([&] { return subscribed; }, 10000))
        return {};

    ConnectionRun run;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] { run.maxBacklogPackets = std::max(run.maxBacklogPackets, c.backlogPackets()); });
    sampler.start(kBacklogSampleMs);
    const qint64 writesBefore = processIo("wchar");
    const qint64 diskBefore = processIo("write_bytes");
    const qint64 sentBefore = bytesSent(trace);
    store.busyNs = 0;
    store.transactions = 0;
    QElapsedTimer wall;
    wall.start();
    QProcess *publisher = startPublisher(stream, &c);
    if (!runUntil([&] { return received >= stream.messages; }, timeoutFor(stream)))
        return {};
    run.seconds = double(wall.nsecsElapsed()) / 1e9;
    sampler.stop();
    run.storeBytes = processIo("wchar") - writesBefore - (bytesSent(trace) - sentBefore);
    run.diskBytes = processIo("write_bytes") - diskBefore;
    run.transactions = store.transactions;
    run.storeBusySeconds = double(store.busyNs) / 1e9;
    run.publisherRate = publisherRate(*publisher);
    c.close();
    runUntil([&] { return c.state() == ConnectionState::Disconnected; }, 5000);
    return run;
}

void print(const char *name, double value, int decimals = 0)
{
    std::printf("%s %.*f\n", name, decimals, value);
    std::fflush(stdout);
}

void printRun(const char *prefix, const ConnectionRun &run, const Stream &stream)
{
    const auto line = [&](const char *what, double value, int decimals = 0) {
        print(qPrintable(QStringLiteral("%1_%2").arg(QLatin1String(prefix), QLatin1String(what))), value, decimals);
    };
    line("messages_per_s", run.seconds > 0 ? stream.messages / run.seconds : 0);
    line("publisher_per_s", run.publisherRate);
    line("bytes_written_per_message", double(run.storeBytes) / stream.messages, 1);
    line("disk_bytes_per_message", double(run.diskBytes) / stream.messages, 1);
    line("transactions", double(run.transactions));
    line("messages_per_transaction", run.transactions ? double(stream.messages) / double(run.transactions) : 0, 1);
    line("store_busy_fraction", run.seconds > 0 ? run.storeBusySeconds / run.seconds : 0, 3);
    line("max_backlog_packets", run.maxBacklogPackets);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Stream stream;
    stream.messages = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 50000;
    stream.rate = argc > 2 ? QString::fromLocal8Bit(argv[2]).toDouble() : 10000;

    MosquittoBroker::Options options;
    options.persistence = false;
    options.extraConfig << QStringLiteral("log_type none") << QStringLiteral("log_type error") << QStringLiteral("log_type subscribe")
                        // The broker must not be the limit: no cap on messages in flight to a
                        // subscriber or queued for it (the defaults, 20 and 1000, throttle or drop; 0 inflight would
                        // be announced as Receive Maximum 0, which 5.0 clients refuse).
                        << QStringLiteral("max_inflight_messages 65535") << QStringLiteral("max_queued_messages 0")
                        << QStringLiteral("max_queued_bytes 0");
    MosquittoBroker broker(options);
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.sentence()));
        return 1;
    }
    stream.port = broker.port();
    QTemporaryDir dir;
    print("messages", stream.messages);
    print("publisher_rate", stream.rate);

    const SubscriberRun sub = runMosquittoSub(broker, stream);
    const double subRate = sub.seconds > 0 ? stream.messages / sub.seconds : 0;
    print("mosquitto_sub_messages_per_s", subRate);
    print("mosquitto_sub_publisher_per_s", sub.publisherRate);

    const ConnectionRun clean = runConnection(stream, dir.filePath(QStringLiteral("clean.db")), QStringLiteral("bench-clean"), false);
    printRun("clean", clean, stream);
    const ConnectionRun persistent =
        runConnection(stream, dir.filePath(QStringLiteral("persistent.db")), QStringLiteral("bench-persistent"), true);
    printRun("persistent", persistent, stream);

    const auto ratio = [&](const ConnectionRun &run) { return run.seconds > 0 && subRate > 0 ? stream.messages / run.seconds / subRate : 0; };
    print("clean_vs_mosquitto_sub", ratio(clean), 3);
    print("persistent_vs_mosquitto_sub", ratio(persistent), 3);
    print("persistent_bytes_written_per_message", double(persistent.storeBytes) / stream.messages, 1);
    return clean.seconds > 0 && persistent.seconds > 0 && sub.seconds > 0 ? 0 : 1;
}
