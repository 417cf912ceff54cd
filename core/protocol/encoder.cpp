#include "encoder.h"

#include "overloaded.h"

namespace mqs {
namespace {

constexpr quint32 kMaximumRemainingLength = 268435455;

class ByteWriter
{
public:
    QByteArray bytes;
    Status problem;

    void byte(quint8 v) { bytes.append(char(v)); }
    void twoByteInteger(quint16 v)
    {
        byte(quint8(v >> 8));
        byte(quint8(v));
    }
    void fourByteInteger(quint32 v)
    {
        for (int shift = 24; shift >= 0; shift -= 8)
            byte(quint8(v >> shift));
    }
    void variableByteInteger(quint32 v)
    {
        if (v > kMaximumRemainingLength)
            note(QStringLiteral("the value %1 is too large for a Variable Byte Integer").arg(v));
        appendVariableByteInteger(bytes, v);
    }
    void binaryData(const QByteArray &data, const char *what)
    {
        if (data.size() > 0xFFFF)
            note(QStringLiteral("%1 is %2 bytes long; at most 65,535 fit").arg(QLatin1String(what)).arg(data.size()));
        twoByteInteger(quint16(std::min<qsizetype>(data.size(), 0xFFFF)));
        bytes.append(data.left(0xFFFF));
    }
    void utf8String(const QString &text, const char *what) { binaryData(text.toUtf8(), what); }
    void packetId(std::optional<PacketId> id, const QString &owner)
    {
        if (!id || !id->isValid())
            note(QStringLiteral("%1 needs a non-zero packet identifier [MQTT-2.2.1-3]; 3.1.1 [MQTT-2.3.1-1]").arg(owner));
        twoByteInteger(id ? id->value : 0);
    }
    void note(QString text)
    {
        if (problem)
            problem = Problem{ProblemKind::InvalidInput, std::move(text)};
    }
};

void writeProperties(ByteWriter &w, const Properties &properties)
{
    ByteWriter body;
    for (const Property &p : properties.items()) {
        const PropertyInfo &info = propertyInfo(p.id);
        body.byte(static_cast<quint8>(p.id));
        std::visit(overloaded{
                       [&](quint32 v) {
                           switch (info.type) {
                           case PropertyType::Byte: body.byte(quint8(v)); break;
                           case PropertyType::TwoByteInteger: body.twoByteInteger(quint16(v)); break;
                           case PropertyType::FourByteInteger: body.fourByteInteger(v); break;
                           default: body.variableByteInteger(v); break;
                           }
                       },
                       [&](const QString &v) { body.utf8String(v, info.name); },
                       [&](const QByteArray &v) { body.binaryData(v, info.name); },
                       [&](const StringPair &v) {
                           body.utf8String(v.name, info.name);
                           body.utf8String(v.value, info.name);
                       },
                   },
            p.value);
    }
    if (!body.problem)
        w.note(body.problem.sentence());
    w.variableByteInteger(quint32(body.bytes.size()));
    w.bytes.append(body.bytes);
}

// Writes the body of `packet`; returns the fixed header's low nibble.
struct BodyWriter {
    ByteWriter &w;
    ProtocolVersion version;
    bool v5() const { return version == ProtocolVersion::V5; }

    quint8 operator()(const Connect &c)
    {
        w.utf8String(QStringLiteral("MQTT"), "Protocol Name");
        w.byte(static_cast<quint8>(c.version));
        quint8 flags = 0;
        if (c.cleanStart) flags |= 0x02;
        if (c.will) {
            flags |= 0x04;
            flags |= quint8(qosValue(c.will->qos) << 3);
            if (c.will->retain) flags |= 0x20;
        }
        if (c.password) flags |= 0x40;
        if (c.username) flags |= 0x80;
        w.byte(flags);
        w.twoByteInteger(c.keepAlive);
        const bool connectV5 = c.version == ProtocolVersion::V5;
        if (connectV5)
            writeProperties(w, c.properties);
        w.utf8String(c.clientId, "Client Identifier");
        if (c.will) {
            if (connectV5)
                writeProperties(w, c.will->properties);
            w.utf8String(c.will->topic, "Will Topic");
            w.binaryData(c.will->payload, "Will Payload");
        }
        if (c.username)
            w.utf8String(*c.username, "User Name");
        if (c.password)
            w.binaryData(*c.password, "Password");
        return 0;
    }
    quint8 operator()(const ConnAck &a)
    {
        w.byte(a.sessionPresent ? 1 : 0);
        if (v5() && !a.answeredInV311) {
            w.byte(reasonValue(a.reason));
            writeProperties(w, a.properties);
        } else {
            const auto code = connAckReturnCodeV311(a.reason);
            if (!code)
                w.note(QStringLiteral("CONNACK reason %1 has no MQTT 3.1.1 return code").arg(reasonText(a.reason, PacketType::ConnAck)));
            w.byte(code.value_or(quint8(3)));
        }
        return 0;
    }
    quint8 operator()(const Publish &p)
    {
        w.utf8String(p.topic, "Topic Name");
        if (p.qos != QoS::AtMostOnce)
            w.packetId(p.packetId, QStringLiteral("PUBLISH at QoS %1").arg(qosValue(p.qos)));
        if (v5())
            writeProperties(w, p.properties);
        w.bytes.append(p.payload);
        return quint8((p.dup ? 0x08 : 0) | (qosValue(p.qos) << 1) | (p.retain ? 0x01 : 0));
    }
    template<PacketType Type>
    quint8 operator()(const Acknowledgement<Type> &a)
    {
        w.packetId(a.packetId, packetTypeName(Type));
        if (v5()) {
            if (a.reason != ReasonCode::Success || !a.properties.isEmpty())
                w.byte(reasonValue(a.reason));
            if (!a.properties.isEmpty())
                writeProperties(w, a.properties);
        }
        return Type == PacketType::PubRel ? 0x02 : 0x00;
    }
    quint8 operator()(const Subscribe &s)
    {
        w.packetId(s.packetId, QStringLiteral("SUBSCRIBE"));
        if (v5())
            writeProperties(w, s.properties);
        for (const Subscription &sub : s.subscriptions) {
            w.utf8String(sub.filter, "Topic Filter");
            quint8 options = qosValue(sub.options.maximumQoS);
            if (v5()) {
                if (sub.options.noLocal) options |= 0x04;
                if (sub.options.retainAsPublished) options |= 0x08;
                options |= quint8(static_cast<quint8>(sub.options.retainHandling) << 4);
            }
            w.byte(options);
        }
        if (s.subscriptions.empty())
            w.note(QStringLiteral("SUBSCRIBE needs at least one topic filter [MQTT-3.8.3-3]"));
        return 0x02;
    }
    quint8 operator()(const SubAck &a)
    {
        w.packetId(a.packetId, QStringLiteral("SUBACK"));
        if (v5())
            writeProperties(w, a.properties);
        for (ReasonCode r : a.reasons)
            w.byte(reasonValue(r));
        return 0;
    }
    quint8 operator()(const Unsubscribe &u)
    {
        w.packetId(u.packetId, QStringLiteral("UNSUBSCRIBE"));
        if (v5())
            writeProperties(w, u.properties);
        for (const QString &filter : u.filters)
            w.utf8String(filter, "Topic Filter");
        if (u.filters.empty())
            w.note(QStringLiteral("UNSUBSCRIBE needs at least one topic filter [MQTT-3.10.3-2]"));
        return 0x02;
    }
    quint8 operator()(const UnsubAck &a)
    {
        w.packetId(a.packetId, QStringLiteral("UNSUBACK"));
        if (v5()) {
            writeProperties(w, a.properties);
            for (ReasonCode r : a.reasons)
                w.byte(reasonValue(r));
        }
        return 0;
    }
    quint8 operator()(const PingReq &) { return 0; }
    quint8 operator()(const PingResp &) { return 0; }
    template<typename P>
        requires std::is_same_v<P, Disconnect> || std::is_same_v<P, Auth>
    quint8 operator()(const P &p)
    {
        if (v5() && (p.reason != ReasonCode::Success || !p.properties.isEmpty())) {
            w.byte(reasonValue(p.reason));
            if (!p.properties.isEmpty())
                writeProperties(w, p.properties);
        }
        return 0;
    }
};

ByteWriter write(const Packet &packet, ProtocolVersion version)
{
    if (const auto *connect = std::get_if<Connect>(&packet))
        version = connect->version;
    ByteWriter body;
    const quint8 flags = std::visit(BodyWriter{body, version}, packet);
    ByteWriter out;
    if (packetType(packet) == PacketType::Auth && version != ProtocolVersion::V5)
        out.note(QStringLiteral("AUTH exists only in MQTT 5.0"));
    if (!body.problem)
        out.note(body.problem.sentence());
    if (quint64(body.bytes.size()) > kMaximumRemainingLength)
        out.note(QStringLiteral("the packet body is %1 bytes; at most 268,435,455 fit").arg(body.bytes.size()));
    out.bytes.reserve(body.bytes.size() + 5);
    out.byte(quint8(static_cast<quint8>(packetType(packet)) << 4) | flags);
    appendVariableByteInteger(out.bytes, quint32(std::min<qsizetype>(body.bytes.size(), kMaximumRemainingLength)));
    out.bytes.append(body.bytes);
    return out;
}

} // namespace

void appendVariableByteInteger(QByteArray &out, quint32 value)
{
    do {
        quint8 b = value & 0x7F;
        value >>= 7;
        if (value)
            b |= 0x80;
        out.append(char(b));
    } while (value);
}

QByteArray encode(const Packet &packet, ProtocolVersion version)
{
    return write(packet, version).bytes;
}

Status checkEncodable(const Packet &packet, ProtocolVersion version)
{
    return write(packet, version).problem;
}

} // namespace mqs
