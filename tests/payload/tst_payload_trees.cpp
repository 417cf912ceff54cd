// JSON, CBOR and MessagePack payloads decoded into the one QCborValue tree the window and the
// CLI show: keys in the payload's order, integers as integers, byte strings kept; and a broken
// payload of each kind says where it broke, shown as hex.

#include "payload/ordered_json.h"
#include "payload/payload_decoding.h"

#include <QCborArray>
#include <QCborMap>
#include <QTest>

#include <msgpack.hpp>

#include <sstream>

using namespace mqs;

namespace {

QStringList keysOf(const QCborValue &tree)
{
    QStringList keys;
    for (auto it = tree.toMap().constBegin(); it != tree.toMap().constEnd(); ++it)
        keys << it.key().toString();
    return keys;
}

QByteArray packed(const std::stringstream &stream)
{
    const std::string bytes = stream.str();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

} // namespace

class TestPayloadTrees : public QObject
{
    Q_OBJECT

private slots:
    void jsonKeepsThePayloadsKeyOrder()
    {
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Json},
                                                   "{\"zone\":\"B2\",\"temperature\":21.5,\"count\":9007199254740993,\"tags\":[\"a\",{\"y\":1,\"x\":2}]}");
        QVERIFY(!d.problem);
        QCOMPARE(keysOf(d.value), (QStringList{"zone", "temperature", "count", "tags"}));
        QCOMPARE(keysOf(d.value["tags"][1]), (QStringList{"y", "x"}));
        QCOMPARE(d.value["count"].toInteger(), Q_INT64_C(9007199254740993)); // beyond a double's 53 bits
        QCOMPARE(d.value["temperature"].toDouble(), 21.5);
        QVERIFY(d.text.indexOf("zone") < d.text.indexOf("temperature"));
    }

    void jsonScalarsAndEscapes()
    {
        QCOMPARE(orderedJsonTree("22.5")->toDouble(), 22.5);
        QCOMPARE(orderedJsonTree("\"caf\\u00e9 \\\"x\\\"\"")->toString(), QString::fromUtf8("café \"x\""));
        QVERIFY(orderedJsonTree("null")->isNull());
        QCOMPARE(jsonOfTree(*orderedJsonTree("{\"b\":[1,true,\"\\n\"],\"a\":null}")), QByteArray("{\"b\":[1,true,\"\\n\"],\"a\":null}"));
    }

    void brokenJsonSaysWhere()
    {
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Json}, "{\"temperature\": 21.5,}");
        QVERIFY(d.problem);
        QCOMPARE(d.problem->sentence, QStringLiteral("Not JSON: object is missing after a comma at byte 21."));
        QVERIFY(d.value.isUndefined());
        QVERIFY(d.text.startsWith("7b 22"));
        QVERIFY(decoders.decodeAs({DecoderKind::Json}, "1 2").problem);
    }

    void cborFromQCborValue()
    {
        QCborMap reading;
        reading.insert(QStringLiteral("zone"), QStringLiteral("B2"));
        reading.insert(QStringLiteral("raw"), QByteArray("\x01\x02", 2));
        reading.insert(QStringLiteral("celsius"), 21.5);
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Cbor}, QCborValue(reading).toCbor());
        QVERIFY(!d.problem);
        QCOMPARE(keysOf(d.value), (QStringList{"zone", "raw", "celsius"}));
        QCOMPARE(d.value["raw"].toByteArray(), QByteArray("\x01\x02", 2));
    }

    void brokenCborSaysWhere()
    {
        QCborMap reading;
        reading.insert(QStringLiteral("zone"), QStringLiteral("B2"));
        const QByteArray cut = QCborValue(reading).toCbor().chopped(1);
        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::Cbor}, cut);
        QVERIFY(d.problem);
        QVERIFY2(d.problem->sentence.startsWith("Not CBOR:") && d.problem->sentence.contains("at byte"), qPrintable(d.problem->sentence));
        QCOMPARE(d.text, QString::fromLatin1(cut.toHex(' ')));
    }

    void messagePackFromTheLibrarysPacker()
    {
        std::stringstream stream;
        msgpack::packer<std::stringstream> pk(stream);
        pk.pack_map(5);
        pk.pack(std::string("zone")), pk.pack(std::string("B2"));
        pk.pack(std::string("celsius")), pk.pack(21.5);
        pk.pack(std::string("counts")), pk.pack(std::vector<int64_t>{-3, 0, 70000});
        pk.pack(std::string("raw")), pk.pack_bin(3), pk.pack_bin_body("\x00\x01\x02", 3);
        pk.pack(std::string("vendor")), pk.pack_ext(2, 5), pk.pack_ext_body("\xAA\xBB", 2);

        PayloadDecoders decoders;
        const DecodedPayload d = decoders.decodeAs({DecoderKind::MessagePack}, packed(stream));
        QVERIFY2(!d.problem, qPrintable(d.problem ? d.problem->sentence : QString()));
        QCOMPARE(keysOf(d.value), (QStringList{"zone", "celsius", "counts", "raw", "vendor"}));
        QCOMPARE(d.value["zone"].toString(), QStringLiteral("B2"));
        QCOMPARE(d.value["celsius"].toDouble(), 21.5);
        QCOMPARE(d.value["counts"].toArray(), (QCborArray{-3, 0, 70000}));
        QCOMPARE(d.value["raw"].toByteArray(), QByteArray("\x00\x01\x02", 3));
        QCOMPARE(d.value["vendor"].tag(), QCborTag(0x6D736770));
        QCOMPARE(d.value["vendor"].taggedValue().toArray(), (QCborArray{5, QByteArray("\xAA\xBB", 2)}));
    }

    void brokenMessagePackSaysWhere()
    {
        std::stringstream stream;
        msgpack::packer<std::stringstream> pk(stream);
        pk.pack_map(1), pk.pack(std::string("zone")), pk.pack(std::string("B2"));
        const QByteArray whole = packed(stream);
        PayloadDecoders decoders;

        const DecodedPayload cut = decoders.decodeAs({DecoderKind::MessagePack}, whole.chopped(1));
        QVERIFY(cut.problem);
        QCOMPARE(cut.problem->sentence, QStringLiteral("Not MessagePack: the payload ends at byte 8 in the middle of a value."));
        QCOMPARE(cut.text, QString::fromLatin1(whole.chopped(1).toHex(' ')));

        QByteArray neverUsed = whole;
        neverUsed[6] = char(0xC1); // the one type byte MessagePack never uses
        QCOMPARE(decoders.decodeAs({DecoderKind::MessagePack}, neverUsed).problem->sentence,
                 QStringLiteral("Not MessagePack: byte 6 (0xc1) is not a MessagePack type."));

        QCOMPARE(decoders.decodeAs({DecoderKind::MessagePack}, whole + '\x01').problem->sentence,
                 QStringLiteral("Not MessagePack: one value ends at byte 9 and 1 more bytes follow it."));
    }

    void automaticChoice()
    {
        PayloadDecoders decoders;
        QCOMPARE(decoders.decode("plant/a", "{\"b\":1,\"a\":2}").decoder.kind, DecoderKind::Json);
        QCOMPARE(decoders.decode("plant/a", "hello").decoder.kind, DecoderKind::Text);
        QCOMPARE(decoders.decode("plant/a", QByteArray("\xff\x00", 2)).decoder.kind, DecoderKind::Hex);
        QCOMPARE(decoders.decode("spBv1.0/g/NDATA/n", QByteArray()).decoder.kind, DecoderKind::SparkplugB);
        decoders.setRules({{"plant/#", {DecoderKind::MessagePack}}});
        const DecodedPayload d = decoders.decode("plant/a", QByteArray("\x93\x01\x02\x03", 4));
        QVERIFY(!d.automatic);
        QCOMPARE(d.value.toArray(), (QCborArray{1, 2, 3}));
    }
};

QTEST_GUILESS_MAIN(TestPayloadTrees)
#include "tst_payload_trees.moc"
