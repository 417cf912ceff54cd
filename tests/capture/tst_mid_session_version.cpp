// A stream that began before the capture has no CONNECT to say its protocol version. Its packets
// are read as 3.1.1 until one reads only one way: a 5.0 PUBLISH's property block, an
// acknowledgement with a reason code (more than 2 bytes, which 3.1.1 refuses). Then both
// directions are read as that version, and a note says on what evidence.

#include "capture_builder.h"

#include "protocol/encoder.h"
#include "trace/capture_decoder.h"

#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

const Endpoint kDevice{ipv4(192, 168, 1, 20), 50100};
const Endpoint kBroker{ipv4(192, 168, 1, 2), 1883};

QByteArray v5(const Packet &packet) { return encode(packet, ProtocolVersion::V5); }

QString notesOf(const CaptureContents &contents)
{
    QStringList notes;
    for (const QString &n : contents.notes)
        notes << n;
    return notes.join(QLatin1Char('\n'));
}

} // namespace

class TestMidSessionVersion : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    CaptureContents decoded(const CaptureBuilder &capture, const QString &name)
    {
        const auto result = decodeCapture(capture.save(m_dir.filePath(name)), std::vector<quint16>{});
        if (!result) {
            qWarning("%s", qPrintable(result.sentence()));
            return {};
        }
        return *result;
    }

private slots:
    // The first packet is a 5.0 PUBLISH with a Content Type: its property block tells, so every
    // packet is 5.0 from the first, and the PUBREC's reason code is read.
    void aPropertyBlockInTheFirstPublishShowsFivePointZero()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker, false);
        Publish publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 7, .payload = "71.5"};
        publish.properties.set(PropertyId::ContentType, QStringLiteral("text/plain"));
        c.fromClient(v5(publish));
        c.fromBroker(v5(PubRec{.packetId = 7, .reason = ReasonCode::NoMatchingSubscribers}));
        c.fromClient(v5(PubRel{.packetId = 7}));
        c.fromBroker(v5(PubComp{.packetId = 7}));
        const CaptureContents contents = decoded(capture, QStringLiteral("mid-v5.pcap"));
        QCOMPARE(contents.packets.size(), std::size_t(4));
        QVERIFY2(contents.problems.empty(), qPrintable(notesOf(contents)));
        for (const CapturedPacket &p : contents.packets)
            QCOMPARE(p.version, ProtocolVersion::V5);
        QCOMPARE(std::get<Publish>(contents.packets[0].packet).payload, QByteArray("71.5"));
        QCOMPARE(std::get<PubRec>(contents.packets[1].packet).reason, ReasonCode::NoMatchingSubscribers);
        const QString notes = notesOf(contents);
        QVERIFY2(notes.contains(QStringLiteral("its packets are decoded as MQTT 5.0, since its PUBLISH on plant/boiler "
                                               "carries a property block that decodes as 5.0 properties")),
                 qPrintable(notes));
    }

    // Nothing tells at first (pings, a PUBLISH without properties); the broker's PUBACK with a
    // reason code does: from it on the stream is 5.0, and the note names the packet and why.
    void anAcknowledgementWithAReasonCodeShowsFivePointZeroLater()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker, false);
        c.fromClient(v5(PingReq{}));
        c.fromBroker(v5(PingResp{}));
        c.fromClient(v5(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 5, .payload = "\x01"}));
        c.fromBroker(v5(PubAck{.packetId = 5, .reason = ReasonCode::NoMatchingSubscribers}));
        c.fromClient(v5(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 6, .payload = "72"}));
        const CaptureContents contents = decoded(capture, QStringLiteral("mid-v5-late.pcap"));
        const QString notes = notesOf(contents);
        QVERIFY2(contents.problems.empty(), qPrintable(notes));
        QCOMPARE(contents.packets.size(), std::size_t(5));
        QVERIFY2(notes.contains(QStringLiteral("decoded as MQTT 3.1.1 until a packet shows otherwise")), qPrintable(notes));
        QVERIFY2(notes.contains(QStringLiteral("is read as MQTT 5.0 from frame 4 on: its PUBACK (5 bytes) decodes only as 5.0 (as 3.1.1: ")),
                 qPrintable(notes));
        QCOMPARE(contents.packets[3].version, ProtocolVersion::V5);
        QCOMPARE(std::get<PubAck>(contents.packets[3].packet).reason, ReasonCode::NoMatchingSubscribers);
        QCOMPARE(std::get<Publish>(contents.packets[4].packet).payload, QByteArray("72"));
    }

    // A 3.1.1 PUBLISH whose payload cannot be a 5.0 property block shows 3.1.1.
    void aPublishThatCannotBeFivePointZeroShowsThreePointOnePointOne()
    {
        CaptureBuilder capture;
        TcpConversation c(capture, kDevice, kBroker, false);
        c.fromClient(encode(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 5, .payload = "71.5"},
                            ProtocolVersion::V311));
        c.fromBroker(encode(PubAck{.packetId = 5}, ProtocolVersion::V311));
        const CaptureContents contents = decoded(capture, QStringLiteral("mid-v311.pcap"));
        const QString notes = notesOf(contents);
        QVERIFY2(notes.contains(QStringLiteral("decoded as MQTT 3.1.1, since its PUBLISH (")) && notes.contains(QStringLiteral("decodes only as 3.1.1")),
                 qPrintable(notes));
        QCOMPARE(std::get<Publish>(contents.packets[0].packet).payload, QByteArray("71.5"));
    }
};

QTEST_GUILESS_MAIN(TestMidSessionVersion)
#include "tst_mid_session_version.moc"
