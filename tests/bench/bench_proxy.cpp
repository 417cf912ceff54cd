// What the proxy costs, against a real mosquitto started on a free port:
//  - latency: the median round trip of a QoS 2 publish (PUBLISH → PUBREC, PUBREL → PUBCOMP) from
//    a raw blocking client, direct to mosquitto and through the proxy, alternating in one run;
//  - CPU: a publisher through the proxy at 10,000 QoS 0 messages/s to a subscriber also through
//    the proxy (20,000 forwarded packets/s), trace on; the proxy thread's CPU time per packet.
// The proxy runs in a thread of its own with its own event loop, so its CPU is its thread's.
// Prints "name value" lines.  Usage: bench_proxy [ROUND_TRIPS] [LOAD_SECONDS]

#include "mosquitto_fixture.h"

#include "protocol/encoder.h"
#include "proxy/proxy.h"

#include <QCoreApplication>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mqs;
using Clock = std::chrono::steady_clock;

namespace {
constexpr int kDefaultRoundTrips = 2000;
constexpr int kDefaultLoadSeconds = 5;
constexpr int kRoundTripBlock = 100; // direct and proxied alternate in blocks of this many
constexpr int kLoadMessagesPerSecond = 10000; // one PUBLISH in and one out each: 20,000 forwarded/s
constexpr int kLoadBatchesPerSecond = 1000; // paced in 1 ms batches

// A blocking MQTT 3.1.1 client on a raw socket: the least a client can add to the figures.
class RawClient
{
public:
    bool open(quint16 port, const QString &clientId)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return false;
        send(Connect{.version = ProtocolVersion::V311, .clientId = clientId});
        return readPacket() == PacketType::ConnAck;
    }
    ~RawClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    void send(const Packet &packet) { sendBytes(encode(packet, ProtocolVersion::V311)); }
    void sendBytes(const QByteArray &bytes)
    {
        for (qsizetype done = 0; done < bytes.size();) {
            const auto n = ::write(m_fd, bytes.constData() + done, size_t(bytes.size() - done));
            if (n <= 0)
                return;
            done += n;
        }
    }
    // The type of the next whole packet (its bytes skipped); nothing when the connection ended.
    std::optional<PacketType> readPacket()
    {
        quint8 header = 0;
        if (!readExactly(&header, 1))
            return std::nullopt;
        quint32 length = 0;
        for (int shift = 0;; shift += 7) {
            quint8 byte = 0;
            if (!readExactly(&byte, 1))
                return std::nullopt;
            length |= quint32(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                break;
        }
        std::vector<char> body(length);
        if (length && !readExactly(body.data(), length))
            return std::nullopt;
        return PacketType(header >> 4);
    }
    void shutdownBoth() { ::shutdown(m_fd, SHUT_RDWR); }

private:
    bool readExactly(void *into, size_t size)
    {
        auto *bytes = static_cast<char *>(into);
        for (size_t done = 0; done < size;) {
            const auto n = ::read(m_fd, bytes + done, size - done);
            if (n <= 0)
                return false;
            done += size_t(n);
        }
        return true;
    }
    int m_fd = -1;
};

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

// The proxy, in a thread of its own; its CPU time read from inside that thread.
struct ProxyThread {
    QThread thread;
    TraceLog trace; // trace on: every packet recorded, as in the window
    FaultRuleSet rules;
    Proxy *proxy = nullptr;

    quint16 start(quint16 brokerPort)
    {
        ProxySettings settings;
        settings.listenPort = 0;
        settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(brokerPort)).value();
        proxy = new Proxy(settings, rules, trace);
        proxy->moveToThread(&thread);
        thread.start();
        quint16 port = 0;
        QMetaObject::invokeMethod(proxy, [&] { port = proxy->start().ok() ? proxy->port() : 0; }, Qt::BlockingQueuedConnection);
        return port;
    }
    // CPU seconds of the proxy's thread so far, and the packets it forwarded.
    std::pair<double, quint64> cpuAndPackets()
    {
        std::pair<double, quint64> result;
        QMetaObject::invokeMethod(proxy, [&] {
            rusage usage{};
            ::getrusage(RUSAGE_THREAD, &usage);
            result.first = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
            result.second = proxy->forwardedPackets();
        }, Qt::BlockingQueuedConnection);
        return result;
    }
    void stop()
    {
        QMetaObject::invokeMethod(proxy, [this] { delete proxy; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
};

void measureRoundTrips(quint16 brokerPort, quint16 proxyPort, int roundTrips)
{
    RawClient direct, proxied;
    if (!direct.open(brokerPort, QStringLiteral("bench-direct")) || !proxied.open(proxyPort, QStringLiteral("bench-proxied"))) {
        std::fprintf(stderr, "bench_proxy: could not connect\n");
        return;
    }
    std::vector<double> directUs, proxiedUs;
    for (int done = 0; done < roundTrips; done += kRoundTripBlock)
        for (int i = 0; i < kRoundTripBlock; ++i) {
            const auto id = quint16(1 + (done + i) % 65535);
            directUs.push_back(roundTripUs(direct, id));
            proxiedUs.push_back(roundTripUs(proxied, id));
        }
    const double directMedian = median(directUs), proxiedMedian = median(proxiedUs);
    std::printf("qos2_round_trips %d\n", int(directUs.size()));
    std::printf("qos2_round_trip_direct_median_us %.1f\n", directMedian);
    std::printf("qos2_round_trip_proxied_median_us %.1f\n", proxiedMedian);
    std::printf("proxy_added_median_us %.1f\n", proxiedMedian - directMedian);
    // Each round trip crosses the proxy four times (PUBLISH, PUBREC, PUBREL, PUBCOMP).
    std::printf("proxy_added_per_packet_median_us %.1f\n", (proxiedMedian - directMedian) / 4);
}

void measureLoad(ProxyThread &proxy, quint16 proxyPort, int seconds)
{
    RawClient subscriber, publisher;
    if (!subscriber.open(proxyPort, QStringLiteral("bench-load-sub")) || !publisher.open(proxyPort, QStringLiteral("bench-load-pub")))
        return;
    subscriber.send(Subscribe{.packetId = PacketId(1), .subscriptions = {Subscription{.filter = QStringLiteral("bench/load")}}});
    subscriber.readPacket(); // SUBACK
    std::atomic<quint64> received{0};
    std::thread reader([&] {
        while (subscriber.readPacket())
            ++received;
    });
    const QByteArray message = encode(Publish{.topic = QStringLiteral("bench/load"), .payload = QByteArrayLiteral("21.5")},
                                      ProtocolVersion::V311);
    const int perBatch = kLoadMessagesPerSecond / kLoadBatchesPerSecond;
    const auto [cpuBefore, packetsBefore] = proxy.cpuAndPackets();
    const auto start = Clock::now();
    for (int batch = 0; batch < seconds * kLoadBatchesPerSecond; ++batch) {
        publisher.sendBytes(message.repeated(perBatch));
        std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000LL * (batch + 1) / kLoadBatchesPerSecond));
    }
    const auto sent = quint64(seconds) * kLoadMessagesPerSecond;
    for (int wait = 0; wait < 200 && received < sent; ++wait)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const auto [cpuAfter, packetsAfter] = proxy.cpuAndPackets();
    subscriber.shutdownBoth();
    reader.join();
    const double packets = double(packetsAfter - packetsBefore);
    std::printf("load_messages_sent %llu\n", static_cast<unsigned long long>(sent));
    std::printf("load_messages_received %llu\n", static_cast<unsigned long long>(received.load()));
    std::printf("load_forwarded_packets_per_s %.0f\n", packets / elapsed);
    std::printf("proxy_cpu_s %.3f\n", cpuAfter - cpuBefore);
    std::printf("proxy_cpu_per_packet_us %.2f\n", (cpuAfter - cpuBefore) * 1e6 / packets);
    std::printf("trace_events %llu\n", static_cast<unsigned long long>(proxy.trace.size()));
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int roundTrips = argc > 1 ? std::max(kRoundTripBlock, std::atoi(argv[1])) : kDefaultRoundTrips;
    const int seconds = argc > 2 ? std::max(1, std::atoi(argv[2])) : kDefaultLoadSeconds;
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
    measureLoad(proxy, proxyPort, seconds);
    proxy.stop();
    return 0;
}
