// Decode cost per message for each payload decoder, on the same reading (a sensor, a time, two
// samples with units, a quality, a gateway) in each format, through PayloadDecoders::decodeAs as
// the window and the CLI call it: bytes to the QCborValue tree and its indented JSON text.
// Sparkplug B: an NDATA of five metrics by alias, then the same through the state monitor too.
// Prints one `name value` line per figure.
// Usage: bench_payloads [MESSAGES]   (default 20,000 per decoder)

#include "payload/payload_decoding.h"
#include "payload/sparkplug.h"
#include "payload/sparkplug_monitor.h"

#include <QCborArray>
#include <QCborMap>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <msgpack.hpp>

#include <cstdio>
#include <sstream>

using namespace mqs;

namespace {

constexpr int kDefaultMessages = 20000;
const QString kProtoDir = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/proto");
const QByteArray kJsonReading = "{\"sensor\":\"press-7\",\"taken_at_ms\":1700000000123,\"samples\":[{\"value\":21.5,\"unit\":\"CELSIUS\"},"
                                "{\"value\":101325.0,\"unit\":\"PASCAL\"}],\"quality\":\"GOOD\",\"gateway\":\"gw-north\"}";

QByteArray messagePackReading()
{
    std::stringstream stream;
    msgpack::packer<std::stringstream> pk(stream);
    pk.pack_map(5);
    pk.pack(std::string("sensor")), pk.pack(std::string("press-7"));
    pk.pack(std::string("taken_at_ms")), pk.pack(uint64_t(1700000000123));
    pk.pack(std::string("samples")), pk.pack_array(2);
    pk.pack_map(2), pk.pack(std::string("value")), pk.pack(21.5), pk.pack(std::string("unit")), pk.pack(std::string("CELSIUS"));
    pk.pack_map(2), pk.pack(std::string("value")), pk.pack(101325.0), pk.pack(std::string("unit")), pk.pack(std::string("PASCAL"));
    pk.pack(std::string("quality")), pk.pack(std::string("GOOD"));
    pk.pack(std::string("gateway")), pk.pack(std::string("gw-north"));
    const std::string bytes = stream.str();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QByteArray sparkplugData(int seq)
{
    QByteArray json = "{\"timestamp\":\"1700000001000\",\"seq\":\"" + QByteArray::number(seq % 256) + "\",\"metrics\":[";
    for (int alias = 1; alias <= 5; ++alias)
        json += (alias > 1 ? "," : "") + QByteArray("{\"alias\":\"") + QByteArray::number(alias) +
                "\",\"timestamp\":\"1700000000900\",\"doubleValue\":" + QByteArray::number(20.0 + alias) + "}";
    return *encodeSparkplugPayload(json + "]}");
}

QByteArray sparkplugBirth()
{
    QByteArray json = "{\"timestamp\":\"1700000000000\",\"seq\":\"0\",\"metrics\":[{\"name\":\"bdSeq\",\"datatype\":8,\"longValue\":\"1\"}";
    for (int alias = 1; alias <= 5; ++alias)
        json += ",{\"name\":\"Line/Metric" + QByteArray::number(alias) + "\",\"alias\":\"" + QByteArray::number(alias) +
                "\",\"datatype\":10,\"doubleValue\":0}";
    return *encodeSparkplugPayload(json + "]}");
}

// Microseconds per decodeAs of `payload`, over `messages` runs.
double usPerMessage(const PayloadDecoders &decoders, const DecoderChoice &decoder, const QByteArray &payload, int messages)
{
    QElapsedTimer timer;
    timer.start();
    qsizetype keep = 0;
    for (int i = 0; i < messages; ++i)
        keep += decoders.decodeAs(decoder, payload).text.size();
    const double us = double(timer.nsecsElapsed()) / 1000.0 / messages;
    return keep > 0 ? us : -1;
}

double sparkplugWithMonitorUs(const PayloadDecoders &decoders, int messages)
{
    SparkplugMonitor monitor;
    const QString topic = QStringLiteral("spBv1.0/plant1/NDATA/press-7");
    (void)monitor.observe(QStringLiteral("spBv1.0/plant1/NBIRTH/press-7"), decodeSparkplugPayload(sparkplugBirth()).value(), 0);
    std::vector<QByteArray> payloads;
    for (int seq = 1; seq <= 256; ++seq)
        payloads.push_back(sparkplugData(seq));
    QElapsedTimer timer;
    timer.start();
    std::size_t findings = 0;
    for (int i = 0; i < messages; ++i) {
        const DecodedPayload d = decoders.decode(topic, payloads[std::size_t(i % 256)]);
        findings += monitor.observe(topic, d.value, i).size();
    }
    const double us = double(timer.nsecsElapsed()) / 1000.0 / messages;
    return findings == 0 ? us : -1; // an in-order stream: a finding means the check is wrong
}

void print(const char *name, double value)
{
    std::printf("%s %.2f\n", name, value);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int messages = argc > 1 ? std::max(1, QByteArray(argv[1]).toInt()) : kDefaultMessages;
    PayloadDecoders decoders;
    if (!decoders.addProtoFile(kProtoDir + QStringLiteral("/factory.proto"), {kProtoDir + QStringLiteral("/include")}).ok())
        return 1;
    const QByteArray protobuf = *decoders.encodeProtobuf(QStringLiteral("factory.Reading"), kJsonReading);
    const QByteArray cbor = QCborValue::fromJsonValue(QJsonDocument::fromJson(kJsonReading).object()).toCbor();

    print("payload_bytes_json", double(kJsonReading.size()));
    print("payload_bytes_protobuf", double(protobuf.size()));
    print("text_us_per_message", usPerMessage(decoders, {DecoderKind::Text}, kJsonReading, messages));
    print("hex_us_per_message", usPerMessage(decoders, {DecoderKind::Hex}, kJsonReading, messages));
    print("json_us_per_message", usPerMessage(decoders, {DecoderKind::Json}, kJsonReading, messages));
    print("cbor_us_per_message", usPerMessage(decoders, {DecoderKind::Cbor}, cbor, messages));
    print("msgpack_us_per_message", usPerMessage(decoders, {DecoderKind::MessagePack}, messagePackReading(), messages));
    print("protobuf_us_per_message", usPerMessage(decoders, {DecoderKind::Protobuf, QStringLiteral("factory.Reading")}, protobuf, messages));
    print("sparkplug_us_per_message", usPerMessage(decoders, {DecoderKind::SparkplugB}, sparkplugData(1), messages));
    print("sparkplug_with_checks_us_per_message", sparkplugWithMonitorUs(decoders, messages));
    return 0;
}
