#include "connection_observer.h"

#include "protocol/overloaded.h"

#include <algorithm>

namespace mqs {
namespace {

constexpr qint64 kUsPerSecond = 1'000'000;

int sideIndex(ObservedSide side)
{
    return int(side);
}

QString secondsText(qint64 us)
{
    return QStringLiteral("%1 s").arg(double(us) / double(kUsPerSecond), 0, 'f', 1);
}

QString interferenceVerb(Interference how)
{
    switch (how) {
    case Interference::Held: return QStringLiteral("held");
    case Interference::Dropped: return QStringLiteral("dropped");
    case Interference::Delayed: return QStringLiteral("delayed");
    case Interference::Duplicated: return QStringLiteral("duplicated");
    }
    return {};
}

// Which hop's flow a finding about packet id `id` is on: acknowledgements answer the other side's
// PUBLISH; PUBLISH and PUBREL are the sender's own. Nothing for rules about the connection.
std::optional<ObservedSide> flowSenderOf(ObservedRule rule, ObservedSide side)
{
    switch (rule) {
    case ObservedRule::AckForNothing:
    case ObservedRule::PubCompWithoutPubRel:
    case ObservedRule::PubAckOutOfOrder:
    case ObservedRule::PubRecOutOfOrder: return otherSide(side);
    case ObservedRule::QoSOverMaximum:
    case ObservedRule::RetainNotAvailable:
    case ObservedRule::DupOnQoS0:
    case ObservedRule::TopicAliasZero:
    case ObservedRule::TopicAliasOverMaximum:
    case ObservedRule::IdInUse:
    case ObservedRule::OverReceiveMaximum:
    case ObservedRule::PublishAfterPubRel:
    case ObservedRule::PubRelWithoutPubRec:
    case ObservedRule::ResentOnLiveConnection:
    case ObservedRule::PublishResentOutOfOrder:
    case ObservedRule::PubRelOutOfOrder: return side;
    default: return std::nullopt;
    }
}

} // namespace

QString ObservedFinding::text() const
{
    const QString head = QStringLiteral("[%1] %2").arg(ruleId, sentence);
    if (!fault)
        return QStringLiteral("%1 (the %2 broke it)").arg(head, sideName(side));
    if (madeByFault)
        return QStringLiteral("%1 (this is the copy fault rule “%2” made; the %3 did not send it)")
            .arg(head, fault->ruleName, sideName(side));
    const QString what = packetId ? QStringLiteral("a packet of this handshake") : QStringLiteral("a packet the %1 sent").arg(sideName(side));
    return QStringLiteral("%1 (after fault rule “%2” %3 %4: the rule, not the %5, may be the cause)")
        .arg(head, fault->ruleName, interferenceVerb(fault->how), what, sideName(side));
}

ConnectionObserver::ConnectionObserver(ObserverOptions options) : m_options(options)
{
    m_limits.version = options.assumedVersion;
}

ObservedStep ConnectionObserver::packet(ObservedSide from, const Packet &packet, QByteArrayView raw, qint64 nowUs,
                                        const std::optional<ObservedFault> &copiedBy)
{
    if (copiedBy)
        interfered(from, packet, nowUs, *copiedBy);
    m_copiedBy = copiedBy;
    const ObservedStep result = step(from, packet, raw, nowUs);
    m_copiedBy.reset();
    return result;
}

void ConnectionObserver::interfered(ObservedSide from, const Packet &packet, qint64 nowUs, ObservedFault fault)
{
    const PacketType type = packetType(packet);
    if (from == ObservedSide::Client && fault.how != Interference::Duplicated)
        m_clientPacketWithheld = std::pair{fault, nowUs}; // for the keep-alive
    const auto id = packetIdOf(packet);
    const bool publishHandshake = type == PacketType::Publish || type == PacketType::PubAck || type == PacketType::PubRec
                                  || type == PacketType::PubRel || type == PacketType::PubComp;
    if (!id || !publishHandshake)
        return;
    const ObservedSide sender = type == PacketType::Publish || type == PacketType::PubRel ? from : otherSide(from);
    const FlowKey key = keyOf(sender, *id);
    const int current = m_generations.value(key, -1);
    // A PUBLISH whose flow is not open begins one when it crosses: the rule acted on that flow.
    const bool opensFlow = type == PacketType::Publish && !m_open.count(key);
    m_faults.insert(key, FlowFault{.fault = std::move(fault), .generation = opensFlow ? current + 1 : current});
}

std::optional<ObservedFault> ConnectionObserver::faultOn(FlowKey key) const
{
    const auto it = m_faults.find(key);
    if (it == m_faults.end() || it->generation != m_generations.value(key, -1))
        return std::nullopt;
    return it->fault;
}

std::optional<ObservedFault> ConnectionObserver::faultFor(ObservedRule rule, ObservedSide side, std::optional<PacketId> id) const
{
    if (rule == ObservedRule::KeepAliveExceeded && m_clientPacketWithheld
        && (!m_lastClientPacketUs || m_clientPacketWithheld->second >= *m_lastClientPacketUs))
        return m_clientPacketWithheld->first;
    const auto sender = flowSenderOf(rule, side);
    if (!id || !sender)
        return std::nullopt;
    return faultOn(keyOf(*sender, *id));
}

ObservedStep ConnectionObserver::step(ObservedSide from, const Packet &packet, QByteArrayView raw, qint64 nowUs)
{
    m_nowUs = nowUs;
    const PacketType type = packetType(packet);
    checkOrder(from, type);
    checkSize(from, type, raw);
    if (from == ObservedSide::Client) {
        checkKeepAlive(nowUs);
        m_lastClientPacketUs = nowUs;
        m_keepAliveReported = false;
    }
    const ObservedStep none{};
    return std::visit(
        overloaded{
            [&](const Connect &connect) { return onConnect(connect), none; },
            [&](const ConnAck &connAck) { return onConnAck(connAck), none; },
            [&](const Publish &publish) { return onPublish(from, publish); },
            [&](const PubAck &ack) { return onAcknowledgement(from, PacketType::PubAck, ack.packetId, ack.reason); },
            [&](const PubRec &ack) { return onAcknowledgement(from, PacketType::PubRec, ack.packetId, ack.reason); },
            [&](const PubRel &ack) { return onAcknowledgement(from, PacketType::PubRel, ack.packetId, ack.reason); },
            [&](const PubComp &ack) { return onAcknowledgement(from, PacketType::PubComp, ack.packetId, ack.reason); },
            [&](const Disconnect &) { return m_disconnected[sideIndex(from)] = true, none; },
            [&](const Subscribe &subscribe) { return onSubscription(PacketType::Subscribe, subscribe.packetId), none; },
            [&](const SubAck &subAck) { return onSubscriptionAck(subAck.packetId), none; },
            [&](const Unsubscribe &unsubscribe) { return onSubscription(PacketType::Unsubscribe, unsubscribe.packetId), none; },
            [&](const UnsubAck &unsubAck) { return onSubscriptionAck(unsubAck.packetId), none; },
            [&](const PingReq &) { return none; },
            [&](const PingResp &) { return none; },
            [&](const Auth &) { return none; },
        },
        packet);
}

void ConnectionObserver::tick(qint64 nowUs)
{
    m_nowUs = std::max(m_nowUs, nowUs);
    checkKeepAlive(nowUs);
}

void ConnectionObserver::closed(qint64 nowUs)
{
    if (m_closed)
        return;
    m_closed = true;
    m_nowUs = std::max(m_nowUs, nowUs);
    for (ObservedSide side : {ObservedSide::Client, ObservedSide::Broker}) {
        for (quint16 id : m_owedPublishes[sideIndex(side)])
            report(ObservedRule::NotResentOnResume, side,
                   QStringLiteral("PUBLISH id %1, unacknowledged when the session's previous connection ended, was never "
                                  "resent on the resumed session")
                       .arg(id),
                   PacketId(id));
        for (quint16 id : m_owedPubRels[sideIndex(side)])
            report(ObservedRule::NotResentOnResume, side,
                   QStringLiteral("PUBREL id %1, unanswered when the session's previous connection ended, was never resent "
                                  "on the resumed session")
                       .arg(id),
                   PacketId(id));
        m_owedPublishes[sideIndex(side)].clear();
        m_owedPubRels[sideIndex(side)].clear();
    }
    if (m_options.sessions && !m_limits.clientId.isEmpty())
        m_options.sessions->store(m_limits.clientId, ObservedSession{openFlows()});
}

std::vector<ObservedFinding> ConnectionObserver::takeFindings()
{
    return std::exchange(m_findings, {});
}

void ConnectionObserver::report(ObservedRule rule, ObservedSide side, QString sentence, std::optional<PacketId> id,
                                std::optional<ObservedFault> fault)
{
    const QString ruleId = observedRuleId(rule, side, m_limits.version);
    if (ruleId.isEmpty())
        return; // no such rule in this protocol version
    if (m_copiedBy)
        fault = m_copiedBy;
    else if (!fault)
        fault = faultFor(rule, side, id);
    ++(fault ? m_counts.faultCaused : m_counts.violations);
    m_findings.push_back(ObservedFinding{.ruleId = ruleId, .side = side, .sentence = std::move(sentence), .packetId = id,
                                         .timeUs = m_nowUs, .fault = std::move(fault), .madeByFault = m_copiedBy.has_value()});
}

void ConnectionObserver::checkOrder(ObservedSide from, PacketType type)
{
    // Named only for a finding: every packet passes here, and few break a rule.
    const auto name = [type] { return packetTypeName(type); };
    if (m_disconnected[sideIndex(from)])
        report(ObservedRule::PacketAfterDisconnect, from, QStringLiteral("%1 sent after its own DISCONNECT").arg(name()));
    if (from == ObservedSide::Client) {
        if (!m_clientSpoke && type != PacketType::Connect) {
            if (m_options.start == StreamStart::Beginning)
                report(ObservedRule::FirstPacketNotConnect, from, QStringLiteral("the connection began with %1, not CONNECT").arg(name()));
            else if (!m_brokerSpoke)
                m_midSession = true;
        }
        m_clientSpoke = true;
        if (type == PacketType::Connect && m_limits.connectSeen)
            report(ObservedRule::SecondConnect, from, QStringLiteral("a second CONNECT on one connection"));
        return;
    }
    if (!m_brokerSpoke && type != PacketType::ConnAck && type != PacketType::Auth) {
        if (m_limits.connectSeen || m_options.start == StreamStart::Beginning)
            report(ObservedRule::FirstBrokerPacketNotConnAck, from, QStringLiteral("the broker's first packet was %1, not CONNACK").arg(name()));
        else if (!m_clientSpoke)
            m_midSession = true;
    }
    m_brokerSpoke = true;
    if (type == PacketType::ConnAck && m_limits.connAckSeen)
        report(ObservedRule::SecondConnAck, from, QStringLiteral("a second CONNACK on one connection"));
}

void ConnectionObserver::checkSize(ObservedSide from, PacketType type, QByteArrayView raw)
{
    const auto limit = from == ObservedSide::Client ? m_limits.brokerMaximumPacketSize : m_limits.clientMaximumPacketSize;
    if (m_limits.version != ProtocolVersion::V5 || !limit || quint64(raw.size()) <= *limit)
        return;
    report(ObservedRule::OverMaximumPacketSize, from,
           QStringLiteral("a %1-byte %2, over the %3's Maximum Packet Size of %4 bytes")
               .arg(raw.size())
               .arg(packetTypeName(type), sideName(otherSide(from)))
               .arg(*limit));
}

void ConnectionObserver::checkKeepAlive(qint64 nowUs)
{
    // A broker closes a client silent for one and a half Keep Alive periods (5.0 [MQTT-3.1.2-22],
    // 3.1.1 [MQTT-3.1.2-24]); the observer allows the client as long, so jitter is no violation.
    constexpr qint64 kGraceNumerator = 3;
    constexpr qint64 kGraceDenominator = 2;
    const qint64 keepAlive = m_limits.effectiveKeepAliveS();
    if (!m_limits.connectSeen || keepAlive == 0 || !m_lastClientPacketUs || m_keepAliveReported
        || m_disconnected[sideIndex(ObservedSide::Client)] || m_closed)
        return;
    const qint64 silentUs = nowUs - *m_lastClientPacketUs;
    const qint64 allowedUs = keepAlive * kUsPerSecond * kGraceNumerator / kGraceDenominator;
    if (silentUs <= allowedUs)
        return;
    m_keepAliveReported = true;
    report(ObservedRule::KeepAliveExceeded, ObservedSide::Client,
           QStringLiteral("the client sent nothing for %1 with a Keep Alive of %2 s").arg(secondsText(silentUs)).arg(keepAlive));
}

void ConnectionObserver::onConnect(const Connect &connect)
{
    if (m_limits.connectSeen)
        return; // a second CONNECT changes nothing (reported by checkOrder)
    m_limits.connectSeen = true;
    m_limits.version = connect.version;
    m_limits.clientId = connect.clientId;
    m_limits.cleanStart = connect.cleanStart;
    m_limits.keepAliveS = connect.keepAlive;
    const Properties &p = connect.properties;
    m_limits.clientReceiveMaximum = quint16(p.integer(PropertyId::ReceiveMaximum).value_or(ObservedLimits::kDefaultReceiveMaximum));
    m_limits.clientMaximumPacketSize = p.integer(PropertyId::MaximumPacketSize);
    m_limits.clientTopicAliasMaximum = quint16(p.integer(PropertyId::TopicAliasMaximum).value_or(0));
    m_limits.sessionExpiryS = p.integer(PropertyId::SessionExpiryInterval);
    if (m_options.sessions && !connect.clientId.isEmpty())
        m_previous = m_options.sessions->take(connect.clientId);
}

void ConnectionObserver::onConnAck(const ConnAck &connAck)
{
    if (m_limits.connAckSeen)
        return;
    m_limits.connAckSeen = true;
    m_limits.sessionPresent = connAck.sessionPresent;
    m_limits.connAckReason = connAck.reason;
    const Properties &p = connAck.properties;
    m_limits.brokerReceiveMaximum = quint16(p.integer(PropertyId::ReceiveMaximum).value_or(ObservedLimits::kDefaultReceiveMaximum));
    m_limits.brokerMaximumPacketSize = p.integer(PropertyId::MaximumPacketSize);
    m_limits.brokerTopicAliasMaximum = quint16(p.integer(PropertyId::TopicAliasMaximum).value_or(0));
    m_limits.maximumQoS = QoS(p.integer(PropertyId::MaximumQoS).value_or(qosValue(QoS::ExactlyOnce)));
    m_limits.retainAvailable = p.integer(PropertyId::RetainAvailable).value_or(1) != 0;
    if (const auto serverKeepAlive = p.integer(PropertyId::ServerKeepAlive))
        m_limits.serverKeepAliveS = quint16(*serverKeepAlive);
    if (m_limits.connectSeen && m_limits.cleanStart && connAck.sessionPresent)
        report(ObservedRule::SessionPresentOnCleanStart, ObservedSide::Broker,
               QStringLiteral("Session Present = 1 answering a CONNECT that asked for a clean start"));
    if (isFailure(connAck.reason))
        return;
    // 5.0: both sides resume exactly when Session Present = 1. 3.1.1 binds the client to resend
    // whenever Clean Session = 0 (4.4.0-1 does not depend on Session Present); the broker can
    // resend only what it kept, which Session Present = 1 says it did.
    const bool brokerResumes = connAck.sessionPresent;
    const bool clientResumes = m_limits.version == ProtocolVersion::V5 ? connAck.sessionPresent : !m_limits.cleanStart;
    resumeCarriedFlows(clientResumes, brokerResumes);
}

void ConnectionObserver::resumeCarriedFlows(bool clientResumes, bool brokerResumes)
{
    if (!m_previous)
        return;
    std::array<std::vector<const ObservedFlow *>, 2> pubRels;
    m_counts.carriedIn += m_previous->openFlows.size();
    for (ObservedFlow flow : m_previous->openFlows) {
        if (!(flow.sender == ObservedSide::Client ? clientResumes : brokerResumes)) {
            ++m_counts.abandoned; // that side's state ended with the session ([MQTT-3.2.2-5] for the client)
            continue;
        }
        flow.carried = true;
        flow.publishedHere = false;
        flow.pubRelHere = false;
        flow.order = m_nextOrder++;
        const auto [it, inserted] = m_open.insert_or_assign(keyOf(flow.sender, flow.packetId), std::move(flow));
        const ObservedFlow &f = it->second;
        if (f.state == FlowState::AwaitingPubAck || f.state == FlowState::AwaitingPubRec)
            m_owedPublishes[sideIndex(f.sender)].push_back(f.packetId.value);
        else if (f.state == FlowState::AwaitingPubComp)
            pubRels[sideIndex(f.sender)].push_back(&f);
    }
    // [MQTT-4.6.0-4] PUBRELs go in the order their PUBRECs arrived.
    for (int side = 0; side < 2; ++side) {
        std::stable_sort(pubRels[side].begin(), pubRels[side].end(),
                         [](const ObservedFlow *a, const ObservedFlow *b) { return a->ackUs < b->ackUs; });
        for (const ObservedFlow *f : pubRels[side])
            m_owedPubRels[side].push_back(f->packetId.value);
    }
    m_previous.reset();
}

bool ConnectionObserver::historyMayPrecede(ObservedSide sender) const
{
    if (m_midSession || !m_limits.connectSeen)
        return true;
    if (sender == ObservedSide::Broker)
        return m_limits.sessionPresent.value_or(false);
    return m_limits.version == ProtocolVersion::V5 ? m_limits.sessionPresent.value_or(!m_limits.cleanStart) : !m_limits.cleanStart;
}

QString ConnectionObserver::flowName(const ObservedFlow &flow) const
{
    const QString packet = flow.qos == QoS::AtLeastOnce ? QStringLiteral("QoS 1") : QStringLiteral("QoS 2");
    const QString topic = flow.topic.isEmpty() ? QString() : QStringLiteral(" on %1").arg(flow.topic);
    return QStringLiteral("%1 id %2%3 (%4 → %5)")
        .arg(packet)
        .arg(flow.packetId.value)
        .arg(topic, sideName(flow.sender), sideName(otherSide(flow.sender)));
}

std::vector<ObservedFlow> ConnectionObserver::openFlows() const
{
    std::vector<ObservedFlow> flows;
    flows.reserve(m_open.size());
    for (const auto &[key, flow] : m_open)
        flows.push_back(flow);
    std::sort(flows.begin(), flows.end(), [](const ObservedFlow &a, const ObservedFlow &b) { return a.order < b.order; });
    return flows;
}

const ObservedFlow *ConnectionObserver::openFlow(ObservedSide sender, PacketId id) const
{
    const auto it = m_open.find(keyOf(sender, id));
    return it == m_open.end() ? nullptr : &it->second;
}

std::vector<PacketId> ConnectionObserver::inFlight(ObservedSide sender) const
{
    std::vector<PacketId> ids;
    for (const auto &[key, flow] : m_open)
        if (flow.sender == sender && flow.publishedHere)
            ids.push_back(flow.packetId);
    return ids; // ascending: the key orders by sender, then id
}

int ConnectionObserver::sendQuota(ObservedSide sender) const
{
    return int(m_limits.receiveMaximumFor(sender)) - m_inFlight[sideIndex(sender)];
}

std::vector<ObservedStall> ConnectionObserver::stalls(qint64 nowUs, qint64 thresholdUs) const
{
    std::vector<ObservedStall> stalled;
    for (const ObservedFlow &f : openFlows()) {
        const qint64 waited = nowUs - f.lastStepUs;
        if (waited <= thresholdUs)
            continue;
        const FlowWait wait = waitingFor(f.state);
        const ObservedSide owedBy = wait.owedBy == FlowParty::Sender ? f.sender : otherSide(f.sender);
        const QString what = f.carried && !f.publishedHere && !f.pubRelHere
                                 ? QStringLiteral("its resend from the %1, owed since the session resumed").arg(sideName(owedBy))
                                 : QStringLiteral("%1 (the %2)").arg(waitingForText(f.state), sideName(owedBy));
        stalled.push_back(ObservedStall{
            .sender = f.sender, .packetId = f.packetId, .topic = f.topic, .state = f.state, .owedBy = owedBy, .waitedUs = waited,
            .sentence = QStringLiteral("%1 waits for %2 for %3").arg(flowName(f), what, secondsText(waited))});
    }
    return stalled;
}

} // namespace mqs
