// Sparkplug B (Eclipse Sparkplug 3.0): payloads built from the bundled schema (an edge node's
// NBIRTH, NDATA by alias, a seq gap, NDEATH with its bdSeq), decoded into metrics a user reads,
// and the edge node's state checked, each broken rule named by its Sparkplug tck id.

#include "payload/payload_decoding.h"
#include "payload/sparkplug.h"
#include "payload/sparkplug_monitor.h"

#include <QCborArray>
#include <QCborMap>
#include <QTest>

using namespace mqs;

namespace {

// Int32 -5 as Sparkplug carries it: two's complement in the uint32 int_value.
constexpr quint32 kMinusFiveAsUint32 = 4294967291u;

QByteArray payloadOf(const QByteArray &json)
{
    const auto bytes = encodeSparkplugPayload(json);
    return bytes.ok() ? *bytes : QByteArray("encode failed: ") + bytes.sentence().toUtf8();
}

QByteArray nbirth(int bdSeq)
{
    return payloadOf(QStringLiteral("{\"timestamp\":\"1700000000000\",\"seq\":\"0\",\"metrics\":["
                                    "{\"name\":\"bdSeq\",\"datatype\":8,\"longValue\":\"%1\"},"
                                    "{\"name\":\"Node Control/Rebirth\",\"alias\":\"1\",\"datatype\":11,\"booleanValue\":false},"
                                    "{\"name\":\"Line/Temperature\",\"alias\":\"2\",\"datatype\":3,\"intValue\":%2}]}")
                         .arg(bdSeq)
                         .arg(kMinusFiveAsUint32)
                         .toUtf8());
}

QByteArray ndataTemperature(int seq, int alias, int value)
{
    return payloadOf(QStringLiteral("{\"timestamp\":\"1700000001000\",\"seq\":\"%1\",\"metrics\":["
                                    "{\"alias\":\"%2\",\"timestamp\":\"1700000000900\",\"intValue\":%3}]}")
                         .arg(seq)
                         .arg(alias)
                         .arg(value)
                         .toUtf8());
}

QByteArray ndeath(int bdSeq)
{
    return payloadOf(QStringLiteral("{\"timestamp\":\"1700000009000\",\"metrics\":[{\"name\":\"bdSeq\",\"datatype\":8,\"longValue\":\"%1\"}]}")
                         .arg(bdSeq)
                         .toUtf8());
}

// Feeds one message through the decoder table and the monitor, as the window and the CLI do.
struct EdgeNodeWatch {
    PayloadDecoders decoders;
    SparkplugMonitor monitor;
    qint64 now = 1700000000000;

    QStringList feed(const QString &topic, const QByteArray &payload)
    {
        const DecodedPayload d = decoders.decode(topic, payload);
        QStringList rules;
        for (const SparkplugFinding &f : monitor.observe(topic, d.value, now += 100))
            rules << f.ruleId;
        return rules;
    }
};

} // namespace

class TestSparkplug : public QObject
{
    Q_OBJECT

private slots:
    void topicsParseIntoTheirParts()
    {
        const auto data = parseSparkplugTopic("spBv1.0/plant1/DDATA/press-7/spindle");
        QVERIFY(data.ok());
        QCOMPARE(data->type, SparkplugMessageType::DDATA);
        QCOMPARE(data->group, QStringLiteral("plant1"));
        QCOMPARE(data->edgeNode, QStringLiteral("press-7"));
        QCOMPARE(data->device, QStringLiteral("spindle"));
        QCOMPARE(parseSparkplugTopic("spBv1.0/plant1/NBIRTH/press-7")->type, SparkplugMessageType::NBIRTH);
        QCOMPARE(parseSparkplugTopic("spBv1.0/STATE/scada-1")->hostId, QStringLiteral("scada-1"));
        QVERIFY(!parseSparkplugTopic("spBv1.0/plant1/NBIRTH/press-7/extra").ok());
        QVERIFY(!parseSparkplugTopic("spBv1.0/plant1/NREPORT/press-7").ok());
        QVERIFY(!parseSparkplugTopic("spAv1.0/plant1/NDATA/press-7").ok());
    }

    void anNbirthDecodesIntoReadableMetrics()
    {
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decode("spBv1.0/plant1/NBIRTH/press-7", nbirth(3));
        QVERIFY2(!d.problem, qPrintable(d.problem ? d.problem->sentence : QString()));
        QCOMPARE(d.decoder.kind, DecoderKind::SparkplugB);
        QCOMPARE(d.value["seq"].toInteger(), 0);
        const QCborValue temperature = d.value["metrics"][2];
        QCOMPARE(temperature["name"].toString(), QStringLiteral("Line/Temperature"));
        QCOMPARE(temperature["alias"].toInteger(), 2);
        QCOMPARE(temperature["datatype"].toString(), QStringLiteral("Int32"));
        QCOMPARE(temperature["value"].toInteger(), -5); // signed again
        QCOMPARE(d.value["metrics"][1]["value"], QCborValue(false));
        QCOMPARE(d.value["metrics"][0]["value"].toInteger(), 3);
    }

    void hostStateIsJson()
    {
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decode("spBv1.0/STATE/scada-1", "{\"online\":true,\"timestamp\":1700000000000}");
        QVERIFY(!d.problem);
        QCOMPARE(d.value["online"], QCborValue(true));
    }

    void aBrokenPayloadSaysWhere()
    {
        PayloadDecoders decoders;
        // metrics (field 2, length-delimited) announcing 5 bytes with 1 left.
        const DecodedPayload d = decoders.decode("spBv1.0/plant1/NDATA/press-7", QByteArray("\x12\x05\x0a", 3));
        QVERIFY(d.problem);
        QCOMPARE(d.problem->sentence,
                 QStringLiteral("Not a org.eclipse.tahu.protobuf.Payload: byte 1: field 2 (Payload.metrics) says 5 bytes follow, 1 remain."));
        QCOMPARE(d.text, QStringLiteral("12 05 0a"));
    }

    void aliasesResolveFromTheLastBirth()
    {
        EdgeNodeWatch watch;
        QCOMPARE(watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3)), QStringList());
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(1, 2, 22)), QStringList());
        const auto &rows = watch.monitor.metrics();
        const auto row = std::find_if(rows.begin(), rows.end(), [](const SparkplugMetricRow &r) { return r.name == "Line/Temperature"; });
        QVERIFY(row != rows.end());
        QCOMPARE(row->alias, std::optional<quint64>(2));
        QCOMPARE(row->datatype, QStringLiteral("Int32"));
        QCOMPARE(row->value.toInteger(), 22);
        QCOMPARE(row->timestampMs, std::optional<qint64>(1700000000900));
        QCOMPARE(rows.size(), std::size_t(3)); // bdSeq, Rebirth, Temperature: the NDATA updated a row
    }

    void seqGapsRepeatsAndWrapsAreFlagged()
    {
        EdgeNodeWatch watch;
        (void)watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3));
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(1, 2, 20)), QStringList());
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(4, 2, 21)),
                 QStringList{"tck-id-payloads-sequence-num-incrementing"});
        QCOMPARE(watch.monitor.findings().back().sentence,
                 QStringLiteral("NDATA from plant1/press-7 has seq 4 where 2 was next: 2 message(s) missing. "
                                "[tck-id-payloads-sequence-num-incrementing]"));
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(4, 2, 21)),
                 QStringList{"tck-id-payloads-sequence-num-incrementing"});
        QVERIFY(watch.monitor.findings().back().sentence.contains("repeats seq 4"));
        for (int seq = 5; seq <= 255; ++seq)
            QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(seq, 2, seq)), QStringList());
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(0, 2, 0)), QStringList()); // 255 wraps to 0
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(300, 2, 0)),
                 QStringList{"tck-id-payloads-sequence-num-incrementing"});
    }

    void bdSeqIsMatchedBetweenBirthAndDeath()
    {
        EdgeNodeWatch watch;
        (void)watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3));
        QCOMPARE(watch.feed("spBv1.0/plant1/NDEATH/press-7", ndeath(3)), QStringList());
        (void)watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(4));
        QCOMPARE(watch.feed("spBv1.0/plant1/NDEATH/press-7", ndeath(9)), QStringList{"tck-id-payloads-ndeath-bdseq"});
        QCOMPARE(watch.monitor.findings().back().sentence,
                 QStringLiteral("NDEATH from plant1/press-7 has bdSeq 9, the NBIRTH it ends had 4. [tck-id-payloads-ndeath-bdseq]"));
        QCOMPARE(watch.feed("spBv1.0/plant1/NBIRTH/press-8", payloadOf("{\"seq\":\"0\"}")), QStringList{"tck-id-payloads-nbirth-bdseq"});
    }

    void dataBeforeBirthIsFlagged()
    {
        EdgeNodeWatch watch;
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(1, 2, 20)),
                 (QStringList{"tck-id-payloads-ndata-order", "tck-id-payloads-alias-birth-requirement"}));
        (void)watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3));
        QCOMPARE(watch.feed("spBv1.0/plant1/DDATA/press-7/spindle", ndataTemperature(1, 2, 20)),
                 QStringList{"tck-id-payloads-ddata-order"});
        QVERIFY(watch.monitor.findings().back().sentence.startsWith("DDATA from plant1/press-7/spindle arrived before the device's DBIRTH."));
    }

    void anAliasNoBirthDefinedIsFlagged()
    {
        EdgeNodeWatch watch;
        (void)watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3));
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataTemperature(1, 9, 20)),
                 QStringList{"tck-id-payloads-alias-birth-requirement"});
        QCOMPARE(watch.monitor.findings().back().sentence,
                 QStringLiteral("NDATA from plant1/press-7 uses metric alias 9, which no NBIRTH or DBIRTH defined. "
                                "[tck-id-payloads-alias-birth-requirement]"));
    }
};

QTEST_GUILESS_MAIN(TestSparkplug)
#include "tst_sparkplug.moc"
