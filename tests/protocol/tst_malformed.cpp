// Malformed input: each case gives the right reason code and a message that names the
// field or rule; none crashes. Bytes are built from the spec's layout, not copied.

#include "protocol/decoder.h"
#include "protocol/encoder.h"

#include <QTest>

using namespace mqs;

Q_DECLARE_METATYPE(mqs::ProtocolVersion)
Q_DECLARE_METATYPE(mqs::ReasonCode)

namespace {

QByteArray hex(const char *text) { return QByteArray::fromHex(text); }

// A length-prefixed UTF-8 string from raw bytes (which may be invalid on purpose).
QByteArray str(const QByteArray &bytes)
{
    QByteArray out;
    out.append(char(bytes.size() >> 8)).append(char(bytes.size() & 0xFF));
    return out + bytes;
}

// A whole packet: the first byte, the Remaining Length, the body.
QByteArray packet(quint8 first, const QByteArray &body)
{
    QByteArray out(1, char(first));
    appendVariableByteInteger(out, quint32(body.size()));
    return out + body;
}

// A property list: its length, then the given bytes.
QByteArray props(const QByteArray &bytes)
{
    QByteArray out;
    appendVariableByteInteger(out, quint32(bytes.size()));
    return out + bytes;
}

QByteArray connectBody(quint8 level, quint8 flags, const QByteArray &rest, const QByteArray &name = "MQTT")
{
    QByteArray body = str(name) + QByteArray(1, char(level)) + QByteArray(1, char(flags)) + hex("003c");
    if (level == 5)
        body += props({});
    return body + str("client") + rest;
}

} // namespace

class TestMalformed : public QObject
{
    Q_OBJECT

private slots:
    void rejected_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<ProtocolVersion>("version");
        QTest::addColumn<ReasonCode>("code");
        QTest::addColumn<QString>("says");
        QTest::addColumn<int>("offset"); // -1: not checked
        const auto v3 = ProtocolVersion::V311;
        const auto v5 = ProtocolVersion::V5;
        const auto M = ReasonCode::MalformedPacket;
        const auto P = ReasonCode::ProtocolError;

        // framing
        QTest::newRow("5-byte remaining length") << hex("30ffffffff01") << v3 << M << "past 4 bytes" << 1;
        QTest::newRow("non-minimal remaining length") << hex("c08000") << v3 << M << "minimum number of bytes" << 1;
        QTest::newRow("reserved packet type 0") << hex("0000") << v3 << M << "packet type 0 is reserved" << 0;
        QTest::newRow("AUTH in 3.1.1") << hex("f000") << v3 << M << "reserved in MQTT 3.1.1" << 0;
        QTest::newRow("PINGREQ with a body") << packet(0xC0, hex("00")) << v3 << M << "unexpected byte" << -1;
        QTest::newRow("DISCONNECT 3.1.1 with a body") << packet(0xE0, hex("00")) << v3 << M << "unexpected byte" << -1;
        QTest::newRow("PUBACK 3.1.1 too long") << packet(0x40, hex("000100")) << v3 << M << "unexpected byte" << -1;
        // truncated fields
        QTest::newRow("truncated topic") << packet(0x30, str("abc").left(3)) << v3 << M << "Topic Name declares 3" << 2;
        QTest::newRow("truncated packet id") << packet(0x40, hex("00")) << v3 << M << "Packet Identifier needs 2" << -1;
        QTest::newRow("truncated CONNECT") << packet(0x10, str("MQTT") + hex("04")) << v3 << M << "Connect Flags needs 1" << -1;
        QTest::newRow("truncated property") << packet(0x30, str("a") + props(hex("0300"))) << v5 << M << "Content Type needs 2" << -1;
        // flags ([MQTT-2.2.2-1])
        QTest::newRow("PUBREL flags 0000") << packet(0x60, hex("0001")) << v3 << M << "PUBREL fixed header flags are 0b0000 but must be 0b0010 [MQTT-3.6.1-1]" << 0;
        QTest::newRow("SUBSCRIBE flags 0000") << packet(0x80, hex("0001") + str("a") + hex("00")) << v3 << M << "[MQTT-3.8.1-1]" << 0;
        QTest::newRow("UNSUBSCRIBE flags 0000") << packet(0xA0, hex("0001") + str("a")) << v3 << M << "[MQTT-3.10.1-1]" << 0;
        QTest::newRow("PUBACK flags 0001") << packet(0x41, hex("0001")) << v3 << M << "PUBACK fixed header flags" << 0;
        QTest::newRow("PINGREQ flags 0100") << hex("c400") << v3 << M << "PINGREQ fixed header flags" << 0;
        QTest::newRow("CONNECT flags 0010") << packet(0x12, connectBody(4, 0x02, {})) << v3 << M << "CONNECT fixed header flags" << 0;
        // QoS and DUP
        QTest::newRow("PUBLISH QoS 3") << packet(0x36, str("a") + hex("0001")) << v3 << M << "QoS 3" << -1;
        QTest::newRow("DUP on QoS 0") << packet(0x38, str("a")) << v3 << M << "DUP set" << -1;
        // UTF-8 (section 1.5.4)
        QTest::newRow("invalid UTF-8 byte") << packet(0x30, str(hex("61ff"))) << v3 << M << "invalid UTF-8 lead byte 0xff" << 5;
        QTest::newRow("overlong UTF-8") << packet(0x30, str(hex("c080"))) << v3 << M << "overlong" << -1;
        QTest::newRow("UTF-16 surrogate") << packet(0x30, str(hex("eda080"))) << v3 << M << "surrogate U+D800" << -1;
        QTest::newRow("U+0000 in topic") << packet(0x30, str(hex("6100"))) << v3 << M << "U+0000" << -1;
        QTest::newRow("truncated UTF-8") << packet(0x30, str(hex("e282"))) << v3 << M << "truncated UTF-8" << -1;
        QTest::newRow("bad UTF-8 client id") << packet(0x10, str("MQTT") + hex("04 02 003c") + str(hex("fe"))) << v3 << M
                                             << "Client Identifier is not valid UTF-8" << -1;
        // packet identifiers ([MQTT-2.3.1-1])
        QTest::newRow("PUBLISH QoS 1 id 0") << packet(0x32, str("a") + hex("0000")) << v3 << P << "Packet Identifier 0" << 5;
        QTest::newRow("PUBREC id 0") << packet(0x50, hex("0000")) << v3 << P << "PUBREC carries Packet Identifier 0" << -1;
        QTest::newRow("SUBSCRIBE id 0") << packet(0x82, hex("0000") + str("a") + hex("00")) << v3 << P << "SUBSCRIBE carries Packet Identifier 0" << -1;
        // properties (5.0)
        QTest::newRow("duplicated Content Type") << packet(0x30, str("a") + props(hex("03") + str("x") + hex("03") + str("y"))) << v5 << P
                                                 << "Content Type appears more than once" << -1;
        QTest::newRow("Session Expiry in PUBLISH") << packet(0x30, str("a") + props(hex("1100000001"))) << v5 << P
                                                   << "Session Expiry Interval is not allowed in PUBLISH" << -1;
        QTest::newRow("Will Delay in CONNECT properties") << packet(0x10, str("MQTT") + hex("05 02 003c") + props(hex("1800000001")) + str("c"))
                                                         << v5 << P << "Will Delay Interval is not allowed in CONNECT" << -1;
        QTest::newRow("unknown property 0x05") << packet(0x30, str("a") + props(hex("0500"))) << v5 << M << "unknown property identifier 0x05" << -1;
        QTest::newRow("property length beyond packet") << packet(0x30, str("a") + hex("10") + hex("0101")) << v5 << M << "Property Length is 16" << -1;
        QTest::newRow("property runs past its list") << packet(0x30, str("a") + hex("02") + hex("020000") + hex("0001")) << v5 << M
                                                     << "runs past the end" << -1;
        QTest::newRow("Receive Maximum 0") << packet(0x20, hex("0000") + props(hex("210000"))) << v5 << P << "Receive Maximum must not be 0" << -1;
        QTest::newRow("Maximum QoS 2") << packet(0x20, hex("0000") + props(hex("2402"))) << v5 << P << "Maximum QoS is 2" << -1;
        QTest::newRow("Topic Alias 0") << packet(0x30, str("a") + props(hex("230000"))) << v5 << ReasonCode::TopicAliasInvalid
                                       << "Topic Alias must not be 0" << -1;
        QTest::newRow("Subscription Identifier 0") << packet(0x82, hex("0001") + props(hex("0b00")) + str("a") + hex("00")) << v5 << P
                                                   << "Subscription Identifier must not be 0" << -1;
        QTest::newRow("two Subscription Identifiers in SUBSCRIBE") << packet(0x82, hex("0001") + props(hex("0b010b02")) + str("a") + hex("00"))
                                                                   << v5 << P << "Subscription Identifier appears more than once" << -1;
        QTest::newRow("Maximum Packet Size 0") << packet(0x10, str("MQTT") + hex("05 02 003c") + props(hex("2700000000")) + str("c")) << v5 << P
                                               << "Maximum Packet Size must not be 0" << -1;
        // topics (section 4.7)
        QTest::newRow("wildcard in PUBLISH topic") << packet(0x30, str("a/+")) << v3 << ReasonCode::TopicNameInvalid << "wildcard" << 2;
        QTest::newRow("empty topic, no alias") << packet(0x30, str("") + props({})) << v5 << P << "empty Topic Name and no Topic Alias" << -1;
        QTest::newRow("empty topic 3.1.1") << packet(0x30, str("")) << v3 << P << "empty Topic Name" << -1;
        QTest::newRow("# not last") << packet(0x82, hex("0001") + str("a/#/b") + hex("00")) << v3 << ReasonCode::TopicFilterInvalid
                                    << "'#' must stand alone as the last level" << 4;
        QTest::newRow("+ inside a level") << packet(0xA2, hex("0001") + str("a+")) << v3 << ReasonCode::TopicFilterInvalid << "'+' must occupy" << -1;
        QTest::newRow("empty filter") << packet(0x82, hex("0001") + str("") + hex("00")) << v3 << ReasonCode::TopicFilterInvalid << "must not be empty" << -1;
        QTest::newRow("wildcard will topic") << packet(0x10, str("MQTT") + hex("04 06 003c") + str("c") + str("a/#") + str("x")) << v3
                                             << ReasonCode::TopicNameInvalid << "Will Topic" << -1;
        // SUBSCRIBE / UNSUBSCRIBE payloads
        QTest::newRow("SUBSCRIBE without filters") << packet(0x82, hex("0001")) << v3 << P << "contains no topic filter [MQTT-3.8.3-3]" << -1;
        QTest::newRow("UNSUBSCRIBE without filters") << packet(0xA2, hex("0001")) << v3 << P << "[MQTT-3.10.3-2]" << -1;
        QTest::newRow("SUBSCRIBE QoS 3") << packet(0x82, hex("0001") + str("a") + hex("03")) << v3 << M << "QoS 3" << -1;
        QTest::newRow("SUBSCRIBE 3.1.1 reserved option bits") << packet(0x82, hex("0001") + str("a") + hex("04")) << v3 << M << "reserved bits 7-2" << -1;
        QTest::newRow("SUBSCRIBE 5.0 reserved option bits") << packet(0x82, hex("0001") + props({}) + str("a") + hex("40")) << v5 << M
                                                            << "reserved bits 6-7" << -1;
        QTest::newRow("Retain Handling 3") << packet(0x82, hex("0001") + props({}) + str("a") + hex("30")) << v5 << P << "Retain Handling 3" << -1;
        QTest::newRow("No Local on a shared subscription") << packet(0x82, hex("0001") + props({}) + str("$share/g/a") + hex("04")) << v5 << P
                                                           << "No Local" << -1;
        QTest::newRow("shared subscription without filter") << packet(0x82, hex("0001") + props({}) + str("$share/g") + hex("00")) << v5
                                                            << ReasonCode::TopicFilterInvalid << "$share/{ShareName}/{filter}" << -1;
        // CONNECT (section 3.1.2)
        QTest::newRow("CONNECT reserved flag") << packet(0x10, connectBody(4, 0x03, {})) << v3 << M << "reserved flag (bit 0)" << 9;
        QTest::newRow("Will QoS without Will") << packet(0x10, connectBody(4, 0x0A, {})) << v3 << M << "no Will but sets Will QoS" << -1;
        QTest::newRow("Will QoS 3") << packet(0x10, connectBody(4, 0x1E, str("w") + str("x"))) << v3 << M << "Will QoS is 3" << -1;
        QTest::newRow("password without user name (3.1.1)") << packet(0x10, connectBody(4, 0x42, str("pw"))) << v3 << M
                                                             << "Password flag without the User Name flag" << -1;
        QTest::newRow("protocol name MQTX") << packet(0x10, connectBody(4, 0x02, {}, "MQTX")) << v3 << ReasonCode::UnsupportedProtocolVersion
                                            << "must be \"MQTT\"" << -1;
        QTest::newRow("MQTT 3.1 (MQIsdp)") << packet(0x10, connectBody(3, 0x02, {}, "MQIsdp")) << v3 << ReasonCode::UnsupportedProtocolVersion
                                           << "MQTT 3.1" << -1;
        QTest::newRow("protocol level 6") << packet(0x10, connectBody(6, 0x02, {})) << v3 << ReasonCode::UnsupportedProtocolVersion
                                          << "Protocol Level is 6" << 8;
        QTest::newRow("CONNECT trailing bytes") << packet(0x10, connectBody(4, 0x02, hex("00"))) << v3 << M << "unexpected byte" << -1;
        // CONNACK (section 3.2.2): [MQTT-3.2.2-1] reserved flags, [MQTT-3.2.2-6] no Session Present with a refusal
        QTest::newRow("CONNACK reserved bits") << packet(0x20, hex("0200")) << v3 << M << "Acknowledge Flags bits 7-1" << 2;
        QTest::newRow("CONNACK session present with refusal") << packet(0x20, hex("0105")) << v3 << P << "Session Present" << -1;
        QTest::newRow("CONNACK 3.1.1 return code 6") << packet(0x20, hex("0006")) << v3 << P << "return code 6 is reserved" << -1;
        // reason codes that do not exist for the packet (5.0 table 2-6): [MQTT-3.4.2-1] [MQTT-3.5.2-1]
        // [MQTT-3.6.2-1] [MQTT-3.7.2-1] each acknowledgement uses only its own reason codes
        QTest::newRow("PUBACK 0x92") << packet(0x40, hex("000192")) << v5 << P << "PUBACK carries reason code 0x92" << -1;
        QTest::newRow("PUBREC 0x92") << packet(0x50, hex("000192")) << v5 << P << "PUBREC carries reason code 0x92" << -1;
        QTest::newRow("PUBREL 0x97") << packet(0x62, hex("000197")) << v5 << P << "PUBREL carries reason code 0x97" << -1;
        QTest::newRow("PUBCOMP 0x97") << packet(0x70, hex("000197")) << v5 << P << "PUBCOMP carries reason code 0x97" << -1;
        QTest::newRow("DISCONNECT 0x01") << packet(0xE0, hex("01")) << v5 << P << "DISCONNECT carries reason code 0x01" << -1;
        QTest::newRow("SUBACK 3.1.1 code 0x03") << packet(0x90, hex("000103")) << v3 << P << "SUBACK return code 0x03" << -1;
        QTest::newRow("SUBACK without codes") << packet(0x90, hex("0001")) << v3 << P << "SUBACK contains no reason code" << -1;
        QTest::newRow("UNSUBACK 5.0 without codes") << packet(0xB0, hex("0001") + props({})) << v5 << P << "UNSUBACK contains no reason code" << -1;
    }

    void rejected()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(ProtocolVersion, version);
        QFETCH(ReasonCode, code);
        QFETCH(QString, says);
        QFETCH(int, offset);
        Decoder decoder(version);
        decoder.feed(hex("c000")); // a good PINGREQ first, so stream offsets are not packet offsets
        QVERIFY(std::holds_alternative<DecodedPacket>(decoder.next()));
        decoder.feed(bytes);
        const auto result = decoder.next();
        const auto *error = std::get_if<ProtocolError>(&result);
        QVERIFY2(error, "the decoder accepted it");
        QCOMPARE(error->code, code);
        QVERIFY2(error->message.contains(says), qPrintable(error->message));
        if (offset >= 0)
            QCOMPARE(error->offset, qint64(2 + offset));
        // once broken, the stream stays broken and says why
        QCOMPARE(std::get<ProtocolError>(decoder.next()), *error);
        QVERIFY(decoder.failed());
    }

    void oversizeIsRefusedFromTheFixedHeader()
    {
        Decoder decoder(ProtocolVersion::V5, 100);
        decoder.feed(hex("30c801")); // PUBLISH, Remaining Length 200: only the header has arrived
        const auto result = decoder.next();
        const auto *error = std::get_if<ProtocolError>(&result);
        QVERIFY(error);
        QCOMPARE(error->code, ReasonCode::PacketTooLarge);
        QVERIFY(error->message.contains(QStringLiteral("203 bytes exceeds the maximum packet size of 100")));
        QCOMPARE(decoder.bufferedBytes(), 0);
        decoder.feed(QByteArray(200, 'x'));
        QCOMPARE(decoder.bufferedBytes(), 0); // nothing more is buffered after the error
    }
};

QTEST_GUILESS_MAIN(TestMalformed)
#include "tst_malformed.moc"
