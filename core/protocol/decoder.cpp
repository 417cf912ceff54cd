#include "decoder.h"

#include "topic.h"

namespace mqs {
namespace {

using R = ReasonCode;

QString hexByte(quint8 v)
{
    return QStringLiteral("0x%1").arg(v, 2, 16, QLatin1Char('0'));
}

QString bits4(quint8 v)
{
    return QStringLiteral("0b%1").arg(v & 0x0F, 4, 2, QLatin1Char('0'));
}

// ---- properties -------------------------------------------------------------------------

void checkPropertyValue(ByteReader &r, const PropertyInfo &info, quint32 value, qsizetype at)
{
    const QString name = QString::fromLatin1(info.name);
    switch (info.id) {
    case PropertyId::PayloadFormatIndicator:
    case PropertyId::RequestProblemInformation:
    case PropertyId::RequestResponseInformation:
    case PropertyId::MaximumQoS:
    case PropertyId::RetainAvailable:
    case PropertyId::WildcardSubscriptionAvailable:
    case PropertyId::SubscriptionIdentifierAvailable:
    case PropertyId::SharedSubscriptionAvailable:
        if (value > 1)
            r.fail(R::ProtocolError, QStringLiteral("%1 is %2 but may only be 0 or 1").arg(name).arg(value), at);
        break;
    case PropertyId::ReceiveMaximum:
    case PropertyId::MaximumPacketSize:
        if (value == 0)
            r.fail(R::ProtocolError, QStringLiteral("%1 must not be 0 (sections 3.1.2.11 and 3.2.2.3)").arg(name), at);
        break;
    case PropertyId::SubscriptionIdentifier:
        if (value == 0)
            r.fail(R::ProtocolError, QStringLiteral("Subscription Identifier must not be 0 (section 3.8.2.1.2)"), at);
        break;
    case PropertyId::TopicAlias:
        if (value == 0)
            r.fail(R::TopicAliasInvalid, QStringLiteral("Topic Alias must not be 0 [MQTT-3.3.2-8]"), at);
        break;
    default:
        break;
    }
}

Properties readProperties(ByteReader &r, PropertyContext context, const QString &owner)
{
    const qsizetype start = r.position();
    const quint32 length = r.variableByteInteger(QStringLiteral("Property Length"));
    if (length > quint32(r.remaining()))
        r.fail(R::MalformedPacket,
               QStringLiteral("%1 Property Length is %2 but only %3 byte(s) remain in the packet")
                   .arg(owner).arg(length).arg(r.remaining()),
               start);
    const qsizetype end = r.position() + length;
    Properties properties;
    r.enter();
    while (r.position() < end) {
        const qsizetype at = r.position();
        const std::size_t mark = r.mark();
        const quint32 idValue = r.variableByteInteger(QStringLiteral("Property Identifier"));
        const PropertyInfo *info = idValue <= 0xFF ? propertyInfo(quint8(idValue)) : nullptr;
        if (!info)
            r.fail(R::MalformedPacket,
                   QStringLiteral("%1 contains the unknown property identifier %2").arg(owner, hexByte(quint8(idValue))), at);
        const QString name = QString::fromLatin1(info->name);
        if (!(info->contexts & (1u << unsigned(context))))
            r.fail(R::ProtocolError, QStringLiteral("%1 is not allowed in %2").arg(name, owner), at);
        if (!mayRepeat(info->id, context) && properties.contains(info->id))
            r.fail(R::ProtocolError, QStringLiteral("%1 appears more than once in %2").arg(name, owner), at);
        Property property{info->id, quint32(0)};
        switch (info->type) {
        case PropertyType::Byte: property.value = quint32(r.byte(name)); break;
        case PropertyType::TwoByteInteger: property.value = quint32(r.twoByteInteger(name)); break;
        case PropertyType::FourByteInteger: property.value = r.fourByteInteger(name); break;
        case PropertyType::VariableByteInteger: property.value = r.variableByteInteger(name); break;
        case PropertyType::Utf8String: property.value = r.utf8String(name); break;
        case PropertyType::BinaryData: property.value = r.binaryData(name); break;
        case PropertyType::Utf8StringPair: {
            QString key = r.utf8String(name + QStringLiteral(" name"));
            QString value = r.utf8String(name + QStringLiteral(" value"));
            property.value = StringPair{std::move(key), std::move(value)};
            break;
        }
        }
        if (r.position() > end)
            r.fail(R::MalformedPacket,
                   QStringLiteral("%1 runs past the end of the %2 properties").arg(name, owner), at);
        if (const auto *v = std::get_if<quint32>(&property.value))
            checkPropertyValue(r, *info, *v, at);
        if (r.recording())
            r.collapse(mark, name, propertyValueText(property), at);
        properties.append(std::move(property));
    }
    r.leave();
    return properties;
}

// ---- shared field rules -----------------------------------------------------------------

PacketId readPacketId(ByteReader &r, const QString &owner)
{
    const qsizetype at = r.position();
    const quint16 id = r.twoByteInteger(QStringLiteral("Packet Identifier"));
    if (id == 0)
        r.fail(R::ProtocolError, QStringLiteral("%1 carries Packet Identifier 0; it must be non-zero [MQTT-2.2.1-3] [MQTT-2.2.1-4]; 3.1.1 [MQTT-2.3.1-1]").arg(owner), at);
    return PacketId(id);
}

void expectEnd(ByteReader &r, const QString &owner)
{
    if (!r.atEnd())
        r.fail(R::MalformedPacket,
               QStringLiteral("%1 has %2 unexpected byte(s) after its last field").arg(owner).arg(r.remaining()));
}

ReasonCode readReason(ByteReader &r, PacketType type)
{
    const qsizetype at = r.position();
    const quint8 code = r.byte(QStringLiteral("Reason Code"));
    if (!isReasonCodeAllowed(type, code))
        r.fail(R::ProtocolError,
               QStringLiteral("%1 carries reason code %2, which the spec does not define for %1")
                   .arg(packetTypeName(type), hexByte(code)),
               at);
    if (r.recording())
        r.describeLast(reasonText(ReasonCode(code), type));
    return ReasonCode(code);
}

QString readFilter(ByteReader &r, const QString &owner)
{
    const qsizetype at = r.position();
    QString filter = r.utf8String(QStringLiteral("Topic Filter"));
    if (const Status problem = checkTopicFilter(filter); !problem)
        r.fail(R::TopicFilterInvalid, owner + QStringLiteral(": ") + problem.sentence(), at);
    return filter;
}

// ---- packets ----------------------------------------------------------------------------

Connect readConnect(ByteReader &r)
{
    Connect c;
    const qsizetype nameAt = r.position();
    const QString protocolName = r.utf8String(QStringLiteral("Protocol Name"));
    const qsizetype levelAt = r.position();
    const quint8 level = r.byte(QStringLiteral("Protocol Level"));
    if (protocolName == QLatin1String("MQIsdp"))
        r.fail(R::UnsupportedProtocolVersion,
               QStringLiteral("CONNECT is MQTT 3.1 (\"MQIsdp\", level %1); only 3.1.1 and 5.0 are supported").arg(level),
               nameAt);
    if (protocolName != QLatin1String("MQTT"))
        r.fail(R::UnsupportedProtocolVersion,
               QStringLiteral("CONNECT Protocol Name is \"%1\" but must be \"MQTT\" [MQTT-3.1.2-1]").arg(protocolName),
               nameAt);
    if (level != 4 && level != 5)
        r.fail(R::UnsupportedProtocolVersion,
               QStringLiteral("CONNECT Protocol Level is %1; supported are 4 (3.1.1) and 5 (5.0) [MQTT-3.1.2-2]").arg(level),
               levelAt);
    c.version = ProtocolVersion(level);
    if (r.recording())
        r.describeLast(QStringLiteral("%1 (%2)").arg(level).arg(versionName(c.version)));
    const bool v5 = c.version == ProtocolVersion::V5;

    const qsizetype flagsAt = r.position();
    const quint8 flags = r.byte(QStringLiteral("Connect Flags"));
    if (r.recording())
        r.describeLast(QStringLiteral("0b%1").arg(flags, 8, 2, QLatin1Char('0')));
    if (flags & 0x01)
        r.fail(R::MalformedPacket, QStringLiteral("CONNECT reserved flag (bit 0) is set; it must be 0 [MQTT-3.1.2-3]"), flagsAt);
    c.cleanStart = flags & 0x02;
    const bool willFlag = flags & 0x04;
    const quint8 willQos = (flags >> 3) & 0x03;
    const bool willRetain = flags & 0x20;
    const bool passwordFlag = flags & 0x40;
    const bool usernameFlag = flags & 0x80;
    if (willQos == 3)
        r.fail(R::MalformedPacket, QStringLiteral("CONNECT Will QoS is 3 [MQTT-3.1.2-12]"), flagsAt);
    if (!willFlag && (willQos != 0 || willRetain))
        r.fail(R::MalformedPacket,
               QStringLiteral("CONNECT has no Will but sets Will QoS or Will Retain [MQTT-3.1.2-11] [MQTT-3.1.2-13]"), flagsAt);
    if (!v5 && passwordFlag && !usernameFlag)
        r.fail(R::MalformedPacket,
               QStringLiteral("CONNECT sets the Password flag without the User Name flag [MQTT-3.1.2-22]"), flagsAt);

    c.keepAlive = r.twoByteInteger(QStringLiteral("Keep Alive"));
    if (v5)
        c.properties = readProperties(r, PropertyContext::Connect, QStringLiteral("CONNECT"));
    c.clientId = r.utf8String(QStringLiteral("Client Identifier"));
    if (willFlag) {
        Will will;
        will.qos = QoS(willQos);
        will.retain = willRetain;
        if (v5)
            will.properties = readProperties(r, PropertyContext::Will, QStringLiteral("CONNECT Will"));
        const qsizetype topicAt = r.position();
        will.topic = r.utf8String(QStringLiteral("Will Topic"));
        if (const Status problem = checkTopicName(will.topic); !problem)
            r.fail(R::TopicNameInvalid, QStringLiteral("CONNECT Will Topic: ") + problem.sentence(), topicAt);
        will.payload = r.binaryData(QStringLiteral("Will Payload"));
        c.will = std::move(will);
    }
    if (usernameFlag)
        c.username = r.utf8String(QStringLiteral("User Name"));
    if (passwordFlag)
        c.password = r.binaryData(QStringLiteral("Password"));
    expectEnd(r, QStringLiteral("CONNECT"));
    return c;
}

// A 3.1.1 CONNACK's return code for a protocol level the broker does not speak.
constexpr quint8 kV311UnacceptableProtocolLevel = 0x01;

ConnAck readConnAck(ByteReader &r, ProtocolVersion version)
{
    ConnAck a;
    const qsizetype flagsAt = r.position();
    const quint8 flags = r.byte(QStringLiteral("Acknowledge Flags"));
    if (flags & 0xFE)
        r.fail(R::MalformedPacket,
               QStringLiteral("CONNACK Acknowledge Flags bits 7-1 are %1; they must be 0 [MQTT-3.2.2-1]").arg(hexByte(flags)),
               flagsAt);
    a.sessionPresent = flags & 0x01;
    if (r.recording())
        r.describeLast(QStringLiteral("Session Present = %1").arg(int(a.sessionPresent)));
    const qsizetype codeAt = r.position();
    // A broker that speaks only 3.1.1 answers a 5.0 CONNECT with a 3.1.1 CONNACK: return code 0x01
    // "unacceptable protocol level" and no properties (3.1.1 [MQTT-3.1.2-2]). 0x01 is no 5.0 CONNACK
    // reason code, so it cannot be mistaken for one.
    if (version == ProtocolVersion::V5 && r.remaining() == 1 && r.peek() == kV311UnacceptableProtocolLevel) {
        r.byte(QStringLiteral("Connect Return Code (3.1.1)"));
        a.reason = R::UnsupportedProtocolVersion;
        a.answeredInV311 = true;
        if (r.recording())
            r.describeLast(QStringLiteral("0x01 unacceptable protocol level: the broker speaks only MQTT 3.1.1"));
    } else if (version == ProtocolVersion::V5) {
        a.reason = readReason(r, PacketType::ConnAck);
        a.properties = readProperties(r, PropertyContext::ConnAck, QStringLiteral("CONNACK"));
    } else {
        const quint8 code = r.byte(QStringLiteral("Connect Return Code"));
        const auto reason = connAckReasonFromV311(code);
        if (!reason)
            r.fail(R::ProtocolError, QStringLiteral("CONNACK return code %1 is reserved in MQTT 3.1.1").arg(code), codeAt);
        a.reason = *reason;
        if (r.recording())
            r.describeLast(connAckReasonText(a.reason, version));
    }
    if (a.sessionPresent && a.reason != R::Success)
        r.fail(R::ProtocolError,
               QStringLiteral("CONNACK refuses the connection but sets Session Present; it must be 0 [MQTT-3.2.2-6]"), flagsAt);
    expectEnd(r, QStringLiteral("CONNACK"));
    return a;
}

Publish readPublish(ByteReader &r, quint8 flags, ProtocolVersion version)
{
    Publish p;
    p.dup = flags & 0x08;
    p.retain = flags & 0x01;
    const quint8 qos = (flags >> 1) & 0x03;
    if (qos == 3)
        r.fail(R::MalformedPacket, QStringLiteral("PUBLISH has QoS 3, which does not exist [MQTT-3.3.1-4]"), 0);
    p.qos = QoS(qos);
    if (p.dup && p.qos == QoS::AtMostOnce)
        r.fail(R::MalformedPacket, QStringLiteral("PUBLISH at QoS 0 has DUP set; it must be 0 [MQTT-3.3.1-2]"), 0);
    const qsizetype topicAt = r.position();
    const bool recentTopic = r.readRecentTopic(QStringLiteral("Topic Name"), p.topic); // decoded and checked before
    if (!recentTopic)
        p.topic = r.utf8String(QStringLiteral("Topic Name"));
    if (p.qos != QoS::AtMostOnce)
        p.packetId = readPacketId(r, QStringLiteral("PUBLISH"));
    if (version == ProtocolVersion::V5)
        p.properties = readProperties(r, PropertyContext::Publish, QStringLiteral("PUBLISH"));
    if (p.topic.isEmpty()) {
        if (version != ProtocolVersion::V5 || !p.properties.contains(PropertyId::TopicAlias))
            r.fail(R::ProtocolError,
                   QStringLiteral("PUBLISH has an empty Topic Name%1 [MQTT-4.7.3-1]")
                       .arg(version == ProtocolVersion::V5 ? QStringLiteral(" and no Topic Alias") : QString()),
                   topicAt);
    } else if (!recentTopic) {
        if (const Status problem = checkTopicName(p.topic); !problem)
            r.fail(R::TopicNameInvalid, QStringLiteral("PUBLISH: ") + problem.sentence(), topicAt);
        r.rememberTopic(topicAt, p.topic);
    }
    p.payload = r.rest(QStringLiteral("Payload"));
    return p;
}

template<PacketType Type>
Acknowledgement<Type> readAcknowledgement(ByteReader &r, ProtocolVersion version)
{
    Acknowledgement<Type> a;
    const QString owner = packetTypeName(Type);
    a.packetId = readPacketId(r, owner);
    if (version == ProtocolVersion::V5) {
        // The reason code may be omitted when it is 0x00 and there are no properties.
        if (!r.atEnd())
            a.reason = readReason(r, Type);
        if (!r.atEnd())
            a.properties = readProperties(r, contextOf(Type), owner);
    }
    expectEnd(r, owner);
    return a;
}

Subscribe readSubscribe(ByteReader &r, ProtocolVersion version)
{
    Subscribe s;
    s.packetId = readPacketId(r, QStringLiteral("SUBSCRIBE"));
    const bool v5 = version == ProtocolVersion::V5;
    if (v5) {
        const qsizetype at = r.position();
        s.properties = readProperties(r, PropertyContext::Subscribe, QStringLiteral("SUBSCRIBE"));
        if (s.properties.subscriptionIdentifiers().size() > 1)
            r.fail(R::ProtocolError, QStringLiteral("SUBSCRIBE carries more than one Subscription Identifier"), at);
    }
    if (r.atEnd())
        r.fail(R::ProtocolError, QStringLiteral("SUBSCRIBE contains no topic filter [MQTT-3.8.3-3]"));
    while (!r.atEnd()) {
        Subscription sub;
        sub.filter = readFilter(r, QStringLiteral("SUBSCRIBE"));
        const qsizetype optionsAt = r.position();
        const quint8 options = r.byte(QStringLiteral("Subscription Options"));
        const quint8 qos = options & 0x03;
        if (qos == 3)
            r.fail(R::MalformedPacket, QStringLiteral("SUBSCRIBE asks for QoS 3 on '%1' [MQTT-3.8.3-4]").arg(sub.filter), optionsAt);
        sub.options.maximumQoS = QoS(qos);
        if (v5) {
            if (options & 0xC0)
                r.fail(R::MalformedPacket,
                       QStringLiteral("SUBSCRIBE options for '%1' set reserved bits 6-7 [MQTT-3.8.3-5]").arg(sub.filter), optionsAt);
            sub.options.noLocal = options & 0x04;
            sub.options.retainAsPublished = options & 0x08;
            const quint8 handling = (options >> 4) & 0x03;
            if (handling == 3)
                r.fail(R::ProtocolError, QStringLiteral("SUBSCRIBE Retain Handling 3 on '%1' is not defined").arg(sub.filter), optionsAt);
            sub.options.retainHandling = RetainHandling(handling);
            if (sub.options.noLocal && isSharedSubscription(sub.filter))
                r.fail(R::ProtocolError,
                       QStringLiteral("SUBSCRIBE sets No Local on the shared subscription '%1' [MQTT-3.8.3-4]").arg(sub.filter),
                       optionsAt);
            if (r.recording())
                r.describeLast(QStringLiteral("QoS %1, No Local %2, Retain As Published %3, Retain Handling %4")
                                   .arg(qos).arg(int(sub.options.noLocal)).arg(int(sub.options.retainAsPublished)).arg(handling));
        } else {
            if (options & 0xFC)
                r.fail(R::MalformedPacket,
                       QStringLiteral("SUBSCRIBE Requested QoS byte for '%1' sets reserved bits 7-2 [MQTT-3.8.3-4]").arg(sub.filter),
                       optionsAt);
            if (r.recording())
                r.describeLast(QStringLiteral("QoS %1").arg(qos));
        }
        s.subscriptions.push_back(std::move(sub));
    }
    return s;
}

SubAck readSubAck(ByteReader &r, ProtocolVersion version)
{
    SubAck a;
    a.packetId = readPacketId(r, QStringLiteral("SUBACK"));
    if (version == ProtocolVersion::V5)
        a.properties = readProperties(r, PropertyContext::SubAck, QStringLiteral("SUBACK"));
    if (r.atEnd())
        r.fail(R::ProtocolError, QStringLiteral("SUBACK contains no reason code"));
    while (!r.atEnd()) {
        if (version == ProtocolVersion::V5) {
            a.reasons.push_back(readReason(r, PacketType::SubAck));
        } else {
            const qsizetype at = r.position();
            const quint8 code = r.byte(QStringLiteral("Return Code"));
            if (code > 2 && code != 0x80)
                r.fail(R::ProtocolError,
                       QStringLiteral("SUBACK return code %1 is not allowed in MQTT 3.1.1 [MQTT-3.9.3-2]").arg(hexByte(code)), at);
            a.reasons.push_back(ReasonCode(code));
            if (r.recording())
                r.describeLast(code == 0x80 ? QStringLiteral("0x80 Failure") : QStringLiteral("%1 Granted QoS %1").arg(code));
        }
    }
    return a;
}

Unsubscribe readUnsubscribe(ByteReader &r, ProtocolVersion version)
{
    Unsubscribe u;
    u.packetId = readPacketId(r, QStringLiteral("UNSUBSCRIBE"));
    if (version == ProtocolVersion::V5)
        u.properties = readProperties(r, PropertyContext::Unsubscribe, QStringLiteral("UNSUBSCRIBE"));
    if (r.atEnd())
        r.fail(R::ProtocolError, QStringLiteral("UNSUBSCRIBE contains no topic filter [MQTT-3.10.3-2]"));
    while (!r.atEnd())
        u.filters.push_back(readFilter(r, QStringLiteral("UNSUBSCRIBE")));
    return u;
}

UnsubAck readUnsubAck(ByteReader &r, ProtocolVersion version)
{
    UnsubAck a;
    a.packetId = readPacketId(r, QStringLiteral("UNSUBACK"));
    if (version == ProtocolVersion::V5) {
        a.properties = readProperties(r, PropertyContext::UnsubAck, QStringLiteral("UNSUBACK"));
        if (r.atEnd())
            r.fail(R::ProtocolError, QStringLiteral("UNSUBACK contains no reason code"));
        while (!r.atEnd())
            a.reasons.push_back(readReason(r, PacketType::UnsubAck));
    }
    expectEnd(r, QStringLiteral("UNSUBACK"));
    return a;
}

template<typename P>
P readReasonAndProperties(ByteReader &r, ProtocolVersion version)
{
    constexpr PacketType type = std::is_same_v<P, Disconnect> ? PacketType::Disconnect : PacketType::Auth;
    P p;
    if (version == ProtocolVersion::V5) {
        if (!r.atEnd())
            p.reason = readReason(r, type);
        if (!r.atEnd())
            p.properties = readProperties(r, contextOf(type), packetTypeName(type));
    }
    expectEnd(r, packetTypeName(type));
    return p;
}

Packet readBody(ByteReader &r, PacketType type, quint8 flags, ProtocolVersion version)
{
    switch (type) {
    case PacketType::Connect: return readConnect(r);
    case PacketType::ConnAck: return readConnAck(r, version);
    case PacketType::Publish: return readPublish(r, flags, version);
    case PacketType::PubAck: return readAcknowledgement<PacketType::PubAck>(r, version);
    case PacketType::PubRec: return readAcknowledgement<PacketType::PubRec>(r, version);
    case PacketType::PubRel: return readAcknowledgement<PacketType::PubRel>(r, version);
    case PacketType::PubComp: return readAcknowledgement<PacketType::PubComp>(r, version);
    case PacketType::Subscribe: return readSubscribe(r, version);
    case PacketType::SubAck: return readSubAck(r, version);
    case PacketType::Unsubscribe: return readUnsubscribe(r, version);
    case PacketType::UnsubAck: return readUnsubAck(r, version);
    case PacketType::PingReq: expectEnd(r, QStringLiteral("PINGREQ")); return PingReq{};
    case PacketType::PingResp: expectEnd(r, QStringLiteral("PINGRESP")); return PingResp{};
    case PacketType::Disconnect: return readReasonAndProperties<Disconnect>(r, version);
    case PacketType::Auth: return readReasonAndProperties<Auth>(r, version);
    }
    r.fail(R::MalformedPacket, QStringLiteral("unknown packet type"), 0);
}

// Flags every packet type but PUBLISH must carry ([MQTT-2.1.3-1], [MQTT-3.6.1-1], ...; 3.1.1 [MQTT-2.2.2-1]).
quint8 requiredFlags(PacketType type)
{
    switch (type) {
    case PacketType::PubRel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        return 0x02;
    default:
        return 0x00;
    }
}

QString flagsRule(PacketType type)
{
    switch (type) {
    case PacketType::PubRel: return QStringLiteral(" [MQTT-3.6.1-1]");
    case PacketType::Subscribe: return QStringLiteral(" [MQTT-3.8.1-1]");
    case PacketType::Unsubscribe: return QStringLiteral(" [MQTT-3.10.1-1]");
    default: return QStringLiteral(" [MQTT-2.1.3-1]; 3.1.1 [MQTT-2.2.2-2]");
    }
}

// Checks the first byte; throws on a reserved type or wrong flags.
PacketType checkFirstByte(ByteReader &r, quint8 first, ProtocolVersion version)
{
    const quint8 typeValue = first >> 4;
    const quint8 flags = first & 0x0F;
    if (typeValue == 0)
        r.fail(R::MalformedPacket, QStringLiteral("packet type 0 is reserved (section 2.1.2)"), 0);
    if (typeValue == 15 && version != ProtocolVersion::V5)
        r.fail(R::MalformedPacket, QStringLiteral("packet type 15 (AUTH) is reserved in MQTT 3.1.1"), 0);
    const auto type = PacketType(typeValue);
    if (type != PacketType::Publish && flags != requiredFlags(type))
        r.fail(R::MalformedPacket,
               QStringLiteral("%1 fixed header flags are %2 but must be %3%4")
                   .arg(packetTypeName(type), bits4(flags), bits4(requiredFlags(type)), flagsRule(type)),
               0);
    return type;
}

} // namespace

QString ProtocolError::toString() const
{
    return QStringLiteral("%1 (0x%2): %3 at byte %4")
        .arg(reasonName(code, PacketType::Disconnect))
        .arg(reasonValue(code), 2, 16, QLatin1Char('0'))
        .arg(message)
        .arg(offset);
}

std::variant<Packet, ProtocolError> decodePacket(QByteArrayView bytes, ProtocolVersion version, PacketLayout *layout,
                                                 RecentTopic *recent)
{
    ByteReader r(bytes, 0, layout, recent);
    try {
        if (bytes.isEmpty())
            r.fail(R::MalformedPacket, QStringLiteral("an empty packet"), 0);
        const auto first = static_cast<quint8>(bytes[0]);
        const PacketType type = checkFirstByte(r, first, version);
        if (r.recording())
            r.record(QStringLiteral("Packet Type"), QStringLiteral("%1 (%2)").arg(packetTypeName(type)).arg(int(type)), 0, 1);
        if (r.recording())
            r.record(QStringLiteral("Flags"), bits4(first), 0, 1);
        r.skip(1);
        const quint32 remaining = r.variableByteInteger(QStringLiteral("Remaining Length"));
        if (remaining != quint32(r.remaining()))
            r.fail(R::MalformedPacket,
                   QStringLiteral("Remaining Length says %1 byte(s) but the packet has %2").arg(remaining).arg(r.remaining()), 1);
        Packet packet = readBody(r, type, first & 0x0F, version);
        return packet;
    } catch (const DecodeFailure &failure) {
        return ProtocolError{failure.code, failure.message, failure.offset};
    }
}

Decoder::Decoder(ProtocolVersion version, quint32 maximumPacketSize)
    : m_version(version), m_maximumPacketSize(maximumPacketSize)
{
}

void Decoder::reset()
{
    m_buffer.clear();
    m_start = 0;
    m_consumed = 0;
    m_error.reset();
    m_recentTopic = {};
}

void Decoder::feed(QByteArrayView chunk)
{
    if (m_error)
        return;
    // Drop consumed bytes before growing, so the buffer never holds more than one partial packet
    // plus one chunk.
    if (m_start > 0 && (m_start == m_buffer.size() || m_start > 4096)) {
        m_buffer.remove(0, m_start);
        m_start = 0;
    }
    m_buffer.append(chunk.data(), chunk.size());
}

void Decoder::feed(const QByteArray &chunk)
{
    if (m_error || m_start < m_buffer.size()) {
        feed(QByteArrayView(chunk));
        return;
    }
    m_buffer = chunk; // implicitly shared: its owner (a socket's read) lets go of it next
    m_start = 0;
}

Decoder::Result Decoder::fail(ProtocolError error)
{
    m_error = error;
    m_buffer.clear();
    m_start = 0;
    return error;
}

Decoder::Result Decoder::next()
{
    if (m_error)
        return *m_error;
    const qsizetype available = m_buffer.size() - m_start;
    if (available < 2)
        return NeedMoreBytes{};
    const auto *data = reinterpret_cast<const quint8 *>(m_buffer.constData()) + m_start;
    const quint8 typeValue = data[0] >> 4;
    if (typeValue == 0 || (typeValue == 15 && m_version != ProtocolVersion::V5) ||
        (typeValue != 3 && (data[0] & 0x0F) != requiredFlags(PacketType(typeValue)))) {
        // Report now rather than after buffering a body that cannot be used.
        const auto result = decodePacket(QByteArrayView(m_buffer).sliced(m_start, 1), m_version);
        ProtocolError error = std::get<ProtocolError>(result);
        error.offset += m_consumed;
        return fail(error);
    }
    // Remaining Length: at most 4 bytes (section 2.2.3).
    quint32 remaining = 0;
    qsizetype headerLength = 0;
    for (int i = 0; i < 4; ++i) {
        if (1 + i >= available)
            return NeedMoreBytes{};
        const quint8 b = data[1 + i];
        remaining |= quint32(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (i > 0 && b == 0)
                return fail({R::MalformedPacket,
                             QStringLiteral("Remaining Length is not encoded in the minimum number of bytes [MQTT-1.5.5-1]"),
                             m_consumed + 1});
            headerLength = 2 + i;
            break;
        }
        if (i == 3)
            return fail({R::MalformedPacket,
                         QStringLiteral("Remaining Length continues past 4 bytes; a packet cannot be that long"),
                         m_consumed + 1});
    }
    const quint64 total = quint64(headerLength) + remaining;
    if (total > m_maximumPacketSize)
        return fail({R::PacketTooLarge,
                     QStringLiteral("%1 of %2 bytes exceeds the maximum packet size of %3 bytes")
                         .arg(packetTypeName(PacketType(typeValue))).arg(total).arg(m_maximumPacketSize),
                     m_consumed});
    if (quint64(available) < total)
        return NeedMoreBytes{};

    QByteArray raw = m_buffer.sliced(m_start, qsizetype(total));
    auto result = decodePacket(raw, m_version, nullptr, &m_recentTopic);
    if (auto *error = std::get_if<ProtocolError>(&result)) {
        error->offset += m_consumed;
        return fail(*error);
    }
    DecodedPacket decoded{std::move(std::get<Packet>(result)), std::move(raw), m_consumed};
    m_start += qsizetype(total);
    m_consumed += qint64(total);
    if (const auto *connect = std::get_if<Connect>(&decoded.packet))
        m_version = connect->version;
    return decoded;
}

} // namespace mqs
