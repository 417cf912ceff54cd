#pragma once
// Helpers for driving a sans-IO Session in tests: a fake clock and the handshakes that
// every test needs before it gets to its point.

#include "protocol/describe.h"
#include "protocol/encoder.h"
#include "session/session.h"

#include <QStringList>
#include <QTest>

#include <chrono>
#include <set>

namespace mqs {

using namespace std::chrono_literals;

inline const Millis t0{1'000'000};

inline QString describePackets(const Packets &packets)
{
    QStringList lines;
    for (const Packet &p : packets)
        lines << describe(p);
    return QStringLiteral("[") + lines.join(QStringLiteral("; ")) + QStringLiteral("]");
}

// For QCOMPARE, which frees it. A QVERIFY2 message takes qPrintable(describePackets(...)):
// nothing frees this one there.
inline char *toString(const Packets &packets)
{
    return QTest::toString(describePackets(packets));
}

inline ApplicationMessage reading(const QString &topic, QoS qos, const QByteArray &payload = "22.5")
{
    ApplicationMessage m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    return m;
}

// The CONNECT fields a test varies, named at the call site: connectPacket({.cleanStart = false}).
struct ConnectOptions {
    ProtocolVersion version = ProtocolVersion::V5;
    bool cleanStart = true;
    quint32 sessionExpiry = 0; // 5.0 Session Expiry Interval, sent when non-zero
    quint16 keepAlive = 60;
};

inline Connect connectPacket(ConnectOptions options = {})
{
    Connect c;
    c.version = options.version;
    c.cleanStart = options.cleanStart;
    c.keepAlive = options.keepAlive;
    c.clientId = QStringLiteral("sensor-1");
    if (options.version == ProtocolVersion::V5 && options.sessionExpiry > 0)
        c.properties.set(PropertyId::SessionExpiryInterval, options.sessionExpiry);
    return c;
}

// A client handshake: what its CONNECT asks for and what the CONNACK answers.
struct Handshake {
    ProtocolVersion version = ProtocolVersion::V5;
    bool cleanStart = true;
    quint32 sessionExpiry = 0;
    bool sessionPresent = false; // the CONNACK's
    Properties connAckProperties{};
};

// CONNECT, then a successful CONNACK: the session is Connected.
inline SessionOutput connectClient(Session &session, Handshake handshake = {})
{
    (void)session.connect(connectPacket({.version = handshake.version,
                                         .cleanStart = handshake.cleanStart,
                                         .sessionExpiry = handshake.sessionExpiry}),
                          t0);
    return session.receive(ConnAck{handshake.sessionPresent, ReasonCode::Success, std::move(handshake.connAckProperties)},
                           t0 + 1ms);
}

template<typename E>
const E *findEvent(const SessionOutput &out)
{
    for (const SessionEvent &e : out.events)
        if (const auto *found = std::get_if<E>(&e))
            return found;
    return nullptr;
}

// The first peer violation that ends the connection, or that the session answers and lets pass.
inline const PeerViolation *findViolation(const SessionOutput &out, bool closes)
{
    for (const SessionEvent &e : out.events)
        if (const auto *found = std::get_if<PeerViolation>(&e); found && found->closes == closes)
            return found;
    return nullptr;
}
inline const PeerViolation *findClosingViolation(const SessionOutput &out) { return findViolation(out, true); }
inline const PeerViolation *findToleratedViolation(const SessionOutput &out) { return findViolation(out, false); }

template<typename E>
int countEvents(const SessionOutput &out)
{
    int n = 0;
    for (const SessionEvent &e : out.events)
        n += std::holds_alternative<E>(e) ? 1 : 0;
    return n;
}

// The PUBLISH fields a test varies beyond its id and QoS: incoming(7, QoS::ExactlyOnce, {.dup = true}).
struct IncomingOptions {
    QString topic = QStringLiteral("sensors/temperature/livingroom");
    bool dup = false;
    QByteArray payload = "22.5";
};

inline Publish incoming(PacketId id, QoS qos, IncomingOptions options = {})
{
    Publish p;
    p.topic = options.topic;
    p.qos = qos;
    p.dup = options.dup;
    p.payload = options.payload;
    if (qos != QoS::AtMostOnce)
        p.packetId = id;
    return p;
}

} // namespace mqs
