#pragma once
// The life of a Transport over a Qt socket, shared by TCP/TLS and WebSocket: a connect timeout,
// exactly one closed() per open(), a graceful close that becomes a cut when the peer never lets
// it finish, and abort() that reports before it returns. The subclasses say how their socket
// connects, closes and fails.

#include "transport.h"

#include <QAbstractSocket>
#include <QTimer>

#include <optional>

namespace mqs {

class SocketTransport : public Transport
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketTransport)
public:
    explicit SocketTransport(QObject *parent);

    void close() final;
    void abort() final;
    bool isOpen() const final { return m_open && !m_finished; }

protected:
    virtual QAbstractSocket::SocketState socketState() const = 0;
    virtual void abortSocket() = 0;
    // Flush what was written and start closing; the socket reports `disconnected` when done.
    virtual void closeSocketGracefully() = 0;
    // Why a graceful close was turned into a cut after the timeout.
    virtual QString closeTimeoutMessage() const = 0;
    virtual void onConnectTimeout() = 0;

    // open(): forget the last connection and start the connect timeout.
    void beginOpening();
    // Connected and handshaken: stop the timeout, emit opened().
    void becomeOpen();
    // Ends the connection with `ending` unless it is already ending: aborts the socket and
    // reports (the socket's own `disconnected` during the abort is ignored).
    void fail(const TransportClosed &ending);
    // Reports `closed` once.
    void finish(const TransportClosed &closed);
    bool isEnding() const { return m_finished || m_ending.has_value(); }

    QTimer m_connectTimer;
    bool m_open = false;
    bool m_finished = false;
    std::optional<TransportClosed> m_ending; // set by close(), abort() or fail(): how the close will be reported

private:
    QTimer m_closeTimer; // a graceful close that the peer does not let finish becomes a cut
};

} // namespace mqs
