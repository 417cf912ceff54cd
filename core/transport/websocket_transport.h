#pragma once
// MQTT over WebSocket (ws://, wss://): binary frames, subprotocol "mqtt", through QWebSocket.

#include "transport.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QWebSocket>

#include <optional>

namespace mqs {

// A WebSocket pipe. It asks for the subprotocol "mqtt" and refuses a server that does not choose
// it; every MQTT packet travels in binary frames. For wss://, TlsOptions apply as for mqtts://;
// a TLS server name override is checked against the certificate (SNI still carries the URL's host).
class WebSocketTransport final : public Transport
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
    void close() override;
    void abort() override;
    bool isOpen() const override;
    QString peerDescription() const override;

private:
    void attach();
    void onConnected();
    void onSslErrors(const QList<QSslError> &errors);
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void onConnectTimeout();
    void fail(const QString &message, bool byPeer);
    void finish(const TransportClosed &closed);
    QString describeFailure(QAbstractSocket::SocketError error) const;
    QString subprotocolRefusal(const QString &chosen) const;

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QWebSocket *m_socket = nullptr;
    QTimer m_connectTimer;
    QTimer m_closeTimer; // a graceful close that the peer does not let finish becomes a cut
    bool m_open = false;
    bool m_finished = false;
    std::optional<TransportClosed> m_ending; // set before we close or cut: how it will be reported
    QString m_tlsError;
};

} // namespace mqs
