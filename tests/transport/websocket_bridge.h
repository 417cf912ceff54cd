#pragma once
// Test peers for WebSocketTransport. mosquitto's own websockets listener (used by
// tests/client/tst_connection) cannot tell a test what the client asked for, so WebSocketBridge
// stands in here: a real QWebSocketServer that relays binary frames to mosquitto's TCP port and
// back, and records the request (path, subprotocols, TLS). RawHttpServer answers the upgrade
// request by hand, for servers that misbehave in ways QWebSocketServer will not.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <optional>

namespace mqs::test {

class WebSocketBridge : public QObject
{
    Q_OBJECT
public:
    struct Options {
        QStringList supportedSubprotocols{QStringLiteral("mqtt")}; // what the server will agree to
        std::optional<QSslConfiguration> tls; // wss:// when set
        bool sendTextFrameFirst = false; // greet each client with a text frame (an MQTT server never does)
    };

    // Relays each WebSocket client to 127.0.0.1:`mosquittoPort`.
    WebSocketBridge(quint16 mosquittoPort, Options options);
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }

    // What the clients did.
    QList<QByteArray> requestedSubprotocols; // the Sec-WebSocket-Protocol header of each upgrade request
    QStringList requestedPaths;
    int binaryFrames = 0;
    int textFrames = 0;
    int clientsClosed = 0;
    QList<QWebSocketProtocol::CloseCode> closeCodes;
    QStringList closeReasons; // empty when the client sent no close frame

private:
    void accept();

    quint16 m_mosquittoPort;
    Options m_options;
    QWebSocketServer m_server;
};

// Answers the first upgrade request on each connection with `response` (with {ACCEPT} replaced
// by the right Sec-WebSocket-Accept value), then keeps the connection open and silent.
class RawHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit RawHttpServer(QByteArray response);
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }

private:
    QByteArray m_response;
    QTcpServer m_server;
};

} // namespace mqs::test
