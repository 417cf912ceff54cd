#include "socket_transport.h"

namespace mqs {

SocketTransport::SocketTransport(QObject *parent)
    : Transport(parent)
{
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        if (!m_finished && !m_open)
            onConnectTimeout();
    });
    m_closeTimer.setSingleShot(true);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_finished)
            return;
        m_ending = TransportClosed{true, false, closeTimeoutMessage()};
        abortSocket();
        finish(*m_ending);
    });
}

void SocketTransport::beginOpening()
{
    m_open = false;
    m_finished = false;
    m_ending.reset();
    m_connectTimer.start(m_connectTimeoutMs);
}

void SocketTransport::becomeOpen()
{
    m_connectTimer.stop();
    m_open = true;
    emit opened();
}

void SocketTransport::close()
{
    if (isEnding())
        return;
    m_ending = TransportClosed{false, false, QStringLiteral("Connection to %1 closed.").arg(peerDescription())};
    m_connectTimer.stop();
    if (!m_open) {
        abortSocket(); // nothing to flush: stop connecting
        finish(*m_ending);
        return;
    }
    closeSocketGracefully();
    if (socketState() == QAbstractSocket::UnconnectedState)
        finish(*m_ending);
    else
        m_closeTimer.start(m_connectTimeoutMs);
}

void SocketTransport::abort()
{
    if (m_finished)
        return;
    m_ending = TransportClosed{true, false, QStringLiteral("Connection to %1 cut.").arg(peerDescription())};
    m_connectTimer.stop();
    abortSocket();
    finish(*m_ending);
}

void SocketTransport::fail(const TransportClosed &ending)
{
    if (isEnding())
        return;
    m_ending = ending;
    abortSocket();
    finish(*m_ending);
}

void SocketTransport::finish(const TransportClosed &closed)
{
    if (m_finished)
        return;
    m_finished = true;
    m_open = false;
    m_connectTimer.stop();
    m_closeTimer.stop();
    emit this->closed(closed);
}

} // namespace mqs
