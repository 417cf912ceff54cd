// Sparkplug B (Eclipse Sparkplug 3.0): payloads built from the bundled schema (an edge node's
// NBIRTH, NDATA by alias, a seq gap, NDEATH with its bdSeq), decoded into metrics a user reads,
// and the edge node's state checked, each broken rule named by its Sparkplug tck id.

#include "payload/payload_decoding.h"
#include "payload/sparkplug.h"
#include "payload/json_path.h"
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

// Sparkplug 3.0 DataType Template, and the members' Double and Boolean.
constexpr int kTemplate = 19;

// An NBIRTH with a Template definition "Motor" (Speed, Running) and an instance "Motor1" of it
// whose members have aliases of their own.
QByteArray nbirthWithTemplates()
{
    return payloadOf(QStringLiteral(
        R"({"timestamp":"1700000000000","seq":"0","metrics":[)"
        R"({"name":"bdSeq","datatype":8,"longValue":"1"},)"
        R"({"name":"Motor","datatype":%1,"templateValue":{"version":"2","isDefinition":true,"metrics":[)"
        R"({"name":"Speed","datatype":10,"doubleValue":0},{"name":"Running","datatype":11,"booleanValue":false}]}},)"
        R"({"name":"Motor1","alias":"10","datatype":%1,"templateValue":{"version":"2","templateRef":"Motor","isDefinition":false,"metrics":[)"
        R"({"name":"Speed","alias":"11","datatype":10,"doubleValue":1450.5},{"name":"Running","alias":"12","datatype":11,"booleanValue":true}]}}]})")
                         .arg(kTemplate)
                         .toUtf8());
}

// An NDATA with the instance by alias carrying only its changed member, by alias too (a DATA
// Template instance may hold a subset of its members).
QByteArray ndataMotorSpeed(int seq, double speed)
{
    return payloadOf(QStringLiteral(R"({"timestamp":"1700000002000","seq":"%1","metrics":[)"
                                    R"({"alias":"10","datatype":%2,"templateValue":{"templateRef":"Motor","metrics":[{"alias":"11","doubleValue":%3}]}}]})")
                         .arg(seq)
                         .arg(kTemplate)
                         .arg(speed)
                         .toUtf8());
}

// An NBIRTH with a Template definition "Motor" whose parameters give defaults, and an instance
// "Motor1" that sets its own (Sparkplug 3.0, "Template": parameters with name, type and value).
QByteArray nbirthWithTemplateParameters()
{
    return payloadOf(QStringLiteral(
        R"({"timestamp":"1700000000000","seq":"0","metrics":[)"
        R"({"name":"Motor","datatype":%1,"templateValue":{"isDefinition":true,)"
        R"("metrics":[{"name":"Speed","datatype":10,"doubleValue":0}],)"
        R"("parameters":[{"name":"rpmLimit","type":7,"intValue":3000},{"name":"site","type":12,"stringValue":""}]}},)"
        R"({"name":"Motor1","alias":"10","datatype":%1,"templateValue":{"templateRef":"Motor",)"
        R"("metrics":[{"name":"Speed","alias":"11","datatype":10,"doubleValue":1450.5}],)"
        R"("parameters":[{"name":"rpmLimit","type":7,"intValue":2800},{"name":"site","type":12,"stringValue":"Hall 2"},)"
        R"({"name":"offset","type":3,"intValue":%2}]}}]})")
                         .arg(kTemplate)
                         .arg(kMinusFiveAsUint32)
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
        const QCborValue named = watch.monitor.withMetricNames(
            "plant1/press-7", watch.decoders.decode("spBv1.0/plant1/NDATA/press-7", ndataTemperature(2, 2, 23)).value);
        QCOMPARE(named["metrics"][0]["name"].toString(), QStringLiteral("Line/Temperature"));
        QCOMPARE(named["metrics"][0]["value"].toInteger(), 23);
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

    void templatesExpandIntoMembersNamedByPath()
    {
        PayloadDecoders decoders;
        const DecodedPayload birth = decoders.decode("spBv1.0/plant1/NBIRTH/press-7", nbirthWithTemplates());
        QVERIFY2(!birth.problem, qPrintable(birth.problem ? birth.problem->sentence : QString()));
        // The members are readable like the payload's own metrics: datatype by name, one "value".
        const QCborValue motor1 = birth.value["metrics"][2];
        QCOMPARE(motor1["datatype"].toString(), QStringLiteral("Template"));
        QCOMPARE(motor1["value"]["template_ref"].toString(), QStringLiteral("Motor"));
        QCOMPARE(motor1["value"]["metrics"][0]["datatype"].toString(), QStringLiteral("Double"));
        QCOMPARE(motor1["value"]["metrics"][0]["value"].toDouble(), 1450.5);

        QStringList paths;
        for (const SparkplugMetricEntry &e : sparkplugMetricEntries(birth.value))
            paths << QStringLiteral("%1:%2").arg(e.path).arg(e.depth);
        QCOMPARE(paths, (QStringList{"bdSeq:0", "Motor:0", "Motor/Speed:1", "Motor/Running:1", "Motor1:0", "Motor1/Speed:1",
                                     "Motor1/Running:1"}));
        const auto entries = sparkplugMetricEntries(birth.value);
        QCOMPARE(sparkplugTemplateText(entries[1].metric), QStringLiteral("definition v2, 2 members"));
        QCOMPARE(sparkplugTemplateText(entries[4].metric), QStringLiteral("instance of Motor v2, 2 members"));

        // A chart's path for a member reads it.
        const QString speedPath = sparkplugMetricPath(entries[5].names);
        QCOMPARE(speedPath, QStringLiteral("$.metrics[?(@.name=='Motor1')].value.metrics[?(@.name=='Speed')].value"));
        const auto path = JsonPath::parse(speedPath);
        QVERIFY2(path.ok(), qPrintable(path.sentence()));
        QCOMPARE(path->number(birth.value), std::optional<double>(1450.5));
    }

    void aTemplatesParametersAreReadable()
    {
        PayloadDecoders decoders;
        const DecodedPayload birth = decoders.decode("spBv1.0/plant1/NBIRTH/press-7", nbirthWithTemplateParameters());
        QVERIFY2(!birth.problem, qPrintable(birth.problem ? birth.problem->sentence : QString()));
        // Like a metric: the type by name, the value oneof as one "value", signed types signed.
        const QCborValue offset = birth.value["metrics"][1]["value"]["parameters"][2];
        QCOMPARE(offset["name"].toString(), QStringLiteral("offset"));
        QCOMPARE(offset["type"].toString(), QStringLiteral("Int32"));
        QCOMPARE(offset["value"].toInteger(), -5);

        const auto entries = sparkplugMetricEntries(birth.value);
        QCOMPARE(entries.size(), std::size_t(4)); // parameters are not metrics: no entries of their own
        QCOMPARE(sparkplugTemplateText(entries[0].metric), QStringLiteral("definition, 1 member, 2 parameters"));
        QCOMPARE(sparkplugTemplateText(entries[2].metric), QStringLiteral("instance of Motor, 1 member, 3 parameters"));
        QStringList parameters;
        for (const SparkplugTemplateParameter &p : sparkplugTemplateParameters(entries[2].metric))
            parameters << QStringLiteral("%1 %2 %3").arg(p.name, p.datatype, p.value.toVariant().toString());
        QCOMPARE(parameters, (QStringList{"rpmLimit UInt32 2800", "site String Hall 2", "offset Int32 -5"}));
        QVERIFY(sparkplugTemplateParameters(entries[1].metric).empty()); // a member that is no Template

        // A chart's path for a parameter reads it.
        const QString limitPath = sparkplugParameterPath(entries[2].names, QStringLiteral("rpmLimit"));
        QCOMPARE(limitPath, QStringLiteral("$.metrics[?(@.name=='Motor1')].value.parameters[?(@.name=='rpmLimit')].value"));
        const auto path = JsonPath::parse(limitPath);
        QVERIFY2(path.ok(), qPrintable(path.sentence()));
        QCOMPARE(path->number(birth.value), std::optional<double>(2800));
    }

    void aTemplateMemberUpdatedByAliasIsNamedFromTheBirth()
    {
        EdgeNodeWatch watch;
        QCOMPARE(watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirthWithTemplates()), QStringList());
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataMotorSpeed(1, 1500.25)), QStringList()); // every alias known
        const auto &rows = watch.monitor.metrics();
        const auto speed = std::find_if(rows.begin(), rows.end(), [](const SparkplugMetricRow &r) { return r.name == "Motor1/Speed"; });
        QVERIFY(speed != rows.end());
        QCOMPARE(speed->alias, std::optional<quint64>(11));
        QCOMPARE(speed->datatype, QStringLiteral("Double"));
        QCOMPARE(speed->value.toDouble(), 1500.25);
        QCOMPARE(rows.size(), std::size_t(7)); // the NDATA updated rows, it added none

        // Named from the BIRTH, the NDATA reads by the same chart path as the NBIRTH.
        const QCborValue ndata = watch.decoders.decode("spBv1.0/plant1/NDATA/press-7", ndataMotorSpeed(2, 1510)).value;
        const auto entries = sparkplugMetricEntries(ndata, {{10, "Motor1"}, {11, "Motor1/Speed"}});
        QCOMPARE(entries.size(), std::size_t(2));
        QCOMPARE(entries[1].path, QStringLiteral("Motor1/Speed"));
        QVERIFY(entries[1].nameFromBirth);
        const auto path = JsonPath::parse(sparkplugMetricPath(entries[1].names));
        QVERIFY(path.ok());
        QCOMPARE(path->number(ndata), std::nullopt); // by alias only: no names to read by
        QCOMPARE(path->number(watch.monitor.withMetricNames("plant1/press-7", ndata)), std::optional<double>(1510));
    }

    void aTemplateMemberAliasNoBirthDefinedIsFlagged()
    {
        EdgeNodeWatch watch;
        QCOMPARE(watch.feed("spBv1.0/plant1/NBIRTH/press-7", nbirth(3)), QStringList());
        QCOMPARE(watch.feed("spBv1.0/plant1/NDATA/press-7", ndataMotorSpeed(1, 1500)),
                 (QStringList{"tck-id-payloads-alias-birth-requirement", "tck-id-payloads-alias-birth-requirement"}));
    }
};

QTEST_GUILESS_MAIN(TestSparkplug)
#include "tst_sparkplug.moc"
