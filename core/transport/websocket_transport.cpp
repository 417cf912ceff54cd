#include "websocket_transport.h"

#include "tls_configuration.h"
#include "transport_failure.h"

#include <QNetworkRequest>
#include <QRegularExpression>
#include <QUrl>
#include <QWebSocketHandshakeOptions>

namespace mqs {
namespace {

const QString kSubprotocol = QStringLiteral("mqtt");

} // namespace

WebSocketTransport::WebSocketTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls,
                                       const TlsOptions &options, QObject *parent)
    : SocketTransport(parent), m_url(url), m_tls(std::move(tls)), m_options(options)
{
    if (m_url.path.isEmpty())
        m_url.path = QStringLiteral("/mqtt");
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    if (m_tls)
        m_socket->setSslConfiguration(*m_tls);
    connect(m_socket, &QWebSocket::sslErrors, this, &WebSocketTransport::onSslErrors);
    connect(m_socket, &QWebSocket::connected, this, &WebSocketTransport::onConnected);
    attach();
}

WebSocketTransport::WebSocketTransport(QWebSocket *accepted, QObject *parent)
    : SocketTransport(parent), m_socket(accepted)
{
    m_open = accepted->state() == QAbstractSocket::ConnectedState;
    accepted->setParent(this);
    m_url.scheme = Scheme::Ws;
    m_url.host = accepted->peerAddress().toString();
    m_url.port = accepted->peerPort();
    m_url.path = accepted->requestUrl().path();
    attach();
}

WebSocketTransport::~WebSocketTransport()
{
    if (m_socket)
        m_socket->disconnect(this);
}

void WebSocketTransport::attach()
{
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &bytes) {
        if (!m_finished)
            emit received(bytes);
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &) {
        fail(QStringLiteral("%1 sent a text frame; MQTT over WebSocket uses binary frames only [MQTT-6.0.0-1]. Is this "
                            "an MQTT WebSocket endpoint?")
                 .arg(peerDescription()),
             true);
    });
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketTransport::onDisconnected);
    // QWebSocket::errorOccurred arrives only in Qt 6.5; 6.4 has error().
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, &WebSocketTransport::onSocketError);
}

void WebSocketTransport::onConnected()
{
    m_connectTimer.stop();
    // [MQTT-6.0.0-4] the server must select "mqtt"; anything else is not an MQTT endpoint.
    if (m_socket->subprotocol() != kSubprotocol) {
        fail(subprotocolRefusal(m_socket->subprotocol().isEmpty() ? QStringLiteral("it chose none")
                                                                   : QStringLiteral("it chose '%1'").arg(m_socket->subprotocol())),
             true);
        return;
    }
    becomeOpen();
}

void WebSocketTransport::onSslErrors(const QList<QSslError> &errors)
{
    // QWebSocket cannot verify a name other than the URL's host, so a server name override is
    // checked here: a host name mismatch is forgiven when the certificate is for that name.
    if (!m_options.serverName.isEmpty()) {
        QList<QSslError> remaining;
        for (const QSslError &e : errors)
            if (e.error() != QSslError::HostNameMismatch || !certificateMatchesName(e.certificate(), m_options.serverName))
                remaining << e;
        if (remaining.isEmpty()) {
            m_socket->ignoreSslErrors(errors);
            return;
        }
        m_tlsError = describeSslErrors(remaining, m_options.serverName);
        return;
    }
    m_tlsError = describeSslErrors(errors, m_url.host);
}

QString WebSocketTransport::describeFailure(QAbstractSocket::SocketError error) const
{
    const QString detail = m_socket->errorString();
    // QWebSocket reports a failed upgrade as ConnectionRefusedError with its own text, e.g.
    // "... Unhandled http status code: 404 (Not Found)." or "... has chosen protocol X which has
    // not been requested"; a real refusal comes with the socket already unconnected.
    static const QRegularExpression status(QStringLiteral("status code: (\\d+) \\(([^)]*)\\)"));
    static const QRegularExpression protocol(QStringLiteral("chosen protocol (\\S+) which has not been requested"));
    if (const auto match = status.match(detail); match.hasMatch())
        return QStringLiteral("%1 answered HTTP %2 %3 instead of opening a WebSocket. Check the path ('%4'; brokers "
                              "often use /mqtt) and that the port is the broker's WebSocket port.")
            .arg(m_url.toString(), match.captured(1), match.captured(2), m_url.path);
    if (const auto match = protocol.match(detail); match.hasMatch())
        return subprotocolRefusal(QStringLiteral("it chose '%1'").arg(match.captured(1)));
    if (m_tls && detail.contains(QLatin1String("certificate required"), Qt::CaseInsensitive))
        return QStringLiteral("The broker at %1 requires a client certificate.").arg(m_url.hostAndPort());
    if (error == QAbstractSocket::RemoteHostClosedError && !m_open && !m_tls)
        return QStringLiteral("%1 closed the connection during the WebSocket handshake. Is it a WebSocket port?")
            .arg(m_url.hostAndPort());
    if (error == QAbstractSocket::ConnectionRefusedError && m_socket->state() != QAbstractSocket::UnconnectedState)
        return QStringLiteral("The WebSocket handshake with %1 failed: %2. Check the port and the path.").arg(m_url.toString(), detail);
    if (error == QAbstractSocket::ConnectionRefusedError || error == QAbstractSocket::HostNotFoundError
        || error == QAbstractSocket::NetworkError || error == QAbstractSocket::SslHandshakeFailedError
        || error == QAbstractSocket::SslInvalidUserDataError || error == QAbstractSocket::RemoteHostClosedError)
        return describeSocketError(error, m_url, detail, m_tls.has_value() && !m_open);
    return QStringLiteral("WebSocket connection to %1 failed: %2.").arg(m_url.toString(), detail);
}

ProblemKind WebSocketTransport::failureKind(QAbstractSocket::SocketError error) const
{
    if (!m_tlsError.isEmpty()
        || (m_tls && m_socket->errorString().contains(QLatin1String("certificate required"), Qt::CaseInsensitive)))
        return ProblemKind::Tls;
    return socketErrorKind(error, m_tls.has_value() && !m_open);
}

QString WebSocketTransport::subprotocolRefusal(const QString &chosen) const
{
    return QStringLiteral("%1 did not agree to the WebSocket subprotocol 'mqtt' (%2) [MQTT-6.0.0-4]. Is %3 an MQTT "
                          "WebSocket endpoint? Check the port and the path.")
        .arg(m_url.hostAndPort(), chosen, m_url.toString());
}

void WebSocketTransport::onSocketError(QAbstractSocket::SocketError error)
{
    if (m_finished || m_ending)
        return;
    if (error == QAbstractSocket::RemoteHostClosedError && m_open)
        return; // `disconnected` follows and says so
    fail(m_tlsError.isEmpty() ? describeFailure(error) : m_tlsError, true, failureKind(error));
}

void WebSocketTransport::onDisconnected()
{
    if (m_finished)
        return;
    if (m_ending) {
        finish(*m_ending);
        return;
    }
    if (!m_tlsError.isEmpty()) {
        finish({true, true, m_tlsError, ProblemKind::Tls});
        return;
    }
    if (!m_open) {
        // A refused connection reports `disconnected` before `error`.
        const auto socketError = m_socket->error();
        const auto error = socketError == QAbstractSocket::UnknownSocketError ? QAbstractSocket::RemoteHostClosedError : socketError;
        fail(describeFailure(error), true, failureKind(error));
        return;
    }
    const QString reason = m_socket->closeReason();
    finish({false, true,
            QStringLiteral("%1 closed the connection%2.")
                .arg(peerDescription(), reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason))});
}

void WebSocketTransport::onConnectTimeout()
{
    fail(describeConnectTimeout(m_url, m_connectTimeoutMs, ConnectStage::WebSocketHandshake), true);
}

void WebSocketTransport::open()
{
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        return;
    m_tlsError.clear();
    // The path may carry a query ("/mqtt?token=..."), so the URL is built from text.
    const QUrl url(QStringLiteral("%1://%2%3")
                       .arg(m_url.scheme == Scheme::Wss ? QStringLiteral("wss") : QStringLiteral("ws"), m_url.hostAndPort(),
                            m_url.path),
                   QUrl::TolerantMode);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({kSubprotocol}); // [MQTT-6.0.0-3]
    beginOpening();
    m_socket->open(QNetworkRequest(url), options);
}

void WebSocketTransport::write(const QByteArray &bytes)
{
    // [MQTT-6.0.0-1] binary frames only
    if (isOpen() && !m_ending)
        m_socket->sendBinaryMessage(bytes);
}

void WebSocketTransport::closeSocketGracefully()
{
    // The closing handshake, then `disconnected`; the reason tells the peer's log who closed.
    m_socket->close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("closed by MQTT Scope"));
}

QString WebSocketTransport::closeTimeoutMessage() const
{
    return QStringLiteral("Connection to %1 cut: the peer did not finish the WebSocket closing handshake within %2 s.")
        .arg(peerDescription(), QString::number(m_connectTimeoutMs / 1000.0));
}

QString WebSocketTransport::peerDescription() const
{
    QString text = QStringLiteral("%1 %2%3").arg(ServerUrl::schemeName(m_url.scheme), m_url.hostAndPort(), m_url.path);
    if (m_url.isTls() && m_options.insecure)
        text += QStringLiteral(" (INSECURE: certificate not verified)");
    else if (m_url.isTls() && !m_options.serverName.isEmpty())
        text += QStringLiteral(" (verified as '%1')").arg(m_options.serverName);
    return text;
}

} // namespace mqs
