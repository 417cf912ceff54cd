// mqttscope-cli sub --decode against a real mosquitto: Protobuf (from a --proto file with an
// import path), Sparkplug B (with its seq check), CBOR and MessagePack payloads published by
// mosquitto_pub, each printed as one line of JSON after its topic; a payload that does not
// decode prints its reason and hex.

#include "mosquitto_fixture.h"
#include "payload/payload_decoding.h"
#include "payload/sparkplug.h"

#include <QCborMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <msgpack.hpp>

#include <sstream>

using namespace mqs;
using namespace mqs::test;

namespace {

const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
const QString kProtoDir = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/proto");

QStringList portArgs(quint16 port)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)};
}

QByteArray messagePackReading()
{
    std::stringstream stream;
    msgpack::packer<std::stringstream> pk(stream);
    pk.pack_map(2);
    pk.pack(std::string("zone")), pk.pack(std::string("B2"));
    pk.pack(std::string("celsius")), pk.pack(21.5);
    const std::string bytes = stream.str();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QByteArray sparkplug(const char *json)
{
    const auto bytes = encodeSparkplugPayload(json);
    return bytes.ok() ? *bytes : QByteArray();
}

} // namespace

class TestCliSubDecode : public QObject
{
    Q_OBJECT
    MosquittoBroker m_broker;
    QTemporaryDir m_files;
    int m_published = 0;

    // Publishes `payload` byte for byte with mosquitto_pub -f, at QoS 1 so the order holds.
    bool publish(const QString &topic, const QByteArray &payload)
    {
        const QString path = m_files.filePath(QStringLiteral("payload%1.bin").arg(++m_published));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(payload) != payload.size())
            return false;
        file.close();
        const auto run = runProgram(QStringLiteral("mosquitto_pub"), portArgs(m_broker.port()) + QStringList{
            QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-t"), topic, QStringLiteral("-f"), path});
        return run.exitCode == 0;
    }

private slots:
    void initTestCase()
    {
        const Status started = m_broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    void eachPayloadIsOneLineOfJson()
    {
        PayloadDecoders schemas;
        QVERIFY(schemas.addProtoFile(kProtoDir + "/factory.proto", {kProtoDir + "/include"}).ok());
        const auto reading = schemas.encodeProtobuf("factory.Reading", "{\"sensor\":\"t1\",\"quality\":\"GOOD\","
                                                                       "\"samples\":[{\"value\":3.5,\"unit\":\"PASCAL\"}]}");
        QVERIFY(reading.ok());

        QProcess sub;
        sub.start(kCli, QStringList{"sub"} + portArgs(m_broker.port()) + QStringList{
            "-q", "1", "-v", "-C", "7", "--trace",
            "-t", "factory/#", "-t", "spBv1.0/#", "-t", "cbor/#", "-t", "pack/#",
            "--decode", "factory/#=protobuf:factory.Reading", "--decode", "cbor/#=cbor", "--decode", "pack/#=msgpack",
            "--proto", kProtoDir + "/factory.proto", "--proto-path", kProtoDir + "/include"});
        QByteArray err;
        for (int i = 0; i < 100 && !err.contains("SUBACK"); ++i) {
            sub.waitForReadyRead(100);
            err += sub.readAllStandardError();
        }
        QVERIFY2(err.contains("SUBACK"), err.constData());

        QCborMap cbor;
        cbor.insert(QStringLiteral("zone"), QStringLiteral("A1"));
        cbor.insert(QStringLiteral("raw"), QByteArray("\x01\x02", 2));
        QVERIFY(publish("factory/press-7", *reading));
        QVERIFY(publish("factory/press-7", QByteArray("\x08\x05", 2)));
        QVERIFY(publish("spBv1.0/plant1/NBIRTH/press-7", sparkplug("{\"seq\":\"0\",\"metrics\":["
            "{\"name\":\"bdSeq\",\"datatype\":8,\"longValue\":\"1\"},{\"name\":\"Speed\",\"alias\":\"5\",\"datatype\":10,\"doubleValue\":1.5}]}")));
        QVERIFY(publish("spBv1.0/plant1/NDATA/press-7", sparkplug("{\"seq\":\"3\",\"metrics\":[{\"alias\":\"5\",\"doubleValue\":2.5}]}")));
        QVERIFY(publish("cbor/line", QCborValue(cbor).toCbor()));
        QVERIFY(publish("pack/line", messagePackReading()));
        QVERIFY(publish("pack/line", QByteArray("\x82\xa4zo", 4)));

        QVERIFY(sub.state() == QProcess::NotRunning || sub.waitForFinished(10000));
        QCOMPARE(sub.exitCode(), 0);
        const QStringList lines = QString::fromUtf8(sub.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        const QStringList expected{
            "factory/press-7 {\"sensor\":\"t1\",\"taken_at_ms\":0,\"samples\":[{\"value\":3.5,\"unit\":\"PASCAL\"}],"
            "\"quality\":\"GOOD\",\"raw\":\"\",\"temperature_decic\":0}",
            "factory/press-7 {\"error\":\"Not a factory.Reading: byte 0: field 1 is a varint, Reading.sensor is a string.\",\"hex\":\"08 05\"}",
            // The schema's field order: metrics (2) before seq (3).
            "spBv1.0/plant1/NBIRTH/press-7 {\"metrics\":[{\"name\":\"bdSeq\",\"datatype\":\"UInt64\",\"value\":1},"
            "{\"name\":\"Speed\",\"alias\":5,\"datatype\":\"Double\",\"value\":1.5}],\"seq\":0}",
            // The alias's name from the NBIRTH, put first.
            "spBv1.0/plant1/NDATA/press-7 {\"metrics\":[{\"name\":\"Speed\",\"alias\":5,\"value\":2.5}],\"seq\":3}",
            "spBv1.0/plant1/NDATA/press-7 {\"sparkplug_check\":\"tck-id-payloads-sequence-num-incrementing\","
            "\"sentence\":\"NDATA from plant1/press-7 has seq 3 where 1 was next: 2 message(s) missing. [tck-id-payloads-sequence-num-incrementing]\"}",
            "cbor/line {\"zone\":\"A1\",\"raw\":\"AQI=\"}",
            "pack/line {\"zone\":\"B2\",\"celsius\":21.5}",
            "pack/line {\"error\":\"Not MessagePack: the payload ends at byte 4 in the middle of a value.\",\"hex\":\"82 a4 7a 6f\"}",
        };
        QCOMPARE(lines, expected);
    }

    void aTypeNoProtoDefinesIsAUsageError()
    {
        const auto run = runProgram(kCli, QStringList{"sub"} + portArgs(m_broker.port()) + QStringList{
            "-t", "factory/#", "--decode", "factory/#=protobuf:factory.Missing", "--proto", kProtoDir + "/factory.proto",
            "--proto-path", kProtoDir + "/include"});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("no --proto file defines factory.Missing"), run.err.constData());
        const auto broken = runProgram(kCli, QStringList{"sub"} + portArgs(m_broker.port()) + QStringList{
            "-t", "x", "--proto", kProtoDir + "/broken.proto"});
        QCOMPARE(broken.exitCode, 2);
        QVERIFY2(broken.err.contains("broken.proto:7:5"), broken.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSubDecode)
#include "tst_cli_sub_decode.moc"
