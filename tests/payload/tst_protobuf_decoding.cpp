// Protobuf payloads decoded at run time from a .proto the user adds (no generated code): the
// test builds each payload with libprotobuf's DynamicMessage from the same schema, as a device's
// firmware would with generated code, and checks the field tree a user would read.

#include "payload/payload_decoding.h"

#include <QCborArray>
#include <QCborMap>
#include <QTest>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>

using namespace mqs;
namespace pb = google::protobuf;

namespace {

const QString kProtoDir = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/proto");
const QString kIncludeDir = kProtoDir + QStringLiteral("/include");

class Silent : public pb::compiler::MultiFileErrorCollector
{
public:
    void AddError(const std::string &, int, int, const std::string &) override {}
};

// The device's side: the same schema compiled independently, messages filled by reflection.
struct Firmware {
    pb::compiler::DiskSourceTree tree;
    Silent errors;
    pb::compiler::Importer importer{&tree, &errors};
    pb::DynamicMessageFactory factory;
    const pb::Descriptor *reading = nullptr;

    Firmware()
    {
        tree.MapPath("", kProtoDir.toStdString());
        tree.MapPath("", kIncludeDir.toStdString());
        if (importer.Import("factory.proto"))
            reading = importer.pool()->FindMessageTypeByName("factory.Reading");
    }

    QByteArray sampleReading()
    {
        std::unique_ptr<pb::Message> m(factory.GetPrototype(reading)->New());
        const pb::Reflection *r = m->GetReflection();
        r->SetString(m.get(), reading->FindFieldByName("sensor"), "press-7");
        r->SetUInt64(m.get(), reading->FindFieldByName("taken_at_ms"), 1700000000123ULL);
        for (const double value : {21.5, 101325.0}) {
            pb::Message *sample = r->AddMessage(m.get(), reading->FindFieldByName("samples"));
            const pb::Descriptor *type = sample->GetDescriptor();
            sample->GetReflection()->SetDouble(sample, type->FindFieldByName("value"), value);
            sample->GetReflection()->SetEnumValue(sample, type->FindFieldByName("unit"), value < 100 ? 1 : 2);
        }
        r->SetEnumValue(m.get(), reading->FindFieldByName("quality"), 2);
        r->SetString(m.get(), reading->FindFieldByName("gateway"), "gw-north");
        r->SetString(m.get(), reading->FindFieldByName("raw"), std::string("\x00\xff", 2));
        r->AddInt32(m.get(), reading->FindFieldByName("deltas"), -3);
        r->AddInt32(m.get(), reading->FindFieldByName("deltas"), 4);
        r->SetInt32(m.get(), reading->FindFieldByName("temperature_decic"), -215);
        const std::string bytes = m->SerializeAsString();
        return QByteArray(bytes.data(), qsizetype(bytes.size()));
    }
};

Status addFactorySchema(PayloadDecoders &decoders)
{
    return decoders.addProtoFile(kProtoDir + QStringLiteral("/factory.proto"), {kIncludeDir});
}

} // namespace

class TestProtobufDecoding : public QObject
{
    Q_OBJECT

private slots:
    void messageTypesOfAnAddedFile()
    {
        PayloadDecoders decoders;
        const Status added = addFactorySchema(decoders);
        QVERIFY2(added.ok(), qPrintable(added.sentence()));
        QCOMPARE(decoders.messageTypes(), (QStringList{"factory.Reading", "factory.Reading.Sample"}));
    }

    void decodesNestedRepeatedEnumsOneofsAndBytes()
    {
        Firmware firmware;
        QVERIFY(firmware.reading);
        PayloadDecoders decoders;
        QVERIFY(addFactorySchema(decoders).ok());
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Reading"}, firmware.sampleReading());
        QVERIFY2(!d.problem, qPrintable(d.problem ? d.problem->sentence : QString()));
        const QCborValue &v = d.value;
        QCOMPARE(v["sensor"].toString(), QStringLiteral("press-7"));
        QCOMPARE(v["taken_at_ms"].toInteger(), Q_INT64_C(1700000000123));
        QCOMPARE(v["samples"].toArray().size(), 2);
        QCOMPARE(v["samples"][1]["value"].toDouble(), 101325.0);
        QCOMPARE(v["samples"][0]["unit"].toString(), QStringLiteral("CELSIUS")); // an imported enum, by name
        QCOMPARE(v["quality"].toString(), QStringLiteral("STALE"));
        QCOMPARE(v["gateway"].toString(), QStringLiteral("gw-north")); // the oneof member that is set
        QVERIFY(!v.toMap().contains(QStringLiteral("bus_address"))); // and not the other
        QCOMPARE(v["raw"].toByteArray(), QByteArray("\x00\xff", 2));
        QCOMPARE(v["deltas"].toArray(), (QCborArray{-3, 4}));
        QCOMPARE(v["temperature_decic"].toInteger(), -215);
        // Declaration order, as the .proto lists the fields.
        QCOMPARE(v.toMap().keys().first().toString(), QStringLiteral("sensor"));
        QVERIFY(d.text.indexOf("sensor") < d.text.indexOf("samples"));
    }

    void aBrokenProtoFileNamesLineAndColumn()
    {
        PayloadDecoders decoders;
        const Status added = decoders.addProtoFile(kProtoDir + QStringLiteral("/broken.proto"), {});
        QVERIFY(!added.ok());
        QVERIFY2(added.sentence().contains(QStringLiteral("broken.proto:7:5: Expected \";\".")), qPrintable(added.sentence()));
        QVERIFY(decoders.messageTypes().isEmpty());
    }

    void aMissingImportPathSaysWhichImport()
    {
        PayloadDecoders decoders;
        const Status added = decoders.addProtoFile(kProtoDir + QStringLiteral("/factory.proto"), {});
        QVERIFY(!added.ok());
        QVERIFY2(added.sentence().contains(QStringLiteral("units/units.proto")), qPrintable(added.sentence()));
    }

    void aWrongWireTypeSaysByteAndField()
    {
        PayloadDecoders decoders;
        QVERIFY(addFactorySchema(decoders).ok());
        // Key 0x08: field 1 as a varint (1 << 3 | 0); Reading.sensor (field 1) is a string.
        const QByteArray payload("\x08\x05", 2);
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Reading"}, payload);
        QVERIFY(d.problem);
        QCOMPARE(d.problem->sentence, QStringLiteral("Not a factory.Reading: byte 0: field 1 is a varint, Reading.sensor is a string."));
        QCOMPARE(d.text, QStringLiteral("08 05")); // shown as hex
    }

    void aCutPayloadSaysHowManyBytesWereMissing()
    {
        Firmware firmware;
        PayloadDecoders decoders;
        QVERIFY(addFactorySchema(decoders).ok());
        const QByteArray whole = firmware.sampleReading();
        // The first field is sensor: key 0x0a, length 7, "press-7"; cut inside it.
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Reading"}, whole.left(5));
        QVERIFY(d.problem);
        QCOMPARE(d.problem->sentence, QStringLiteral("Not a factory.Reading: byte 1: field 1 (Reading.sensor) says 7 bytes follow, 3 remain."));
    }

    void aBrokenNestedMessageSaysItsOwnField()
    {
        PayloadDecoders decoders;
        QVERIFY(addFactorySchema(decoders).ok());
        // samples (field 3, length-delimited, 2 bytes) holding key 0x0d: field 1 as 32-bit;
        // Sample.value is a double (64-bit).
        const QByteArray payload("\x1a\x02\x0d\x00", 4);
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Reading"}, payload);
        QVERIFY(d.problem);
        QCOMPARE(d.problem->sentence, QStringLiteral("Not a factory.Reading: byte 2: field 1 is 32-bit, Sample.value is a double."));
    }

    void anUnknownTypeIsNamed()
    {
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Nope"}, QByteArray("\x08\x01", 2));
        QCOMPARE(d.problem->sentence, QStringLiteral("No .proto file added defines factory.Nope."));
    }

    void encodesJsonForPublishing()
    {
        PayloadDecoders decoders;
        QVERIFY(addFactorySchema(decoders).ok());
        const auto bytes = decoders.encodeProtobuf("factory.Reading", "{\"sensor\":\"t1\",\"quality\":\"GOOD\",\"busAddress\":17,"
                                                                      "\"samples\":[{\"value\":3.5,\"unit\":\"PASCAL\"}]}");
        QVERIFY2(bytes.ok(), qPrintable(bytes.sentence()));
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Protobuf, "factory.Reading"}, *bytes);
        QCOMPARE(d.value["bus_address"].toInteger(), 17);
        QCOMPARE(d.value["samples"][0]["unit"].toString(), QStringLiteral("PASCAL"));

        const auto wrong = decoders.encodeProtobuf("factory.Reading", "{\"sensor\":\"t1\",\"quality\":\"SHINY\"}");
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.sentence().contains(QStringLiteral("quality")), qPrintable(wrong.sentence()));
        const auto unknown = decoders.encodeProtobuf("factory.Reading", "{\"sensr\":\"t1\"}");
        QVERIFY2(unknown.sentence().contains(QStringLiteral("sensr")), qPrintable(unknown.sentence()));
    }
};

QTEST_GUILESS_MAIN(TestProtobufDecoding)
#include "tst_protobuf_decoding.moc"
