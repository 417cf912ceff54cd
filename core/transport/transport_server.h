#pragma once
// Accepts connections on a loopback port for the sandbox broker: TCP, and optionally
// WebSocket on a second port. Each accepted peer becomes a Transport.

#include "transport.h"

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QWebSocketServer>

namespace mqs {

// The listening side of the sandbox broker: plain TCP on 127.0.0.1 (and WebSocket, if asked),
// each accepted client handed out as an open Transport.
class TransportServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TransportServer)
public:
    explicit TransportServer(QObject *parent = nullptr);

    // Port 0 picks a free one (see port()). A Network problem when the port cannot be had.
    Status listen(quint16 port, const QHostAddress &address = QHostAddress::LocalHost);
    Status listenWebSocket(quint16 port, const QHostAddress &address = QHostAddress::LocalHost);
    void stop();
    quint16 port() const { return m_tcp.serverPort(); }
    quint16 webSocketPort() const { return m_ws ? m_ws->serverPort() : 0; }
    bool isListening() const { return m_tcp.isListening(); }

signals:
    // A new peer, already open (TcpTransport or WebSocketTransport). It is a child of the server,
    // so it goes when the server goes; the receiver may reparent it, and should deleteLater() it
    // after its closed().
    void accepted(mqs::Transport *transport);

private:
    QTcpServer m_tcp;
    QWebSocketServer *m_ws = nullptr;
};

} // namespace mqs
