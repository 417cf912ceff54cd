// The decoder over a stream: any chunking gives the same packets at the same offsets;
// a CONNECT sets the version; describe() and breakdown() read well and cover every byte.

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"

#include <QRandomGenerator>
#include <QTest>

using namespace mqs;

namespace {

// A realistic 5.0 client stream: CONNECT, SUBSCRIBE, a QoS 2 handshake with properties, PINGREQ.
QByteArray sampleStream(Packets *packets = nullptr)
{
    Connect connect;
    connect.version = ProtocolVersion::V5;
    connect.clientId = QStringLiteral("sensor-1");
    connect.properties.set(PropertyId::SessionExpiryInterval, quint32(60));
    Publish publish;
    publish.topic = QStringLiteral("sensors/temperature/livingroom");
    publish.qos = QoS::ExactlyOnce;
    publish.packetId = 12345;
    publish.payload = "22.5";
    publish.properties.set(PropertyId::ContentType, QStringLiteral("text/plain"));
    publish.properties.addUserProperty(QStringLiteral("unit"), QStringLiteral("celsius"));
    const Packets list{connect,
                       Subscribe{1, {}, {Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}}},
                       publish,
                       PubRel{12345, ReasonCode::Success, {}},
                       PingReq{},
                       Disconnect{ReasonCode::Success, {}}};
    QByteArray bytes;
    for (const Packet &p : list)
        bytes += encode(p, ProtocolVersion::V5);
    if (packets)
        *packets = list;
    return bytes;
}

std::vector<std::pair<qint64, Packet>> decodeInChunks(const QByteArray &bytes, const std::vector<int> &chunks)
{
    Decoder decoder(ProtocolVersion::V311); // the CONNECT switches it to 5.0
    std::vector<std::pair<qint64, Packet>> out;
    qsizetype at = 0;
    std::size_t i = 0;
    while (at < bytes.size()) {
        const int size = chunks.empty() ? int(bytes.size()) : chunks[i++ % chunks.size()];
        decoder.feed(QByteArrayView(bytes).sliced(at, std::min<qsizetype>(size, bytes.size() - at)));
        at += size;
        while (true) {
            auto result = decoder.next();
            if (auto *d = std::get_if<DecodedPacket>(&result)) {
                out.emplace_back(d->offset, d->packet);
                continue;
            }
            if (std::holds_alternative<ProtocolError>(result))
                qFatal("unexpected error: %s", qPrintable(std::get<ProtocolError>(result).toString()));
            break;
        }
    }
    return out;
}

} // namespace

class TestDecoderStream : public QObject
{
    Q_OBJECT

private slots:
    void anyChunkingGivesTheSamePackets()
    {
        Packets expected;
        const QByteArray bytes = sampleStream(&expected);
        const auto whole = decodeInChunks(bytes, {});
        QCOMPARE(whole.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            QVERIFY2(whole[i].second == expected[i], qPrintable(describe(whole[i].second)));
        QCOMPARE(whole[1].first, qint64(encode(expected[0], ProtocolVersion::V5).size()));

        QCOMPARE(decodeInChunks(bytes, {1}), whole); // one byte at a time
        QRandomGenerator random(42);
        for (int round = 0; round < 200; ++round) {
            std::vector<int> sizes;
            for (int k = 0; k < 16; ++k)
                sizes.push_back(1 + int(random.bounded(40)));
            QCOMPARE(decodeInChunks(bytes, sizes), whole);
        }
    }

    void severalPacketsInOneChunk()
    {
        Decoder decoder(ProtocolVersion::V5);
        decoder.feed(QByteArray::fromHex("50020001" "50020002" "50020003"));
        for (quint16 id = 1; id <= 3; ++id)
            QCOMPARE(packetIdOf(std::get<DecodedPacket>(decoder.next()).packet), std::optional<PacketId>(id));
        QVERIFY(std::holds_alternative<NeedMoreBytes>(decoder.next()));
        QCOMPARE(decoder.bufferedBytes(), 0);
    }

    // A chunk fed as a QByteArray is shared, not copied, when nothing is buffered: the same
    // packets come out of any chunking, a partial packet being completed by the next chunk.
    void chunksFedAsByteArraysGiveTheSamePackets()
    {
        const QByteArray bytes = sampleStream();
        const auto expected = decodeInChunks(bytes, {});
        QRandomGenerator random(7);
        for (int round = 0; round < 100; ++round) {
            Decoder decoder(ProtocolVersion::V311);
            std::vector<std::pair<qint64, Packet>> out;
            for (qsizetype at = 0; at < bytes.size();) {
                const qsizetype size = std::min<qsizetype>(1 + random.bounded(60), bytes.size() - at);
                decoder.feed(bytes.sliced(at, size));
                at += size;
                for (auto result = decoder.next(); auto *d = std::get_if<DecodedPacket>(&result); result = decoder.next())
                    out.emplace_back(d->offset, d->packet);
            }
            QCOMPARE(out, expected);
        }
    }

    // The decoder keeps a stream's last topic so that the next PUBLISH to it is not decoded and
    // checked again; a different topic, or an invalid one, after it is read as if it were the first.
    void publishesToTheSameTopicDecodeAlike()
    {
        const auto publishTo = [](const char *topic) {
            return encode(Publish{.topic = QString::fromUtf8(topic), .payload = "x"}, ProtocolVersion::V311);
        };
        Decoder decoder(ProtocolVersion::V311);
        decoder.feed(publishTo("home/temp") + publishTo("home/temp") + publishTo("home/tempo") + publishTo("home/temp"));
        for (const char *topic : {"home/temp", "home/temp", "home/tempo", "home/temp"})
            QCOMPARE(std::get<Publish>(std::get<DecodedPacket>(decoder.next()).packet).topic, QString::fromUtf8(topic));
        // "home/+": a wildcard in a topic name [MQTT-3.3.2-2], as long as the topic before it.
        decoder.feed(QByteArray::fromHex("300a" "0006" "686f6d652f2b" "7821"));
        const auto refused = decoder.next();
        QVERIFY(std::holds_alternative<ProtocolError>(refused));
        QCOMPARE(std::get<ProtocolError>(refused).code, ReasonCode::TopicNameInvalid);
    }

    void connectSwitchesTheVersion()
    {
        Decoder decoder(ProtocolVersion::V311);
        Connect c;
        c.version = ProtocolVersion::V5;
        decoder.feed(encode(c, ProtocolVersion::V5));
        QVERIFY(std::holds_alternative<DecodedPacket>(decoder.next()));
        QCOMPARE(decoder.version(), ProtocolVersion::V5);
        decoder.feed(encode(PubAck{1, ReasonCode::NoMatchingSubscribers, {}}, ProtocolVersion::V5));
        QCOMPARE(std::get<PubAck>(std::get<DecodedPacket>(decoder.next()).packet).reason, ReasonCode::NoMatchingSubscribers);
    }

    void describeLines_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        Publish p;
        p.topic = QStringLiteral("sensors/temperature/livingroom");
        p.qos = QoS::ExactlyOnce;
        p.packetId = 12345;
        p.payload = "22.5";
        QTest::newRow("PUBLISH") << describe(p) << QStringLiteral("PUBLISH id=12345 qos=2 dup=0 retain=0 sensors/temperature/livingroom (4 B)");
        Publish q0;
        q0.topic = QStringLiteral("a");
        q0.retain = true;
        QTest::newRow("PUBLISH QoS 0") << describe(q0) << QStringLiteral("PUBLISH qos=0 dup=0 retain=1 a (0 B)");
        QTest::newRow("PUBREC") << describe(PubRec{7, ReasonCode::Success, {}}) << QStringLiteral("PUBREC id=7");
        QTest::newRow("PUBREC failure") << describe(PubRec{7, ReasonCode::QuotaExceeded, {}}) << QStringLiteral("PUBREC id=7 0x97 Quota exceeded");
        QTest::newRow("PUBCOMP 0x92") << describe(PubComp{9, ReasonCode::PacketIdentifierNotFound, {}})
                                      << QStringLiteral("PUBCOMP id=9 0x92 Packet Identifier not found");
        QTest::newRow("SUBACK") << describe(SubAck{1, {}, {ReasonCode::GrantedQoS2, ReasonCode::NotAuthorized}})
                                << QStringLiteral("SUBACK id=1 QoS 2, 0x87 Not authorized");
        QTest::newRow("CONNACK") << describe(ConnAck{true, ReasonCode::Success, {}}) << QStringLiteral("CONNACK session-present=1 0x00 Success");
        // 3.1.1 return codes as they are on the wire (table 3.1), not the 5.0 code of that meaning
        QTest::newRow("CONNACK 3.1.1 not authorized") << describe(ConnAck{false, ReasonCode::NotAuthorized, {}}, ProtocolVersion::V311)
                                                      << QStringLiteral("CONNACK session-present=0 0x05 Connection Refused, not authorized");
        QTest::newRow("CONNACK 3.1.1 identifier rejected")
            << describe(ConnAck{false, ReasonCode::ClientIdentifierNotValid, {}}, ProtocolVersion::V311)
            << QStringLiteral("CONNACK session-present=0 0x02 Connection Refused, identifier rejected");
        QTest::newRow("CONNACK 3.1.1 accepted") << describe(ConnAck{true, ReasonCode::Success, {}}, ProtocolVersion::V311)
                                                << QStringLiteral("CONNACK session-present=1 0x00 Connection Accepted");
        QTest::newRow("CONNACK 5.0 not authorized") << describe(ConnAck{false, ReasonCode::NotAuthorized, {}}, ProtocolVersion::V5)
                                                    << QStringLiteral("CONNACK session-present=0 0x87 Not authorized");
        QTest::newRow("DISCONNECT") << describe(Disconnect{ReasonCode::SessionTakenOver, {}})
                                    << QStringLiteral("DISCONNECT 0x8e Session taken over");
    }
    void describeLines()
    {
        QFETCH(QString, line);
        QFETCH(QString, expected);
        QCOMPARE(line, expected);
    }

    void v311ConnAckFieldShowsTheReturnCodeOnTheWire()
    {
        for (quint8 code = 0; code <= 5; ++code) {
            const QByteArray raw = QByteArray::fromHex("2002") + char(0) + char(code); // CONNACK, 3.1.1
            const PacketLayout layout = breakdown(raw, ProtocolVersion::V311);
            const auto it = std::find_if(layout.begin(), layout.end(), [](const PacketField &f) { return f.name == QStringLiteral("Connect Return Code"); });
            QVERIFY(it != layout.end());
            QCOMPARE(it->value, QStringLiteral("0x%1 %2").arg(code, 2, 16, QLatin1Char('0')).arg(connAckReturnCodeNameV311(code)));
            const auto reason = connAckReasonFromV311(code);
            QVERIFY(reason);
            QCOMPARE(connAckWireValue(*reason, ProtocolVersion::V311), code); // and back again
        }
    }

    void breakdownTilesThePacket()
    {
        Packets packets;
        sampleStream(&packets);
        for (const Packet &packet : packets) {
            const QByteArray raw = encode(packet, ProtocolVersion::V5);
            const PacketLayout layout = breakdown(raw, ProtocolVersion::V5);
            QVERIFY(!layout.empty());
            // the fields (after the first byte's two views) cover every byte once, in order
            qsizetype next = 1;
            for (const PacketField &f : layout) {
                if (f.offset == 0)
                    continue;
                QVERIFY2(f.offset == next, qPrintable(QStringLiteral("%1 at %2, expected %3 in %4").arg(f.name).arg(f.offset).arg(next).arg(describe(packet))));
                next = f.offset + f.length;
            }
            QCOMPARE(next, raw.size());
        }
    }

    void breakdownNamesFields()
    {
        Packets packets;
        sampleStream(&packets);
        const QByteArray raw = encode(packets[2], ProtocolVersion::V5);
        const PacketLayout layout = breakdown(raw, ProtocolVersion::V5);
        auto field = [&](const QString &name) {
            const auto it = std::find_if(layout.begin(), layout.end(), [&](const PacketField &f) { return f.name == name; });
            return it == layout.end() ? PacketField{} : *it;
        };
        QCOMPARE(field(QStringLiteral("Packet Type")).value, QStringLiteral("PUBLISH (3)"));
        QCOMPARE(field(QStringLiteral("Topic Name")).value, QStringLiteral("\"sensors/temperature/livingroom\""));
        QCOMPARE(field(QStringLiteral("Topic Name")).offset, 2);
        QCOMPARE(field(QStringLiteral("Topic Name")).length, 32);
        QCOMPARE(field(QStringLiteral("Packet Identifier")).value, QStringLiteral("12345"));
        QCOMPARE(field(QStringLiteral("Content Type")).value, QStringLiteral("\"text/plain\""));
        QCOMPARE(field(QStringLiteral("Content Type")).depth, 1);
        QCOMPARE(field(QStringLiteral("User Property")).value, QStringLiteral("unit=celsius"));
        QCOMPARE(field(QStringLiteral("Payload")).value, QStringLiteral("4 B"));
        QCOMPARE(field(QStringLiteral("Payload")).offset + 4, raw.size());
    }

    void breakdownOfABadPacketEndsInTheError()
    {
        const PacketLayout layout = breakdown(QByteArray::fromHex("32050001610000"), ProtocolVersion::V311);
        QCOMPARE(layout.back().name, QStringLiteral("Error"));
        QVERIFY(layout.back().value.contains(QStringLiteral("Packet Identifier 0")));
        QCOMPARE(layout.back().offset, 5);
    }
};

QTEST_GUILESS_MAIN(TestDecoderStream)
#include "tst_decoder_stream.moc"
