// Every packet type and every property, in both versions: encode, decode, compare, re-encode.

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"

#include <QTest>

using namespace mqs;

Q_DECLARE_METATYPE(mqs::Packet)
Q_DECLARE_METATYPE(mqs::ProtocolVersion)

namespace {

// A value of the property's type, distinct per id so mix-ups show.
PropertyValue sampleValue(const PropertyInfo &info)
{
    const auto id = quint32(info.id);
    switch (info.type) {
    case PropertyType::Byte: return quint32(1);
    case PropertyType::TwoByteInteger: return quint32(1000 + id);
    case PropertyType::FourByteInteger: return quint32(100000 + id);
    case PropertyType::VariableByteInteger: return quint32(200 + id);
    case PropertyType::Utf8String: return QStringLiteral("värde-%1").arg(id);
    case PropertyType::BinaryData: return QByteArray("\x00\x01\xff", 3) + QByteArray::number(id);
    case PropertyType::Utf8StringPair: return StringPair{QStringLiteral("name-%1").arg(id), QStringLiteral("value")};
    }
    return quint32(0);
}

// Every property allowed in `context`, in table order.
Properties allPropertiesFor(PropertyContext context)
{
    Properties props;
    for (int id = 0; id < 256; ++id) {
        const PropertyInfo *info = propertyInfo(quint8(id));
        if (!info || !isPropertyAllowed(info->id, context))
            continue;
        if (info->id == PropertyId::TopicAlias || info->id == PropertyId::SubscriptionIdentifier)
            continue; // added where they make sense below
        props.append(Property{info->id, sampleValue(*info)});
    }
    return props;
}

Packet roundTrip(const Packet &packet, ProtocolVersion version, QByteArray *bytes = nullptr)
{
    const QByteArray encoded = encode(packet, version);
    if (bytes)
        *bytes = encoded;
    Decoder decoder(version);
    decoder.feed(encoded);
    auto result = decoder.next();
    if (const auto *error = std::get_if<ProtocolError>(&result))
        qFatal("round trip of %s failed: %s", qPrintable(describe(packet)), qPrintable(error->toString()));
    if (std::holds_alternative<NeedMoreBytes>(result))
        qFatal("round trip of %s: the decoder wants more bytes", qPrintable(describe(packet)));
    return std::get<DecodedPacket>(result).packet;
}

} // namespace

class TestCodecRoundTrip : public QObject
{
    Q_OBJECT

private slots:
    void everyPacketType_data()
    {
        QTest::addColumn<Packet>("packet");
        QTest::addColumn<ProtocolVersion>("version");
        for (ProtocolVersion v : {ProtocolVersion::V311, ProtocolVersion::V5}) {
            const bool v5 = v == ProtocolVersion::V5;
            const char *tag = v5 ? "5.0" : "3.1.1";
            Connect bare;
            bare.version = v;
            bare.clientId = QStringLiteral("sensor-1");
            QTest::addRow("%s CONNECT bare", tag) << Packet(bare) << v;
            Connect full = bare;
            full.cleanStart = false;
            full.keepAlive = 0;
            full.username = QStringLiteral("user");
            full.password = QByteArray("secret\x00bytes", 12);
            full.will = Will{QStringLiteral("sensors/status"), "offline", QoS::AtLeastOnce, true,
                             v5 ? allPropertiesFor(PropertyContext::Will) : Properties{}};
            if (v5)
                full.properties = allPropertiesFor(PropertyContext::Connect);
            QTest::addRow("%s CONNECT will, credentials, properties", tag) << Packet(full) << v;
            Connect emptyId = bare;
            emptyId.clientId.clear();
            emptyId.will = Will{QStringLiteral("w"), QByteArray(), QoS::ExactlyOnce, false, {}};
            QTest::addRow("%s CONNECT empty id, empty will payload", tag) << Packet(emptyId) << v;
            if (v5) {
                Connect passwordOnly = bare;
                passwordOnly.password = QByteArray("token");
                QTest::addRow("5.0 CONNECT password without user name") << Packet(passwordOnly) << v;
            }

            QTest::addRow("%s CONNACK", tag) << Packet(ConnAck{true, ReasonCode::Success, {}}) << v;
            for (ReasonCode r : {ReasonCode::UnsupportedProtocolVersion, ReasonCode::ClientIdentifierNotValid,
                                 ReasonCode::ServerUnavailable, ReasonCode::BadUserNameOrPassword, ReasonCode::NotAuthorized})
                QTest::addRow("%s CONNACK refused 0x%x", tag, int(r)) << Packet(ConnAck{false, r, {}}) << v;
            if (v5) {
                QTest::addRow("5.0 CONNACK all properties")
                    << Packet(ConnAck{false, ReasonCode::Success, allPropertiesFor(PropertyContext::ConnAck)}) << v;
                QTest::addRow("5.0 CONNACK Banned") << Packet(ConnAck{false, ReasonCode::Banned, {}}) << v;
            }

            for (QoS q : {QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce}) {
                for (bool retain : {false, true}) {
                    Publish p;
                    p.qos = q;
                    p.retain = retain;
                    p.dup = q != QoS::AtMostOnce && retain;
                    p.topic = QStringLiteral("sensors/temperature/livingroom");
                    p.payload = QByteArray("{\"t\":21.5}");
                    if (q != QoS::AtMostOnce)
                        p.packetId = 65535;
                    QTest::addRow("%s PUBLISH qos%d retain%d", tag, int(q), int(retain)) << Packet(p) << v;
                }
            }
            Publish emptyPayload;
            emptyPayload.topic = QStringLiteral("a");
            emptyPayload.retain = true;
            QTest::addRow("%s PUBLISH empty payload", tag) << Packet(emptyPayload) << v;
            Publish big;
            big.topic = QStringLiteral("big");
            big.qos = QoS::AtLeastOnce;
            big.packetId = 1;
            big.payload = QByteArray(3 * 1024 * 1024, 'x'); // a four-byte Remaining Length
            QTest::addRow("%s PUBLISH 3 MiB", tag) << Packet(big) << v;
            if (v5) {
                Publish props;
                props.topic = QStringLiteral("t");
                props.qos = QoS::ExactlyOnce;
                props.packetId = 7;
                props.properties = allPropertiesFor(PropertyContext::Publish);
                props.properties.set(PropertyId::TopicAlias, quint32(3));
                props.properties.append(Property{PropertyId::SubscriptionIdentifier, quint32(1)});
                props.properties.append(Property{PropertyId::SubscriptionIdentifier, quint32(268435455)});
                props.properties.addUserProperty(QStringLiteral("k"), QStringLiteral("1"));
                props.properties.addUserProperty(QStringLiteral("k"), QStringLiteral("2"));
                QTest::addRow("5.0 PUBLISH every property, repeated ones") << Packet(props) << v;
                Publish aliased;
                aliased.properties.set(PropertyId::TopicAlias, quint32(3));
                QTest::addRow("5.0 PUBLISH empty topic with alias") << Packet(aliased) << v;
            }

            QTest::addRow("%s PUBACK", tag) << Packet(PubAck{1, ReasonCode::Success, {}}) << v;
            QTest::addRow("%s PUBREC", tag) << Packet(PubRec{2, ReasonCode::Success, {}}) << v;
            QTest::addRow("%s PUBREL", tag) << Packet(PubRel{3, ReasonCode::Success, {}}) << v;
            QTest::addRow("%s PUBCOMP", tag) << Packet(PubComp{4, ReasonCode::Success, {}}) << v;
            if (v5) {
                Properties ackProps = allPropertiesFor(PropertyContext::PubRec);
                QTest::addRow("5.0 PUBACK 0x10") << Packet(PubAck{1, ReasonCode::NoMatchingSubscribers, {}}) << v;
                QTest::addRow("5.0 PUBREC 0x97 with properties") << Packet(PubRec{2, ReasonCode::QuotaExceeded, ackProps}) << v;
                QTest::addRow("5.0 PUBREC success with properties") << Packet(PubRec{2, ReasonCode::Success, ackProps}) << v;
                QTest::addRow("5.0 PUBREL 0x92") << Packet(PubRel{3, ReasonCode::PacketIdentifierNotFound, {}}) << v;
                QTest::addRow("5.0 PUBCOMP 0x92 with properties")
                    << Packet(PubComp{4, ReasonCode::PacketIdentifierNotFound, allPropertiesFor(PropertyContext::PubComp)}) << v;
            }

            Subscribe subscribe;
            subscribe.packetId = 10;
            subscribe.subscriptions = {Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}},
                                       Subscription{QStringLiteral("+/status"), {QoS::AtMostOnce}}};
            if (v5) {
                subscribe.subscriptions.push_back(
                    Subscription{QStringLiteral("plant/+/temp"), {QoS::AtLeastOnce, true, true, RetainHandling::DoNotSend}});
                subscribe.subscriptions.push_back(
                    Subscription{QStringLiteral("$share/group/a"), {QoS::AtLeastOnce, false, false, RetainHandling::SendAtSubscribeIfNew}});
                subscribe.properties = allPropertiesFor(PropertyContext::Subscribe);
                subscribe.properties.append(Property{PropertyId::SubscriptionIdentifier, quint32(42)});
            }
            QTest::addRow("%s SUBSCRIBE", tag) << Packet(subscribe) << v;
            SubAck subAck{10, {}, {ReasonCode::GrantedQoS2, ReasonCode::GrantedQoS0, ReasonCode::GrantedQoS1, ReasonCode::UnspecifiedError}};
            if (v5) {
                subAck.reasons.push_back(ReasonCode::SharedSubscriptionsNotSupported);
                subAck.properties = allPropertiesFor(PropertyContext::SubAck);
            }
            QTest::addRow("%s SUBACK", tag) << Packet(subAck) << v;
            Unsubscribe unsubscribe{11, v5 ? allPropertiesFor(PropertyContext::Unsubscribe) : Properties{},
                                    {QStringLiteral("sensors/#"), QStringLiteral("a/b")}};
            QTest::addRow("%s UNSUBSCRIBE", tag) << Packet(unsubscribe) << v;
            UnsubAck unsubAck{11, {}, {}};
            if (v5) {
                unsubAck.reasons = {ReasonCode::Success, ReasonCode::NoSubscriptionExisted};
                unsubAck.properties = allPropertiesFor(PropertyContext::UnsubAck);
            }
            QTest::addRow("%s UNSUBACK", tag) << Packet(unsubAck) << v;
            QTest::addRow("%s PINGREQ", tag) << Packet(PingReq{}) << v;
            QTest::addRow("%s PINGRESP", tag) << Packet(PingResp{}) << v;
            QTest::addRow("%s DISCONNECT", tag) << Packet(Disconnect{}) << v;
            if (v5) {
                QTest::addRow("5.0 DISCONNECT 0x8E") << Packet(Disconnect{ReasonCode::SessionTakenOver, {}}) << v;
                QTest::addRow("5.0 DISCONNECT with properties")
                    << Packet(Disconnect{ReasonCode::DisconnectWithWillMessage, allPropertiesFor(PropertyContext::Disconnect)}) << v;
                QTest::addRow("5.0 AUTH bare") << Packet(Auth{}) << v;
                QTest::addRow("5.0 AUTH continue")
                    << Packet(Auth{ReasonCode::ContinueAuthentication, allPropertiesFor(PropertyContext::Auth)}) << v;
            }
        }
    }

    void everyPacketType()
    {
        QFETCH(Packet, packet);
        QFETCH(ProtocolVersion, version);
        QVERIFY2(checkEncodable(packet, version).ok(), qPrintable(checkEncodable(packet, version).sentence()));
        QByteArray first;
        const Packet decoded = roundTrip(packet, version, &first);
        QVERIFY2(decoded == packet, qPrintable(describe(decoded) + QStringLiteral(" != ") + describe(packet)));
        QCOMPARE(encode(decoded, version), first);
    }

    void everyPropertyIsInTheTable()
    {
        // 27 properties in the spec (table 2-4); each allowed somewhere and round-tripped above.
        int count = 0;
        for (int id = 0; id < 256; ++id)
            if (const PropertyInfo *info = propertyInfo(quint8(id))) {
                ++count;
                QVERIFY(info->contexts != 0);
            }
        QCOMPARE(count, 27);
    }

    void userPropertiesKeepOrderAndDuplicates()
    {
        Publish p;
        p.topic = QStringLiteral("a");
        p.properties.addUserProperty(QStringLiteral("z"), QStringLiteral("1"));
        p.properties.set(PropertyId::ContentType, QStringLiteral("text/plain"));
        p.properties.addUserProperty(QStringLiteral("a"), QStringLiteral("2"));
        p.properties.addUserProperty(QStringLiteral("z"), QStringLiteral("1"));
        const auto decoded = std::get<Publish>(roundTrip(p, ProtocolVersion::V5));
        QCOMPARE(decoded.properties.userProperties(),
                 (std::vector<StringPair>{{QStringLiteral("z"), QStringLiteral("1")},
                                          {QStringLiteral("a"), QStringLiteral("2")},
                                          {QStringLiteral("z"), QStringLiteral("1")}}));
        QCOMPARE(decoded.properties.items().at(1).id, PropertyId::ContentType);
    }

    void v311ConnAckReturnCodesMapBothWays()
    {
        for (quint8 code = 0; code <= 5; ++code) {
            const auto reason = connAckReasonFromV311(code);
            QVERIFY(reason);
            QCOMPARE(connAckReturnCodeV311(*reason), std::optional<quint8>(code));
            const QByteArray bytes = encode(ConnAck{false, *reason, {}}, ProtocolVersion::V311);
            QCOMPARE(bytes, QByteArray::fromHex("2002") + QByteArray(1, '\0') + QByteArray(1, char(code)));
        }
    }

    void shortestFormsOnTheWire()
    {
        // 5.0 acknowledgements omit a success reason and empty properties; DISCONNECT is two bytes.
        QCOMPARE(encode(PubRec{7, ReasonCode::Success, {}}, ProtocolVersion::V5), QByteArray::fromHex("50020007"));
        QCOMPARE(encode(PubRec{7, ReasonCode::QuotaExceeded, {}}, ProtocolVersion::V5), QByteArray::fromHex("5003000797"));
        QCOMPARE(encode(PubRel{7, ReasonCode::Success, {}}, ProtocolVersion::V5), QByteArray::fromHex("62020007"));
        QCOMPARE(encode(Disconnect{}, ProtocolVersion::V5), QByteArray::fromHex("e000"));
        QCOMPARE(encode(PingReq{}, ProtocolVersion::V311), QByteArray::fromHex("c000"));
    }

    void encodingProblemsAreNamed()
    {
        Publish noId;
        noId.topic = QStringLiteral("a");
        noId.qos = QoS::AtLeastOnce;
        QVERIFY(checkEncodable(noId, ProtocolVersion::V5).sentence().contains(QStringLiteral("non-zero packet identifier")));
        Publish longTopic;
        longTopic.topic = QString(70000, QLatin1Char('t'));
        QVERIFY(checkEncodable(longTopic, ProtocolVersion::V5).sentence().contains(QStringLiteral("65,535")));
        QVERIFY(checkEncodable(Auth{}, ProtocolVersion::V311).sentence().contains(QStringLiteral("only in MQTT 5.0")));
    }
};

QTEST_GUILESS_MAIN(TestCodecRoundTrip)
#include "tst_codec_roundtrip.moc"
