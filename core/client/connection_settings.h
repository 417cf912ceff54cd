#pragma once
// Everything needed to open one client connection: where, how, as whom, with what limits.
// A plain value: profiles save it, the CLI builds it from flags, the GUI from its dialog.

#include "session/session.h"
#include "transport/server_url.h"

#include <QString>

namespace mqs {

// The largest packet the client buffers from a broker when no Maximum Packet Size is announced.
// The encoding allows 256 MB, which a broken or hostile broker could make us hold for one packet;
// 64 MiB is far above any message a debugging session looks at and still bounds the memory.
inline constexpr quint32 kDefaultReceiveLimit = 64u * 1024 * 1024;

struct ConnectionSettings {
    QString name; // shown on the lane and in lists: "living-room sensor"
    QString peerName; // the broker's lane name ("sandbox broker"); empty: "broker HOST:PORT"
    ServerUrl url; // mqtt://, mqtts://, ws://, wss://
    TlsOptions tls;
    ProtocolVersion version = ProtocolVersion::V5;
    QString clientId; // empty: 5.0 lets the broker assign one; 3.1.1 needs Clean Session then
    bool cleanStart = true;
    quint32 sessionExpiry = 0; // seconds (5.0); 0 ends the session with the connection
    quint16 keepAlive = 60; // seconds
    std::optional<QString> username;
    std::optional<QByteArray> password;
    std::optional<Will> will;
    Properties connectProperties; // further CONNECT properties (user properties, request problem info, ...)
    SessionOptions session; // inbound method, our limits, aliases, queue size
    // Packets from the broker larger than this are refused (DISCONNECT 0x95) before their body is
    // buffered. Never announced: the broker would silently drop larger messages ([MQTT-3.1.2-25]).
    quint32 receiveLimit = kDefaultReceiveLimit;
    int connectTimeoutMs = 10000; // transport open + CONNACK
    bool autoReconnect = false;
    int reconnectMinimumMs = 1000; // first back-off step; doubles up to the maximum
    int reconnectMaximumMs = 30000;

    // The CONNECT these settings produce.
    Connect connectPacket() const;
    // Where the session is kept in a SessionStore: the URL without credentials, and the client id.
    QString storeScope() const;
    // The decoder's bound: the announced Maximum Packet Size when one is set (the broker must keep to
    // it, [MQTT-3.1.2-24]), else the receive limit.
    quint32 incomingPacketLimit() const;
    // Whether a Maximum Packet Size goes to the broker in CONNECT (5.0, and only when the user set one).
    bool announcesMaximumPacketSize() const;
    // Success when the settings can be used; else an InvalidInput problem saying what to fix.
    Status check() const;
};

// A client id such as "mqttscope-7f3a9c21": short enough for every broker (3.1.1 allows 23 bytes).
QString generateClientId();

} // namespace mqs
