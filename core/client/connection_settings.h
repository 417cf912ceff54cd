#pragma once
// Everything needed to open one client connection: where, how, as whom, with what limits.
// A plain value: profiles save it, the CLI builds it from flags, the GUI from its dialog.

#include "session/session.h"
#include "transport/server_url.h"

#include <QString>

namespace mqs {

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
    int connectTimeoutMs = 10000; // transport open + CONNACK
    bool autoReconnect = false;
    int reconnectMinimumMs = 1000; // first back-off step; doubles up to the maximum
    int reconnectMaximumMs = 30000;

    // The CONNECT these settings produce.
    Connect connectPacket() const;
    // Where the session is kept in a SessionStore: the URL without credentials, and the client id.
    QString storeScope() const;
    // Nothing when the settings can be used; else a sentence saying what to fix.
    std::optional<QString> problem() const;
};

// A client id such as "mqttscope-7f3a9c21": short enough for every broker (3.1.1 allows 23 bytes).
QString generateClientId();

} // namespace mqs
