#pragma once
// A byte pipe to one peer: TCP, TLS or WebSocket. It knows nothing of MQTT; the Connection
// and the sandbox broker put packets through it.

#include "server_url.h"

#include <QObject>

#include <variant>

namespace mqs {

struct TransportClosed {
    bool error = false; // refused, reset, TLS failure, timeout: not an orderly close
    bool byPeer = false; // the other side closed or failed; false when we closed
    QString message; // a sentence for the user
    // What kind of failure an error close is: Tls for the handshake or the broker's certificate,
    // Network for the rest. The front end chooses its advice by it.
    ProblemKind kind = ProblemKind::Network;
};

// The pipe's life: open() -> opened() -> received()... -> closed(), exactly one closed() per open(),
// whether it never opened (refused, timeout, TLS failure), we closed or cut it, or the peer did.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts connecting (TCP connect, TLS and WebSocket handshakes); opened() or closed() follows.
    virtual void open() = 0;
    // Sends bytes once open; before opened() or after closed() they are dropped.
    virtual void write(const QByteArray &bytes) = 0;
    // Sends bytes now rather than at the event loop's next turn, in one system call where the
    // transport can (plain TCP with nothing queued before them); what the kernel does not take
    // at once is queued as write() queues it, so the order holds. For a caller that gathers a
    // turn's bytes itself (the proxy), it saves arming and disarming a write notifier per turn.
    virtual void writeNow(const QByteArray &bytes) { write(bytes); }
    // Flush what was written, then close; closed() follows (at once if nothing was open).
    virtual void close() = 0;
    // Close now, dropping unsent bytes, as a network failure would; closed() is emitted before
    // abort() returns, marked as an error by us.
    virtual void abort() = 0;
    virtual bool isOpen() const = 0;
    // Bytes the peer sent that received() has not handed on yet (in our socket's buffer or the
    // kernel's): the reader is behind by that much. 0 where the transport cannot tell (WebSocket).
    virtual qint64 unreadBytes() const { return 0; }
    // "tcp 127.0.0.1:1883", "tls broker:8883 (INSECURE: certificate not verified)", "ws host:80/mqtt"
    virtual QString peerDescription() const = 0;

    // How long open() may take, handshakes included, before closed() reports a timeout.
    void setConnectTimeout(int ms) { m_connectTimeoutMs = ms; }
    int connectTimeout() const { return m_connectTimeoutMs; }

signals:
    void opened();
    void received(const QByteArray &bytes);
    // Emitted once, whoever closed.
    void closed(const mqs::TransportClosed &closed);

protected:
    int m_connectTimeoutMs = 10000;
};

// The transport for `url` (TcpTransport or WebSocketTransport), owned by `parent`; or a problem
// saying why not (e.g. a TLS file that is missing or not PEM), before any connection is tried.
Result<Transport *> createTransport(const ServerUrl &url, const TlsOptions &tls, QObject *parent);

} // namespace mqs

Q_DECLARE_METATYPE(mqs::TransportClosed)
