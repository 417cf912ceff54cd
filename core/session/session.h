#pragma once
// The sans-IO MQTT session: a value you feed (packets received, user commands, `now`) and
// read (packets to send, deliveries, flow changes, store changes, events). No sockets,
// timers or clocks inside. The same class is the client's session and, in the server role,
// the sandbox broker's session with one client.

#include "inbound_flows.h"
#include "outbound_flows.h"

#include "protocol/decoder.h"

#include <map>

namespace mqs {

enum class SessionRole : quint8 { Client, Server };

// 5.0 3.1.2.11.3, 3.2.2.3.3: a Receive Maximum the peer does not announce is 65,535.
inline constexpr quint16 kDefaultReceiveMaximum = 65535;

struct SessionOptions {
    SessionRole role = SessionRole::Client;
    InboundMethod inboundMethod = InboundMethod::B;
    quint16 receiveMaximum = 65535; // announced (5.0) when below 65,535
    quint32 maximumPacketSize = 0; // announced (5.0) when non-zero; the owner's Decoder enforces it
    quint16 topicAliasMaximum = 10; // inbound aliases we accept (5.0)
    bool useTopicAliases = false; // outbound aliases, when the peer allows them
    int maximumInflight = 65535; // our own send window, below the peer's Receive Maximum
    int maximumQueued = 10000; // messages waiting for quota or for a connection
    std::optional<Millis> pingTimeout; // client: wait this long for PINGRESP (default: the keep alive)
    std::optional<QoS> maximumQoS; // server role: announced in CONNACK and enforced

    bool operator==(const SessionOptions &) const = default;
};

enum class SessionState : quint8 {
    Disconnected,
    Connecting, // client: CONNECT sent, waiting for CONNACK
    Connected,
};

class Session
{
public:
    explicit Session(SessionOptions options = {});

    // State an earlier run persisted (SessionStore::load).
    void restore(const SessionMeta &meta, std::vector<OutboundFlow> outbound, std::vector<InboundFlow> inbound);

    // Client role: send CONNECT. Clean Start discards the session state first (and says what was lost).
    SessionOutput connect(Connect connect, Millis now);
    // Server role: answer a CONNECT the broker has decided on. `ack.sessionPresent` says whether
    // this session resumes; a failing `ack.reason` refuses the connection.
    SessionOutput accept(const Connect &connect, ConnAck ack, Millis now);

    SessionOutput receive(const Packet &packet, Millis now);
    // The peer's bytes did not decode: DISCONNECT with the error's reason (5.0) and close.
    SessionOutput protocolError(const ProtocolError &error, Millis now);

    // `overrides`: what a scenario asks beyond the message (a chosen packet id, a size over the peer's limit).
    [[nodiscard]] PublishResult publish(const ApplicationMessage &message, Millis now, const PublishOverrides &overrides = {});
    // Client role.
    SessionOutput subscribe(std::vector<Subscription> subscriptions, Millis now, Properties properties = {});
    SessionOutput unsubscribe(std::vector<QString> filters, Millis now, Properties properties = {});
    // Server role: the broker's answers to SubscribeRequested / UnsubscribeRequested.
    SessionOutput acknowledgeSubscribe(PacketId id, std::vector<ReasonCode> reasons, Millis now);
    SessionOutput acknowledgeUnsubscribe(PacketId id, std::vector<ReasonCode> reasons, Millis now);

    // We end the connection: DISCONNECT, then close.
    SessionOutput disconnect(Millis now, ReasonCode reason = ReasonCode::Success, Properties properties = {});
    // The transport closed under us. Flows stay for the next connection.
    SessionOutput connectionLost(Millis now);

    // Keep alive: PINGREQ when due (client), dead-connection detection (both roles).
    SessionOutput tick(Millis now);
    // When tick() next has something to do.
    std::optional<Millis> nextDeadline() const;

    SessionState state() const { return m_state; }
    SessionRole role() const { return m_options.role; }
    const SessionOptions &options() const { return m_options; }
    const Link &link() const { return m_link; }
    const SessionMeta &meta() const { return m_meta; }
    quint16 keepAlive() const { return m_keepAlive; } // seconds, after Server Keep Alive
    FlowState flowState(Direction direction, PacketId id) const;
    // The topic `packet` concerns: a PUBLISH's own, or that of the flow its id belongs to (`sent`:
    // whether we send it); empty when it concerns none.
    QString topicOf(const Packet &packet, bool sent) const;
    const OutboundFlows &outbound() const { return m_outbound; }
    const InboundFlows &inbound() const { return m_inbound; }
    InboundFlows &inbound() { return m_inbound; }

private:
    Status checkPeerPacketSize(const Packet &packet) const;
    void resendToServerWithoutSession(Millis now, SessionOutput &out);
    void resend(const QString &headline, Millis now, SessionOutput &out);
    struct PendingRequest {
        PacketType type;
        std::vector<Subscription> subscriptions;
        std::vector<QString> filters;
    };

    void dispatch(const Packet &packet, Millis now, SessionOutput &out);
    void onConnAck(const ConnAck &ack, Millis now, SessionOutput &out);
    QString refusalSentence(const ConnAck &ack) const;
    void announceLimits(Properties &properties) const;
    void adoptPeerLimits(const Properties &properties);
    void onSubAck(const SubAck &ack, SessionOutput &out);
    void onUnsubAck(const UnsubAck &ack, SessionOutput &out);
    // The `request` (SUBSCRIBE or UNSUBSCRIBE) that an `answer` with `id` acknowledges, taken off
    // the pending list with its id freed; or nothing, and a violation saying it answers nothing.
    std::optional<PendingRequest> takePending(PacketId id, PacketType request, PacketType answer, SessionOutput &out);
    void startFlows(bool sessionPresent, Millis now, SessionOutput &out);
    // Drops every unfinished flow, outbound and inbound, each traced with `why`; when any were
    // lost, one FlowsAbandoned event whose message is `sentence` with %1 the list of them.
    void abandonAllFlows(const QString &why, const QString &sentence, Millis now, SessionOutput &out);
    // The peer broke `rule` in a way that ends the connection; receive() closes it.
    void violate(const QString &rule, const QString &message, SessionOutput &out);
    void closeOnViolation(SessionOutput &out);
    void markDisconnected(SessionOutput &out);
    SessionOutput finish(SessionOutput out, Millis now);

    SessionOptions m_options;
    SessionState m_state = SessionState::Disconnected;
    Link m_link;
    SessionMeta m_meta;
    bool m_cleanStartRequested = false;
    quint16 m_keepAlive = 0;
    Millis m_lastSent{0};
    Millis m_lastReceived{0};
    std::optional<Millis> m_pingSentAt;
    OutboundFlows m_outbound;
    InboundFlows m_inbound;
    std::map<quint16, PendingRequest> m_pending; // client: SUBSCRIBE / UNSUBSCRIBE awaiting their ack
};

} // namespace mqs
