#include "transport_failure.h"

namespace mqs {

QString describeSocketError(QAbstractSocket::SocketError error, const ServerUrl &url, const QString &detail, bool tls)
{
    const QString where = url.hostAndPort();
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return QStringLiteral("Connection refused by %1: nothing is listening there. Check the port, or start the broker.")
            .arg(where);
    case QAbstractSocket::HostNotFoundError:
        return QStringLiteral("Host '%1' not found. Check the spelling, or use an IP address.").arg(url.host);
    case QAbstractSocket::NetworkError:
        return QStringLiteral("Network error talking to %1: %2. Check this machine's network connection.").arg(where, detail);
    case QAbstractSocket::SocketTimeoutError:
        return QStringLiteral("Timed out talking to %1.").arg(where);
    case QAbstractSocket::RemoteHostClosedError:
        return tls ? QStringLiteral("%1 closed the connection during the TLS handshake. Is it a TLS port? Does the broker "
                                    "require a client certificate?")
                         .arg(where)
                   : QStringLiteral("%1 closed the connection before it was open.").arg(where);
    case QAbstractSocket::SslHandshakeFailedError:
        return QStringLiteral("TLS handshake with %1 failed (%2). Is it a TLS port, and does the broker accept this "
                              "client's certificate?")
            .arg(where, detail);
    case QAbstractSocket::SslInvalidUserDataError:
        return QStringLiteral("The TLS settings cannot be used (%1). Check that the client key belongs to the client "
                              "certificate.")
            .arg(detail);
    default:
        return QStringLiteral("Connection to %1 failed: %2.").arg(where, detail);
    }
}

ProblemKind socketErrorKind(QAbstractSocket::SocketError error, bool tlsHandshake)
{
    switch (error) {
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInvalidUserDataError:
        return ProblemKind::Tls;
    case QAbstractSocket::RemoteHostClosedError:
        return tlsHandshake ? ProblemKind::Tls : ProblemKind::Network;
    default:
        return ProblemKind::Network;
    }
}

QString describeConnectTimeout(const ServerUrl &url, int timeoutMs, ConnectStage stage)
{
    const QString seconds = QString::number(timeoutMs / 1000.0);
    switch (stage) {
    case ConnectStage::Connecting:
        break;
    case ConnectStage::TlsHandshake:
        return QStringLiteral("Connected to %1, but the TLS handshake did not finish within %2 s. Is it a TLS port "
                              "(often 8883)?")
            .arg(url.hostAndPort(), seconds);
    case ConnectStage::WebSocketHandshake:
        return QStringLiteral("Could not open %1 within %2 s: the connection or the WebSocket handshake got no answer. "
                              "Check the address, and that the port is the broker's WebSocket port.")
            .arg(url.toString(), seconds);
    }
    return QStringLiteral("Could not connect to %1 within %2 s: no answer. Check the address, the port and any firewall "
                          "between.")
        .arg(url.hostAndPort(), seconds);
}

} // namespace mqs
