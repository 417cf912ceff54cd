// The proxy's own instructions per forwarded packet, a figure that machine load does not move:
// the load of bench_proxy (QoS 0 PUBLISHes in batches of ten, from a publisher through the proxy
// to a subscriber also through the proxy, trace on), but in lockstep (each batch is delivered
// before the next is sent), so that every run frames the same chunks. Run under
// `valgrind --tool=callgrind --separate-threads=yes` (bench_proxy_instructions.sh does, and
// divides): the proxy thread's statistics are zeroed before the measured batches and dumped after
// them, so the dump holds its instructions for them (user space only: the kernel's work is not in it).
// Prints "name value" lines. Usage: bench_proxy_instructions [BATCHES]

#include "mosquitto_fixture.h"
#include "proxy_bench_rig.h"

#include <QCoreApplication>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else // without valgrind's header the program still runs the load; no statistics to zero or dump
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(description)
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace mqs;
using namespace mqs::bench;

namespace {
constexpr int kDefaultBatches = 1000;
constexpr int kBatchMessages = 10; // bench_proxy's 1 ms batch at 10,000 messages/s
// Batches before the measured ones: the connections, the trace's first chunk and the
// allocator's pools are set up by then.
constexpr int kWarmUpBatches = 50;

bool deliverBatch(RawClient &publisher, RawClient &subscriber, const QByteArray &batch)
{
    publisher.sendBytes(batch);
    for (int i = 0; i < kBatchMessages; ++i)
        if (subscriber.readPacket() != PacketType::Publish)
            return false;
    return true;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int batches = argc > 1 ? std::max(1, std::atoi(argv[1])) : kDefaultBatches;
    mqs::test::MosquittoBroker broker;
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "bench_proxy_instructions: %s\n", qPrintable(started.sentence()));
        return 1;
    }
    ProxyThread proxy;
    const quint16 proxyPort = proxy.start(broker.port());
    RawClient subscriber, publisher;
    if (!proxyPort || !subscriber.open(proxyPort, QStringLiteral("bench-load-sub"))
        || !publisher.open(proxyPort, QStringLiteral("bench-load-pub"))) {
        std::fprintf(stderr, "bench_proxy_instructions: could not connect through the proxy\n");
        return 1;
    }
    subscriber.send(Subscribe{.packetId = PacketId(1), .subscriptions = {Subscription{.filter = QStringLiteral("bench/load")}}});
    subscriber.readPacket(); // SUBACK
    const QByteArray message = encode(Publish{.topic = QStringLiteral("bench/load"), .payload = QByteArrayLiteral("21.5")},
                                      ProtocolVersion::V311);
    const QByteArray batch = message.repeated(kBatchMessages);
    for (int i = 0; i < kWarmUpBatches; ++i)
        deliverBatch(publisher, subscriber, batch);
    const quint64 before = proxy.sample().forwarded;
    // In the proxy's thread: callgrind zeroes and dumps the counts of the thread that asks.
    QMetaObject::invokeMethod(proxy.proxy, [] { CALLGRIND_ZERO_STATS; }, Qt::BlockingQueuedConnection);
    bool delivered = true;
    for (int i = 0; i < batches && delivered; ++i)
        delivered = deliverBatch(publisher, subscriber, batch);
    QMetaObject::invokeMethod(proxy.proxy, [] { CALLGRIND_DUMP_STATS_AT("proxy load"); }, Qt::BlockingQueuedConnection);
    const quint64 forwarded = proxy.sample().forwarded - before;
    proxy.stop();
    std::printf("batches %d\n", batches);
    std::printf("batch_messages %d\n", kBatchMessages);
    std::printf("proxy_forwarded_packets %llu\n", static_cast<unsigned long long>(forwarded));
    std::printf("trace_events %llu\n", static_cast<unsigned long long>(proxy.trace.size()));
    return delivered ? 0 : 1;
}
