#include "tcp_transport.h"

#include "tls_configuration.h"

#include <QSslSocket>

namespace mqs {

TcpTransport::TcpTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options,
                           QObject *parent)
    : Transport(parent), m_url(url), m_tls(std::move(tls)), m_options(options)
{
    if (m_tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*m_tls);
        connect(ssl, &QSslSocket::encrypted, this, [this] {
            m_connectTimer.stop();
            m_open = true;
            emit opened();
        });
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            m_tlsError = describeSslErrors(errors, m_options.serverName.isEmpty() ? m_url.host : m_options.serverName);
        });
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, [this] {
            m_connectTimer.stop();
            m_open = true;
            emit opened();
        });
    }
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        m_socket->abort();
        finish({true, true,
                QStringLiteral("Could not connect to %1 within %2 s. Check the address and your network.")
                    .arg(m_url.hostAndPort())
                    .arg(m_connectTimeoutMs / 1000.0)});
    });
    attach();
}

TcpTransport::TcpTransport(QTcpSocket *accepted, QObject *parent)
    : Transport(parent), m_socket(accepted), m_open(accepted->state() == QAbstractSocket::ConnectedState)
{
    accepted->setParent(this);
    m_url.host = accepted->peerAddress().toString();
    m_url.port = accepted->peerPort();
    attach();
}

TcpTransport::~TcpTransport()
{
    if (m_socket)
        m_socket->disconnect(this);
}

void TcpTransport::attach()
{
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        const QByteArray bytes = m_socket->readAll();
        if (!bytes.isEmpty())
            emit received(bytes);
    });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        finish({!m_tlsError.isEmpty(), !m_closingByUs,
                m_closingByUs ? QStringLiteral("Connection to %1 closed.").arg(peerDescription())
                              : (m_tlsError.isEmpty() ? QStringLiteral("%1 closed the connection.").arg(peerDescription())
                                                      : m_tlsError)});
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError && m_open)
            return; // `disconnected` follows and says so
        if (m_closingByUs)
            return;
        finish({true, true, describeSocketError()});
    });
}

QString TcpTransport::describeSocketError() const
{
    if (!m_tlsError.isEmpty())
        return m_tlsError;
    switch (m_socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("Connection refused by %1: nothing is listening there. Check the port, or start the broker.")
            .arg(m_url.hostAndPort());
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("Host '%1' not found. Check the name.").arg(m_url.host);
    case QAbstractSocket::NetworkError:
        return QStringLiteral("Network error talking to %1: %2.").arg(m_url.hostAndPort(), m_socket->errorString());
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("Timed out talking to %1.").arg(m_url.hostAndPort());
    case QAbstractSocket::RemoteHostClosedError:
        return QStringLiteral("%1 closed the connection%2.")
            .arg(peerDescription(), m_tls && !m_open ? QStringLiteral(" during the TLS handshake (is it a TLS port?)") : QString());
    case QAbstractSocket::SslHandshakeFailedError:
        return QStringLiteral("TLS handshake with %1 failed: %2. Is it a TLS port, and does it accept our certificate?")
            .arg(m_url.hostAndPort(), m_socket->errorString());
    default:
        return QStringLiteral("Connection to %1 failed: %2.").arg(m_url.hostAndPort(), m_socket->errorString());
    }
}

void TcpTransport::open()
{
    m_finished = false;
    m_closingByUs = false;
    m_tlsError.clear();
    m_connectTimer.start(m_connectTimeoutMs);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        if (m_options.serverName.isEmpty())
            ssl->connectToHostEncrypted(m_url.host, m_url.port);
        else
            ssl->connectToHostEncrypted(m_url.host, m_url.port, m_options.serverName);
    } else {
        m_socket->connectToHost(m_url.host, m_url.port);
    }
}

void TcpTransport::write(const QByteArray &bytes)
{
    if (m_open)
        m_socket->write(bytes);
}

void TcpTransport::close()
{
    m_closingByUs = true;
    m_connectTimer.stop();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish({false, false, QStringLiteral("Connection to %1 closed.").arg(peerDescription())});
    else
        m_socket->disconnectFromHost(); // flushes what was written, then `disconnected`
}

void TcpTransport::abort()
{
    m_closingByUs = true;
    m_connectTimer.stop();
    m_socket->abort();
    finish({true, false, QStringLiteral("Connection to %1 cut.").arg(peerDescription())});
}

bool TcpTransport::isOpen() const
{
    return m_open && !m_finished;
}

quint16 TcpTransport::localPort() const
{
    return m_socket->localPort();
}

QString TcpTransport::peerDescription() const
{
    if (!m_tls)
        return QStringLiteral("tcp %1").arg(m_url.hostAndPort());
    return QStringLiteral("tls %1%2").arg(m_url.hostAndPort(), m_options.insecure ? QStringLiteral(" (INSECURE: certificate not verified)")
                                                                                 : QString());
}

void TcpTransport::finish(TransportClosed closed)
{
    if (m_finished)
        return;
    m_finished = true;
    m_open = false;
    m_connectTimer.stop();
    emit this->closed(closed);
}

} // namespace mqs
