#include "proxy_listener.h"

#include "transport/tcp_transport.h"
#include "transport/websocket_transport.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QWebSocketServer>

namespace mqs {

namespace {
// Connections the kernel queues before we accept them: a fleet reconnecting at once after the
// proxy restarts should not fall into SYN retransmits seconds apart (Qt's default is 50).
constexpr int kListenBacklog = 4096;
// A device that opens TCP and never finishes the TLS handshake is dropped after this long.
constexpr int kTlsHandshakeTimeoutMs = 10000;

Result<QSslKey> readKey(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return problem(ProblemKind::File, QStringLiteral("Cannot read the proxy's TLS key %1: %2.").arg(path, file.errorString()));
    const QByteArray pem = file.readAll();
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa})
        if (QSslKey key(pem, algorithm); !key.isNull())
            return key;
    return problem(ProblemKind::Tls,
                   QStringLiteral("The proxy's TLS key %1 is not an unencrypted PEM private key (RSA, EC or DSA).").arg(path));
}
} // namespace

ProxyListener::ProxyListener(QObject *parent)
    : QObject(parent)
{
}

ProxyListener::~ProxyListener() = default;

Result<QSslConfiguration> ProxyListener::serverTls(const ProxySettings &settings) const
{
    if (settings.certificateFile.isEmpty() || settings.keyFile.isEmpty())
        return problem(ProblemKind::InvalidInput,
                       QStringLiteral("Listening with TLS needs both a certificate and its private key."));
    const auto certificates = QSslCertificate::fromPath(settings.certificateFile, QSsl::Pem);
    if (certificates.isEmpty())
        return problem(ProblemKind::File,
                       QStringLiteral("The proxy's TLS certificate %1 is missing or not PEM.").arg(settings.certificateFile));
    auto key = readKey(settings.keyFile);
    if (!key)
        return key.problem();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(certificates.front());
    tls.setLocalCertificateChain(certificates);
    tls.setPrivateKey(*key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // devices are not asked for certificates
    return tls;
}

Status ProxyListener::listen(const ProxySettings &settings)
{
    std::optional<QSslConfiguration> tls;
    if (settings.listensWithTls()) {
        auto configuration = serverTls(settings);
        if (!configuration)
            return configuration.problem();
        tls = *configuration;
    }
    if (Status tcp = listenTcp(settings, tls); !tcp)
        return tcp;
    if (settings.webSocketPort)
        if (Status ws = listenWebSocket(settings, tls); !ws) {
            stop();
            return ws;
        }
    return {};
}

Status ProxyListener::listenTcp(const ProxySettings &settings, const std::optional<QSslConfiguration> &tls)
{
    if (tls) {
        auto server = std::make_unique<QSslServer>();
        server->setSslConfiguration(*tls);
        server->setHandshakeTimeout(kTlsHandshakeTimeoutMs);
        connect(server.get(), &QSslServer::errorOccurred, this, [this](QSslSocket *socket, QAbstractSocket::SocketError) {
            emit refused(QStringLiteral("A device at %1:%2 failed the TLS handshake: %3")
                             .arg(socket->peerAddress().toString())
                             .arg(socket->peerPort())
                             .arg(socket->errorString()));
        });
        m_tcp = std::move(server);
    } else {
        m_tcp = std::make_unique<QTcpServer>();
    }
    m_tcp->setListenBacklogSize(kListenBacklog);
    connect(m_tcp.get(), &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_tcp->nextPendingConnection())
            emit accepted(new TcpTransport(socket, this));
    });
    if (!m_tcp->listen(settings.listenAddress, settings.listenPort))
        return problem(ProblemKind::Network, QStringLiteral("Cannot listen on %1:%2: %3.")
                                                 .arg(settings.listenAddress.toString())
                                                 .arg(settings.listenPort)
                                                 .arg(m_tcp->errorString()));
    return {};
}

Status ProxyListener::listenWebSocket(const ProxySettings &settings, const std::optional<QSslConfiguration> &tls)
{
    m_ws = std::make_unique<QWebSocketServer>(QStringLiteral("MQTT Scope proxy"),
                                              tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode);
    if (tls)
        m_ws->setSslConfiguration(*tls);
    m_ws->setSupportedSubprotocols({QStringLiteral("mqtt")});
    connect(m_ws.get(), &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_ws->nextPendingConnection())
            emit accepted(new WebSocketTransport(socket, this));
    });
    if (!m_ws->listen(settings.listenAddress, *settings.webSocketPort))
        return problem(ProblemKind::Network, QStringLiteral("Cannot listen for WebSocket devices on %1:%2: %3.")
                                                 .arg(settings.listenAddress.toString())
                                                 .arg(*settings.webSocketPort)
                                                 .arg(m_ws->errorString()));
    return {};
}

void ProxyListener::stop()
{
    if (m_tcp)
        m_tcp->close();
    if (m_ws)
        m_ws->close();
}

quint16 ProxyListener::port() const
{
    return m_tcp && m_tcp->isListening() ? m_tcp->serverPort() : 0;
}

quint16 ProxyListener::webSocketPort() const
{
    return m_ws && m_ws->isListening() ? m_ws->serverPort() : 0;
}

} // namespace mqs
