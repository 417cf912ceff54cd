#pragma once
// MQTT over TCP (mqtt://) or TLS (mqtts://), through QTcpSocket / QSslSocket. Also wraps the
// sockets the sandbox broker accepts.

#include "socket_transport.h"

#include <QSslConfiguration>
#include <QSslError>
#include <QTcpSocket>

#include <optional>

namespace mqs {

// A TCP or TLS pipe. TLS verifies the broker's certificate and host name unless TlsOptions
// says insecure; every failure ends in closed() with a sentence saying what to do.
class TcpTransport final : public SocketTransport
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
    void writeNow(const QByteArray &bytes) override;
    QString peerDescription() const override;
    qint64 unreadBytes() const override;

    quint16 localPort() const;

private:
    QAbstractSocket::SocketState socketState() const override { return m_socket->state(); }
    void abortSocket() override { m_socket->abort(); }
    void closeSocketGracefully() override { m_socket->disconnectFromHost(); } // flushes, then `disconnected`
    QString closeTimeoutMessage() const override;
    void onConnectTimeout() override;

    void attach();
    void readAvailable();
    void onSocketError(QAbstractSocket::SocketError error);
    void onDisconnected();
    QString verifiedName() const;

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QTcpSocket *m_socket = nullptr;
    QString m_tlsError; // the certificate problem, from sslErrors()
    bool m_plain = false; // no TLS: bytes written are the bytes on the wire, so writeNow() may send them itself
};

} // namespace mqs
