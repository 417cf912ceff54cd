#pragma once
// MQTT over TCP (mqtt://) or TLS (mqtts://), through QTcpSocket / QSslSocket. Also wraps the
// sockets the sandbox broker accepts.

#include "transport.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QTcpSocket>
#include <QTimer>

#include <optional>

namespace mqs {

// A TCP or TLS pipe. TLS verifies the broker's certificate and host name unless TlsOptions
// says insecure; every failure ends in closed() with a sentence saying what to do.
class TcpTransport final : public Transport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpTransport)
public:
    // A client transport to `url`; TLS when `tls` is set (see makeSslConfiguration()).
    TcpTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options, QObject *parent);
    // A transport over a socket a server accepted (already connected, so already open); takes
    // ownership of the socket.
    TcpTransport(QTcpSocket *accepted, QObject *parent);
    ~TcpTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    bool isOpen() const override;
    QString peerDescription() const override;

    quint16 localPort() const;

private:
    void attach();
    void readAvailable();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    void onConnectTimeout();
    void becomeOpen();
    void finish(const TransportClosed &closed);
    QString verifiedName() const;

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QTcpSocket *m_socket = nullptr;
    QTimer m_connectTimer;
    QTimer m_closeTimer; // a graceful close that the peer does not let finish becomes a cut
    bool m_open = false;
    bool m_finished = false;
    std::optional<TransportClosed> m_ending; // set by close()/abort(): how the close will be reported
    QString m_tlsError; // the certificate problem, from sslErrors()
};

} // namespace mqs
