#pragma once
// Clients of the BrokerCore that are only a wire: the test writes every packet a client sends and
// reads every packet the broker sends it, encoded and decoded on the way (fake clock). For the
// server's rules, where a client must stay silent (no PUBACK, no PINGREQ) or send what a Session
// never would; BrokerWire (broker_wire.h) wires well-behaved Session clients instead.

#include "broker/broker_core.h"
#include "protocol/decoder.h"
#include "protocol/encoder.h"

#include <QTest>

#include <chrono>
#include <map>

namespace mqs {

using namespace std::chrono_literals;

class BrokerPeers
{
public:
    struct Peer {
        ProtocolVersion version = ProtocolVersion::V5;
        Packets received{}; // everything the broker sent, in order
        std::vector<qsizetype> sizes{}; // the encoded size of each of `received`
        bool closed = false; // the broker closed the connection
    };

    explicit BrokerPeers(BrokerOptions options = {}) : broker(std::move(options)) {}

    BrokerCore broker;
    Millis now{1'000'000};

    // A new network connection; nothing crosses it yet.
    ClientHandle open(ProtocolVersion version = ProtocolVersion::V5)
    {
        const ClientHandle handle = ++m_nextHandle;
        m_peers[handle] = Peer{version};
        return handle;
    }

    // Opens a connection and sends `connect` on it; returns the handle.
    ClientHandle connect(const Connect &connect)
    {
        const ClientHandle handle = open(connect.version);
        send(handle, connect);
        return handle;
    }

    // `client` sends `packet`; returns what the broker sent to `client` in answer.
    Packets send(ClientHandle client, const Packet &packet)
    {
        Peer &peer = m_peers.at(client);
        const qsizetype before = qsizetype(peer.received.size());
        apply(broker.received(client, reencode(packet, peer.version), now));
        return Packets(peer.received.begin() + before, peer.received.end());
    }

    // `client` sends raw bytes holding one packet, decoded as the broker's reader does: a packet
    // goes to received(), bytes that do not decode to protocolError(). Returns what the broker
    // sent to `client` in answer.
    Packets sendBytes(ClientHandle client, const QByteArray &bytes)
    {
        Peer &peer = m_peers.at(client);
        const qsizetype before = qsizetype(peer.received.size());
        Decoder decoder(peer.version);
        decoder.feed(bytes);
        const Decoder::Result result = decoder.next();
        if (const auto *decoded = std::get_if<DecodedPacket>(&result))
            apply(broker.received(client, decoded->packet, now));
        else if (const auto *error = std::get_if<ProtocolError>(&result))
            apply(broker.protocolError(client, *error, now));
        return Packets(peer.received.begin() + before, peer.received.end());
    }

    // The connection of `client` fails under it.
    void drop(ClientHandle client)
    {
        m_peers.at(client).closed = true;
        apply(broker.disconnected(client, now));
    }

    void advance(Millis by)
    {
        now += by;
        apply(broker.tick(now));
    }

    Peer &peer(ClientHandle client) { return m_peers.at(client); }

    // The PUBLISH packets `client` received, in order.
    std::vector<Publish> publishesTo(ClientHandle client) const
    {
        std::vector<Publish> found;
        for (const Packet &p : m_peers.at(client).received)
            if (const auto *publish = std::get_if<Publish>(&p))
                found.push_back(*publish);
        return found;
    }

    template<typename P>
    static const P *first(const Packets &packets)
    {
        for (const Packet &p : packets)
            if (const auto *found = std::get_if<P>(&p))
                return found;
        return nullptr;
    }

private:
    void apply(BrokerStep step)
    {
        for (ClientOutput &out : step.clients) {
            const auto it = m_peers.find(out.client);
            if (out.client == 0 || it == m_peers.end() || it->second.closed)
                continue;
            Peer &peer = it->second;
            for (const Packet &p : out.output.sent) {
                peer.sizes.push_back(encode(p, peer.version).size());
                peer.received.push_back(reencode(p, peer.version));
            }
            if (out.output.close) {
                peer.closed = true;
                apply(broker.disconnected(out.client, now));
            }
        }
    }

    static Packet reencode(const Packet &p, ProtocolVersion version)
    {
        const auto decoded = decodePacket(encode(p, version), version);
        if (const auto *error = std::get_if<ProtocolError>(&decoded))
            qFatal("the wire could not decode its own packet: %s", qPrintable(error->toString()));
        return std::get<Packet>(decoded);
    }

    std::map<ClientHandle, Peer> m_peers;
    ClientHandle m_nextHandle = 0;
};

inline Connect connectV5(const QString &clientId, Properties properties = {}, bool cleanStart = true, quint16 keepAlive = 60)
{
    Connect c;
    c.version = ProtocolVersion::V5;
    c.clientId = clientId;
    c.cleanStart = cleanStart;
    c.keepAlive = keepAlive;
    c.properties = std::move(properties);
    return c;
}

inline Connect connectV311(const QString &clientId, bool cleanSession = true, quint16 keepAlive = 60)
{
    Connect c;
    c.version = ProtocolVersion::V311;
    c.clientId = clientId;
    c.cleanStart = cleanSession;
    c.keepAlive = keepAlive;
    return c;
}

inline Publish publishOf(const QString &topic, QoS qos, PacketId id, const QByteArray &payload = "22.5", Properties properties = {})
{
    Publish p;
    p.topic = topic;
    p.qos = qos;
    if (qos != QoS::AtMostOnce)
        p.packetId = id;
    p.payload = payload;
    p.properties = std::move(properties);
    return p;
}

inline Subscribe subscribeTo(PacketId id, std::vector<Subscription> subscriptions, Properties properties = {})
{
    return Subscribe{.packetId = id, .properties = std::move(properties), .subscriptions = std::move(subscriptions)};
}

// The payloads of `received` at `qos`, in the order they arrived.
inline QList<QByteArray> payloadsOf(const std::vector<Delivery> &received, QoS qos)
{
    QList<QByteArray> payloads;
    for (const Delivery &d : received)
        if (d.message.qos == qos)
            payloads << d.message.payload;
    return payloads;
}

// "prefix1" … "prefixN": the payloads a test publishes, to compare with what arrived.
inline QList<QByteArray> numbered(const QByteArray &prefix, int count)
{
    QList<QByteArray> payloads;
    for (int i = 1; i <= count; ++i)
        payloads << prefix + QByteArray::number(i);
    return payloads;
}

} // namespace mqs
