// TCP reassembly on synthetic captures: out of order, retransmitted and overlapping
// segments, one packet split over three segments, Linux cooked link type, IPv6.

#include "protocol/encoder.h"
#include "trace/capture_decoder.h"
#include "trace/pcap_reader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace mqs;

namespace {

// Writes classic pcap files frame by frame.
class PcapBuilder
{
public:
    explicit PcapBuilder(quint32 linkType)
    {
        append32(0xa1b2c3d4);
        append16(2);
        append16(4);
        append32(0);
        append32(0);
        append32(262144);
        append32(linkType);
        m_linkType = linkType;
    }

    // One TCP segment from port `sport` to `dport` with sequence `seq`.
    void segment(quint16 sport, quint16 dport, quint32 seq, const QByteArray &payload, quint8 flags = 0x18, bool ipv6 = false)
    {
        QByteArray tcp(20, 0);
        qToBigEndian(sport, tcp.data());
        qToBigEndian(dport, tcp.data() + 2);
        qToBigEndian(seq, tcp.data() + 4);
        tcp[12] = char(5 << 4);
        tcp[13] = char(flags);
        qToBigEndian(quint16(65535), tcp.data() + 14);
        tcp += payload;
        QByteArray ip;
        if (!ipv6) {
            ip = QByteArray(20, 0);
            ip[0] = char(0x45);
            qToBigEndian(quint16(20 + tcp.size()), ip.data() + 2);
            ip[8] = char(64);
            ip[9] = char(6);
            ip[12] = 127; ip[15] = 1;
            ip[16] = 127; ip[19] = 1;
        } else {
            ip = QByteArray(40, 0);
            ip[0] = char(0x60);
            qToBigEndian(quint16(tcp.size()), ip.data() + 4);
            ip[6] = char(6);
            ip[7] = char(64);
            ip[23] = 1; // ::1
            ip[39] = 1;
        }
        QByteArray link;
        if (m_linkType == 1) { // Ethernet
            link = QByteArray(14, 0);
            link[12] = char(ipv6 ? 0x86 : 0x08);
            link[13] = char(ipv6 ? 0xDD : 0x00);
        } else if (m_linkType == 113) { // Linux cooked (SLL)
            link = QByteArray(16, 0);
            link[14] = char(ipv6 ? 0x86 : 0x08);
            link[15] = char(ipv6 ? 0xDD : 0x00);
        }
        const QByteArray frame = link + ip + tcp;
        append32(++m_seconds);
        append32(0);
        append32(quint32(frame.size()));
        append32(quint32(frame.size()));
        m_bytes += frame;
    }

    QString save(const QString &path) const
    {
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(m_bytes);
        return path;
    }

private:
    void append16(quint16 v) { m_bytes.append(reinterpret_cast<const char *>(&v), 2); }
    void append32(quint32 v) { m_bytes.append(reinterpret_cast<const char *>(&v), 4); }

    QByteArray m_bytes;
    quint32 m_linkType = 1;
    quint32 m_seconds = 0;
};

constexpr quint8 kSyn = 0x02;
constexpr quint8 kFin = 0x11;

QByteArray publishBytes(quint16 id, const QString &topic)
{
    Publish p;
    p.topic = topic;
    p.qos = QoS::AtLeastOnce;
    p.packetId = id;
    p.payload = "payload";
    return encode(p, ProtocolVersion::V311);
}

QStringList topicsIn(const CaptureContents &contents)
{
    QStringList topics;
    for (const CapturedPacket &p : contents.packets)
        if (const auto *publish = std::get_if<Publish>(&p.packet))
            topics << publish->topic;
    return topics;
}

} // namespace

class TestTcpReassembly : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void outOfOrderRetransmittedAndOverlapping()
    {
        const QByteArray a = publishBytes(1, QStringLiteral("a"));
        const QByteArray b = publishBytes(2, QStringLiteral("b"));
        const QByteArray c = publishBytes(3, QStringLiteral("c"));
        PcapBuilder pcap(1);
        pcap.segment(50000, 1883, 1000, {}, kSyn);
        pcap.segment(50000, 1883, 1001 + a.size(), b); // b before a: out of order
        pcap.segment(50000, 1883, 1001, a);
        pcap.segment(50000, 1883, 1001, a); // retransmission
        // c overlapping the end of b
        pcap.segment(50000, 1883, 1001 + a.size() + b.size() - 3, b.right(3) + c);
        const auto result = decodeCapture(pcap.save(m_dir.filePath(QStringLiteral("order.pcap"))), 1883);
        const auto &contents = result.value();
        QCOMPARE(topicsIn(contents), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(contents.packets[0].frame, 3u); // a completes in frame 3
        QCOMPARE(contents.packets[1].frame, 3u); // and releases b, buffered since frame 2
        QCOMPARE(contents.packets[2].frame, 5u);
    }

    void packetSplitOverThreeSegments()
    {
        const QByteArray a = publishBytes(9, QStringLiteral("sensors/temperature/livingroom"));
        PcapBuilder pcap(1);
        pcap.segment(50001, 1883, 5000, a.left(2));
        pcap.segment(50001, 1883, 5002, a.mid(2, 10));
        pcap.segment(50001, 1883, 5012, a.mid(12));
        const auto result = decodeCapture(pcap.save(m_dir.filePath(QStringLiteral("split.pcap"))), 1883);
        const auto &contents = result.value();
        QCOMPARE(contents.packets.size(), 1u);
        QCOMPARE(contents.packets[0].frame, 3u);
        QCOMPARE(contents.packets[0].raw, a);
    }

    void linuxCookedAndIpv6()
    {
        PcapBuilder pcap(113);
        pcap.segment(50002, 1883, 1, publishBytes(4, QStringLiteral("v4")));
        pcap.segment(50003, 1883, 1, publishBytes(5, QStringLiteral("v6")), 0x18, true);
        const auto result = decodeCapture(pcap.save(m_dir.filePath(QStringLiteral("sll.pcap"))), 1883);
        const auto &contents = result.value();
        QCOMPARE(topicsIn(contents), (QStringList{QStringLiteral("v4"), QStringLiteral("v6")}));
        QCOMPARE(contents.packets[0].stream, 0u);
        QCOMPARE(contents.packets[1].stream, 1u);
    }

    void streamsAreNumberedByFirstAppearanceAndPortReuse()
    {
        PcapBuilder pcap(1);
        pcap.segment(50010, 1883, 100, {}, kSyn);
        pcap.segment(50011, 1883, 100, {}, kSyn);
        pcap.segment(50010, 1883, 101, publishBytes(1, QStringLiteral("first")));
        pcap.segment(50010, 1883, 200, {}, kFin);
        pcap.segment(50010, 1883, 900, {}, kSyn); // the same 4-tuple again: a new stream
        pcap.segment(50010, 1883, 901, publishBytes(1, QStringLiteral("third")));
        const auto result = decodeCapture(pcap.save(m_dir.filePath(QStringLiteral("streams.pcap"))), 1883);
        const auto &contents = result.value();
        QCOMPARE(contents.packets.size(), 2u);
        QCOMPARE(contents.packets[0].stream, 0u);
        QCOMPARE(contents.packets[1].stream, 2u);
    }

    void malformedStreamIsReportedAndOthersGoOn()
    {
        PcapBuilder pcap(1);
        pcap.segment(50020, 1883, 1, QByteArray::fromHex("60020001")); // PUBREL with flags 0b0000
        pcap.segment(50021, 1883, 1, publishBytes(2, QStringLiteral("fine")));
        const auto result = decodeCapture(pcap.save(m_dir.filePath(QStringLiteral("bad.pcap"))), 1883);
        const auto &contents = result.value();
        QCOMPARE(topicsIn(contents), QStringList{QStringLiteral("fine")});
        QCOMPARE(contents.problems.size(), 1u);
        QCOMPARE(contents.problems[0].error.code, ReasonCode::MalformedPacket);
    }

    void notACaptureAndNoMqttAreSaid()
    {
        QFile text(m_dir.filePath(QStringLiteral("notes.txt")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("these are not packets\n");
        text.close();
        auto result = decodeCapture(text.fileName(), 1883);
        QVERIFY(result.sentence().contains(QStringLiteral("is not a packet capture")));
        result = decodeCapture(QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/mosquitto-qos-v5.pcap"), 1883);
        QVERIFY(result.sentence().contains(QStringLiteral("holds no MQTT on TCP port 1883")));
        result = decodeCapture(m_dir.filePath(QStringLiteral("missing.pcap")), 1883);
        QVERIFY(result.sentence().contains(QStringLiteral("does not exist")));
    }
};

QTEST_GUILESS_MAIN(TestTcpReassembly)
#include "tst_tcp_reassembly.moc"
