#include "inbound_flows.h"

#include <QHashFunctions>

#include <algorithm>

namespace mqs {
namespace {

constexpr std::size_t kRecentlyCompletedKept = 256;

size_t payloadHash(const QByteArray &payload)
{
    return qHash(payload);
}

// Method A held `message` from its PUBLISH until the PUBREL, `waited`. A server counts that wait
// against the Message Expiry Interval ([MQTT-3.3.2-6]) and passes on nothing once the interval
// is over ([MQTT-3.3.2-5]); the handshake completes either way ([MQTT-4.3.3-13]).
std::optional<ApplicationMessage> releasedByServer(ApplicationMessage message, Millis waited)
{
    const auto expiry = message.properties.integer(PropertyId::MessageExpiryInterval);
    if (!expiry)
        return message;
    const qint64 elapsed = std::max<qint64>(0, waited.count() / 1000);
    if (elapsed >= qint64(*expiry))
        return std::nullopt;
    message.properties.set(PropertyId::MessageExpiryInterval, quint32(*expiry - elapsed));
    return message;
}

// The rule a peer breaks by reusing a packet id still in flight: the client's or the server's in
// 5.0, one rule for both in 3.1.1.
QString reusedIdRule(const Link &link)
{
    if (!link.isV5())
        return QStringLiteral("[MQTT-2.3.1-2]"); // 3.1.1
    return link.peerIsServer ? QStringLiteral("[MQTT-2.2.1-4]") : QStringLiteral("[MQTT-2.2.1-3]");
}

} // namespace

const InboundFlow *InboundFlows::flow(PacketId id) const
{
    const auto it = m_flows.find(id.value);
    return it == m_flows.end() ? nullptr : &it->second;
}

std::vector<InboundFlow> InboundFlows::flows() const
{
    std::vector<InboundFlow> list;
    for (const auto &[id, f] : m_flows)
        list.push_back(f);
    std::sort(list.begin(), list.end(), [](const InboundFlow &a, const InboundFlow &b) { return a.serial < b.serial; });
    return list;
}

void InboundFlows::update(const InboundFlow &f, QoS qos, SessionOutput &out, const QString &note) const
{
    out.flows.push_back(FlowUpdate{Direction::Inbound, f.packetId, f.state, 0, f.topic, qos, ReasonCode::Success,
                                   f.duplicates, note});
}

void InboundFlows::deliver(const ApplicationMessage &message, std::optional<PacketId> id, Millis now, bool record,
                           SessionOutput &out) const
{
    Delivery delivery{message, id, now};
    if (record)
        out.store.push_back(RecordDelivery{delivery});
    out.delivered.push_back(std::move(delivery));
}

void InboundFlows::onPublish(const Publish &publish, Millis now, const Link &link, SessionOutput &out)
{
    const auto topic = resolveTopic(publish, link, out);
    if (!topic)
        return;
    if (link.maximumQoS && publish.qos > *link.maximumQoS) {
        out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-3.2.2-11]"),
                                           .message = QStringLiteral("PUBLISH at QoS %1, above the Maximum QoS %2 we "
                                                                     "announced [MQTT-3.2.2-11].")
                                                          .arg(qosValue(publish.qos))
                                                          .arg(qosValue(*link.maximumQoS)),
                                           .closes = true,
                                           .reason = ReasonCode::QoSNotSupported});
        return;
    }
    ApplicationMessage message = toMessage(publish);
    message.topic = *topic;
    switch (publish.qos) {
    case QoS::AtMostOnce:
        if (!isFailure(verdictOn(message, link)))
            deliver(message, std::nullopt, now, false, out);
        return;
    case QoS::AtLeastOnce:
        receiveQoS1(message, *publish.packetId, verdictOn(message, link), now, link, out);
        return;
    case QoS::ExactlyOnce:
        receiveQoS2(publish, message, now, link, out);
        return;
    }
}

ReasonCode InboundFlows::verdictOn(const ApplicationMessage &message, const Link &link) const
{
    return (m_acceptance && link.isV5()) ? m_acceptance(message) : ReasonCode::Success;
}

std::optional<QString> InboundFlows::resolveTopic(const Publish &publish, const Link &link, SessionOutput &out)
{
    const auto alias = link.isV5() ? publish.properties.integer(PropertyId::TopicAlias) : std::nullopt;
    if (!alias)
        return publish.topic;
    if (*alias > link.topicAliasMaximum) {
        out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-3.3.2-10]"), .message = QStringLiteral("PUBLISH uses Topic Alias %1, above the Topic Alias Maximum "
                                                              "of %2 that we announced [MQTT-3.3.2-10].")
                                                   .arg(*alias)
                                                   .arg(link.topicAliasMaximum), .closes = true, .reason = ReasonCode::TopicAliasInvalid});
        return std::nullopt;
    }
    if (!publish.topic.isEmpty()) {
        m_aliases.insert(*alias, publish.topic);
        return publish.topic;
    }
    const auto known = m_aliases.constFind(*alias);
    if (known == m_aliases.constEnd()) {
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 3.3.2.3.4"), .message = QStringLiteral("PUBLISH uses Topic Alias %1 without a topic, but this "
                                                              "connection never defined that alias (section 3.3.2.3.4).")
                                                   .arg(*alias), .closes = true, .reason = ReasonCode::ProtocolError});
        return std::nullopt;
    }
    return *known;
}

void InboundFlows::receiveQoS1(const ApplicationMessage &message, PacketId id, ReasonCode verdict, Millis now,
                               const Link &link, SessionOutput &out)
{
    if (!isFailure(verdict))
        deliver(message, id, now, false, out);
    out.sent.push_back(PubAck{id, link.isV5() ? verdict : ReasonCode::Success, {}});
    // No record: the PUBACK answers at once and ends the flow.
    const FlowState state = followFlow(FlowState::None, {FlowEvent::PublishQoS1, flowEventOf(PacketType::PubAck, QoS::AtLeastOnce, verdict)});
    out.flows.push_back(FlowUpdate{Direction::Inbound, id, state, 0, message.topic, QoS::AtLeastOnce, verdict, 0, {}});
}

void InboundFlows::receiveQoS2(const Publish &publish, const ApplicationMessage &message, Millis now, const Link &link,
                               SessionOutput &out)
{
    const PacketId id = *publish.packetId;
    if (exceedsReceiveMaximum(id, link, out))
        return;
    if (const auto existing = m_flows.find(id.value); existing != m_flows.end()) {
        receiveAgain(existing->second, publish, link, out);
        return;
    }
    if (publish.dup)
        reportResentAfterPubRel(id, message.topic, publish.payload, out);
    const ReasonCode verdict = verdictOn(message, link); // asked once per new message, not for its resends
    const bool wasRefused = std::erase(m_recentlyRefused, id.value) > 0;
    if (publish.dup && wasRefused)
        reportResentAfterRefusal(id, message.topic, out);
    if (isFailure(verdict)) {
        // [MQTT-4.3.3-9] a failing PUBREC ends the flow at once; a PUBLISH with this id is new afterwards.
        rememberRefused(id);
        out.sent.push_back(PubRec{id, verdict, {}});
        const FlowState failed = followFlow(FlowState::None, {FlowEvent::PublishQoS2, FlowEvent::PubRecRefused});
        out.flows.push_back(FlowUpdate{Direction::Inbound, id, failed, 0, message.topic, QoS::ExactlyOnce, verdict, 0,
                                       reasonText(verdict, PacketType::PubRec)});
        return;
    }
    InboundFlow f;
    f.serial = m_nextSerial++;
    f.packetId = id;
    f.state = followFlow(FlowState::None, {FlowEvent::PublishQoS2, FlowEvent::PubRec}); // awaits the sender's PUBREL
    f.topic = message.topic;
    f.receivedAt = now;
    if (m_method == InboundMethod::A)
        f.message = message;
    // Write-ahead: the id (and, method B, the delivery record) is stored before PUBREC goes out.
    out.store.push_back(SaveInbound{f});
    if (m_method == InboundMethod::B)
        deliver(message, id, now, true, out);
    out.sent.push_back(PubRec{id, link.isV5() ? verdict : ReasonCode::Success, {}});
    update(f, QoS::ExactlyOnce, out);
    m_payloadHashes.insert(id.value, payloadHash(publish.payload));
    m_unacknowledgedThisConnection.insert(id.value);
    m_flows.emplace(id.value, std::move(f));
}

bool InboundFlows::exceedsReceiveMaximum(PacketId id, const Link &link, SessionOutput &out) const
{
    // [MQTT-3.3.4-9] no more unacknowledged QoS 2 PUBLISHes on this connection than our Receive Maximum.
    if (!link.isV5() || m_unacknowledgedThisConnection.contains(id.value)
        || int(m_unacknowledgedThisConnection.size()) < link.receiveMaximum)
        return false;
    out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-3.3.4-9]"), .message = QStringLiteral("The peer sent a QoS 2 PUBLISH (id %1) while %2 others it sent on "
                                                          "this connection await PUBREL, more than our Receive Maximum of "
                                                          "%3 [MQTT-3.3.4-9].")
                                               .arg(id.value)
                                               .arg(m_unacknowledgedThisConnection.size())
                                               .arg(link.receiveMaximum), .closes = true, .reason = ReasonCode::ReceiveMaximumExceeded});
    return true;
}

void InboundFlows::receiveAgain(InboundFlow &f, const Publish &publish, const Link &link, SessionOutput &out)
{
    // [MQTT-4.3.3-10] until PUBREL, a PUBLISH with this id is the same message: PUBREC again, deliver nothing.
    const PacketId id = f.packetId;
    ++f.duplicates;
    f.state = followFlow(f.state, {FlowEvent::PublishQoS2, FlowEvent::PubRec});
    m_unacknowledgedThisConnection.insert(id.value); // a resend takes a unit of the sender's quota again
    if (!publish.dup)
        out.events.push_back(PeerViolation{.rule = reusedIdRule(link), .message = QStringLiteral("PUBLISH id %1 arrived with DUP=0 while the earlier PUBLISH with that id still awaits its "
                           "PUBREL: the sender reused a packet id in flight. Treated as a duplicate and not delivered "
                           "again.")
                .arg(id.value), .packetId = id});
    out.store.push_back(SaveInbound{f});
    out.sent.push_back(PubRec{id, ReasonCode::Success, {}});
    update(f, QoS::ExactlyOnce, out);
}

void InboundFlows::rememberRefused(PacketId id)
{
    m_recentlyRefused.push_back(id.value);
    if (m_recentlyRefused.size() > kRecentlyCompletedKept)
        m_recentlyRefused.pop_front();
}

void InboundFlows::reportResentAfterRefusal(PacketId id, const QString &topic, SessionOutput &out) const
{
    out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-4.4.0-2]"),
                                       .message = QStringLiteral("PUBLISH id %1 (DUP=1, '%2') resends a message we refused with a failing "
                                                                 "PUBREC, which must not be retransmitted [MQTT-4.4.0-2]. It is a new "
                                                                 "message now [MQTT-4.3.3-9].")
                                                      .arg(id.value)
                                                      .arg(topic),
                                       .packetId = id});
}

void InboundFlows::reportResentAfterPubRel(PacketId id, const QString &topic, const QByteArray &payload,
                                           SessionOutput &out) const
{
    const size_t hash = payloadHash(payload);
    for (const Completed &c : m_recentlyCompleted) {
        if (c.id == id.value && c.topic == topic && c.payloadHash == hash) {
            out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-4.3.3-6]"), .message = QStringLiteral("PUBLISH id %1 (DUP=1, '%2') repeats a message whose PUBREL already arrived: the sender "
                               "resent a PUBLISH after its PUBREL [MQTT-4.3.3-6]. The spec makes it a new message, so "
                               "it is delivered again.")
                    .arg(id.value)
                    .arg(topic), .packetId = id});
            return;
        }
    }
}

void InboundFlows::onPubRel(const PubRel &rel, Millis now, const Link &link, SessionOutput &out)
{
    const PacketId id = rel.packetId;
    const auto it = m_flows.find(id.value);
    if (it == m_flows.end()) {
        // [MQTT-4.3.3-11] answer every PUBREL; 5.0 says we have no state for the id.
        out.sent.push_back(PubComp{id, link.isV5() ? ReasonCode::PacketIdentifierNotFound : ReasonCode::Success, {}});
        if (std::find(m_recentlyRefused.begin(), m_recentlyRefused.end(), id.value) != m_recentlyRefused.end()) {
            out.events.push_back(PeerViolation{.rule = QStringLiteral("[MQTT-4.3.3-4]"),
                                               .message = QStringLiteral("PUBREL for id %1, whose PUBLISH we refused with a failing PUBREC: "
                                                                         "PUBREL answers only a PUBREC below 0x80 [MQTT-4.3.3-4]; "
                                                                         "answered PUBCOMP 0x92.")
                                                              .arg(id.value),
                                               .packetId = id});
            return;
        }
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 4.3.3"),
                                           .message = QStringLiteral("PUBREL for id %1, which has no QoS 2 message awaiting "
                                                                     "it; answered PUBCOMP%2.")
                                                          .arg(id.value)
                                                          .arg(link.isV5() ? QStringLiteral(" 0x92 Packet Identifier not found")
                                                                           : QString()),
                                           .packetId = id});
        return;
    }
    if (!m_resumeOrder.empty()) {
        const auto position = std::find(m_resumeOrder.begin(), m_resumeOrder.end(), id.value);
        if (position != m_resumeOrder.end() && position != m_resumeOrder.begin())
            out.events.push_back(PeerViolation{
                .rule = QStringLiteral("[MQTT-4.6.0-4]"),
                .message = QStringLiteral("PUBREL for id %1 arrived before the PUBREL for id %2, whose PUBLISH arrived "
                                          "first: resent PUBRELs must keep the order of their PUBRECs [MQTT-4.6.0-4].")
                               .arg(id.value)
                               .arg(m_resumeOrder.front()),
                .packetId = id});
        if (position != m_resumeOrder.end())
            m_resumeOrder.erase(position);
    }
    InboundFlow f = std::move(it->second);
    f.state = followFlow(f.state, {FlowEvent::PubRel}); // the receiver owes PUBCOMP, and sends it now
    m_flows.erase(it);
    m_unacknowledgedThisConnection.remove(id.value);
    if (f.message) { // method A: the message reaches the application now, recorded in the same commit
        const auto released = link.peerIsServer ? f.message : releasedByServer(*f.message, now - f.receivedAt);
        if (released)
            deliver(*released, id, now, true, out);
        else
            out.events.push_back(SessionNote{QStringLiteral("The message with id %1 expired while it awaited its PUBREL; "
                                                            "completed, not passed on.")
                                                 .arg(id.value)});
    }
    out.store.push_back(DeleteInbound{id});
    f.state = followFlow(f.state, {FlowEvent::PubComp});
    out.sent.push_back(PubComp{id, ReasonCode::Success, {}});
    update(f, QoS::ExactlyOnce, out);
    m_recentlyCompleted.push_back(Completed{id.value, f.topic, m_payloadHashes.take(id.value)});
    if (m_recentlyCompleted.size() > kRecentlyCompletedKept)
        m_recentlyCompleted.pop_front();
}

void InboundFlows::startConnection()
{
    m_aliases.clear();
    m_unacknowledgedThisConnection.clear();
    m_resumeOrder.clear();
}

void InboundFlows::resume()
{
    m_resumeOrder.clear();
    for (const InboundFlow &f : flows())
        m_resumeOrder.push_back(f.packetId.value);
}

std::vector<FlowUpdate> InboundFlows::discard(const QString &why, SessionOutput &out)
{
    std::vector<FlowUpdate> abandoned;
    for (InboundFlow &f : flows()) {
        f.state = followFlow(f.state, {FlowEvent::SessionLost});
        out.store.push_back(DeleteInbound{f.packetId});
        update(f, QoS::ExactlyOnce, out, why);
        abandoned.push_back(out.flows.back());
    }
    m_flows.clear();
    m_payloadHashes.clear();
    m_recentlyRefused.clear();
    m_resumeOrder.clear();
    m_unacknowledgedThisConnection.clear();
    return abandoned;
}

void InboundFlows::restore(std::vector<InboundFlow> flows)
{
    for (InboundFlow &f : flows) {
        m_nextSerial = std::max(m_nextSerial, f.serial + 1);
        m_flows.insert_or_assign(f.packetId.value, std::move(f));
    }
}

} // namespace mqs
