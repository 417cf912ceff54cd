#pragma once
// One event of the trace: a packet that crossed (or was held or dropped at) a connection
// boundary, or something that happened to the connection itself. Every view and export
// reads these from the TraceLog; nothing keeps a second copy.

#include "protocol/types.h"
#include "session/flow.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace mqs {

// Identifies one traced connection (a lane end): a client Connection, or one client as the
// sandbox broker serves it. Registered in the TraceLog with a TraceConnection record.
using ConnectionId = quint32;

enum class TraceKind : quint8 {
    Packet = 0, // raw holds the packet's bytes
    Opened, // transport connected (note: "tcp 127.0.0.1:1883")
    Closed, // orderly close (note says who closed and why)
    Cut, // connection lost or cut on purpose (fault rule, kill); note says why
    SessionResumed, // CONNACK Session Present = 1: note lists what is resent
    FlowsAbandoned, // Session Present = 0 while flows were open: note lists ids and topics
    Violation, // the peer broke a rule; note names it ("[MQTT-4.3.3-6] PUBLISH resent after PUBREL")
    Note, // anything else worth a line in the trace
};

// From the point of view of the connection that records the event.
enum class TraceDirection : quint8 { Sent = 0, Received = 1 };

// What a fault rule did to the packet. A held packet is traced when held and again,
// marked Released, when it finally crosses; a dropped one is traced once, marked Dropped.
enum class TraceMark : quint8 { None = 0, Held, Released, Dropped, Delayed, Duplicated };

struct TraceEvent {
    quint64 sequence = 0; // assigned by the TraceLog, starting at 0
    qint64 timeUs = 0; // monotonic microseconds since the TraceLog's epoch
    ConnectionId connection = 0;
    TraceKind kind = TraceKind::Packet;
    TraceDirection direction = TraceDirection::Sent;
    PacketType type = PacketType::Publish; // meaningful for kind == Packet
    PacketId packetId{}; // 0 when the packet has none
    FlowState flowState = FlowState::None; // the flow's state after this packet
    TraceMark mark = TraceMark::None;
    quint32 ruleId = 0; // the fault rule behind `mark`, 0 for none
    QByteArray raw{}; // the packet's bytes, fixed header included
    QString note{}; // for non-packet kinds and violations

    bool operator==(const TraceEvent &) const = default;
};

// Who a traced connection is, so views can draw lanes and exports can synthesize addresses.
enum class ConnectionRole : quint8 {
    Client = 0, // one of the app's own client connections; its peer is a broker
    BrokerSide = 1, // the sandbox broker's end of a connection to one client
    // A connection between a device and a broker that the app does not own, seen through the
    // proxy or in a capture. Recorded from the device's side: Sent = device → broker.
    Observed = 2,
};

// Whether a connection's events are recorded from its client's end (Sent = toward the broker).
inline bool recordedAtClient(ConnectionRole role)
{
    return role != ConnectionRole::BrokerSide;
}

struct TraceConnection {
    ConnectionId id = 0;
    ConnectionRole role = ConnectionRole::Client;
    QString name{}; // "living-room sensor", "broker ⇄ dashboard"
    QString clientId{}; // MQTT client identifier, once known
    QString localParty{}; // lane of the recording side: the connection's name, or "sandbox broker"
    QString remoteParty{}; // lane of the other side: "broker 127.0.0.1:1883", or the client's name
    ProtocolVersion version = ProtocolVersion::V5;
    // A recording that ended (a capture played in, or stopped): the trace time of its end. Its
    // flows still open waited until then, not until the wall clock's now; -1 while it goes on.
    qint64 recordingEndUs = -1;
    // A capture played in from a file keeps its own clock: its events stand in the trace from
    // when the file was opened, and the time the capture recorded (µs since the epoch) is the
    // trace time plus this. Unset for traffic traced as it happened (the trace clock's epoch).
    std::optional<qint64> capturedWallOffsetUs{};
    bool operator==(const TraceConnection &) const = default;
};

} // namespace mqs
