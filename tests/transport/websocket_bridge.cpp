#include "websocket_bridge.h"

#include <QCryptographicHash>

namespace mqs::test {

WebSocketBridge::WebSocketBridge(quint16 mosquittoPort, Options options)
    : m_mosquittoPort(mosquittoPort)
    , m_options(std::move(options))
    , m_server(QStringLiteral("mqttscope test bridge"),
               m_options.tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode)
{
    m_server.setSupportedSubprotocols(m_options.supportedSubprotocols);
    if (m_options.tls)
        m_server.setSslConfiguration(*m_options.tls);
    connect(&m_server, &QWebSocketServer::newConnection, this, &WebSocketBridge::accept);
}

void WebSocketBridge::accept()
{
    while (QWebSocket *ws = m_server.nextPendingConnection()) {
        ws->setParent(this);
        requestedSubprotocols << ws->request().rawHeader("Sec-WebSocket-Protocol");
        requestedPaths << ws->requestUrl().path();
        auto *tcp = new QTcpSocket(ws);
        connect(ws, &QWebSocket::binaryMessageReceived, tcp, [this, tcp](const QByteArray &bytes) {
            ++binaryFrames;
            if (tcp->state() != QAbstractSocket::UnconnectedState)
                tcp->write(bytes);
        });
        connect(ws, &QWebSocket::textMessageReceived, this, [this] { ++textFrames; });
        connect(tcp, &QTcpSocket::readyRead, ws, [ws, tcp] {
            if (ws->state() == QAbstractSocket::ConnectedState)
                ws->sendBinaryMessage(tcp->readAll());
        });
        connect(tcp, &QTcpSocket::disconnected, ws, [ws] {
            if (ws->state() == QAbstractSocket::ConnectedState)
                ws->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("broker closed"));
        });
        connect(ws, &QWebSocket::disconnected, this, [this, ws, tcp] {
            ++clientsClosed;
            closeCodes << ws->closeCode();
            closeReasons << ws->closeReason();
            tcp->disconnectFromHost();
            ws->deleteLater();
        });
        tcp->connectToHost(QHostAddress::LocalHost, m_mosquittoPort);
        if (m_options.sendTextFrameFirst)
            ws->sendTextMessage(QStringLiteral("hello"));
    }
}

RawHttpServer::RawHttpServer(QByteArray response)
    : m_response(std::move(response))
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                if (socket->property("answered").toBool())
                    return;
                QByteArray request = socket->property("request").toByteArray() + socket->readAll();
                socket->setProperty("request", request);
                if (!request.contains("\r\n\r\n"))
                    return;
                QByteArray key;
                for (const QByteArray &line : request.split('\n'))
                    if (line.toLower().startsWith("sec-websocket-key:"))
                        key = line.mid(line.indexOf(':') + 1).trimmed();
                // RFC 6455 4.2.2: the accept value proves the server read this handshake.
                const QByteArray accept =
                    QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1).toBase64();
                QByteArray response = m_response;
                response.replace("{ACCEPT}", accept);
                socket->write(response);
                socket->setProperty("answered", true);
            });
        }
    });
}

} // namespace mqs::test
