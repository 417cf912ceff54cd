#pragma once
// MQTT over TCP (mqtt://) or TLS (mqtts://), through QTcpSocket / QSslSocket. Also wraps the
// sockets the sandbox broker accepts.

#include "transport.h"

#include <QPointer>
#include <QSslConfiguration>
#include <QTcpSocket>
#include <QTimer>

namespace mqs {

class TcpTransport final : public Transport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpTransport)
public:
    // A client transport to `url`; TLS when `tls` is set.
    TcpTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options, QObject *parent);
    // A transport over a socket a server accepted (already connected); takes ownership.
    TcpTransport(QTcpSocket *accepted, QObject *parent);
    ~TcpTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    bool isOpen() const override;
    QString peerDescription() const override;

    void setConnectTimeout(int ms) { m_connectTimeoutMs = ms; }
    quint16 localPort() const;

private:
    void attach();
    void finish(TransportClosed closed);
    QString describeSocketError() const;

    ServerUrl m_url;
    std::optional<QSslConfiguration> m_tls;
    TlsOptions m_options;
    QTcpSocket *m_socket = nullptr;
    QTimer m_connectTimer;
    int m_connectTimeoutMs = 10000;
    bool m_open = false;
    bool m_finished = false;
    bool m_closingByUs = false;
    QString m_tlsError;
};

} // namespace mqs
