#pragma once
// The sender's half of a session: every QoS 1 and 2 message we publish, from Queued to
// Complete, with the packet-id allocator, the send quota (peer's Receive Maximum), the
// queue behind it, resend on resume, and outbound topic aliases.

#include "link.h"
#include "packet_id_allocator.h"
#include "session_output.h"
#include "protocol/result.h"

#include <QHash>

#include <map>
#include <set>

namespace mqs {

struct PublishTicket {
    quint64 serial = 0; // 0 for QoS 0 messages, which have no flow
    std::optional<PacketId> packetId;
};

// What publish() answers: the ticket, or the Problem that kept the message from being accepted
// (then `output` is empty).
struct PublishResult {
    Result<PublishTicket> ticket = PublishTicket{};
    SessionOutput output{};
};

inline PublishResult refused(Problem why)
{
    return PublishResult{.ticket = std::move(why)};
}

// What a scenario may ask of one PUBLISH beyond its message; the window and the CLI's publish
// never set these.
struct PublishOverrides {
    // This packet id rather than the allocator's next one (QoS 1 and 2). A client may pick any id
    // that is unused ([MQTT-2.2.1-3]; 3.1.1 [MQTT-2.3.1-2]), e.g. one whose flow just completed.
    std::optional<PacketId> packetId{};
    // Sends a QoS 0 PUBLISH even when it is larger than the peer's Maximum Packet Size: breaks
    // [MQTT-3.2.2-15] on purpose, so that the probe sees whether a broker enforces its own limit.
    bool exceedPeerMaximumPacketSize = false;
};

class OutboundFlows
{
public:
    struct Options {
        int maximumInflight = 65535; // our own bound, below the peer's Receive Maximum
        int maximumQueued = 10000; // messages waiting for quota or for a connection
        bool useTopicAliases = false; // send aliases when the peer allows them
    };

    explicit OutboundFlows(Options options) : m_options(options) {}

    // Accepts a message: QoS 0 goes out now (or is refused when offline); QoS 1/2 becomes a
    // flow that is stored, then sent as soon as the quota allows.
    PublishResult publish(const ApplicationMessage &message, Millis now, const Link &link,
                          const PublishOverrides &overrides = {});
    // Sends what waits (resends first, in original order) while the quota allows.
    void pump(Millis now, const Link &link, SessionOutput &out);

    // Acknowledgements from the peer. Unknown ids are answered as the spec says and reported.
    void onPubAck(const PubAck &ack, Millis now, const Link &link, SessionOutput &out);
    void onPubRec(const PubRec &rec, Millis now, const Link &link, SessionOutput &out);
    void onPubComp(const PubComp &comp, Millis now, const Link &link, SessionOutput &out);

    // A new connection: the quota resets to the peer's Receive Maximum; aliases are forgotten.
    void startConnection(const Link &link);
    // Session resumed (Session Present = 1): resend PUBREL and PUBLISH (DUP = 1) in original order.
    void resume(Millis now, const Link &link, SessionOutput &out);
    // Session not resumed: flows that reached the wire are abandoned (returned, for the report);
    // queued ones stay.
    std::vector<FlowUpdate> abandonSent(const QString &why, Millis now, SessionOutput &out);

    void restore(std::vector<OutboundFlow> flows);

    // Ids for SUBSCRIBE / UNSUBSCRIBE come from the same set as PUBLISH ids.
    std::optional<PacketId> allocateId() { return m_ids.allocate(); }
    void releaseId(PacketId id) { m_ids.release(id); }
    bool isIdInUse(PacketId id) const { return m_ids.isInUse(id); }

    const OutboundFlow *flow(PacketId id) const;
    std::vector<OutboundFlow> flows() const; // in serial order
    int sendQuota() const { return m_quota; }
    int inflight() const; // flows on the wire and not finished
    int queued() const;

private:
    OutboundFlow *find(PacketId id);
    void finish(OutboundFlow &flow, FlowEvent event, ReasonCode reason, Millis now, const QString &note,
                SessionOutput &out);
    void transmit(OutboundFlow &flow, Millis now, const Link &link, SessionOutput &out);
    using PendingAlias = std::optional<std::pair<QString, quint16>>; // topic → alias a PUBLISH introduces
    Publish wirePublish(const OutboundFlow &flow, Millis now, const Link &link, bool resend,
                        PendingAlias &newAlias) const;
    void registerAlias(const PendingAlias &alias);
    // User-set 5.0 properties a client may never send, or not to this peer (alias limits).
    Status checkProperties(const ApplicationMessage &message, const Link &link) const;
    // What the CONNACK forbids: QoS above Maximum QoS, retain without Retain Available, aliases.
    Status checkPeerLimits(const ApplicationMessage &message, const Link &link) const;
    // [MQTT-4.3.3-4] PUBREL with the PUBREC's id: after a PUBREC, or resent on resume.
    void sendPubRel(OutboundFlow &flow, SessionOutput &out);
    // Acknowledgements the table has no step for: what the peer did wrong, answered as the spec says.
    void reportStrayPubAck(const PubAck &ack, const OutboundFlow *flow, SessionOutput &out) const;
    void reportStrayPubRec(const PubRec &rec, const OutboundFlow *flow, const Link &link, SessionOutput &out) const;
    void update(const OutboundFlow &flow, SessionOutput &out, const QString &note = {}) const;
    // Whether `publish` can be encoded and (unless `exceedPeerLimit`) fits the peer's Maximum Packet Size.
    Status checkSize(const Publish &publish, const Link &link, bool exceedPeerLimit = false) const;
    // Whether `message` may be sent as `overrides` ask (before any limit of the peer is read).
    static Status checkOverrides(const ApplicationMessage &message, const PublishOverrides &overrides);
    PublishResult publishAtMostOnce(const ApplicationMessage &message, Millis now, const Link &link, bool exceedSize);
    // The id a new flow takes: the one asked for if it is unused, else the allocator's next.
    Result<PacketId> takeId(const PublishOverrides &overrides);

    Options m_options;
    PacketIdAllocator m_ids;
    std::map<quint64, OutboundFlow> m_flows; // by serial: original order
    QHash<quint16, quint64> m_serialById;
    quint64 m_nextSerial = 1;
    int m_quota = 65535;
    QHash<QString, quint16> m_aliases; // topic → alias, this connection only ([MQTT-3.3.2-7])
    std::vector<quint64> m_resendPending; // serials to resend once quota allows, in order
    std::set<quint64> m_queued; // serials never sent yet, in order
    std::vector<quint64> m_pubRecOrder; // serials past PUBREC, in the order the PUBRECs arrived
    std::set<quint64> m_quotaHolders; // serials whose PUBLISH took a unit of send quota on this connection
};

} // namespace mqs
