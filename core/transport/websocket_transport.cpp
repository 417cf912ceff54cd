#include "websocket_transport.h"

#include "tls_configuration.h"

#include <QNetworkRequest>
#include <QUrl>
#include <QWebSocketHandshakeOptions>

namespace mqs {

WebSocketTransport::WebSocketTransport(const ServerUrl &url, std::optional<QSslConfiguration> tls,
                                       const TlsOptions &options, QObject *parent)
    : Transport(parent), m_url(url), m_tls(std::move(tls)), m_options(options)
{
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    if (m_tls)
        m_socket->setSslConfiguration(*m_tls);
    connect(m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        m_error = describeSslErrors(errors, m_url.host);
    });
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_connectTimer.stop();
        // [MQTT-6.0.0-3] the server must choose "mqtt"; anything else is not an MQTT endpoint.
        if (m_socket->subprotocol() != QLatin1String("mqtt")) {
            m_error = QStringLiteral("%1 did not accept the WebSocket subprotocol 'mqtt' (it answered '%2'). Is this an "
                                     "MQTT WebSocket endpoint? Check the path.")
                          .arg(m_url.toString(), m_socket->subprotocol());
            m_closingByUs = true;
            m_socket->abort();
            finish({true, true, m_error});
            return;
        }
        m_open = true;
        emit opened();
    });
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        m_socket->abort();
        finish({true, true, QStringLiteral("Could not open %1 within 10 s.").arg(m_url.toString())});
    });
    attach();
}

WebSocketTransport::WebSocketTransport(QWebSocket *accepted, QObject *parent)
    : Transport(parent), m_socket(accepted), m_open(true)
{
    accepted->setParent(this);
    m_url.scheme = Scheme::Ws;
    m_url.host = accepted->peerAddress().toString();
    m_url.port = accepted->peerPort();
    m_url.path = accepted->requestUrl().path();
    attach();
}

void WebSocketTransport::attach()
{
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &bytes) { emit received(bytes); });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &) {
        m_error = QStringLiteral("%1 sent a text frame; MQTT over WebSocket uses binary frames only [MQTT-6.0.0-1].")
                      .arg(peerDescription());
        m_closingByUs = true;
        m_socket->abort();
        finish({true, true, m_error});
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        QString text = m_error;
        if (text.isEmpty())
            text = m_closingByUs ? QStringLiteral("Connection to %1 closed.").arg(peerDescription())
                                 : QStringLiteral("%1 closed the connection%2.")
                                       .arg(peerDescription(), m_socket->closeReason().isEmpty()
                                                                   ? QString()
                                                                   : QStringLiteral(" (%1)").arg(m_socket->closeReason()));
        finish({!m_error.isEmpty(), !m_closingByUs, text});
    });
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this](QAbstractSocket::SocketError error) {
        if (m_closingByUs)
            return;
        if (m_error.isEmpty()) {
            if (error == QAbstractSocket::ConnectionRefusedError)
                m_error = QStringLiteral("Connection refused by %1: nothing is listening there. Check the port, or start "
                                         "the broker.")
                              .arg(m_url.hostAndPort());
            else
                m_error = QStringLiteral("WebSocket connection to %1 failed: %2.").arg(m_url.toString(), m_socket->errorString());
        }
        finish({true, true, m_error});
    });
}

void WebSocketTransport::open()
{
    m_finished = false;
    m_closingByUs = false;
    m_error.clear();
    QUrl url;
    url.setScheme(m_url.scheme == Scheme::Wss ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(m_url.host);
    url.setPort(m_url.port);
    url.setPath(m_url.path.isEmpty() ? QStringLiteral("/mqtt") : m_url.path);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QStringLiteral("mqtt")});
    m_connectTimer.start(10000);
    m_socket->open(QNetworkRequest(url), options);
}

void WebSocketTransport::write(const QByteArray &bytes)
{
    if (m_open)
        m_socket->sendBinaryMessage(bytes);
}

void WebSocketTransport::close()
{
    m_closingByUs = true;
    m_connectTimer.stop();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        finish({false, false, QStringLiteral("Connection to %1 closed.").arg(peerDescription())});
    else
        m_socket->close();
}

void WebSocketTransport::abort()
{
    m_closingByUs = true;
    m_connectTimer.stop();
    m_socket->abort();
    finish({true, false, QStringLiteral("Connection to %1 cut.").arg(peerDescription())});
}

bool WebSocketTransport::isOpen() const
{
    return m_open && !m_finished;
}

QString WebSocketTransport::peerDescription() const
{
    return QStringLiteral("%1 %2%3%4")
        .arg(m_url.scheme == Scheme::Wss ? QStringLiteral("wss") : QStringLiteral("ws"), m_url.hostAndPort(),
             m_url.path, m_options.insecure ? QStringLiteral(" (INSECURE: certificate not verified)") : QString());
}

void WebSocketTransport::finish(TransportClosed closed)
{
    if (m_finished)
        return;
    m_finished = true;
    m_open = false;
    m_connectTimer.stop();
    emit this->closed(closed);
}

} // namespace mqs
