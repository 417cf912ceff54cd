#pragma once
// Records what a Transport signals (opened, bytes, closed) and reads MQTT packets out of the
// bytes, so a test can say "open, send CONNECT, see CONNACK, see the close" in a few lines.

#include "protocol/decoder.h"
#include "protocol/encoder.h"
#include "transport/transport.h"

#include <QObject>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

namespace mqs::test {

struct TransportProbe {
    explicit TransportProbe(Transport *transport, ProtocolVersion version = ProtocolVersion::V5)
        : transport(transport), decoder(version)
    {
        QObject::connect(transport, &Transport::opened, &context, [this] { ++opened; });
        QObject::connect(transport, &Transport::received, &context, [this](const QByteArray &chunk) {
            bytes += chunk;
            decoder.feed(chunk);
        });
        QObject::connect(transport, &Transport::closed, &context, [this](const TransportClosed &c) {
            closed.push_back(c);
            bytesAtClose = bytes;
        });
    }

    // The next whole packet received within `timeoutMs`, or nothing.
    std::optional<Packet> nextPacket(int timeoutMs = 5000)
    {
        std::optional<Packet> packet;
        const bool done = QTest::qWaitFor(
            [&] {
                auto result = decoder.next();
                if (auto *decoded = std::get_if<DecodedPacket>(&result))
                    packet = decoded->packet;
                return packet.has_value() || std::holds_alternative<ProtocolError>(result) || !closed.empty();
            },
            timeoutMs);
        return done ? packet : std::nullopt;
    }

    // Sends a CONNECT and returns the CONNACK the peer answered with, if any.
    std::optional<ConnAck> connect(const QString &clientId, ProtocolVersion version = ProtocolVersion::V5)
    {
        Connect c;
        c.version = version;
        c.clientId = clientId;
        transport->write(encode(c, version));
        const auto packet = nextPacket();
        if (!packet || !std::holds_alternative<ConnAck>(*packet))
            return std::nullopt;
        return std::get<ConnAck>(*packet);
    }

    bool waitOpened(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return opened > 0 || !closed.empty(); }, timeoutMs) && opened > 0;
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor([&] { return !closed.empty(); }, timeoutMs);
    }
    QString closeMessage() const { return closed.empty() ? QStringLiteral("(not closed)") : closed.front().message; }

    // Opens the transport and waits for it to fail: never opened, closed once, as an error.
    // Returns that failure's sentence, or what happened instead in parentheses, for QCOMPARE.
    QString openExpectingFailure(int timeoutMs = 5000)
    {
        transport->open();
        if (!waitClosed(timeoutMs))
            return QStringLiteral("(not closed within %1 ms)").arg(timeoutMs);
        if (opened != 0)
            return QStringLiteral("(it opened before closing: %1)").arg(closed.front().message);
        if (closed.size() != 1)
            return QStringLiteral("(closed() came %1 times)").arg(closed.size());
        if (!closed.front().error)
            return QStringLiteral("(closed without an error: %1)").arg(closed.front().message);
        return closed.front().message;
    }

    Transport *transport;
    Decoder decoder;
    QObject context;
    int opened = 0;
    QByteArray bytes;
    QByteArray bytesAtClose; // what had arrived when closed() came
    std::vector<TransportClosed> closed;
};

// Makes the transport for `url` (which must be valid) or fails the test with the reason.
inline Transport *makeTransport(const QString &url, const TlsOptions &tls, QObject *parent, QString *error = nullptr)
{
    const auto parsed = ServerUrl::parse(url);
    if (!parsed) {
        if (error)
            *error = parsed.sentence();
        return nullptr;
    }
    auto created = createTransport(*parsed, tls, parent);
    if (!created) {
        if (error)
            *error = created.sentence();
        return nullptr;
    }
    return *created;
}

} // namespace mqs::test
