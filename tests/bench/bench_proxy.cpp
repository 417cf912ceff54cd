// What the proxy costs, against a real mosquitto started on a free port:
//  - latency: the median round trip of a QoS 2 publish (PUBLISH → PUBREC, PUBREL → PUBCOMP) from
//    a raw blocking client, direct to mosquitto and through the proxy, alternating in one run;
//  - CPU: a publisher through the proxy at 10,000 QoS 0 messages/s to a subscriber also through
//    the proxy (20,000 forwarded packets/s), trace on; the proxy thread's CPU time per packet,
//    in rounds of one second, so that a burst of load from other processes on the machine
//    shows as one round's outlier rather than moving the whole figure.
// The proxy runs in a thread of its own with its own event loop, and its CPU time is read with
// that thread's CPU clock: the test clients and mosquitto, in other threads and a process of
// their own, are not in it. For scale, mosquitto's own CPU time (user + kernel, from /proc) over
// the same load, per packet it handled: it reads each message from the proxy and writes it back
// to the proxy, as many packets as the proxy forwards. And, when socat is installed, what a plain
// byte forwarder costs on this machine: the same load through `socat` (one process per
// connection, copying bytes and nothing else) in place of the proxy, its CPU per packet it
// forwarded. Prints "name value" lines.
// Usage: bench_proxy [ROUND_TRIPS] [LOAD_ROUNDS] [ROUND_SECONDS]

#include "mosquitto_fixture.h"
#include "proxy_bench_rig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace mqs;
using namespace mqs::bench;
using Clock = std::chrono::steady_clock;

namespace {
constexpr int kDefaultRoundTrips = 2000;
constexpr int kDefaultLoadRounds = 15; // enough rounds for a median that one noisy round does not move
constexpr int kDefaultRoundSeconds = 1;
constexpr int kRoundTripBlock = 100; // direct and proxied alternate in blocks of this many
constexpr int kLoadMessagesPerSecond = 10000; // one PUBLISH in and one out each: 20,000 forwarded/s
constexpr int kLoadBatchesPerSecond = 1000; // paced in 1 ms batches

double roundTripUs(RawClient &client, quint16 id)
{
    const auto start = Clock::now();
    client.send(Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("bench/rtt"), .packetId = PacketId(id),
                        .payload = QByteArrayLiteral("21.5")});
    client.readPacket(); // PUBREC
    client.send(PubRel{.packetId = PacketId(id)});
    client.readPacket(); // PUBCOMP
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// One round of the load: the proxy's cost per packet in that round.
struct LoadRound {
    double cpuPerPacketUs = 0;
    double packetsPerWakeup = 0;
    double preemptionsPerS = 0;
    double packetsPerS = 0;
};

LoadRound roundBetween(const ProxySample &before, const ProxySample &after, double seconds)
{
    const double packets = double(after.forwarded - before.forwarded);
    return LoadRound{.cpuPerPacketUs = (after.cpuSeconds - before.cpuSeconds) * 1e6 / std::max(1.0, packets),
                     .packetsPerWakeup = packets / std::max<double>(1, double(after.sleeps - before.sleeps)),
                     .preemptionsPerS = double(after.preemptions - before.preemptions) / seconds,
                     .packetsPerS = packets / seconds};
}

// The machine's 1-minute load average, as `uptime` shows it.
double loadAverage()
{
    double load = 0;
    if (FILE *file = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(file, "%lf", &load) != 1)
            load = 0;
        std::fclose(file);
    }
    return load;
}

// The process whose command line names `configDir` (the fixture's mosquitto), or 0.
qint64 processNaming(const QString &configDir)
{
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (numeric && cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(configDir.toUtf8()))
            return pid;
    }
    return 0;
}

// User + kernel CPU seconds `pid` has used (utime and stime of /proc/PID/stat), or -1; with
// `children`, also that of its children it has waited for (cutime and cstime).
double processCpuSeconds(qint64 pid, bool children = false)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid == 0 || !stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    // The fields after the command name in parentheses; utime and stime are fields 14 and 15.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    qint64 ticks = fields[11].toLongLong() + fields[12].toLongLong();
    if (children)
        ticks += fields[13].toLongLong() + fields[14].toLongLong();
    return double(ticks) / double(::sysconf(_SC_CLK_TCK));
}

void measureRoundTrips(quint16 brokerPort, quint16 proxyPort, int roundTrips)
{
    RawClient direct, proxied;
    if (!direct.open(brokerPort, QStringLiteral("bench-direct")) || !proxied.open(proxyPort, QStringLiteral("bench-proxied"))) {
        std::fprintf(stderr, "bench_proxy: could not connect\n");
        return;
    }
    std::vector<double> directUs, proxiedUs, addedPerBlock;
    for (int done = 0; done < roundTrips; done += kRoundTripBlock) {
        std::vector<double> directBlock, proxiedBlock;
        for (int i = 0; i < kRoundTripBlock; ++i) {
            const auto id = quint16(1 + (done + i) % 65535);
            directBlock.push_back(roundTripUs(direct, id));
            proxiedBlock.push_back(roundTripUs(proxied, id));
        }
        addedPerBlock.push_back(median(proxiedBlock) - median(directBlock));
        directUs.insert(directUs.end(), directBlock.begin(), directBlock.end());
        proxiedUs.insert(proxiedUs.end(), proxiedBlock.begin(), proxiedBlock.end());
    }
    const double directMedian = median(directUs), proxiedMedian = median(proxiedUs);
    std::sort(addedPerBlock.begin(), addedPerBlock.end());
    std::printf("qos2_round_trips %d\n", int(directUs.size()));
    std::printf("qos2_round_trip_direct_median_us %.1f\n", directMedian);
    std::printf("qos2_round_trip_proxied_median_us %.1f\n", proxiedMedian);
    std::printf("proxy_added_median_us %.1f\n", proxiedMedian - directMedian);
    // The same for each block of round trips: how much a burst of load elsewhere moves it.
    std::printf("proxy_added_median_us_block_min %.1f\n", addedPerBlock.front());
    std::printf("proxy_added_median_us_block_max %.1f\n", addedPerBlock.back());
    // Each round trip crosses the proxy four times (PUBLISH, PUBREC, PUBREL, PUBCOMP).
    std::printf("proxy_added_per_packet_median_us %.1f\n", (proxiedMedian - directMedian) / 4);
}

// Sends one round of the load, paced in 1 ms batches from `start`.
void publishRound(RawClient &publisher, const QByteArray &batch, Clock::time_point start, int firstBatch, int batches)
{
    for (int i = firstBatch; i < firstBatch + batches; ++i) {
        publisher.sendBytes(batch);
        std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * (i + 1) / kLoadBatchesPerSecond));
    }
}

// "NAME_rounds a,b,c" in the rounds' order, then NAME_median, NAME_min and NAME_max.
template<typename Field>
void printSpread(const char *name, const std::vector<LoadRound> &rounds, Field field, const char *format)
{
    std::vector<double> values;
    std::printf("%s_rounds ", name);
    for (const LoadRound &round : rounds) {
        values.push_back(round.*field);
        std::printf(format, values.back());
        std::printf(values.size() < rounds.size() ? "," : "\n");
    }
    std::sort(values.begin(), values.end());
    for (const auto &[suffix, value] : {std::pair{"median", median(values)}, {"min", values.front()}, {"max", values.back()}}) {
        std::printf("%s_%s ", name, suffix);
        std::printf(format, value);
        std::printf("\n");
    }
}

// The load's two clients on `port`: a subscriber to `topic` whose reader thread counts what
// arrives, and a publisher whose batch is `kLoadMessagesPerSecond / kLoadBatchesPerSecond` QoS 0
// PUBLISHes on it.
struct LoadClients {
    RawClient subscriber, publisher;
    std::atomic<quint64> received{0};
    std::thread reader;
    QByteArray batch;

    bool open(quint16 port, const QString &name, const QString &topic)
    {
        for (int attempt = 0; attempt < 100 && !subscriber.open(port, name + QStringLiteral("-sub")); ++attempt)
            std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a forwarder still starting
        if (!publisher.open(port, name + QStringLiteral("-pub")))
            return false;
        subscriber.send(Subscribe{.packetId = PacketId(1), .subscriptions = {Subscription{.filter = topic}}});
        subscriber.readPacket(); // SUBACK
        reader = std::thread([this] {
            while (subscriber.readPacket())
                ++received;
        });
        batch = encode(Publish{.topic = topic, .payload = QByteArrayLiteral("21.5")}, ProtocolVersion::V311)
                    .repeated(kLoadMessagesPerSecond / kLoadBatchesPerSecond);
        return true;
    }
    // Waits up to 2 s for the `sent` messages to arrive.
    void awaitDelivery(quint64 sent)
    {
        for (int wait = 0; wait < 200 && received < sent; ++wait)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    void close()
    {
        publisher.shutdownBoth();
        subscriber.shutdownBoth();
        if (reader.joinable())
            reader.join();
    }
    ~LoadClients() { close(); }
};

// The load of measureLoad through socat instead of the proxy: socat's CPU per forwarded packet.
// socat forks a child per connection; the parent's cutime and cstime hold them once they exited.
void measureForwarderLoad(quint16 brokerPort, int seconds)
{
    const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
    if (socat.isEmpty()) {
        std::printf("forwarder none (socat is not installed)\n");
        return;
    }
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    const quint16 port = probe.serverPort();
    probe.close();
    QProcess forwarder;
    forwarder.start(socat, {QStringLiteral("TCP-LISTEN:%1,bind=127.0.0.1,reuseaddr,fork,nodelay").arg(port),
                            QStringLiteral("TCP:127.0.0.1:%1,nodelay").arg(brokerPort)});
    if (!forwarder.waitForStarted())
        return;
    LoadClients clients;
    if (!clients.open(port, QStringLiteral("bench-fwd"), QStringLiteral("bench/fwd")))
        return;
    const double before = processCpuSeconds(forwarder.processId(), true);
    publishRound(clients.publisher, clients.batch, Clock::now(), 0, seconds * kLoadBatchesPerSecond);
    clients.awaitDelivery(quint64(seconds) * kLoadMessagesPerSecond);
    clients.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the children exit and are reaped
    const double after = processCpuSeconds(forwarder.processId(), true);
    forwarder.terminate();
    forwarder.waitForFinished();
    // Each message crossed the forwarder twice, as through the proxy: publisher → broker → subscriber.
    const double packets = double(std::max<quint64>(1, 2 * clients.received.load()));
    std::printf("forwarder socat\n");
    std::printf("forwarder_messages_received %llu\n", static_cast<unsigned long long>(clients.received.load()));
    std::printf("forwarder_cpu_per_packet_us %.2f\n", (after - before) * 1e6 / packets);
}

void measureLoad(ProxyThread &proxy, quint16 proxyPort, int rounds, int roundSeconds, qint64 brokerPid)
{
    LoadClients clients;
    if (!clients.open(proxyPort, QStringLiteral("bench-load"), QStringLiteral("bench/load")))
        return;
    const double loadBefore = loadAverage();
    const int batchesPerRound = roundSeconds * kLoadBatchesPerSecond;
    std::vector<LoadRound> measured;
    const ProxySample first = proxy.sample();
    const double brokerCpuBefore = processCpuSeconds(brokerPid);
    ProxySample last = first;
    const auto start = Clock::now();
    for (int round = 0; round < rounds; ++round) {
        publishRound(clients.publisher, clients.batch, start, round * batchesPerRound, batchesPerRound);
        const ProxySample now = proxy.sample();
        measured.push_back(roundBetween(last, now, roundSeconds));
        last = now;
    }
    const auto sent = quint64(rounds) * quint64(roundSeconds) * kLoadMessagesPerSecond;
    clients.awaitDelivery(sent);
    const ProxySample end = proxy.sample();
    const double brokerCpuAfter = processCpuSeconds(brokerPid);
    clients.close();
    std::printf("load_rounds %d\n", rounds);
    std::printf("load_round_seconds %d\n", roundSeconds);
    std::printf("load_messages_sent %llu\n", static_cast<unsigned long long>(sent));
    std::printf("load_messages_received %llu\n", static_cast<unsigned long long>(clients.received.load()));
    std::printf("machine_load_average_before %.2f\n", loadBefore);
    std::printf("machine_load_average_after %.2f\n", loadAverage());
    printSpread("load_forwarded_packets_per_s", measured, &LoadRound::packetsPerS, "%.0f");
    std::printf("proxy_cpu_s %.3f\n", end.cpuSeconds - first.cpuSeconds);
    const double packets = double(std::max<quint64>(1, end.forwarded - first.forwarded));
    std::printf("proxy_cpu_per_packet_us %.2f\n", roundBetween(first, end, 1).cpuPerPacketUs);
    std::printf("proxy_kernel_share_percent %.0f\n",
                100.0 * (end.kernelSeconds - first.kernelSeconds) / std::max(1e-9, end.cpuSeconds - first.cpuSeconds));
    if (brokerCpuBefore >= 0 && brokerCpuAfter >= 0) {
        // mosquitto handled as many packets as the proxy forwarded: each message in, and out again.
        const double brokerUs = (brokerCpuAfter - brokerCpuBefore) * 1e6 / packets;
        std::printf("mosquitto_cpu_per_packet_us %.2f\n", brokerUs);
        std::printf("proxy_over_mosquitto_cpu %.2f\n", roundBetween(first, end, 1).cpuPerPacketUs / std::max(1e-9, brokerUs));
    }
    printSpread("proxy_cpu_per_packet_us", measured, &LoadRound::cpuPerPacketUs, "%.2f");
    printSpread("proxy_packets_per_wakeup", measured, &LoadRound::packetsPerWakeup, "%.2f");
    printSpread("proxy_preemptions_per_s", measured, &LoadRound::preemptionsPerS, "%.0f");
    std::printf("trace_events %llu\n", static_cast<unsigned long long>(proxy.trace.size()));
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int roundTrips = argc > 1 ? std::max(kRoundTripBlock, std::atoi(argv[1])) : kDefaultRoundTrips;
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : kDefaultLoadRounds;
    const int roundSeconds = argc > 3 ? std::max(1, std::atoi(argv[3])) : kDefaultRoundSeconds;
    mqs::test::MosquittoBroker broker;
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "bench_proxy: %s\n", qPrintable(started.sentence()));
        return 1;
    }
    ProxyThread proxy;
    const quint16 proxyPort = proxy.start(broker.port());
    if (!proxyPort) {
        std::fprintf(stderr, "bench_proxy: the proxy did not start\n");
        return 1;
    }
    measureRoundTrips(broker.port(), proxyPort, roundTrips);
    measureLoad(proxy, proxyPort, rounds, roundSeconds, processNaming(broker.dataDir()));
    measureForwarderLoad(broker.port(), rounds * roundSeconds);
    proxy.stop();
    return 0;
}
