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

inline Connect connectPacket(ProtocolVersion version = ProtocolVersion::V5, bool cleanStart = true,
                             quint32 sessionExpiry = 0, quint16 keepAlive = 60)
{
    Connect c;
    c.version = version;
    c.cleanStart = cleanStart;
    c.keepAlive = keepAlive;
    c.clientId = QStringLiteral("sensor-1");
    if (version == ProtocolVersion::V5 && sessionExpiry > 0)
        c.properties.set(PropertyId::SessionExpiryInterval, sessionExpiry);
    return c;
}

// CONNECT, then a successful CONNACK: the session is Connected.
inline SessionOutput connectClient(Session &session, ProtocolVersion version = ProtocolVersion::V5,
                                   bool sessionPresent = false, Properties connAckProperties = {},
                                   bool cleanStart = true, quint32 sessionExpiry = 0)
{
    session.connect(connectPacket(version, cleanStart, sessionExpiry), t0);
    return session.receive(ConnAck{sessionPresent, ReasonCode::Success, std::move(connAckProperties)}, t0 + 1ms);
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

inline Publish incoming(PacketId id, QoS qos, const QString &topic = QStringLiteral("sensors/temperature/livingroom"),
                        bool dup = false, const QByteArray &payload = "22.5")
{
    Publish p;
    p.topic = topic;
    p.qos = qos;
    p.dup = dup;
    p.payload = payload;
    if (qos != QoS::AtMostOnce)
        p.packetId = id;
    return p;
}

} // namespace mqs
