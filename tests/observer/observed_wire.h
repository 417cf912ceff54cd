#pragma once
// A connection played to a ConnectionObserver packet by packet, as the handshake reads:
// `wire.client(Connect{...})`, `wire.broker(PubRec{.packetId = 1})`. Each packet is encoded, so
// sizes are the wire's; time moves a millisecond per packet unless a step says otherwise.

#include "observer/connection_observer.h"

#include "protocol/encoder.h"

#include <QStringList>

namespace mqs::test {

constexpr qint64 kStepUs = 1000;

struct ObservedWire {
    explicit ObservedWire(ObserverOptions options = {}) : observer(options) {}

    ObservedStep client(const Packet &packet, qint64 afterUs = kStepUs) { return send(ObservedSide::Client, packet, afterUs); }
    ObservedStep broker(const Packet &packet, qint64 afterUs = kStepUs) { return send(ObservedSide::Broker, packet, afterUs); }

    ObservedStep send(ObservedSide from, const Packet &packet, qint64 afterUs, const std::optional<ObservedFault> &copiedBy = {})
    {
        nowUs += afterUs;
        const ProtocolVersion version = std::holds_alternative<Connect>(packet) ? std::get<Connect>(packet).version : observer.version();
        const ObservedStep step = observer.packet(from, packet, encode(packet, version), nowUs, copiedBy);
        for (ObservedFinding &f : observer.takeFindings())
            findings.push_back(std::move(f));
        return step;
    }
    // A fault rule in the middle made a copy of `packet` that `from` sent, or kept it from crossing.
    ObservedStep copy(ObservedSide from, const Packet &packet, const ObservedFault &fault) { return send(from, packet, kStepUs, fault); }
    void withhold(ObservedSide from, const Packet &packet, const ObservedFault &fault, qint64 afterUs = kStepUs)
    {
        nowUs += afterUs;
        observer.interfered(from, packet, nowUs, fault);
    }
    void close()
    {
        observer.closed(nowUs);
        for (ObservedFinding &f : observer.takeFindings())
            findings.push_back(std::move(f));
    }

    // The rule ids found, in order, as "MQTT-4.3.3-4 client".
    QStringList found() const
    {
        QStringList ids;
        for (const ObservedFinding &f : findings)
            ids << f.ruleId + QLatin1Char(' ') + sideName(f.side);
        return ids;
    }
    // Only the findings that blame a side (no fault rule may have caused them).
    QStringList blamed() const
    {
        QStringList ids;
        for (const ObservedFinding &f : findings)
            if (f.blamesSide())
                ids << f.ruleId + QLatin1Char(' ') + sideName(f.side);
        return ids;
    }
    QString texts() const
    {
        QStringList lines;
        for (const ObservedFinding &f : findings)
            lines << f.text();
        return lines.join(QLatin1Char('\n'));
    }

    ConnectionObserver observer;
    qint64 nowUs = 0;
    std::vector<ObservedFinding> findings;
};

struct ConnectOptions {
    ProtocolVersion version = ProtocolVersion::V5;
    QString clientId = QStringLiteral("sensor-7");
    bool cleanStart = true;
    quint16 keepAlive = 60;
    std::optional<quint32> receiveMaximum{};
    std::optional<quint32> maximumPacketSize{};
    std::optional<quint32> topicAliasMaximum{};
};

struct ConnAckOptions {
    bool sessionPresent = false;
    std::optional<quint32> receiveMaximum{};
    std::optional<quint32> maximumPacketSize{};
    std::optional<quint32> topicAliasMaximum{};
    std::optional<quint32> maximumQoS{};
    std::optional<quint32> retainAvailable{};
};

inline Connect connectPacket(const ConnectOptions &o)
{
    Connect c{.version = o.version, .cleanStart = o.cleanStart, .keepAlive = o.keepAlive, .clientId = o.clientId};
    if (o.receiveMaximum)
        c.properties.set(PropertyId::ReceiveMaximum, *o.receiveMaximum);
    if (o.maximumPacketSize)
        c.properties.set(PropertyId::MaximumPacketSize, *o.maximumPacketSize);
    if (o.topicAliasMaximum)
        c.properties.set(PropertyId::TopicAliasMaximum, *o.topicAliasMaximum);
    return c;
}

inline ConnAck connAckPacket(const ConnAckOptions &o)
{
    ConnAck c{.sessionPresent = o.sessionPresent};
    const std::pair<PropertyId, std::optional<quint32>> props[] = {
        {PropertyId::ReceiveMaximum, o.receiveMaximum}, {PropertyId::MaximumPacketSize, o.maximumPacketSize},
        {PropertyId::TopicAliasMaximum, o.topicAliasMaximum}, {PropertyId::MaximumQoS, o.maximumQoS},
        {PropertyId::RetainAvailable, o.retainAvailable}};
    for (const auto &[id, value] : props)
        if (value)
            c.properties.set(id, *value);
    return c;
}

// CONNECT and CONNACK crossed; 3.1.1 CONNACKs carry no properties.
inline void handshake(ObservedWire &wire, const ConnectOptions &c = {}, ConnAckOptions a = {})
{
    wire.client(connectPacket(c));
    if (c.version != ProtocolVersion::V5)
        a = ConnAckOptions{.sessionPresent = a.sessionPresent};
    wire.broker(connAckPacket(a));
}

inline Publish publish(quint16 id, QoS qos, bool dup = false, QString topic = QStringLiteral("plant/temp"))
{
    return Publish{.dup = dup, .qos = qos, .topic = std::move(topic), .packetId = id ? std::optional<PacketId>(id) : std::nullopt,
                   .payload = QByteArrayLiteral("21.5")};
}

inline Publish qos0(QString topic = QStringLiteral("plant/temp"))
{
    return publish(0, QoS::AtMostOnce, false, std::move(topic));
}

} // namespace mqs::test
