#include "outbound_flows.h"

#include "protocol/encoder.h"
#include "protocol/topic.h"

#include <algorithm>

namespace mqs {
namespace {

FlowEvent publishEvent(QoS qos)
{
    return qos == QoS::AtLeastOnce ? FlowEvent::PublishQoS1 : FlowEvent::PublishQoS2;
}

// The event an acknowledgement is; 3.1.1 acknowledgements carry no reason.
FlowEvent ackEvent(PacketType type, ReasonCode reason, const Link &link)
{
    return flowEventOf(type, QoS::ExactlyOnce, link.isV5() ? reason : ReasonCode::Success);
}

} // namespace

const OutboundFlow *OutboundFlows::flow(PacketId id) const
{
    const auto serial = m_serialById.constFind(id.value);
    if (serial == m_serialById.constEnd())
        return nullptr;
    const auto it = m_flows.find(*serial);
    return it == m_flows.end() ? nullptr : &it->second;
}

OutboundFlow *OutboundFlows::find(PacketId id)
{
    return const_cast<OutboundFlow *>(std::as_const(*this).flow(id));
}

std::vector<OutboundFlow> OutboundFlows::flows() const
{
    std::vector<OutboundFlow> list;
    list.reserve(m_flows.size());
    for (const auto &[serial, f] : m_flows)
        list.push_back(f);
    return list;
}

int OutboundFlows::inflight() const
{
    return int(m_flows.size() - m_queued.size());
}

int OutboundFlows::queued() const
{
    return int(m_queued.size());
}

void OutboundFlows::update(const OutboundFlow &f, SessionOutput &out, const QString &note) const
{
    out.flows.push_back(FlowUpdate{Direction::Outbound, f.packetId, f.state, f.serial, f.message.topic, f.message.qos,
                                   f.reason, std::max(0, f.sends - 1), note});
}

Status OutboundFlows::checkSize(const Publish &publish, const Link &link, bool exceedPeerLimit) const
{
    if (const Status problem = checkEncodable(publish, link.version); !problem)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The message cannot be encoded: %1.").arg(problem.sentence())};
    if (link.peerMaximumPacketSize == 0 || exceedPeerLimit)
        return {};
    const auto size = quint32(encode(publish, link.version).size());
    if (size <= link.peerMaximumPacketSize)
        return {};
    return Problem{ProblemKind::Limit, QStringLiteral("The PUBLISH to '%1' is %2 bytes, but the peer accepts at most %3 bytes (Maximum Packet Size) "
                          "([MQTT-3.2.2-15] toward a server, [MQTT-3.1.2-24] toward a client). Send a smaller payload.")
        .arg(publish.topic)
        .arg(size)
        .arg(link.peerMaximumPacketSize)};
}

Status OutboundFlows::checkOverrides(const ApplicationMessage &message, const PublishOverrides &overrides)
{
    if (overrides.exceedPeerMaximumPacketSize && message.qos != QoS::AtMostOnce)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Only a QoS 0 message may go over the peer's Maximum Packet Size: a QoS 1 "
                                                                 "or 2 one would stay in the session to be resent. Publish it at QoS 0.")};
    if (overrides.packetId && (message.qos == QoS::AtMostOnce || !overrides.packetId->isValid()))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("A packet id is chosen only for QoS 1 and 2, and it is never 0 "
                                                                 "([MQTT-2.2.1-2], [MQTT-2.2.1-3]).")};
    return {};
}

PublishResult OutboundFlows::publish(const ApplicationMessage &message, Millis now, const Link &link, const PublishOverrides &overrides)
{
    PublishResult result;
    if (Status topic = checkTopicName(message.topic); !topic)
        return refused(topic.problem());
    if (Status asked = checkOverrides(message, overrides); !asked)
        return refused(asked.problem());
    if (Status properties = checkProperties(message, link); !properties)
        return refused(properties.problem());
    if (Status limits = checkPeerLimits(message, link); !limits && link.connected)
        return refused(limits.problem());
    Publish plain = toPublish(message);
    if (message.qos != QoS::AtMostOnce)
        plain.packetId = PacketId(1); // placeholder for the size check
    if (Status size = checkSize(plain, link, overrides.exceedPeerMaximumPacketSize); !size)
        return refused(size.problem());
    if (message.qos == QoS::AtMostOnce)
        return publishAtMostOnce(message, now, link, overrides.exceedPeerMaximumPacketSize);

    if (queued() >= m_options.maximumQueued)
        return refused({ProblemKind::Limit,
                        QStringLiteral("%1 messages are already waiting to be sent (the queue limit). Wait for them to "
                                       "go out, or raise the limit.")
                            .arg(queued())});
    const Result<PacketId> id = takeId(overrides);
    if (!id)
        return refused(id.problem());
    OutboundFlow f;
    f.serial = m_nextSerial++;
    f.packetId = *id;
    f.message = message;
    f.state = followFlow(FlowState::None, {FlowEvent::Accepted});
    f.createdAt = now;
    m_serialById.insert(id->value, f.serial);
    m_queued.insert(f.serial);
    // Write-ahead: the flow is stored before its PUBLISH can reach the wire.
    result.output.store.push_back(SaveOutbound{f});
    update(f, result.output);
    m_flows.emplace(f.serial, std::move(f));
    result.ticket = PublishTicket{m_flows.rbegin()->first, *id};
    pump(now, link, result.output);
    return result;
}

PublishResult OutboundFlows::publishAtMostOnce(const ApplicationMessage &message, Millis now, const Link &link, bool exceedSize)
{
    if (!link.connected)
        return refused({ProblemKind::State,
                        QStringLiteral("Not connected: a QoS 0 message is sent at once or not at all, so it was not "
                                       "queued. Connect first, or publish at QoS 1 or 2 to queue it.")});
    OutboundFlow transient;
    transient.message = message;
    transient.createdAt = now; // [MQTT-3.3.2-6] a QoS 0 message has waited no time at all
    PendingAlias alias;
    Publish wire = wirePublish(transient, now, link, false, alias);
    if (Status size = checkSize(wire, link, exceedSize); !size)
        return refused(size.problem());
    registerAlias(alias);
    PublishResult result;
    result.output.sent.push_back(std::move(wire));
    return result;
}

Result<PacketId> OutboundFlows::takeId(const PublishOverrides &overrides)
{
    if (overrides.packetId) {
        if (m_ids.isInUse(*overrides.packetId))
            return Problem{ProblemKind::State, QStringLiteral("Packet id %1 is in use by an unfinished flow; a new message takes an "
                                                              "unused one ([MQTT-2.2.1-3]; 3.1.1 [MQTT-2.3.1-2]).")
                                                   .arg(overrides.packetId->value)};
        m_ids.reserve(*overrides.packetId);
        return *overrides.packetId;
    }
    if (const auto id = m_ids.allocate())
        return *id;
    return Problem{ProblemKind::Limit,
                   QStringLiteral("All 65,535 packet identifiers are in use by unfinished flows [MQTT-2.2.1-3] [MQTT-2.2.1-4]; 3.1.1 [MQTT-2.3.1-2]; "
                                  "wait for some to complete.")};
}

Status OutboundFlows::checkProperties(const ApplicationMessage &message, const Link &link) const
{
    const auto alias = message.properties.integer(PropertyId::TopicAlias);
    if (alias && *alias == 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Topic Alias 0 is not allowed [MQTT-3.3.2-8]. Use an alias from 1 up to the broker's "
                              "Topic Alias Maximum, or none.")};
    if (alias && link.connected && link.peerTopicAliasMaximum == 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The broker announced no Topic Alias Maximum, so it accepts no topic aliases "
                              "[MQTT-3.2.2-18]. Remove the Topic Alias.")};
    if (alias && link.connected && *alias > link.peerTopicAliasMaximum)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Topic Alias %1 is above the broker's Topic Alias Maximum of %2 [MQTT-3.2.2-17]. Use an "
                              "alias from 1 to %2.")
            .arg(*alias)
            .arg(link.peerTopicAliasMaximum)};
    if (link.peerIsServer && message.properties.contains(PropertyId::SubscriptionIdentifier))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("A client's PUBLISH must not carry a Subscription Identifier [MQTT-3.3.4-6]; the broker "
                              "adds them when it forwards. Remove it.")};
    return {};
}

Status OutboundFlows::checkPeerLimits(const ApplicationMessage &message, const Link &link) const
{
    if (link.peerMaximumQoS && message.qos > *link.peerMaximumQoS)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The broker accepts at most QoS %1 (CONNACK Maximum QoS), but this message asks for QoS "
                              "%2 [MQTT-3.2.2-11]. Publish at QoS %1.")
            .arg(qosValue(*link.peerMaximumQoS))
            .arg(qosValue(message.qos))};
    if (message.retain && !link.peerRetainAvailable)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The broker does not keep retained messages (CONNACK Retain Available = 0) "
                              "[MQTT-3.2.2-14]. Clear the retain flag.")};
    return checkProperties(message, link);
}

void OutboundFlows::registerAlias(const PendingAlias &alias)
{
    if (alias)
        m_aliases.insert(alias->first, alias->second);
}

Publish OutboundFlows::wirePublish(const OutboundFlow &f, Millis now, const Link &link, bool resend,
                                   PendingAlias &newAlias) const
{
    Publish p = toPublish(f.message);
    if (f.message.qos != QoS::AtMostOnce)
        p.packetId = f.packetId;
    p.dup = resend; // [MQTT-3.3.1-1] DUP = 1 on re-delivery, [MQTT-3.3.1-2] never on QoS 0
    if (!link.isV5())
        return p;
    // [MQTT-3.3.2-6] the Message Expiry Interval counts down while the message waits.
    if (const auto expiry = p.properties.integer(PropertyId::MessageExpiryInterval)) {
        const Millis waited = (resend ? f.publishedAt : now) - f.createdAt;
        const auto elapsed = quint32(std::max<qint64>(0, waited.count() / 1000));
        p.properties.set(PropertyId::MessageExpiryInterval, quint32(*expiry > elapsed ? *expiry - elapsed : 1));
    }
    // Aliases live for one connection; a resent PUBLISH carries its full topic ([MQTT-3.3.2-7]).
    // A new alias is registered only once the PUBLISH that introduces it passed the size check
    // (registerAlias), so no later PUBLISH uses an alias the peer never saw.
    const bool userAlias = p.properties.contains(PropertyId::TopicAlias);
    if (m_options.useTopicAliases && link.peerTopicAliasMaximum > 0 && !resend && !userAlias) {
        if (const auto alias = m_aliases.constFind(p.topic); alias != m_aliases.constEnd()) {
            p.properties.set(PropertyId::TopicAlias, quint32(*alias));
            p.topic.clear();
        } else if (m_aliases.size() < link.peerTopicAliasMaximum) {
            const auto next = quint16(m_aliases.size() + 1);
            newAlias = std::make_pair(p.topic, next);
            p.properties.set(PropertyId::TopicAlias, quint32(next));
        }
    }
    return p;
}

void OutboundFlows::transmit(OutboundFlow &f, Millis now, const Link &link, SessionOutput &out)
{
    const bool resend = f.sends > 0;
    PendingAlias alias;
    Publish p = wirePublish(f, now, link, resend, alias);
    if (const Status size = checkSize(p, link); !size) {
        finish(f, FlowEvent::NotSent, ReasonCode::PacketTooLarge, now, size.sentence(), out);
        return;
    }
    registerAlias(alias);
    m_queued.erase(f.serial);
    m_quotaHolders.insert(f.serial);
    --m_quota;
    ++f.sends;
    if (!resend)
        f.publishedAt = now;
    f.state = followFlow(f.state, {publishEvent(f.message.qos)});
    out.store.push_back(SaveOutbound{f});
    out.sent.push_back(std::move(p));
    update(f, out);
}

void OutboundFlows::pump(Millis now, const Link &link, SessionOutput &out)
{
    if (!link.connected)
        return;
    // [MQTT-4.6.0-1] resends keep their original order, ahead of anything new.
    while (!m_resendPending.empty() && m_quota > 0) {
        const quint64 serial = m_resendPending.front();
        m_resendPending.erase(m_resendPending.begin());
        const auto it = m_flows.find(serial);
        if (it != m_flows.end() && (it->second.state == FlowState::AwaitingPubRec
                                    || it->second.state == FlowState::AwaitingPubAck))
            transmit(it->second, now, link, out);
    }
    if (!m_resendPending.empty())
        return;
    while (!m_queued.empty() && m_quota > 0) {
        const quint64 serial = *m_queued.begin();
        OutboundFlow &f = m_flows.at(serial);
        const auto expiry = f.message.properties.integer(PropertyId::MessageExpiryInterval);
        if (expiry && now - f.createdAt >= Millis(qint64(*expiry) * 1000)) {
            finish(f, FlowEvent::NotSent, ReasonCode::Success, now,
                   QStringLiteral("Message Expiry Interval of %1 s passed before it could be sent").arg(*expiry), out);
            continue;
        }
        // Queued before this CONNACK: its Maximum QoS, Retain Available and Topic Alias Maximum
        // apply now ([MQTT-3.2.2-11], [MQTT-3.2.2-14]).
        if (const Status limits = checkPeerLimits(f.message, link); !limits) {
            finish(f, FlowEvent::NotSent, ReasonCode::Success, now, limits.sentence(), out);
            continue;
        }
        transmit(f, now, link, out);
    }
}

void OutboundFlows::finish(OutboundFlow &f, FlowEvent event, ReasonCode reason, Millis now, const QString &note,
                           SessionOutput &out)
{
    f.state = followFlow(f.state, {event});
    f.reason = reason;
    f.completedAt = now;
    update(f, out, note);
    out.store.push_back(DeleteOutbound{f.packetId});
    if (m_quotaHolders.erase(f.serial))
        ++m_quota; // PUBACK, PUBCOMP or a failing PUBREC gives the quota back ([MQTT-4.9.0-2])
    m_queued.erase(f.serial);
    std::erase(m_resendPending, f.serial);
    std::erase(m_pubRecOrder, f.serial);
    m_ids.release(f.packetId);
    m_serialById.remove(f.packetId.value);
    m_flows.erase(f.serial); // `f` dangles from here on
}

void OutboundFlows::onPubAck(const PubAck &ack, Millis now, const Link &link, SessionOutput &out)
{
    OutboundFlow *f = find(ack.packetId);
    const FlowEvent event = ackEvent(PacketType::PubAck, ack.reason, link);
    if (!f || !nextFlowState(f->state, event)) {
        reportStrayPubAck(ack, f, out);
        return;
    }
    f->acknowledgedAt = now;
    const QString note = event == FlowEvent::PubAckRefused
        ? QStringLiteral("PUBACK %1: the receiver refused the message").arg(reasonText(ack.reason, PacketType::PubAck))
        : QString();
    finish(*f, event, ack.reason, now, note, out);
    pump(now, link, out);
}

void OutboundFlows::reportStrayPubAck(const PubAck &ack, const OutboundFlow *f, SessionOutput &out) const
{
    if (!f || f->state == FlowState::Queued) {
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.2"),
                                           .message = QStringLiteral("PUBACK for id %1, which has no QoS 1 message in "
                                                                     "flight; ignored.")
                                                          .arg(ack.packetId.value),
                                           .packetId = ack.packetId});
        return;
    }
    out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.3"), .message = QStringLiteral("PUBACK for id %1, which was published at QoS 2 and awaits "
                                                          "%2 (section 4.3.3).")
                                               .arg(ack.packetId.value)
                                               .arg(f->state == FlowState::AwaitingPubRec ? "PUBREC" : "PUBCOMP"), .closes = true, .reason = ReasonCode::ProtocolError});
}

void OutboundFlows::onPubRec(const PubRec &rec, Millis now, const Link &link, SessionOutput &out)
{
    OutboundFlow *f = find(rec.packetId);
    const FlowEvent event = ackEvent(PacketType::PubRec, rec.reason, link);
    const auto next = f ? nextFlowState(f->state, event) : std::nullopt;
    if (!next) {
        reportStrayPubRec(rec, f, link, out);
        return;
    }
    if (f->state == FlowState::AwaitingPubRec)
        f->acknowledgedAt = now; // the first PUBREC; a later one only asks for the PUBREL again
    if (*next == FlowState::Failed) {
        // [MQTT-4.3.3-4] PUBREL answers only a PUBREC below 0x80: a failing one ends the flow and
        // frees the id; the PUBLISH is not resent ([MQTT-4.4.0-2]).
        finish(*f, event, rec.reason, now,
               QStringLiteral("PUBREC %1: the receiver refused the message").arg(reasonText(rec.reason, PacketType::PubRec)),
               out);
        pump(now, link, out);
        return;
    }
    if (f->state == FlowState::AwaitingPubRec) {
        f->reason = rec.reason;
        m_pubRecOrder.push_back(f->serial);
    }
    f->state = *next; // the sender owes PUBREL, and sends it in this step
    sendPubRel(*f, out);
}

void OutboundFlows::reportStrayPubRec(const PubRec &rec, const OutboundFlow *f, const Link &link, SessionOutput &out) const
{
    if (!f || f->state == FlowState::Queued) {
        // 5.0: tell the receiver we have no such flow, so it can free the id.
        out.sent.push_back(PubRel{rec.packetId, link.isV5() ? ReasonCode::PacketIdentifierNotFound : ReasonCode::Success, {}});
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.3"),
                                           .message = QStringLiteral("PUBREC for id %1, which has no QoS 2 message in "
                                                                     "flight; answered PUBREL%2.")
                                                          .arg(rec.packetId.value)
                                                          .arg(link.isV5() ? QStringLiteral(" 0x92 Packet Identifier not found")
                                                                           : QString()),
                                           .packetId = rec.packetId});
        return;
    }
    out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.2"), .message = QStringLiteral("PUBREC for id %1, which was published at QoS 1 (section 4.3.2).")
                                               .arg(rec.packetId.value), .closes = true, .reason = ReasonCode::ProtocolError});
}

void OutboundFlows::onPubComp(const PubComp &comp, Millis now, const Link &link, SessionOutput &out)
{
    OutboundFlow *f = find(comp.packetId);
    const FlowEvent event = ackEvent(PacketType::PubComp, comp.reason, link);
    if (!f || !nextFlowState(f->state, event)) {
        if (f && f->state == FlowState::AwaitingPubRec) {
            out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-4.3.3-5]"),
                                               .message = QStringLiteral("PUBCOMP for id %1 before its PUBREC; PUBCOMP "
                                                                         "answers our PUBREL [MQTT-4.3.3-5].")
                                                              .arg(comp.packetId.value),
                                               .closes = true});
            return;
        }
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.3"),
                                           .message = QStringLiteral("PUBCOMP for id %1, which has no PUBREL awaiting it; "
                                                                     "ignored.")
                                                          .arg(comp.packetId.value),
                                           .packetId = comp.packetId});
        return;
    }
    const QString note = event == FlowEvent::PubCompNotFound
        ? QStringLiteral("PUBCOMP 0x92: the receiver had no state for id %1, so it may not have delivered the message")
              .arg(comp.packetId.value)
        : QString();
    finish(*f, event, comp.reason, now, note, out);
    pump(now, link, out);
}

void OutboundFlows::startConnection(const Link &link)
{
    // [MQTT-4.9.0-1] the send quota starts at the peer's Receive Maximum on every connection.
    m_quota = std::min<int>(link.isV5() ? link.peerReceiveMaximum : 65535, m_options.maximumInflight);
    m_quotaHolders.clear();
    m_aliases.clear();
    m_resendPending.clear();
}

void OutboundFlows::resume(Millis now, const Link &link, SessionOutput &out)
{
    // [MQTT-4.4.0-1] resend unacknowledged PUBLISH (DUP = 1) and PUBREL with their original ids.
    // PUBLISHes keep their original order ([MQTT-4.6.0-1]); PUBRELs take the places of the flows
    // past PUBREC, in the order their PUBRECs arrived ([MQTT-4.6.0-4]).
    std::vector<quint64> serials;
    for (const auto &entry : m_flows)
        serials.push_back(entry.first);
    const std::vector<quint64> pubRecOrder = m_pubRecOrder;
    auto nextPubRel = pubRecOrder.begin();
    for (quint64 serial : serials) {
        const auto it = m_flows.find(serial);
        if (it == m_flows.end())
            continue;
        OutboundFlow &f = it->second; // transmit() may finish (erase) it: nothing touches `f` afterwards
        if (f.state == FlowState::AwaitingPubComp && nextPubRel != pubRecOrder.end()) {
            sendPubRel(m_flows.at(*nextPubRel++), out);
        } else if (f.state == FlowState::AwaitingPubRec || f.state == FlowState::AwaitingPubAck) {
            if (m_resendPending.empty() && m_quota > 0)
                transmit(f, now, link, out);
            else
                m_resendPending.push_back(serial); // sent in order as the quota frees up
        }
    }
    pump(now, link, out);
}

void OutboundFlows::sendPubRel(OutboundFlow &f, SessionOutput &out)
{
    f.state = followFlow(f.state, {FlowEvent::PubRel});
    ++f.pubRelSends;
    // [MQTT-4.3.3-4] PUBREL carries the PUBREC's id; the PUBLISH is never sent again after it.
    out.store.push_back(SaveOutbound{f});
    out.sent.push_back(PubRel{f.packetId, ReasonCode::Success, {}});
    update(f, out);
}

std::vector<FlowUpdate> OutboundFlows::abandonSent(const QString &why, Millis now, SessionOutput &out)
{
    std::vector<FlowUpdate> abandoned;
    std::vector<quint64> serials;
    for (const auto &[serial, f] : m_flows)
        if (nextFlowState(f.state, FlowEvent::SessionLost)) // on the wire; queued ones never left
            serials.push_back(serial);
    for (quint64 serial : serials) {
        finish(m_flows.at(serial), FlowEvent::SessionLost, ReasonCode::Success, now, why, out);
        abandoned.push_back(out.flows.back());
    }
    m_resendPending.clear();
    return abandoned;
}

void OutboundFlows::restore(std::vector<OutboundFlow> flows)
{
    for (OutboundFlow &f : flows) {
        m_ids.reserve(f.packetId);
        m_serialById.insert(f.packetId.value, f.serial);
        if (f.state == FlowState::Queued)
            m_queued.insert(f.serial);
        m_nextSerial = std::max(m_nextSerial, f.serial + 1);
        m_flows.insert_or_assign(f.serial, std::move(f));
    }
    // The store keeps when each PUBREC arrived; that time orders the PUBRELs after a restart.
    m_pubRecOrder.clear();
    for (const auto &[serial, f] : m_flows)
        if (f.state == FlowState::AwaitingPubComp)
            m_pubRecOrder.push_back(serial);
    std::stable_sort(m_pubRecOrder.begin(), m_pubRecOrder.end(), [this](quint64 a, quint64 b) {
        return m_flows.at(a).acknowledgedAt < m_flows.at(b).acknowledgedAt;
    });
}

} // namespace mqs
