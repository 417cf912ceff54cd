#pragma once
// MQTT over WebSocket (ws://, wss://): binary frames, subprotocol "mqtt", through QWebSocket.

#include "socket_transport.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QWebSocket>

#include <optional>

namespace mqs {

// A WebSocket pipe. It asks for the subprotocol "mqtt" and refuses a server that does not choose
// it; every MQTT packet travels in binary frames. For wss://, TlsOptions apply as for mqtts://;
// a TLS server name override is checked against the certificate (SNI still carries the URL's host).
class WebSocketTransport final : public SocketTransport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketTransport)
public:
    WebSocketTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options, QObject *parent);
    // A transport over a WebSocket a server accepted (already open); takes ownership.
    WebSocketTransport(QWebSocket *accepted, QObject *parent);
    ~WebSocketTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    QString peerDescription() const override;

private:
    QAbstractSocket::SocketState socketState() const override { return m_socket->state(); }
    void abortSocket() override { m_socket->abort(); }
    void closeSocketGracefully() override;
    QString closeTimeoutMessage() const override;
    void onConnectTimeout() override;

    void attach();
    void onConnected();
    void onSslErrors(const QList<QSslError> &errors);
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void fail(const QString &message, bool byPeer, ProblemKind kind = ProblemKind::Network)
    {
        SocketTransport::fail({true, byPeer, message, kind});
    }
    QString describeFailure(QAbstractSocket::SocketError error) const;
    // Tls when the TLS handshake failed or the broker wants a client certificate; else Network.
    ProblemKind failureKind(QAbstractSocket::SocketError error) const;
    QString subprotocolRefusal(const QString &chosen) const;

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QWebSocket *m_socket = nullptr;
    QString m_tlsError;
};

} // namespace mqs
