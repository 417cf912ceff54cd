#include "transport_server.h"

#include "tcp_transport.h"
#include "websocket_transport.h"

namespace mqs {

namespace {
// Connections the kernel queues before we accept them. Qt's default of 50 drops the rest of a
// burst (a fleet reconnecting after a broker restart) into SYN retransmits seconds apart.
constexpr int kListenBacklog = 4096;
} // namespace

TransportServer::TransportServer(QObject *parent)
    : QObject(parent)
{
    m_tcp.setListenBacklogSize(kListenBacklog);
    connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_tcp.nextPendingConnection())
            emit accepted(new TcpTransport(socket, this));
    });
}

Status TransportServer::listen(quint16 port, const QHostAddress &address)
{
    if (!m_tcp.listen(address, port))
        return Problem{ProblemKind::Network, QStringLiteral("Cannot listen on %1:%2: %3. Choose another port, or 0 for any free one.")
            .arg(address.toString())
            .arg(port)
            .arg(m_tcp.errorString())};
    return {};
}

Status TransportServer::listenWebSocket(quint16 port, const QHostAddress &address)
{
    if (!m_ws) {
        m_ws = new QWebSocketServer(QStringLiteral("MQTT Scope sandbox broker"), QWebSocketServer::NonSecureMode, this);
        m_ws->setSupportedSubprotocols({QStringLiteral("mqtt")});
        connect(m_ws, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_ws->nextPendingConnection())
                emit accepted(new WebSocketTransport(socket, this));
        });
    }
    if (!m_ws->listen(address, port))
        return Problem{ProblemKind::Network, QStringLiteral("Cannot listen for WebSocket clients on %1:%2: %3.")
            .arg(address.toString())
            .arg(port)
            .arg(m_ws->errorString())};
    return {};
}

void TransportServer::stop()
{
    m_tcp.close();
    if (m_ws)
        m_ws->close();
}

} // namespace mqs
