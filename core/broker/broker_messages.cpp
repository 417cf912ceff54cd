// BrokerCore: messages — routing, subscriptions, retained messages, wills.

#include "broker_client_session.h"

#include "protocol/describe.h"
#include "protocol/topic.h"

namespace mqs {

// ---- messages ---------------------------------------------------------------------------

void BrokerCore::route(const ApplicationMessage &message, const QString &publisher, Millis now, BrokerStep &step)
{
    if (message.retain && m_options.retainAvailable) {
        if (message.payload.isEmpty()) {
            m_retained.erase(message.topic); // [MQTT-3.3.1-6] an empty retained message clears the topic
            step.store.push_back({retainedKey(), {DeleteRetained{message.topic}}});
        } else {
            m_retained[message.topic] = RetainedMessage{message, expiryOf(message, now)};
            step.store.push_back({retainedKey(), {SaveRetained{message}}});
        }
    }
    int receivers = 0;
    for (auto &[id, cs] : m_sessions) {
        Matched matched;
        for (const auto &[filter, sub] : cs->subscriptions)
            if (!isSharedSubscription(filter) && topicMatches(filter, message.topic)
                && !(sub.subscription.options.noLocal && id == publisher)) // [MQTT-3.8.3-3]
                matched.add(sub);
        if (matched.granted && deliver(*cs, message, matched, now, step))
            ++receivers;
    }
    receivers += routeShared(message, now, step);
    if (receivers == 0)
        step.notes.push_back(QStringLiteral("No subscriber for '%1' (from '%2').").arg(message.topic, publisher));
}

void BrokerCore::Matched::add(const StoredSubscription &sub)
{
    granted = std::max(granted.value_or(QoS::AtMostOnce), sub.subscription.options.maximumQoS);
    retainAsPublished = retainAsPublished || sub.subscription.options.retainAsPublished;
    if (sub.subscriptionIdentifier)
        identifiers.push_back(sub.subscriptionIdentifier);
}

// One copy of `message` to `cs` as its matching subscriptions say; whether it was taken.
bool BrokerCore::deliver(ClientSession &cs, const ApplicationMessage &message, const Matched &matched, Millis now, BrokerStep &step)
{
    ApplicationMessage copy = message;
    copy.qos = std::min(message.qos, *matched.granted); // QoS downgrade to the granted QoS
    copy.retain = matched.retainAsPublished && message.retain; // [MQTT-3.3.1-12]
    copy.properties.remove(PropertyId::SubscriptionIdentifier);
    for (quint32 identifier : matched.identifiers)
        copy.properties.append(Property{PropertyId::SubscriptionIdentifier, identifier});
    PublishResult result = cs.session->publish(copy, now);
    if (!result.ticket) {
        step.notes.push_back(QStringLiteral("Message on '%1' not delivered to '%2': %3").arg(message.topic, cs.clientId, result.ticket.sentence()));
        return false;
    }
    step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(result.output)});
    return true;
}

// 5.0 4.8.2: each shared subscription ("$share/{group}/{filter}") that matches gets the message
// once, to one of its sessions in turn (round robin, connected ones first). Returns copies sent.
int BrokerCore::routeShared(const ApplicationMessage &message, Millis now, BrokerStep &step)
{
    std::map<QString, std::vector<std::pair<ClientSession *, const StoredSubscription *>>> groups; // by share filter
    for (auto &[id, cs] : m_sessions)
        for (const auto &[filter, sub] : cs->subscriptions)
            if (isSharedSubscription(filter) && topicMatches(filterWithoutShare(filter), message.topic))
                groups[filter].emplace_back(cs.get(), &sub);
    int sent = 0;
    for (auto &[share, members] : groups) {
        std::vector<std::pair<ClientSession *, const StoredSubscription *>> online;
        std::copy_if(members.begin(), members.end(), std::back_inserter(online), [](const auto &m) { return m.first->handle.has_value(); });
        const auto &candidates = online.empty() ? members : online;
        const auto &[chosen, sub] = candidates[m_sharedTurns[share]++ % candidates.size()];
        Matched matched;
        matched.add(*sub);
        if (deliver(*chosen, message, matched, now, step)) {
            step.notes.push_back(QStringLiteral("'%1' on '%2' went to '%3' (%4 of %5 in the group).")
                                     .arg(share, message.topic, chosen->clientId)
                                     .arg((m_sharedTurns[share] - 1) % candidates.size() + 1)
                                     .arg(candidates.size()));
            ++sent;
        }
    }
    return sent;
}

void BrokerCore::subscribe(ClientSession &cs, const Subscribe &request, Millis now, BrokerStep &step)
{
    const auto identifiers = request.properties.subscriptionIdentifiers();
    const quint32 identifier = identifiers.empty() ? 0 : identifiers.front();
    std::vector<ReasonCode> reasons;
    SessionOutput saved;
    std::vector<std::pair<StoredSubscription, bool>> granted; // subscription, was new
    for (const Subscription &requested : request.subscriptions) {
        Subscription sub = requested;
        sub.options.maximumQoS = std::min(requested.options.maximumQoS, m_options.maximumQoS.value_or(QoS::ExactlyOnce));
        const bool isNew = !cs.subscriptions.contains(sub.filter);
        StoredSubscription stored{sub, identifier};
        cs.subscriptions[sub.filter] = stored;
        saved.store.push_back(SaveSubscription{sub, identifier});
        reasons.push_back(ReasonCode(qosValue(sub.options.maximumQoS)));
        granted.emplace_back(stored, isNew);
    }
    SessionOutput ack = cs.session->acknowledgeSubscribe(request.packetId, reasons, now);
    saved.append(std::move(ack));
    step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(saved)});
    // Retained messages follow the SUBACK, as Retain Handling says ([MQTT-3.3.1-9], [MQTT-3.3.1-10]).
    for (const auto &[stored, isNew] : granted) {
        if (isSharedSubscription(stored.subscription.filter))
            continue; // 5.0 4.8.2: retained messages are not sent for a new shared subscription
        const RetainHandling handling = stored.subscription.options.retainHandling;
        if (handling == RetainHandling::DoNotSend || (handling == RetainHandling::SendAtSubscribeIfNew && !isNew))
            continue;
        deliverRetained(cs, stored, now, step);
    }
}

// The retained messages `stored` matches, each with what is left of its Message Expiry Interval
// ([MQTT-3.3.2-6]); one whose interval has passed is deleted instead ([MQTT-3.3.2-5]).
void BrokerCore::deliverRetained(ClientSession &cs, const StoredSubscription &stored, Millis now, BrokerStep &step)
{
    for (auto it = m_retained.begin(); it != m_retained.end();) {
        const auto &[topic, retained] = *it;
        if (!topicMatches(stored.subscription.filter, topic)) {
            ++it;
            continue;
        }
        if (retained.expiresAt && now >= *retained.expiresAt) {
            step.notes.push_back(QStringLiteral("Retained message on '%1' expired; deleted.").arg(topic));
            step.store.push_back({retainedKey(), {DeleteRetained{topic}}});
            it = m_retained.erase(it);
            continue;
        }
        ApplicationMessage copy = retained.message;
        if (retained.expiresAt) // whole seconds left, rounded up so that a live message never says 0
            copy.properties.set(PropertyId::MessageExpiryInterval, quint32((*retained.expiresAt - now).count() + 999) / 1000);
        copy.qos = std::min(copy.qos, stored.subscription.options.maximumQoS);
        copy.retain = true;
        copy.properties.remove(PropertyId::SubscriptionIdentifier);
        if (stored.subscriptionIdentifier)
            copy.properties.append(Property{PropertyId::SubscriptionIdentifier, stored.subscriptionIdentifier});
        PublishResult result = cs.session->publish(copy, now);
        if (result.ticket)
            step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(result.output)});
        ++it;
    }
}

void BrokerCore::unsubscribe(ClientSession &cs, const Unsubscribe &request, Millis now, BrokerStep &step)
{
    std::vector<ReasonCode> reasons;
    SessionOutput out;
    for (const QString &filter : request.filters) {
        if (cs.subscriptions.erase(filter)) {
            reasons.push_back(ReasonCode::Success);
            out.store.push_back(DeleteSubscription{filter});
        } else {
            reasons.push_back(ReasonCode::NoSubscriptionExisted);
        }
    }
    out.append(cs.session->acknowledgeUnsubscribe(request.packetId, reasons, now));
    step.clients.push_back(ClientOutput{cs.handle.value_or(0), SessionKey{storeScope(), cs.clientId}, std::move(out)});
}

void BrokerCore::publishWill(const QString &clientId, const Will &will, Millis now, BrokerStep &step)
{
    const ApplicationMessage message = toMessage(will);
    step.store.push_back({SessionKey{storeScope(), clientId}, {DeleteRetained{will.topic}}}); // [MQTT-3.1.2-10]
    step.notes.push_back(QStringLiteral("Publishing the will of '%1' to '%2'.").arg(clientId, will.topic));
    route(message, clientId, now, step);
}

} // namespace mqs
