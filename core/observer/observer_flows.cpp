// ConnectionObserver: the PUBLISH handshakes of both hops, stepped through the session's flow table.

#include "connection_observer.h"

#include <algorithm>

namespace mqs {
namespace {

int sideIndex(ObservedSide side)
{
    return int(side);
}

QString aliasTopic(quint32 alias)
{
    return QStringLiteral("(topic alias %1)").arg(alias);
}

// The state a flow must have reached for an acknowledgement to come, when its earlier packets
// crossed before the observation began: PUBACK and PUBCOMP end it, PUBREC and PUBREL leave it
// waiting for the other side.
FlowState stateAfterUnseenStart(PacketType type, ReasonCode reason)
{
    switch (type) {
    case PacketType::PubAck: return isFailure(reason) ? FlowState::Failed : FlowState::Complete;
    case PacketType::PubRec: return isFailure(reason) ? FlowState::Failed : FlowState::AwaitingPubRel;
    case PacketType::PubRel: return FlowState::AwaitingPubComp;
    default: return reason == ReasonCode::PacketIdentifierNotFound ? FlowState::Failed : FlowState::Complete;
    }
}

} // namespace

ObservedStep ConnectionObserver::onPublish(ObservedSide from, const Publish &publish)
{
    checkPublishLimits(from, publish);
    const QString topic = resolveTopic(from, publish);
    if (publish.qos == QoS::AtMostOnce) {
        if (publish.dup)
            report(ObservedRule::DupOnQoS0, from, QStringLiteral("a QoS 0 PUBLISH on %1 with DUP = 1").arg(topic));
        ++m_counts.messages[0];
        return ObservedStep{};
    }
    const PacketId id = publish.packetId.value_or(PacketId{});
    const auto it = m_open.find(keyOf(from, id));
    if (it != m_open.end() && it->second.qos == publish.qos) {
        onPublishAgain(it->second, from, publish);
        return ObservedStep{.packetId = id, .state = it->second.state, .flowSender = from};
    }
    if (it != m_open.end()) { // the same id at another QoS: a new message over an unfinished one
        report(ObservedRule::IdInUse, from,
               QStringLiteral("a new QoS %1 PUBLISH reuses id %2 while its %3 still waits for %4")
                   .arg(qosValue(publish.qos))
                   .arg(id.value)
                   .arg(flowName(it->second), waitingForText(it->second.state)),
               id);
        finish(it->first);
    }
    if (from == ObservedSide::Client && m_subscriptionIds.contains(id.value))
        report(ObservedRule::IdInUse, from,
               QStringLiteral("a new PUBLISH takes id %1, which a SUBSCRIBE or UNSUBSCRIBE still holds").arg(id.value), id);
    ObservedFlow &flow = startFlow(from, id, publish.qos, topic);
    ++m_counts.messages[qosValue(publish.qos)];
    flow.state = *nextFlowState(FlowState::None, flowEventOf(PacketType::Publish, publish.qos, ReasonCode::Success));
    recordStep(flow, PacketType::Publish, ReasonCode::Success, publish.dup);
    countInFlight(flow);
    checkQuota(from, id);
    return ObservedStep{.packetId = id, .state = flow.state, .flowSender = from};
}

void ConnectionObserver::onPublishAgain(ObservedFlow &flow, ObservedSide from, const Publish &publish)
{
    const PacketId id = flow.packetId;
    if (flow.state == FlowState::AwaitingPubComp) {
        report(ObservedRule::PublishAfterPubRel, from,
               QStringLiteral("PUBLISH id %1 sent again after its PUBREL (%2)").arg(id.value).arg(flowName(flow)), id);
        return;
    }
    if (!publish.dup)
        report(ObservedRule::IdInUse, from,
               QStringLiteral("a new PUBLISH (DUP = 0) with id %1 while %2 waits for %3; a resend carries DUP = 1")
                   .arg(id.value)
                   .arg(flowName(flow), waitingForText(flow.state)),
               id);
    else if (flow.publishedHere)
        report(ObservedRule::ResentOnLiveConnection, from,
               QStringLiteral("PUBLISH id %1 resent on a live connection; 5.0 resends only when a session resumes").arg(id.value), id);
    if (flow.carried && !flow.publishedHere)
        checkResendOrder(flow, PacketType::Publish);
    flow.state = nextFlowState(flow.state, flowEventOf(PacketType::Publish, publish.qos, ReasonCode::Success)).value_or(flow.state);
    recordStep(flow, PacketType::Publish, ReasonCode::Success, publish.dup);
    if (!flow.publishedHere) {
        countInFlight(flow);
        checkQuota(from, id);
    }
}

void ConnectionObserver::onSubscription(PacketType type, PacketId id)
{
    // A client's PUBLISH, SUBSCRIBE and UNSUBSCRIBE take their ids from one set.
    if (m_subscriptionIds.contains(id.value) || m_open.count(keyOf(ObservedSide::Client, id)))
        report(ObservedRule::IdInUse, ObservedSide::Client,
               QStringLiteral("a new %1 takes id %2, which is still in flight").arg(packetTypeName(type)).arg(id.value), id);
    m_subscriptionIds.insert(id.value);
}

void ConnectionObserver::onSubscriptionAck(PacketId id)
{
    m_subscriptionIds.remove(id.value);
}

void ConnectionObserver::checkPublishLimits(ObservedSide from, const Publish &publish)
{
    if (m_limits.version != ProtocolVersion::V5)
        return;
    if (from == ObservedSide::Client && m_limits.connAckSeen) {
        if (qosValue(publish.qos) > qosValue(m_limits.maximumQoS))
            report(ObservedRule::QoSOverMaximum, from,
                   QStringLiteral("a QoS %1 PUBLISH over the broker's Maximum QoS %2").arg(qosValue(publish.qos)).arg(qosValue(m_limits.maximumQoS)),
                   publish.packetId);
        if (publish.retain && !m_limits.retainAvailable)
            report(ObservedRule::RetainNotAvailable, from,
                   QStringLiteral("a retained PUBLISH on %1 while the broker said Retain Available = 0").arg(publish.topic), publish.packetId);
    }
    const auto alias = publish.properties.integer(PropertyId::TopicAlias);
    if (!alias)
        return;
    if (*alias == 0) {
        report(ObservedRule::TopicAliasZero, from, QStringLiteral("a PUBLISH with Topic Alias 0"), publish.packetId);
        return;
    }
    const bool known = from == ObservedSide::Client ? m_limits.connAckSeen : m_limits.connectSeen;
    const quint16 maximum = from == ObservedSide::Client ? m_limits.brokerTopicAliasMaximum : m_limits.clientTopicAliasMaximum;
    if (known && *alias > maximum)
        report(ObservedRule::TopicAliasOverMaximum, from,
               QStringLiteral("Topic Alias %1 over the %2's Topic Alias Maximum of %3").arg(*alias).arg(sideName(otherSide(from))).arg(maximum),
               publish.packetId);
}

QString ConnectionObserver::resolveTopic(ObservedSide from, const Publish &publish)
{
    const auto alias = publish.properties.integer(PropertyId::TopicAlias);
    if (!alias || *alias == 0)
        return publish.topic;
    auto &aliases = m_aliases[sideIndex(from)];
    if (!publish.topic.isEmpty()) {
        aliases.insert(*alias, publish.topic);
        return publish.topic;
    }
    return aliases.value(*alias, aliasTopic(*alias));
}

void ConnectionObserver::checkQuota(ObservedSide sender, PacketId id)
{
    // [MQTT-4.9.0-2] a QoS > 0 PUBLISH takes a unit of the sender's quota, the peer's Receive Maximum.
    const bool announced = sender == ObservedSide::Client ? m_limits.connAckSeen : m_limits.connectSeen;
    const int maximum = m_limits.receiveMaximumFor(sender);
    if (m_limits.version != ProtocolVersion::V5 || !announced || m_inFlight[sideIndex(sender)] <= maximum)
        return;
    report(ObservedRule::OverReceiveMaximum, sender,
           QStringLiteral("PUBLISH id %1 makes %2 unacknowledged QoS > 0 PUBLISHes, over the %3's Receive Maximum of %4")
               .arg(id.value)
               .arg(m_inFlight[sideIndex(sender)])
               .arg(sideName(otherSide(sender)))
               .arg(maximum),
           id);
}

ObservedStep ConnectionObserver::onAcknowledgement(ObservedSide from, PacketType type, PacketId id, ReasonCode reason)
{
    const ObservedSide sender = type == PacketType::PubRel ? from : otherSide(from);
    if (m_limits.version != ProtocolVersion::V5)
        reason = ReasonCode::Success; // 3.1.1 acknowledgements carry no reason
    const auto it = m_open.find(keyOf(sender, id));
    if (it == m_open.end())
        return onAckWithoutFlow(from, type, id, reason);
    ObservedFlow &flow = it->second;
    const auto next = nextFlowState(flow.state, flowEventOf(type, flow.qos, reason));
    if (!next) {
        reportNoStep(flow, from, type);
        return ObservedStep{.packetId = id, .state = flow.state, .flowSender = sender};
    }
    if (type == PacketType::PubRel)
        checkPubRel(flow);
    else if (flow.ackUs < 0 && type != PacketType::PubComp)
        checkAckOrder(flow, type);
    flow.state = *next;
    recordStep(flow, type, reason, false);
    const ObservedStep step{.packetId = id, .state = flow.state, .flowSender = sender};
    if (isFinished(flow.state))
        finish(it->first);
    return step;
}

void ConnectionObserver::checkPubRel(ObservedFlow &flow)
{
    if (flow.carried && !flow.pubRelHere && flow.pubRelUs >= 0) {
        checkResendOrder(flow, PacketType::PubRel);
        return;
    }
    if (flow.pubRelHere) {
        report(ObservedRule::ResentOnLiveConnection, flow.sender,
               QStringLiteral("PUBREL id %1 resent on a live connection; 5.0 resends only when a session resumes").arg(flow.packetId.value),
               flow.packetId);
        return;
    }
    // [MQTT-4.6.0-4] PUBRELs go in the order their PUBRECs arrived.
    for (const auto &[key, other] : m_open)
        if (other.sender == flow.sender && other.state == FlowState::AwaitingPubRel && !other.carried && !flow.carried
            && other.ackUs < flow.ackUs) {
            // A rule that held the other's PUBREL (or delayed it) made this order, not the sender.
            report(ObservedRule::PubRelOutOfOrder, flow.sender,
                   QStringLiteral("PUBREL id %1 sent before PUBREL id %2, whose PUBREC came first").arg(flow.packetId.value).arg(other.packetId.value),
                   flow.packetId, faultOn(key));
            return;
        }
}

void ConnectionObserver::checkAckOrder(const ObservedFlow &flow, PacketType type)
{
    // [MQTT-4.6.0-2] PUBACKs and [MQTT-4.6.0-3] PUBRECs go in the order their PUBLISHes arrived.
    if (flow.carried || !flow.publishedHere)
        return;
    for (const auto &[key, other] : m_open)
        if (other.sender == flow.sender && other.qos == flow.qos && !other.carried && other.publishedHere && other.ackUs < 0
            && other.order < flow.order) {
            report(type == PacketType::PubAck ? ObservedRule::PubAckOutOfOrder : ObservedRule::PubRecOutOfOrder, otherSide(flow.sender),
                   QStringLiteral("%1 id %2 sent before %1 id %3, whose PUBLISH came first")
                       .arg(packetTypeName(type))
                       .arg(flow.packetId.value)
                       .arg(other.packetId.value),
                   flow.packetId, faultOn(key));
            return;
        }
}

void ConnectionObserver::checkResendOrder(ObservedFlow &flow, PacketType type)
{
    auto &owed = (type == PacketType::Publish ? m_owedPublishes : m_owedPubRels)[sideIndex(flow.sender)];
    const auto at = std::find(owed.begin(), owed.end(), flow.packetId.value);
    if (at == owed.end())
        return;
    if (at != owed.begin())
        report(type == PacketType::Publish ? ObservedRule::PublishResentOutOfOrder : ObservedRule::PubRelOutOfOrder, flow.sender,
               QStringLiteral("%1 id %2 resent before id %3, which the previous connection sent first")
                   .arg(packetTypeName(type))
                   .arg(flow.packetId.value)
                   .arg(owed.front()),
               flow.packetId);
    owed.erase(at);
}

ObservedStep ConnectionObserver::onAckWithoutFlow(ObservedSide from, PacketType type, PacketId id, ReasonCode reason)
{
    const ObservedSide sender = type == PacketType::PubRel ? from : otherSide(from);
    const bool before = historyMayPrecede(sender);
    if (!before && type != PacketType::PubRel) {
        if (type == PacketType::PubComp)
            report(ObservedRule::PubCompWithoutPubRel, from, QStringLiteral("PUBCOMP id %1 for no PUBREL").arg(id.value), id);
        else
            report(ObservedRule::AckForNothing, from,
                   QStringLiteral("%1 id %2 for no PUBLISH in flight").arg(packetTypeName(type)).arg(id.value), id);
        return ObservedStep{.packetId = id, .state = FlowState::None, .flowSender = sender};
    }
    if (!before)
        report(ObservedRule::PubRelWithoutPubRec, from, QStringLiteral("PUBREL id %1, which got no PUBREC").arg(id.value), id);
    // It began before what was observed (or, for a stray PUBREL, the receiver still owes PUBCOMP).
    ObservedFlow &flow = startFlow(sender, id, type == PacketType::PubAck ? QoS::AtLeastOnce : QoS::ExactlyOnce, QString());
    flow.publishedHere = false;
    flow.state = stateAfterUnseenStart(type, reason);
    if (type == PacketType::PubRel && before && !m_midSession)
        flow.pubRelUs = m_nowUs; // a resend: the resumed session's earlier connection sent it first
    recordStep(flow, type, reason, false);
    const ObservedStep step{.packetId = id, .state = flow.state, .flowSender = sender};
    if (isFinished(flow.state))
        finish(keyOf(sender, id));
    return step;
}

void ConnectionObserver::reportNoStep(const ObservedFlow &flow, ObservedSide from, PacketType type)
{
    const PacketId id = flow.packetId;
    const QString waits = QStringLiteral("%1 waits for %2").arg(flowName(flow), waitingForText(flow.state));
    switch (type) {
    case PacketType::PubRel:
        report(ObservedRule::PubRelWithoutPubRec, from, QStringLiteral("PUBREL id %1 before its PUBREC: %2").arg(id.value).arg(waits), id);
        break;
    case PacketType::PubComp:
        report(ObservedRule::PubCompWithoutPubRel, from, QStringLiteral("PUBCOMP id %1 before its PUBREL: %2").arg(id.value).arg(waits), id);
        break;
    default:
        report(ObservedRule::AckForNothing, from,
               QStringLiteral("%1 id %2 is no step of its handshake: %3").arg(packetTypeName(type)).arg(id.value).arg(waits), id);
        break;
    }
}

void ConnectionObserver::recordStep(ObservedFlow &flow, PacketType type, ReasonCode reason, bool dup)
{
    flow.lastStepUs = m_nowUs;
    if (isFailure(reason))
        flow.reason = reason;
    switch (type) {
    case PacketType::Publish:
        if (flow.publishUs < 0)
            flow.publishUs = m_nowUs;
        if (dup) {
            ++flow.resends;
            ++m_counts.resends;
        }
        break;
    case PacketType::PubAck: flow.ackUs = flow.completeUs = m_nowUs; break;
    case PacketType::PubRec:
        if (flow.ackUs < 0)
            flow.ackUs = m_nowUs;
        break;
    case PacketType::PubRel:
        if (flow.pubRelUs >= 0) {
            ++flow.resends;
            ++m_counts.resends;
        } else {
            flow.pubRelUs = m_nowUs;
        }
        flow.pubRelHere = true;
        break;
    default: flow.completeUs = m_nowUs; break;
    }
}

ObservedFlow &ConnectionObserver::startFlow(ObservedSide sender, PacketId id, QoS qos, QString topic)
{
    const FlowKey key = keyOf(sender, id);
    const auto generation = m_generations.find(key);
    const int next = generation == m_generations.end() ? 0 : *generation + 1;
    m_generations.insert(key, next);
    ObservedFlow &flow = m_open[key];
    flow = ObservedFlow{.sender = sender, .packetId = id, .generation = next, .order = m_nextOrder++, .qos = qos,
                        .topic = std::move(topic), .lastStepUs = m_nowUs};
    return flow;
}

void ConnectionObserver::countInFlight(ObservedFlow &flow)
{
    flow.publishedHere = true;
    ++m_inFlight[sideIndex(flow.sender)];
}

void ConnectionObserver::finish(FlowKey key)
{
    const auto it = m_open.find(key);
    ObservedFlow &flow = it->second;
    if (flow.publishedHere)
        --m_inFlight[sideIndex(flow.sender)];
    if (flow.state == FlowState::Complete)
        ++m_counts.completed;
    else if (flow.state == FlowState::Failed)
        ++m_counts.failed;
    else if (flow.state == FlowState::Abandoned)
        ++m_counts.abandoned;
    if (m_options.keepFinished == KeptFlows::All
        || (m_options.keepFinished == KeptFlows::NotCompleted && flow.state != FlowState::Complete))
        m_finished.push_back(std::move(flow));
    m_open.erase(it);
}

} // namespace mqs
