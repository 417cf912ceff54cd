#pragma once
// Follows one MQTT connection from outside (a device and a broker the app does not own, seen
// through the proxy or in a capture) and holds both sides to the specification. Sans-IO: fed each
// packet with the side that sent it and the time, it never sends anything, and steps the same
// flow table as the session (session/flow.h), so its flows read like our own.
//
// Driving it: packet() for every packet in the order it crossed, either way; tick() as time passes
// with no packet (live traffic); closed() when the connection or the observation ends. After any
// of them, takeFindings() hands over what was broken. Flows, limits and stalls read at any time.
// Method A or B cannot be seen from outside: flows follow the packets, not the receiver's store.

#include "observed_sessions.h"
#include "observer_rules.h"

#include "protocol/packets.h"
#include "session/flow.h"

#include <QHash>
#include <QSet>

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace mqs {

// What the owner's fault rule (the proxy's) did to a packet before its peer saw it.
enum class Interference : quint8 { Held, Dropped, Delayed, Duplicated };

// A fault rule that acted on the packets observed: findings it may have caused name it rather
// than blame the side that sent them.
struct ObservedFault {
    quint32 ruleId = 0; // the owner's id for the rule; 0: no rule
    QString ruleName{}; // as the owner shows it: "duplicate out PUBLISH client dev-pub limit 1"
    Interference how = Interference::Held;
    bool operator==(const ObservedFault &) const = default;
};

// One rule broken by one side, as a plain value the owner traces or prints.
struct ObservedFinding {
    QString ruleId{}; // "MQTT-4.3.3-4", numbered as the connection's protocol version numbers it
    ObservedSide side = ObservedSide::Client; // who broke it
    QString sentence{}; // what happened, without the rule id or the side
    std::optional<PacketId> packetId{};
    qint64 timeUs = 0;
    // A fault rule acted on this flow (with no flow: on the sender's packets) before it was found:
    // what the side did may answer what the rule did, so the side is not blamed.
    std::optional<ObservedFault> fault{};
    bool madeByFault = false; // the packet that broke the rule is the fault rule's own copy
    // "[MQTT-4.3.3-4] PUBREL for id 7, which got no PUBREC (the client broke it)"
    QString text() const;
    bool blamesSide() const { return !fault.has_value(); }
    bool operator==(const ObservedFinding &) const = default;
};

// An open flow whose next step is overdue.
struct ObservedStall {
    ObservedSide sender = ObservedSide::Client;
    PacketId packetId{};
    QString topic{};
    FlowState state = FlowState::None;
    ObservedSide owedBy = ObservedSide::Broker; // the side that owes the next packet
    qint64 waitedUs = 0;
    // "PUBLISH id 3 on plant/temp (client → broker) waits for PUBREC from the receiver (the broker) for 8.2 s"
    QString sentence{};
};

// What the two sides announced: CONNECT for the client's limits, CONNACK for the broker's.
// Defaults are the specification's when a property is absent.
struct ObservedLimits {
    static constexpr quint16 kDefaultReceiveMaximum = 65535; // 5.0 3.1.2.11.3, 3.2.2.3.3
    bool connectSeen = false;
    bool connAckSeen = false;
    ProtocolVersion version = ProtocolVersion::V5;
    QString clientId{};
    bool cleanStart = true; // 3.1.1: Clean Session
    quint16 keepAliveS = 0; // from CONNECT
    std::optional<quint16> serverKeepAliveS{}; // 5.0 CONNACK Server Keep Alive, which wins
    std::optional<quint32> sessionExpiryS{};
    quint16 clientReceiveMaximum = kDefaultReceiveMaximum; // the broker may have this many in flight to the client
    quint16 brokerReceiveMaximum = kDefaultReceiveMaximum; // the client may have this many in flight to the broker
    std::optional<quint32> clientMaximumPacketSize{}; // the largest packet the broker may send
    std::optional<quint32> brokerMaximumPacketSize{}; // the largest packet the client may send
    quint16 clientTopicAliasMaximum = 0; // the highest alias the broker may use
    quint16 brokerTopicAliasMaximum = 0; // the highest alias the client may use
    QoS maximumQoS = QoS::ExactlyOnce;
    bool retainAvailable = true;
    std::optional<bool> sessionPresent{};
    std::optional<ReasonCode> connAckReason{};

    quint16 effectiveKeepAliveS() const { return serverKeepAliveS.value_or(keepAliveS); }
    // The Receive Maximum that binds PUBLISHes sent by `sender`: its peer's.
    quint16 receiveMaximumFor(ObservedSide sender) const
    {
        return sender == ObservedSide::Client ? brokerReceiveMaximum : clientReceiveMaximum;
    }
};

// Totals over the connection, kept however many finished flows are forgotten.
struct ObservedCounts {
    std::array<quint64, 3> messages{}; // PUBLISHes first sent, by QoS (resends not counted)
    quint64 completed = 0;
    quint64 failed = 0; // refused by a reason >= 0x80, or PUBCOMP 0x92
    quint64 abandoned = 0; // carried from the session's previous connection, which was not resumed
    quint64 carriedIn = 0; // flows the session's previous connection left open, taken over here (resumed or abandoned)
    quint64 resends = 0; // PUBLISH with DUP = 1, PUBREL again
    quint64 violations = 0; // rules broken by a side
    quint64 faultCaused = 0; // findings a fault rule may have caused, not counted as violations
};

// Whether the owner saw the connection begin (the proxy accepted it, a capture holds its SYN).
enum class StreamStart : quint8 {
    Beginning, // the first packet must be CONNECT
    Unknown, // a first packet other than CONNECT means the stream began mid-session
};

enum class KeptFlows : quint8 { All, NotCompleted, None };

struct ObserverOptions {
    StreamStart start = StreamStart::Unknown;
    // How to read acknowledgements until a CONNECT says (a stream that began mid-session).
    ProtocolVersion assumedVersion = ProtocolVersion::V5;
    // Which finished flows finishedFlows() keeps; the others only counts() remember (memory stays
    // bounded by the flows open at once: the analysis of a long capture).
    KeptFlows keepFinished = KeptFlows::All;
    // Where the sessions of earlier connections are kept, so a resumed session is checked for its
    // resends; null: resends are counted but what should have been resent is unknown.
    ObservedSessions *sessions = nullptr;
};

// What packet() made of one packet, for the trace.
struct ObservedStep {
    std::optional<PacketId> packetId{};
    FlowState state = FlowState::None; // the packet's flow after it (None: no flow)
    ObservedSide flowSender = ObservedSide::Client; // the hop of that flow
};

class ConnectionObserver
{
public:
    explicit ConnectionObserver(ObserverOptions options = {});

    // `packet`, whose bytes on the wire are `raw`, crossed from `from` at `nowUs`. `copiedBy`: the
    // packet is a copy the owner's fault rule made of one `from` sent (a duplicate).
    ObservedStep packet(ObservedSide from, const Packet &packet, QByteArrayView raw, qint64 nowUs,
                        const std::optional<ObservedFault> &copiedBy = std::nullopt);
    // The owner's fault rule held, dropped or delayed `packet` that `from` sent, so its peer has not
    // seen it (yet): what follows on that flow, and the order of others past it, may be the rule's doing.
    void interfered(ObservedSide from, const Packet &packet, qint64 nowUs, ObservedFault fault);
    // Time passed with no packet: checks the keep-alive.
    void tick(qint64 nowUs);
    // Without a CONNECT, the packets showed the version (a capture that began mid-session): rules
    // that differ by version follow it from now on. Ignored once a CONNECT said it.
    void learnVersion(ProtocolVersion version)
    {
        if (!m_limits.connectSeen)
            m_limits.version = version;
    }
    // The connection ended, or the observation did: checks that a resumed session resent what it
    // owed, and hands the open flows to the ObservedSessions for the client's next connection.
    void closed(qint64 nowUs);

    // What was broken since the last call, in order.
    [[nodiscard]] std::vector<ObservedFinding> takeFindings();

    const ObservedLimits &limits() const { return m_limits; }
    ProtocolVersion version() const { return m_limits.version; }
    QString clientId() const { return m_limits.clientId; }
    // No CONNECT opened what was observed: the first packet was another one.
    bool startedMidSession() const { return m_midSession; }
    bool isClosed() const { return m_closed; }
    const ObservedCounts &counts() const { return m_counts; }

    // Open flows, in the order they began.
    std::vector<ObservedFlow> openFlows() const;
    const std::deque<ObservedFlow> &finishedFlows() const { return m_finished; }
    // The finished flows kept since the last call; the observer forgets them.
    [[nodiscard]] std::deque<ObservedFlow> takeFinishedFlows() { return std::exchange(m_finished, {}); }
    const ObservedFlow *openFlow(ObservedSide sender, PacketId id) const;
    // The ids `sender` has in flight (PUBLISHed on this connection, not finished), ascending.
    std::vector<PacketId> inFlight(ObservedSide sender) const;
    // How many more QoS > 0 PUBLISHes `sender` may send now (its peer's Receive Maximum less those in flight).
    int sendQuota(ObservedSide sender) const;
    // Open flows whose last step is more than `thresholdUs` before `nowUs`.
    std::vector<ObservedStall> stalls(qint64 nowUs, qint64 thresholdUs) const;

private:
    using FlowKey = quint32; // sender << 16 | packet id
    static FlowKey keyOf(ObservedSide sender, PacketId id) { return quint32(sender) << 16 | id.value; }

    ObservedStep step(ObservedSide from, const Packet &packet, QByteArrayView raw, qint64 nowUs);
    void report(ObservedRule rule, ObservedSide side, QString sentence, std::optional<PacketId> id = {},
                std::optional<ObservedFault> fault = std::nullopt);
    // The fault rule that last acted on the flow `key` in its current generation.
    std::optional<ObservedFault> faultOn(FlowKey key) const;
    std::optional<ObservedFault> faultFor(ObservedRule rule, ObservedSide side, std::optional<PacketId> id) const;
    void checkOrder(ObservedSide from, PacketType type);
    void checkSize(ObservedSide from, PacketType type, QByteArrayView raw);
    void checkKeepAlive(qint64 nowUs);
    void onConnect(const Connect &connect);
    void onConnAck(const ConnAck &connAck);
    void resumeCarriedFlows(bool clientResumes, bool brokerResumes);
    ObservedStep onPublish(ObservedSide from, const Publish &publish);
    void onSubscription(PacketType type, PacketId id);
    void onSubscriptionAck(PacketId id);
    void checkPublishLimits(ObservedSide from, const Publish &publish);
    QString resolveTopic(ObservedSide from, const Publish &publish);
    void onPublishAgain(ObservedFlow &flow, ObservedSide from, const Publish &publish);
    void checkQuota(ObservedSide sender, PacketId id);
    ObservedStep onAcknowledgement(ObservedSide from, PacketType type, PacketId id, ReasonCode reason);
    ObservedStep onAckWithoutFlow(ObservedSide from, PacketType type, PacketId id, ReasonCode reason);
    void reportNoStep(const ObservedFlow &flow, ObservedSide from, PacketType type);
    void checkAckOrder(const ObservedFlow &flow, PacketType type);
    void checkPubRel(ObservedFlow &flow);
    void checkResendOrder(ObservedFlow &flow, PacketType type);
    void recordStep(ObservedFlow &flow, PacketType type, ReasonCode reason, bool resend);
    ObservedFlow &startFlow(ObservedSide sender, PacketId id, QoS qos, QString topic);
    void finish(FlowKey key);
    void countInFlight(ObservedFlow &flow);
    bool historyMayPrecede(ObservedSide sender) const;
    QString flowName(const ObservedFlow &flow) const;

    ObserverOptions m_options;
    ObservedLimits m_limits;
    ObservedCounts m_counts;
    std::vector<ObservedFinding> m_findings;
    qint64 m_nowUs = 0;
    bool m_firstPacket = true;
    bool m_midSession = false;
    bool m_closed = false;
    bool m_clientSpoke = false;
    bool m_brokerSpoke = false;
    std::array<bool, 2> m_disconnected{}; // by side: sent DISCONNECT
    std::optional<qint64> m_lastClientPacketUs;
    bool m_keepAliveReported = false;
    std::map<FlowKey, ObservedFlow> m_open;
    std::deque<ObservedFlow> m_finished;
    QHash<FlowKey, int> m_generations;
    quint64 m_nextOrder = 0;
    QSet<quint16> m_subscriptionIds; // SUBSCRIBE and UNSUBSCRIBE awaiting their SUBACK / UNSUBACK
    std::array<QHash<quint32, QString>, 2> m_aliases; // by sending side: alias → topic, this connection only
    // Carried from the client's previous connection and owed again: ids in the order they must come.
    std::array<std::vector<quint16>, 2> m_owedPublishes; // by sender
    std::array<std::vector<quint16>, 2> m_owedPubRels; // by sender
    std::optional<ObservedSession> m_previous;
    std::array<int, 2> m_inFlight{}; // by sender: open flows whose PUBLISH crossed here
    struct FlowFault {
        ObservedFault fault;
        int generation = 0; // the flow it acted on; a new message with the id is a flow of its own
    };
    QHash<FlowKey, FlowFault> m_faults;
    std::optional<ObservedFault> m_copiedBy; // while packet() reads a fault rule's copy
    std::optional<std::pair<ObservedFault, qint64>> m_clientPacketWithheld; // the last, and when
};

} // namespace mqs
