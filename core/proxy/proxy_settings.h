#pragma once
// What a proxy listens on and where it forwards to: the settings of one Proxy, as the window's
// Connection ▸ New proxy… dialog and `mqttscope-cli proxy` fill them.

#include "transport/server_url.h"

#include <QHostAddress>
#include <QString>

#include <optional>

namespace mqs {

struct ProxySettings {
    // Where devices connect. Loopback by default: a proxy on another interface forwards
    // anyone who finds it to the broker, with the broker's credentials in the devices' CONNECTs.
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 1884; // 0: any free port (Proxy::port() says which)
    // Also accept devices over WebSocket (subprotocol "mqtt") on this port; 0 picks a free one.
    std::optional<quint16> webSocketPort{};
    // Listen with TLS (and wss for the WebSocket port) using this PEM certificate and key. The
    // devices must trust this certificate (or its CA): it is the proxy's, not the broker's.
    QString certificateFile{};
    QString keyFile{};

    ServerUrl upstream{}; // the real broker: mqtt://, mqtts://, ws://, wss://
    TlsOptions upstreamTls{}; // for mqtts:// and wss://, as a connection's
    int upstreamConnectTimeoutMs = 10000; // TCP, TLS and WebSocket handshakes together

    // When the broker is unreachable or refuses the connection, answer the device's CONNECT with
    // a CONNACK "Server unavailable" (3.1.1: 0x03, 5.0: 0x88) before closing it, instead of just
    // closing. Off by default: the device should see what the real broker does, and a CONNACK
    // the broker never sent would be a packet in the trace that no broker put on the wire.
    bool synthesizeConnAckOnUpstreamFailure = false;

    bool listensWithTls() const { return !certificateFile.isEmpty() || !keyFile.isEmpty(); }
    bool operator==(const ProxySettings &) const = default;
};

} // namespace mqs
