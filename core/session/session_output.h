#pragma once
// What one step of the session produced. The owner applies it in this order:
// 1. commit `store` in one transaction (write-ahead: state before the packets announcing it),
// 2. send `sent` in order, 3. hand `delivered` to the application, 4. close if asked.

#include "flow_records.h"

#include <variant>
#include <vector>

namespace mqs {

// ---- changes to persist -----------------------------------------------------------------

// 5.0 3.1.2.11.2: a Session Expiry Interval of 0xFFFFFFFF means the session does not expire; a
// 3.1.1 Clean Session 0 session is kept the same way.
inline constexpr quint32 kSessionNeverExpires = 0xFFFFFFFF;

// Who the session belongs to and whether the peer keeps state for it.
struct SessionMeta {
    QString clientId{};
    ProtocolVersion version = ProtocolVersion::V5;
    quint32 sessionExpiry = 0; // seconds (3.1.1: 0 = clean session, kSessionNeverExpires = persistent)
    bool established = false; // a CONNACK said the peer keeps this session across connections
    bool operator==(const SessionMeta &) const = default;
};

struct SaveMeta { SessionMeta meta; bool operator==(const SaveMeta &) const = default; };
struct SaveOutbound { OutboundFlow flow; bool operator==(const SaveOutbound &) const = default; };
struct DeleteOutbound { PacketId packetId; bool operator==(const DeleteOutbound &) const = default; };
struct SaveInbound { InboundFlow flow; bool operator==(const SaveInbound &) const = default; };
struct DeleteInbound { PacketId packetId; bool operator==(const DeleteInbound &) const = default; };
// Exactly once to the application: the delivered message goes into the persisted history in the
// same transaction as the inbound flow state (method B: with the id; method A: on PUBREL).
struct RecordDelivery { Delivery delivery; bool operator==(const RecordDelivery &) const = default; };
// Server-side session state the broker keeps beside the flows ([MQTT-4.1.0-1]).
struct SaveSubscription {
    Subscription subscription{};
    quint32 subscriptionIdentifier = 0; // 5.0, 0 = none
    bool operator==(const SaveSubscription &) const = default;
};
struct DeleteSubscription { QString filter{}; bool operator==(const DeleteSubscription &) const = default; };
// The whole session is gone (Clean Start, expiry): meta, flows and subscriptions; the history stays.
struct DeleteSession { bool operator==(const DeleteSession &) const = default; };
// The broker's retained messages (kept under its own key).
struct SaveRetained { ApplicationMessage message{}; bool operator==(const SaveRetained &) const = default; };
struct DeleteRetained { QString topic{}; bool operator==(const DeleteRetained &) const = default; };

using StoreChange = std::variant<SaveMeta, SaveOutbound, DeleteOutbound, SaveInbound, DeleteInbound,
                                 RecordDelivery, SaveSubscription, DeleteSubscription,
                                 SaveRetained, DeleteRetained, DeleteSession>;

// ---- what happened ----------------------------------------------------------------------

// A flow changed state; views and the trace read these.
struct FlowUpdate {
    Direction direction = Direction::Outbound;
    PacketId packetId{};
    FlowState state = FlowState::None;
    quint64 serial = 0; // outbound only: the flow's serial (PublishTicket)
    QString topic{};
    QoS qos = QoS::AtMostOnce;
    ReasonCode reason = ReasonCode::Success;
    int resends = 0;
    QString note{}; // why, when the state is Failed or Abandoned
    bool operator==(const FlowUpdate &) const = default;
};

struct Connected {
    bool sessionPresent = false;
    QString assignedClientId{}; // 5.0: the server chose the client id
    bool operator==(const Connected &) const = default;
};
struct ConnectionRefused {
    ReasonCode reason = ReasonCode::UnspecifiedError;
    QString message{};
    bool operator==(const ConnectionRefused &) const = default;
};
struct SubscribeAcknowledged {
    PacketId packetId{};
    std::vector<Subscription> subscriptions{};
    std::vector<ReasonCode> reasons{}; // granted QoS or failure, one per subscription
    bool operator==(const SubscribeAcknowledged &) const = default;
};
struct UnsubscribeAcknowledged {
    PacketId packetId{};
    std::vector<QString> filters{};
    std::vector<ReasonCode> reasons{}; // empty in 3.1.1
    bool operator==(const UnsubscribeAcknowledged &) const = default;
};
// A SUBSCRIBE or UNSUBSCRIBE that got no answer before the connection closed.
struct RequestUnanswered {
    PacketId packetId{};
    PacketType type = PacketType::Subscribe;
    QString message{};
    bool operator==(const RequestUnanswered &) const = default;
};
// Server role: the broker decides and answers with acknowledgeSubscribe()/acknowledgeUnsubscribe().
struct SubscribeRequested { Subscribe request; bool operator==(const SubscribeRequested &) const = default; };
struct UnsubscribeRequested { Unsubscribe request; bool operator==(const UnsubscribeRequested &) const = default; };
struct SessionResumed { QString message; bool operator==(const SessionResumed &) const = default; };
struct FlowsAbandoned {
    QString message{}; // names every id and topic, so the user sees what was lost
    std::vector<FlowUpdate> flows{};
    bool operator==(const FlowsAbandoned &) const = default;
};
// The peer broke a rule. `rule` always names it: the statement id ("[MQTT-4.3.3-6]"), or the section
// ("section 4.3.3") where the specification numbers no statement. When `closes`, the session ends the
// connection over it (5.0: with a DISCONNECT carrying `reason`); otherwise it answered and kept going.
struct PeerViolation {
    QString rule{};
    QString message{};
    bool closes = false;
    ReasonCode reason = ReasonCode::ProtocolError; // the DISCONNECT's, when it closes
    std::optional<PacketId> packetId{};
    bool operator==(const PeerViolation &) const = default;
};
struct PeerDisconnected {
    ReasonCode reason = ReasonCode::Success;
    QString message{};
    bool willRequested = false; // 5.0 reason 0x04
    bool operator==(const PeerDisconnected &) const = default;
};
struct KeepAliveExpired { QString message; bool operator==(const KeepAliveExpired &) const = default; };
// Our own side asked for what the session cannot do now (not connected, no free packet id, a packet
// above the peer's Maximum Packet Size); nothing was sent.
struct LocalMisuse { QString message; bool operator==(const LocalMisuse &) const = default; };
// Something worth a line in the trace that is nobody's fault.
struct SessionNote { QString message; bool operator==(const SessionNote &) const = default; };

using SessionEvent = std::variant<Connected, ConnectionRefused, SubscribeAcknowledged, UnsubscribeAcknowledged,
                                  RequestUnanswered, SubscribeRequested, UnsubscribeRequested, SessionResumed,
                                  FlowsAbandoned, PeerViolation, PeerDisconnected, KeepAliveExpired, LocalMisuse,
                                  SessionNote>;

struct SessionOutput {
    std::vector<StoreChange> store{};
    Packets sent{};
    std::vector<Delivery> delivered{};
    std::vector<FlowUpdate> flows{};
    std::vector<SessionEvent> events{};
    bool close = false; // close the connection once `sent` is out

    void append(SessionOutput &&other);
    bool isEmpty() const
    {
        return store.empty() && sent.empty() && delivered.empty() && flows.empty() && events.empty() && !close;
    }
};

// The state a step left the flow (direction, id) in, or `fallback` when the step did not touch it.
FlowState stateAfter(const SessionOutput &out, Direction direction, PacketId id, FlowState fallback);

} // namespace mqs
