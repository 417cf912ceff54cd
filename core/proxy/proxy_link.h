#pragma once
// Inside the proxy: one device's pair of connections (the device's, accepted, and its own to the
// broker), the two decoders that frame each stream and what is known of the device so far.

#include "proxy.h"

#include "observer/observed_trace.h"
#include "protocol/decoder.h"

#include <QHash>
#include <QPointer>

namespace mqs {

struct ProxyDeviceLink {
    ProxyDevice device{};
    std::unique_ptr<ObservedTrace> observed; // its lane in the trace, and the observer of both sides
    QString closeWhy{};
    QPointer<Transport> deviceSide; // accepted from the device
    QPointer<Transport> upstream; // ours, to the broker
    bool deviceOpen = false;
    bool upstreamOpen = false;
    bool deviceClosed = false;
    bool upstreamClosed = false;
    bool upstreamEverOpened = false;
    bool closing = false; // both sides are being closed; packets still arriving are traced, not forwarded
    bool notedUnforwardable = false;
    bool answerConnect = false; // the broker was not reached: answer the CONNECT with a CONNACK (see ProxySettings)
    bool sawConnect = false;
    bool sawConnAck = false;
    Decoder toBroker; // frames what the device sends
    Decoder toDevice; // frames what the broker sends
    // Bytes for the broker that crossed the gate before its connection was open, in order.
    QByteArray upstreamBacklog;
    // While one chunk's packets are framed, the bytes that crossed are gathered here and written
    // when the chunk is done: one write per side, not one per packet (Proxy::frame).
    bool gathering = false;
    QByteArray gatheredToBroker;
    QByteArray gatheredToDevice;
    // The topic of each open flow, by who published it and the id, so that rules with a topic
    // filter match the flow's acknowledgements too.
    QHash<quint32, QString> flowTopics;

    // Packet ids are 16 bits: the bit above them tells the device's flows from the broker's.
    static constexpr quint32 kPublishedByDeviceBit = 0x10000u;
    static quint32 flowKey(bool publishedByDevice, PacketId id) { return (publishedByDevice ? kPublishedByDeviceBit : 0u) | id.value; }
};

} // namespace mqs
