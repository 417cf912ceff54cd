#pragma once
// MQTT over WebSocket (ws://, wss://): binary frames, subprotocol "mqtt", through QWebSocket.

#include "transport.h"

#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocket>

namespace mqs {

class WebSocketTransport final : public Transport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketTransport)
public:
    WebSocketTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options, QObject *parent);
    // A transport over a WebSocket a server accepted; takes ownership.
    WebSocketTransport(QWebSocket *accepted, QObject *parent);

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    bool isOpen() const override;
    QString peerDescription() const override;

private:
    void attach();
    void finish(TransportClosed closed);

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QWebSocket *m_socket = nullptr;
    QTimer m_connectTimer;
    bool m_open = false;
    bool m_finished = false;
    bool m_closingByUs = false;
    QString m_error;
};

} // namespace mqs
