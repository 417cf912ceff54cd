// The four captures that mosquitto's own tools made: every MQTT packet decodes to what
// Wireshark says (tests/data/*.tshark.tsv) and re-encodes to exactly the captured bytes.

#include "protocol/encoder.h"
#include "trace/capture_decoder.h"

#include <QFile>
#include <QTest>

using namespace mqs;

namespace {

// One MQTT packet as Wireshark listed it.
struct Expected {
    quint64 frame;
    quint32 stream;
    quint16 src;
    quint16 dst;
    int type;
    int id; // -1: none
    int qos, dup, retain; // -1: not a PUBLISH
    QString topic; // PUBLISH topic, or SUBSCRIBE/UNSUBSCRIBE filters joined by ','
};

// A TSV row lists every packet of a frame; QoS/DUP/RETAIN only for its PUBLISHes, ids only
// for packets that carry one, topics for PUBLISH/SUBSCRIBE/UNSUBSCRIBE in order.
std::vector<Expected> readTsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    std::vector<Expected> rows;
    for (const QByteArray &raw : file.readAll().split('\n')) {
        if (raw.trimmed().isEmpty())
            continue;
        const QStringList c = QString::fromUtf8(raw).split(QLatin1Char('\t'));
        const QStringList types = c.value(4).split(QLatin1Char(','));
        QStringList ids = c.value(5).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList qos = c.value(6).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList dup = c.value(7).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList retain = c.value(8).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QStringList topics = c.value(9).split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &t : types) {
            Expected e{c[0].toULongLong(), c[1].toUInt(), quint16(c[2].toUInt()), quint16(c[3].toUInt()), t.toInt(), -1, -1, -1, -1, {}};
            const auto type = PacketType(e.type);
            const bool isPublish = type == PacketType::Publish;
            const bool qosZeroPublish = isPublish && !qos.isEmpty() && qos.front() == QLatin1String("0");
            const bool hasId = (isPublish && !qosZeroPublish) || (type >= PacketType::PubAck && type <= PacketType::UnsubAck);
            if (hasId && !ids.isEmpty())
                e.id = ids.takeFirst().toInt();
            if (isPublish) {
                e.qos = qos.takeFirst().toInt();
                e.dup = dup.takeFirst().toInt();
                e.retain = retain.takeFirst().toInt();
                e.topic = topics.takeFirst();
            } else if (type == PacketType::Subscribe || type == PacketType::Unsubscribe) {
                e.topic = topics.join(QLatin1Char(',')); // one SUBSCRIBE per frame in these captures
                topics.clear();
            }
            rows.push_back(e);
        }
    }
    return rows;
}

Expected actual(const CapturedPacket &p)
{
    Expected e{p.frame, p.stream, p.sourcePort, p.destinationPort, int(packetType(p.packet)), -1, -1, -1, -1, {}};
    if (const auto id = packetIdOf(p.packet))
        e.id = id->value;
    if (const auto *publish = std::get_if<Publish>(&p.packet)) {
        e.qos = qosValue(publish->qos);
        e.dup = publish->dup;
        e.retain = publish->retain;
        e.topic = publish->topic;
    } else if (const auto *subscribe = std::get_if<Subscribe>(&p.packet)) {
        QStringList filters;
        for (const auto &s : subscribe->subscriptions)
            filters << s.filter;
        e.topic = filters.join(QLatin1Char(','));
    } else if (const auto *unsubscribe = std::get_if<Unsubscribe>(&p.packet)) {
        e.topic = QStringList(unsubscribe->filters.begin(), unsubscribe->filters.end()).join(QLatin1Char(','));
    }
    return e;
}

QString text(const Expected &e)
{
    return QStringLiteral("frame %1 stream %2 %3->%4 type %5 id %6 qos %7 dup %8 retain %9 topic '%10'")
        .arg(e.frame).arg(e.stream).arg(e.src).arg(e.dst).arg(e.type).arg(e.id).arg(e.qos).arg(e.dup).arg(e.retain).arg(e.topic);
}

} // namespace

class TestCaptureOracle : public QObject
{
    Q_OBJECT

private slots:
    void decodesAsWiresharkSays_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"mosquitto-qos-v311", "mosquitto-qos-v5", "mosquitto-resume-v311", "mosquitto-resume-v5"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }
    void decodesAsWiresharkSays()
    {
        QFETCH(QString, name);
        const QString dir = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/");
        const auto result = decodeCapture(dir + name + QStringLiteral(".pcap"), 18831);
        if (!result)
            QFAIL(qPrintable(result.sentence()));
        const auto &contents = result.value();
        QVERIFY(contents.problems.empty());
        const auto expected = readTsv(dir + name + QStringLiteral(".tshark.tsv"));
        QCOMPARE(contents.packets.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(text(actual(contents.packets[i])), text(expected[i]));
    }

    void reencodesByteForByte_data() { decodesAsWiresharkSays_data(); }
    void reencodesByteForByte()
    {
        QFETCH(QString, name);
        const auto result = decodeCapture(QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/") + name + QStringLiteral(".pcap"), 18831);
        const auto &contents = result.value();
        QVERIFY(contents.packets.size() > 20);
        for (const CapturedPacket &p : contents.packets)
            QCOMPARE(encode(p.packet, p.version).toHex(' '), p.raw.toHex(' '));
    }

    void v5PropertiesSurvive()
    {
        const auto result = decodeCapture(QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/mosquitto-qos-v5.pcap"), 18831);
        const auto &contents = result.value();
        const auto it = std::find_if(contents.packets.begin(), contents.packets.end(), [](const CapturedPacket &p) {
            const auto *publish = std::get_if<Publish>(&p.packet);
            return publish && publish->topic == QLatin1String("sensors/temperature/livingroom") && p.fromClient;
        });
        QVERIFY(it != contents.packets.end());
        const auto &publish = std::get<Publish>(it->packet);
        QCOMPARE(publish.properties.string(PropertyId::ContentType), QStringLiteral("text/plain"));
        QCOMPARE(publish.properties.string(PropertyId::ResponseTopic), QStringLiteral("replies/sensor"));
        QCOMPARE(publish.properties.binary(PropertyId::CorrelationData), QByteArray("abc123"));
        QCOMPARE(publish.properties.userProperties(), (std::vector<StringPair>{{QStringLiteral("unit"), QStringLiteral("celsius")}}));
        QCOMPARE(publish.payload, QByteArray("22.5"));
    }
};

QTEST_GUILESS_MAIN(TestCaptureOracle)
#include "tst_capture_oracle.moc"
