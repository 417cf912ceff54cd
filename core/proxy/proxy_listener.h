#pragma once
// Where devices connect to the proxy: TCP, optionally WebSocket, either of them with TLS from
// the certificate and key the user gives. Each accepted device is handed out as an open Transport.

#include "proxy_settings.h"

#include "protocol/result.h"
#include "transport/transport.h"

#include <QObject>
#include <QSslConfiguration>

#include <memory>

class QTcpServer;
class QWebSocketServer;

namespace mqs {

class ProxyListener : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyListener)
public:
    explicit ProxyListener(QObject *parent = nullptr);
    ~ProxyListener() override;

    // Listens as `settings` say. File or Tls for a certificate or key that cannot be used,
    // Network when a port is taken.
    [[nodiscard]] Status listen(const ProxySettings &settings);
    void stop();
    quint16 port() const;
    quint16 webSocketPort() const;

signals:
    // An accepted device, open (its TLS handshake done); a child of the listener until reparented.
    void accepted(mqs::Transport *device);
    // A device whose TLS handshake failed: it never became a Transport.
    void refused(const QString &sentence);

private:
    [[nodiscard]] Result<QSslConfiguration> serverTls(const ProxySettings &settings) const;
    [[nodiscard]] Status listenTcp(const ProxySettings &settings, const std::optional<QSslConfiguration> &tls);
    [[nodiscard]] Status listenWebSocket(const ProxySettings &settings, const std::optional<QSslConfiguration> &tls);

    std::unique_ptr<QTcpServer> m_tcp;
    std::unique_ptr<QWebSocketServer> m_ws;
};

} // namespace mqs
