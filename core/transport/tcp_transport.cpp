#include "tcp_transport.h"

#include "tls_configuration.h"
#include "transport_failure.h"

#include <QSslSocket>

#include <sys/ioctl.h>
#include <sys/socket.h>

namespace mqs {

TcpTransport::TcpTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls, const TlsOptions &options,
                           QObject *parent)
    : SocketTransport(parent), m_url(url), m_tls(std::move(tls)), m_options(options)
{
    if (m_tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*m_tls);
        connect(ssl, &QSslSocket::encrypted, this, &TcpTransport::becomeOpen);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            m_tlsError = describeSslErrors(errors, verifiedName());
        });
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &TcpTransport::becomeOpen);
    }
    attach();
}

TcpTransport::TcpTransport(QTcpSocket *accepted, QObject *parent)
    : SocketTransport(parent), m_socket(accepted)
{
    m_open = accepted->state() == QAbstractSocket::ConnectedState;
    accepted->setParent(this);
    m_url.host = accepted->peerAddress().toString();
    m_url.port = accepted->peerPort();
    attach();
    // Bytes that arrived before we were attached would otherwise wait for the next readyRead.
    if (accepted->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &TcpTransport::readAvailable, Qt::QueuedConnection);
}

TcpTransport::~TcpTransport()
{
    // No signals from the socket's own teardown: the owner is gone or going.
    if (m_socket)
        m_socket->disconnect(this);
}

void TcpTransport::attach()
{
    m_plain = qobject_cast<QSslSocket *>(m_socket) == nullptr;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, &TcpTransport::readAvailable);
    connect(m_socket, &QTcpSocket::disconnected, this, &TcpTransport::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &TcpTransport::onSocketError);
}

void TcpTransport::readAvailable()
{
    if (m_finished)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (!bytes.isEmpty())
        emit received(bytes);
}

qint64 TcpTransport::unreadBytes() const
{
    int inKernel = 0; // FIONREAD: bytes received by the kernel that the socket has not read yet
    const qintptr descriptor = m_socket->socketDescriptor();
    if (descriptor < 0 || ::ioctl(int(descriptor), FIONREAD, &inKernel) != 0)
        inKernel = 0;
    return m_socket->bytesAvailable() + inKernel;
}

QString TcpTransport::closeTimeoutMessage() const
{
    return QStringLiteral("Connection to %1 cut: the peer did not take the last %2 bytes within %3 s of closing.")
        .arg(peerDescription())
        .arg(m_socket->bytesToWrite())
        .arg(QString::number(m_connectTimeoutMs / 1000.0));
}

QString TcpTransport::verifiedName() const
{
    return m_options.serverName.isEmpty() ? m_url.host : m_options.serverName;
}

void TcpTransport::onSocketError(QAbstractSocket::SocketError error)
{
    if (m_finished || m_ending)
        return; // our own close or abort: reported as such
    if (error == QAbstractSocket::RemoteHostClosedError && m_open)
        return; // an orderly close by the peer: `disconnected` follows and says so
    if (!m_tlsError.isEmpty()) {
        fail({true, true, m_tlsError, ProblemKind::Tls});
        return;
    }
    const QString detail = m_socket->errorString();
    const bool handshaking = m_tls.has_value() && !m_open;
    // TLS 1.3 finishes our side of the handshake before the broker has checked our
    // certificate; its refusal arrives as an alert just after.
    if (m_tls && detail.contains(QLatin1String("certificate required"), Qt::CaseInsensitive))
        fail({true, true, QStringLiteral("The broker at %1 requires a client certificate.").arg(m_url.hostAndPort()), ProblemKind::Tls});
    else
        fail({true, true, describeSocketError(error, m_url, detail, handshaking), socketErrorKind(error, handshaking)});
}

void TcpTransport::onDisconnected()
{
    if (m_finished)
        return;
    // The peer's last words (a DISCONNECT with its reason, say) go out before the close does.
    if (!m_ending && m_socket->bytesAvailable() > 0)
        readAvailable();
    if (m_ending) {
        finish(*m_ending);
        return;
    }
    if (!m_tlsError.isEmpty())
        finish({true, true, m_tlsError, ProblemKind::Tls});
    else if (!m_open) // hung up during the TLS handshake
        finish({true, true, describeSocketError(QAbstractSocket::RemoteHostClosedError, m_url, QString(), m_tls.has_value()),
                socketErrorKind(QAbstractSocket::RemoteHostClosedError, m_tls.has_value())});
    else
        finish({false, true, QStringLiteral("%1 closed the connection.").arg(peerDescription())});
}

void TcpTransport::onConnectTimeout()
{
    const bool handshaking = m_tls && m_socket->state() == QAbstractSocket::ConnectedState;
    fail({true, true,
          describeConnectTimeout(m_url, m_connectTimeoutMs, handshaking ? ConnectStage::TlsHandshake : ConnectStage::Connecting)});
}

void TcpTransport::open()
{
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        return;
    m_tlsError.clear();
    beginOpening();
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        // The third argument is both the SNI name and the name the certificate is checked against.
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
    if (isOpen() && !m_ending)
        m_socket->write(bytes);
}

void TcpTransport::writeNow(const QByteArray &bytes)
{
    if (!isOpen() || m_ending)
        return;
    qsizetype sent = 0;
    const qintptr descriptor = m_socket->socketDescriptor();
    // Behind the socket's back only while its own buffer is empty, or bytes would overtake it.
    if (m_plain && descriptor >= 0 && m_socket->bytesToWrite() == 0) {
        const ssize_t n = ::send(int(descriptor), bytes.constData(), size_t(bytes.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
        sent = n > 0 ? qsizetype(n) : 0; // a full kernel buffer or an error: the socket's own write finds out
    }
    if (sent < bytes.size())
        m_socket->write(bytes.constData() + sent, bytes.size() - sent);
}

quint16 TcpTransport::localPort() const
{
    return m_socket->localPort();
}

QString TcpTransport::peerDescription() const
{
    if (!m_tls)
        return QStringLiteral("tcp %1").arg(m_url.hostAndPort());
    QString text = QStringLiteral("tls %1").arg(m_url.hostAndPort());
    if (m_options.insecure)
        text += QStringLiteral(" (INSECURE: certificate not verified)");
    else if (!m_options.serverName.isEmpty())
        text += QStringLiteral(" (verified as '%1')").arg(m_options.serverName);
    return text;
}

} // namespace mqs
