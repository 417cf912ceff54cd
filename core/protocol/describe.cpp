#include "describe.h"

#include "decoder.h"

#include <QStringList>

namespace mqs {
namespace {

QString flag(bool on) { return on ? QStringLiteral("1") : QStringLiteral("0"); }

QString withReason(QString text, ReasonCode reason, PacketType type)
{
    if (reason != ReasonCode::Success)
        text += QLatin1Char(' ') + reasonText(reason, type);
    return text;
}

QString idText(PacketId id) { return QStringLiteral("id=%1").arg(id.value); }

struct Describer {
    ProtocolVersion version = ProtocolVersion::V5;

    QString operator()(const Connect &c) const
    {
        QString text = QStringLiteral("CONNECT %1 client=%2 clean=%3 keepalive=%4")
                           .arg(c.version == ProtocolVersion::V5 ? QStringLiteral("v5") : QStringLiteral("v3.1.1"),
                                c.clientId.isEmpty() ? QStringLiteral("\"\"") : c.clientId, flag(c.cleanStart))
                           .arg(c.keepAlive);
        if (c.will)
            text += QStringLiteral(" will=%1 (QoS %2%3)")
                        .arg(c.will->topic)
                        .arg(qosValue(c.will->qos))
                        .arg(c.will->retain ? QStringLiteral(", retain") : QString());
        if (c.username)
            text += QStringLiteral(" user=%1").arg(*c.username);
        if (c.password)
            text += QStringLiteral(" password=***");
        if (const auto expiry = c.properties.integer(PropertyId::SessionExpiryInterval))
            text += QStringLiteral(" session-expiry=%1").arg(*expiry);
        return text;
    }
    QString operator()(const ConnAck &a) const
    {
        return QStringLiteral("CONNACK session-present=%1 %2")
            .arg(flag(a.sessionPresent), connAckReasonText(a.reason, version));
    }
    QString operator()(const Publish &p) const
    {
        QString text = QStringLiteral("PUBLISH ");
        if (p.packetId)
            text += idText(*p.packetId) + QLatin1Char(' ');
        text += QStringLiteral("qos=%1 dup=%2 retain=%3 %4 (%5 B)")
                    .arg(qosValue(p.qos))
                    .arg(flag(p.dup), flag(p.retain))
                    .arg(p.topic.isEmpty() ? QStringLiteral("<alias %1>").arg(p.properties.integer(PropertyId::TopicAlias).value_or(0))
                                           : p.topic)
                    .arg(p.payload.size());
        return text;
    }
    template<PacketType Type>
    QString operator()(const Acknowledgement<Type> &a) const
    {
        return withReason(packetTypeName(Type) + QLatin1Char(' ') + idText(a.packetId), a.reason, Type);
    }
    QString operator()(const Subscribe &s) const
    {
        QStringList parts;
        for (const Subscription &sub : s.subscriptions)
            parts << QStringLiteral("%1 (QoS %2)").arg(sub.filter).arg(qosValue(sub.options.maximumQoS));
        return QStringLiteral("SUBSCRIBE %1 %2").arg(idText(s.packetId), parts.join(QStringLiteral(", ")));
    }
    QString operator()(const SubAck &a) const
    {
        QStringList parts;
        for (ReasonCode r : a.reasons)
            parts << (isFailure(r) ? reasonText(r, PacketType::SubAck) : QStringLiteral("QoS %1").arg(reasonValue(r)));
        return QStringLiteral("SUBACK %1 %2").arg(idText(a.packetId), parts.join(QStringLiteral(", ")));
    }
    QString operator()(const Unsubscribe &u) const
    {
        QStringList filters(u.filters.begin(), u.filters.end());
        return QStringLiteral("UNSUBSCRIBE %1 %2").arg(idText(u.packetId), filters.join(QStringLiteral(", ")));
    }
    QString operator()(const UnsubAck &a) const
    {
        QString text = QStringLiteral("UNSUBACK ") + idText(a.packetId);
        QStringList parts;
        for (ReasonCode r : a.reasons)
            parts << reasonText(r, PacketType::UnsubAck);
        if (!parts.isEmpty())
            text += QLatin1Char(' ') + parts.join(QStringLiteral(", "));
        return text;
    }
    QString operator()(const PingReq &) const { return QStringLiteral("PINGREQ"); }
    QString operator()(const PingResp &) const { return QStringLiteral("PINGRESP"); }
    QString operator()(const Disconnect &d) const
    {
        return withReason(QStringLiteral("DISCONNECT"), d.reason, PacketType::Disconnect);
    }
    QString operator()(const Auth &a) const
    {
        QString text = QStringLiteral("AUTH ") + reasonText(a.reason, PacketType::Auth);
        if (const auto method = a.properties.string(PropertyId::AuthenticationMethod))
            text += QStringLiteral(" method=") + *method;
        return text;
    }
};

} // namespace

QString describe(const Packet &packet, ProtocolVersion version)
{
    return std::visit(Describer{.version = version}, packet);
}

PacketLayout breakdown(QByteArrayView raw, ProtocolVersion version)
{
    PacketLayout layout;
    const auto result = decodePacket(raw, version, &layout);
    if (const auto *error = std::get_if<ProtocolError>(&result))
        layout.push_back(PacketField{QStringLiteral("Error"), error->toString(), error->offset,
                                     error->offset < raw.size() ? 1 : 0, 0});
    return layout;
}

} // namespace mqs
