// What a field engineer's captures look like: pcap and pcapng, every link type libpcap gives
// (Ethernet, Linux cooked v1 and v2, loopback, raw IP), IPv4 and IPv6, MQTT on any port when it
// starts with a CONNECT, streams that began before the capture, TLS, gaps, cut and truncated
// files. Each capture is written by the test.

#include "capture_builder.h"

#include "protocol/encoder.h"
#include "trace/capture_decoder.h"
#include "trace/capture_streams.h"

#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

const Endpoint kDevice{ipv4(192, 168, 1, 20), 50100};
const Endpoint kBroker{ipv4(192, 168, 1, 2), 1883};
const Endpoint kDevice6{ipv6(0x20), 50100};
const Endpoint kBroker6{ipv6(0x2), 1883};

QByteArray connectBytes(const QString &clientId)
{
    return encode(Connect{.version = ProtocolVersion::V311, .clientId = clientId}, ProtocolVersion::V311);
}
QByteArray publishBytes(quint16 id, const QString &topic, QoS qos = QoS::ExactlyOnce)
{
    return encode(Publish{.qos = qos, .topic = topic, .packetId = id, .payload = "21.5"}, ProtocolVersion::V311);
}
QByteArray pubRec(quint16 id) { return encode(PubRec{.packetId = id}, ProtocolVersion::V311); }
QByteArray pubRel(quint16 id) { return encode(PubRel{.packetId = id}, ProtocolVersion::V311); }
QByteArray pubComp(quint16 id) { return encode(PubComp{.packetId = id}, ProtocolVersion::V311); }

void qos2Exchange(TcpConversation &c, quint16 id)
{
    c.fromClient(publishBytes(id, QStringLiteral("sensors/t")));
    c.fromBroker(pubRec(id));
    c.fromClient(pubRel(id));
    c.fromBroker(pubComp(id));
}

QStringList typesIn(const CaptureContents &contents)
{
    QStringList types;
    for (const CapturedPacket &p : contents.packets)
        types << packetTypeName(packetType(p.packet)) + (p.fromClient ? QStringLiteral(">") : QStringLiteral("<"));
    return types;
}

QStringList topicsIn(const CaptureContents &contents)
{
    QStringList topics;
    for (const CapturedPacket &p : contents.packets)
        if (const auto *publish = std::get_if<Publish>(&p.packet))
            topics << publish->topic;
    return topics;
}

bool anyNoteContains(const CaptureContents &contents, const QString &words)
{
    return std::any_of(contents.notes.begin(), contents.notes.end(), [&](const QString &n) { return n.contains(words); });
}

} // namespace

class TestCaptureBreadth : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    CaptureContents decoded(const CaptureBuilder &capture, const QString &name, std::vector<quint16> ports = {},
                            qsizetype truncateBy = 0)
    {
        const auto result = decodeCapture(capture.save(m_dir.filePath(name), truncateBy), std::move(ports));
        if (!result) {
            qWarning("%s", qPrintable(result.sentence()));
            return {}; // the caller's comparisons then fail, naming what was missing
        }
        return *result;
    }

private slots:
    void everyLinkTypeFormatAndIpVersion_data()
    {
        QTest::addColumn<int>("linkType");
        QTest::addColumn<bool>("pcapng");
        QTest::addColumn<bool>("v6");
        for (const int link : {1, 113, 276, 0, 101})
            for (const bool ng : {false, true})
                for (const bool v6 : {false, true})
                    QTest::addRow("link %d %s %s", link, ng ? "pcapng" : "pcap", v6 ? "IPv6" : "IPv4") << link << ng << v6;
    }

    void everyLinkTypeFormatAndIpVersion()
    {
        QFETCH(int, linkType);
        QFETCH(bool, pcapng);
        QFETCH(bool, v6);
        CaptureBuilder capture(quint32(linkType), pcapng ? CaptureFormat::Pcapng : CaptureFormat::Pcap);
        TcpConversation c(capture, v6 ? kDevice6 : kDevice, v6 ? kBroker6 : kBroker);
        c.fromClient(connectBytes(QStringLiteral("boiler")));
        c.fromBroker(encode(ConnAck{}, ProtocolVersion::V311));
        qos2Exchange(c, 7);
        const CaptureContents contents = decoded(capture, QStringLiteral("links.cap"));
        QCOMPARE(typesIn(contents), (QStringList{"CONNECT>", "CONNACK<", "PUBLISH>", "PUBREC<", "PUBREL>", "PUBCOMP<"}));
        QCOMPARE(contents.packets[0].sourceAddress, v6 ? QStringLiteral("fd00::20") : QStringLiteral("192.168.1.20"));
        QCOMPARE(contents.packets[1].sourceAddress, v6 ? QStringLiteral("fd00::2") : QStringLiteral("192.168.1.2"));
        QVERIFY(contents.notes.empty());
        QVERIFY(contents.problems.empty());
    }

    void aConnectOnAnyPortIsMqttWhenNoPortIsNamed()
    {
        CaptureBuilder capture;
        TcpConversation web(capture, {ipv4(10, 0, 0, 5), 40000}, {ipv4(10, 0, 0, 1), 8080});
        web.fromClient("GET / HTTP/1.1\r\nHost: gateway\r\n\r\n");
        TcpConversation mqtt(capture, {ipv4(10, 0, 0, 5), 40001}, {ipv4(10, 0, 0, 1), 18831});
        mqtt.fromClient(connectBytes(QStringLiteral("meter")));
        mqtt.fromBroker(encode(ConnAck{}, ProtocolVersion::V311));
        const CaptureContents found = decoded(capture, QStringLiteral("anyport.pcap"));
        QCOMPARE(typesIn(found), (QStringList{"CONNECT>", "CONNACK<"}));
        QCOMPARE(found.packets[0].stream, 1u);
        QVERIFY(found.problems.empty()); // the web stream is not reported as broken MQTT

        const auto named = decodeCapture(m_dir.filePath(QStringLiteral("anyport.pcap")), std::vector<quint16>{1883});
        QCOMPARE(named.sentence(), m_dir.filePath(QStringLiteral("anyport.pcap"))
                                               + QStringLiteral(" holds no MQTT on TCP port 1883."));
    }

    void aCaptureWithoutMqttSaysWhereItLooked()
    {
        CaptureBuilder capture;
        TcpConversation web(capture, {ipv4(10, 0, 0, 5), 40000}, {ipv4(10, 0, 0, 1), 8080});
        web.fromClient("GET / HTTP/1.1\r\n\r\n");
        const auto result = decodeCapture(capture.save(m_dir.filePath(QStringLiteral("web.pcap"))), std::vector<quint16>{});
        QVERIFY2(result.sentence().contains(
                     QStringLiteral("holds no MQTT: no TCP stream on port 1883 or 8883, and none that starts with a CONNECT")),
                 qPrintable(result.sentence()));
    }

    void aStreamThatBeganBeforeTheCaptureIsDecodedAndMarked()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker, false);
        const QByteArray earlier = publishBytes(3, QStringLiteral("sensors/earlier"));
        c.fromClient(earlier.right(5) + publishBytes(4, QStringLiteral("sensors/a"))); // the tail of a packet first
        c.fromBroker(pubRec(3));
        c.fromBroker(pubRec(4));
        c.fromClient(pubRel(3));
        const CaptureContents contents = decoded(capture, QStringLiteral("mid.pcap"));
        QCOMPARE(typesIn(contents), (QStringList{"PUBLISH>", "PUBREC<", "PUBREC<", "PUBREL>"}));
        QCOMPARE(topicsIn(contents), QStringList{QStringLiteral("sensors/a")});
        QVERIFY(contents.problems.empty());
        QVERIFY(anyNoteContains(contents, QStringLiteral("began before the capture (its first packet is not a CONNECT)")));
    }

    // The capture missed a PINGREQ; the broker's PUBACK acknowledges the bytes after it, so the
    // PUBLISH that waited behind the hole is delivered then, before the PUBACK that answers it,
    // and not at the capture's end (where the analysis would read a PUBACK for no PUBLISH).
    void whatTheBrokerAcknowledgedPastAHoleIsDeliveredBeforeItsAnswer()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker);
        c.fromClient(connectBytes(QStringLiteral("valve")));
        c.fromBroker(encode(ConnAck{}, ProtocolVersion::V311));
        c.lostFromClient(encode(PingReq{}, ProtocolVersion::V311));
        c.fromClient(publishBytes(2, QStringLiteral("plant/valve"), QoS::AtLeastOnce));
        c.fromBroker(encode(PubAck{.packetId = 2}, ProtocolVersion::V311));
        c.fromClient(publishBytes(3, QStringLiteral("plant/valve"), QoS::AtLeastOnce));
        c.fromBroker(encode(PubAck{.packetId = 3}, ProtocolVersion::V311));
        const CaptureContents contents = decoded(capture, QStringLiteral("acked-gap.pcap"));
        QCOMPARE(typesIn(contents), (QStringList{"CONNECT>", "CONNACK<", "PUBLISH>", "PUBACK<", "PUBLISH>", "PUBACK<"}));
        QVERIFY(anyNoteContains(contents, QStringLiteral("the capture lacks 2 bytes here")));
    }

    void aGapIsSaidAndDecodingResumesAtTheNextWholePacket()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker);
        c.fromClient(connectBytes(QStringLiteral("boiler")));
        c.fromClient(publishBytes(1, QStringLiteral("one")));
        const QByteArray three = publishBytes(3, QStringLiteral("three"));
        const QByteArray lost = publishBytes(2, QStringLiteral("two")) + three.left(6);
        c.lostFromClient(lost);
        c.fromClient(three.mid(6));
        c.fromClient(publishBytes(4, QStringLiteral("four")));
        c.fromClient(publishBytes(5, QStringLiteral("five")));
        const CaptureContents contents = decoded(capture, QStringLiteral("gap.pcap"));
        QCOMPARE(topicsIn(contents), (QStringList{"one", "four", "five"}));
        QVERIFY(contents.problems.empty());
        QVERIFY2(anyNoteContains(contents, QStringLiteral("client → broker: the capture lacks %1 bytes here; decoding "
                                                          "resumes at the next whole packet").arg(lost.size())),
                 qPrintable(contents.notes.empty() ? QString() : contents.notes.front()));
    }

    void tlsStreamsAreNamedEncryptedNotMalformed()
    {
        CaptureBuilder capture;
        TcpConversation onTlsPort(capture, kDevice, {kBroker.address, 8883});
        onTlsPort.fromClient(QByteArray::fromHex("160301020001"));
        TcpConversation onPlainPort(capture, {kDevice.address, 50200}, kBroker);
        onPlainPort.fromClient(QByteArray::fromHex("16030300a5010000a103"));
        onPlainPort.fromBroker(QByteArray::fromHex("1603030059020000"));
        const CaptureContents contents = decoded(capture, QStringLiteral("tls.pcap"));
        QVERIFY(contents.packets.empty());
        QVERIFY(contents.problems.empty());
        QVERIFY(anyNoteContains(contents, QStringLiteral("is MQTT over TLS (port 8883): it is encrypted")));
        QVERIFY(anyNoteContains(contents, QStringLiteral("is encrypted (it starts with a TLS record)")));
    }

    void framesCutBySnapshotLengthAreGapsAndSaid()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker);
        c.fromClient(connectBytes(QStringLiteral("boiler")));
        const QByteArray big = encode(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("firmware"), .packetId = 9,
                                              .payload = QByteArray(600, 'x')},
                                      ProtocolVersion::V311);
        c.fromClient(big, 14 + 20 + 20 + 40); // headers and 40 payload bytes kept
        c.fromClient(publishBytes(10, QStringLiteral("after")));
        const CaptureContents contents = decoded(capture, QStringLiteral("snap.pcap"));
        QCOMPARE(topicsIn(contents), QStringList{QStringLiteral("after")});
        QVERIFY(anyNoteContains(contents, QStringLiteral("1 frames were cut to the capture's snapshot length")));
        QVERIFY(anyNoteContains(contents, QStringLiteral("the capture lacks %1 bytes here").arg(big.size() - 40)));
    }

    void aTruncatedFileKeepsWhatCameBeforeTheCut()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker);
        c.fromClient(connectBytes(QStringLiteral("boiler")));
        qos2Exchange(c, 1);
        const CaptureContents contents = decoded(capture, QStringLiteral("truncated.pcap"), {}, 7);
        QCOMPARE(typesIn(contents), (QStringList{"CONNECT>", "PUBLISH>", "PUBREC<", "PUBREL>"}));
        QVERIFY2(anyNoteContains(contents, QStringLiteral("ends in the middle of frame 7: the file is truncated or damaged")),
                 qPrintable(contents.notes.empty() ? QString() : contents.notes.back()));
    }

    void recognisingAConnectNeedsItsFirstBytes()
    {
        const QByteArray connect = connectBytes(QStringLiteral("x"));
        QCOMPARE(startsWithConnect(connect), std::optional(true));
        QCOMPARE(startsWithConnect(connect.left(4)), std::nullopt);
        QCOMPARE(startsWithConnect(QByteArray("GET / HTTP/1.1")), std::optional(false));
        QCOMPARE(startsWithConnect(QByteArray::fromHex("100c0006") + "MQIsdp"), std::optional(true));
        QVERIFY(startsWithTlsRecord(QByteArray::fromHex("160301")));
        QVERIFY(!startsWithTlsRecord(connect));
    }
};

QTEST_GUILESS_MAIN(TestCaptureBreadth)
#include "tst_capture_breadth.moc"
