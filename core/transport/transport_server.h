#pragma once
// Accepts connections on a loopback port for the sandbox broker: TCP, and optionally
// WebSocket on a second port. Each accepted peer becomes a Transport.

#include "transport.h"

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QWebSocketServer>

namespace mqs {

class TransportServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TransportServer)
public:
    explicit TransportServer(QObject *parent = nullptr);

    // Port 0 picks a free one (see port()). Nothing on success, else a sentence.
    std::optional<QString> listen(quint16 port, const QHostAddress &address = QHostAddress::LocalHost);
    std::optional<QString> listenWebSocket(quint16 port, const QHostAddress &address = QHostAddress::LocalHost);
    void stop();
    quint16 port() const { return m_tcp.serverPort(); }
    quint16 webSocketPort() const { return m_ws ? m_ws->serverPort() : 0; }
    bool isListening() const { return m_tcp.isListening(); }

signals:
    // A new peer; the receiver takes ownership (reparent it).
    void accepted(mqs::Transport *transport);

private:
    QTcpServer m_tcp;
    QWebSocketServer *m_ws = nullptr;
};

} // namespace mqs
