#pragma once
// The sentences for the ways opening or keeping a connection fails, shared by the TCP, TLS and
// WebSocket transports so the same failure reads the same whatever the pipe.

#include "server_url.h"

#include <QAbstractSocket>
#include <QString>

namespace mqs {

// How far open() got when the connect timeout struck.
enum class ConnectStage : quint8 { Connecting, TlsHandshake, WebSocketHandshake };

// "Connection refused by 127.0.0.1:1883: nothing is listening there. Check the port, or start the broker."
// `detail` is the socket's own error text, used where no better sentence exists; `tls` says
// whether a TLS handshake was under way.
QString describeSocketError(QAbstractSocket::SocketError error, const ServerUrl &url, const QString &detail, bool tls);
// Tls for a failed handshake (or the peer hanging up during one), Network for the rest.
ProblemKind socketErrorKind(QAbstractSocket::SocketError error, bool tlsHandshake);
// "Could not connect to host:port within 10 s: no answer. ..."
QString describeConnectTimeout(const ServerUrl &url, int timeoutMs, ConnectStage stage);

} // namespace mqs
