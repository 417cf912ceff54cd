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
};

class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual void open() = 0;
    virtual void write(const QByteArray &bytes) = 0;
    // Flush what was written, then close.
    virtual void close() = 0;
    // Close now, dropping unsent bytes, as a network failure would.
    virtual void abort() = 0;
    virtual bool isOpen() const = 0;
    // "tcp 127.0.0.1:1883", "tls broker:8883 (INSECURE: certificate not verified)", "ws host:80/mqtt"
    virtual QString peerDescription() const = 0;

signals:
    void opened();
    void received(const QByteArray &bytes);
    // Emitted once, whoever closed.
    void closed(const mqs::TransportClosed &closed);
};

// The transport for `url`, owned by `parent`; or a sentence saying why not (e.g. a TLS file that
// cannot be read).
std::variant<Transport *, QString> createTransport(const ServerUrl &url, const TlsOptions &tls, QObject *parent);

} // namespace mqs

Q_DECLARE_METATYPE(mqs::TransportClosed)
