// Decode and encode throughput on a mixed MQTT stream, beside memcpy of the same bytes.
// Run: build/tests/bench/bench_codec   (figures in tests/bench/README.md)

#include "protocol/decoder.h"
#include "protocol/encoder.h"

#include <benchmark/benchmark.h>

#include <cstring>

using namespace mqs;

namespace {

// A stream as a busy client sees it: QoS 2 handshakes, QoS 1 and 0 readings, a few with 5.0
// properties, acknowledgements and pings. About 1 MiB.
Packets mixedPackets()
{
    Packets packets;
    for (int i = 0; packets.size() < 40000; ++i) {
        const auto id = PacketId(quint16(1 + i % 65535));
        Publish p;
        p.topic = QStringLiteral("sensors/temperature/room-%1").arg(i % 50);
        p.payload = QByteArray("{\"t\":21.5,\"seq\":") + QByteArray::number(i) + "}";
        p.qos = QoS(i % 3);
        if (p.qos != QoS::AtMostOnce)
            p.packetId = id;
        if (i % 5 == 0) {
            p.properties.set(PropertyId::ContentType, QStringLiteral("application/json"));
            p.properties.addUserProperty(QStringLiteral("unit"), QStringLiteral("celsius"));
        }
        packets.push_back(p);
        if (p.qos == QoS::AtLeastOnce)
            packets.push_back(PubAck{id, ReasonCode::Success, {}});
        if (p.qos == QoS::ExactlyOnce) {
            packets.push_back(PubRec{id, ReasonCode::Success, {}});
            packets.push_back(PubRel{id, ReasonCode::Success, {}});
            packets.push_back(PubComp{id, ReasonCode::Success, {}});
        }
        if (i % 100 == 0)
            packets.push_back(PingReq{});
    }
    return packets;
}

QByteArray streamOf(const Packets &packets)
{
    QByteArray bytes;
    for (const Packet &p : packets)
        bytes += encode(p, ProtocolVersion::V5);
    return bytes;
}

void BM_Decode(benchmark::State &state)
{
    const Packets packets = mixedPackets();
    const QByteArray bytes = streamOf(packets);
    const qsizetype chunk = 16 * 1024; // as a socket delivers them
    for (auto _ : state) {
        Decoder decoder(ProtocolVersion::V5);
        std::size_t count = 0;
        for (qsizetype at = 0; at < bytes.size(); at += chunk) {
            decoder.feed(QByteArrayView(bytes).sliced(at, std::min(chunk, bytes.size() - at)));
            while (true) {
                auto result = decoder.next();
                if (!std::holds_alternative<DecodedPacket>(result))
                    break;
                ++count;
            }
        }
        if (count != packets.size())
            state.SkipWithError("decoded a different number of packets");
        benchmark::DoNotOptimize(count);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * bytes.size());
    state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(packets.size()));
}

void BM_Encode(benchmark::State &state)
{
    const Packets packets = mixedPackets();
    qsizetype total = 0;
    for (auto _ : state) {
        total = 0;
        for (const Packet &p : packets) {
            const QByteArray bytes = encode(p, ProtocolVersion::V5);
            total += bytes.size();
            benchmark::DoNotOptimize(bytes.constData());
        }
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * total);
    state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(packets.size()));
}

void BM_Memcpy(benchmark::State &state)
{
    const QByteArray bytes = streamOf(mixedPackets());
    QByteArray target(bytes.size(), Qt::Uninitialized);
    for (auto _ : state) {
        std::memcpy(target.data(), bytes.constData(), size_t(bytes.size()));
        benchmark::DoNotOptimize(target.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * bytes.size());
}

} // namespace

BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Encode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memcpy)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
