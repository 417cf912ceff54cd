#pragma once
// The receiver's half of a session: every PUBLISH the peer sends us. QoS 2 ids are held
// from PUBLISH to PUBREL so a message reaches the application exactly once (method B:
// deliver at once and keep the id; method A: keep the message and deliver on PUBREL).
// Also resolves inbound topic aliases and spots the peer's rule breaking.

#include "link.h"
#include "session_output.h"

#include <QHash>
#include <QSet>

#include <deque>
#include <functional>
#include <map>

namespace mqs {

class InboundFlows
{
public:
    // Decides the reason code of our PUBACK/PUBREC (5.0), e.g. the broker answers 0x10 "No matching
    // subscribers" or 0x87 "Not authorized". A failure (>= 0x80) means: not accepted, not delivered.
    using Acceptance = std::function<ReasonCode(const ApplicationMessage &)>;

    explicit InboundFlows(InboundMethod method) : m_method(method) {}

    InboundMethod method() const { return m_method; }
    void setAcceptance(Acceptance acceptance) { m_acceptance = std::move(acceptance); }

    void onPublish(const Publish &publish, Millis now, const Link &link, SessionOutput &out);
    void onPubRel(const PubRel &rel, Millis now, const Link &link, SessionOutput &out);

    // A new connection: aliases are forgotten.
    void startConnection();
    // Session resumed: the peer must resend PUBREL for our pending ids in their original order.
    void resume();
    // Session not resumed: every inbound flow is abandoned (returned, for the report).
    std::vector<FlowUpdate> discard(const QString &why, SessionOutput &out);

    void restore(std::vector<InboundFlow> flows);

    const InboundFlow *flow(PacketId id) const;
    std::vector<InboundFlow> flows() const; // in arrival order
    int awaitingPubRel() const { return int(m_flows.size()); }

private:
    struct Completed {
        quint16 id;
        QString topic;
        size_t payloadHash;
    };

    // The PUBLISH's topic, through this connection's aliases; nothing after reporting a violation.
    std::optional<QString> resolveTopic(const Publish &publish, const Link &link, SessionOutput &out);
    void receiveQoS1(const ApplicationMessage &message, PacketId id, ReasonCode verdict, Millis now, const Link &link,
                     SessionOutput &out);
    void receiveQoS2(const Publish &publish, const ApplicationMessage &message, Millis now, const Link &link,
                     SessionOutput &out);
    // The reason our PUBACK/PUBREC gives a new message (the acceptance's; always success on 3.1.1).
    ReasonCode verdictOn(const ApplicationMessage &message, const Link &link) const;
    // True (and reported) when a new QoS 2 PUBLISH is one more than our Receive Maximum allows.
    bool exceedsReceiveMaximum(PacketId id, const Link &link, SessionOutput &out) const;
    // The PUBLISH of a flow that still awaits its PUBREL.
    void receiveAgain(InboundFlow &flow, const Publish &publish, const Link &link, SessionOutput &out);
    void rememberRefused(PacketId id);
    // A DUP PUBLISH repeating a message we refused with a failing PUBREC ([MQTT-4.4.0-2]).
    void reportResentAfterRefusal(PacketId id, const QString &topic, SessionOutput &out) const;
    // A DUP PUBLISH repeating a message whose PUBREL already arrived ([MQTT-4.3.3-6]).
    void reportResentAfterPubRel(PacketId id, const QString &topic, const QByteArray &payload, SessionOutput &out) const;
    void deliver(const ApplicationMessage &message, std::optional<PacketId> id, Millis now, bool record,
                 SessionOutput &out) const;
    void update(const InboundFlow &flow, QoS qos, SessionOutput &out, const QString &note = {}) const;

    InboundMethod m_method;
    Acceptance m_acceptance;
    std::map<quint16, InboundFlow> m_flows; // by packet id
    QHash<quint16, size_t> m_payloadHashes; // this run only: to recognise a PUBLISH resent after PUBREL
    std::deque<Completed> m_recentlyCompleted;
    // QoS 2 messages refused with a failing PUBREC (5.0), this run only: a PUBREL or a resend for
    // one of them breaks [MQTT-4.3.3-4] or [MQTT-4.4.0-2]. An id leaves when a new PUBLISH takes it.
    std::deque<quint16> m_recentlyRefused;
    std::vector<quint16> m_resumeOrder; // ids awaiting PUBREL when the session resumed, in arrival order
    QHash<quint32, QString> m_aliases; // alias → topic, this connection only
    // Ids whose PUBLISH arrived on this connection and await PUBREL: what the peer's send quota
    // counts. Flows restored from an earlier connection do not ([MQTT-4.9.0-2]: the quota resets).
    QSet<quint16> m_unacknowledgedThisConnection;
    quint64 m_nextSerial = 1;
};

} // namespace mqs
