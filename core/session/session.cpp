#include "session.h"

#include "protocol/describe.h"
#include "protocol/encoder.h"
#include "protocol/overloaded.h"

#include <QStringList>

namespace mqs {
namespace {

// Where the specification says how to handle a protocol error, for breaches it numbers no statement for.
QString errorHandlingSection(bool v5)
{
    return v5 ? QStringLiteral("section 4.13") : QStringLiteral("section 4.8");
}

// The first violation in `out` that ends the connection, or null.
const PeerViolation *closingViolation(const SessionOutput &out)
{
    for (const SessionEvent &e : out.events)
        if (const auto *violation = std::get_if<PeerViolation>(&e); violation && violation->closes)
            return violation;
    return nullptr;
}

// The statement a decoder error cites (a bracketed statement id in its message), or the section on
// handling errors when it cites none.
QString ruleOf(const ProtocolError &error, bool v5)
{
    const qsizetype start = error.message.indexOf(QLatin1String("[MQTT-"));
    const qsizetype end = start < 0 ? -1 : error.message.indexOf(QLatin1Char(']'), start);
    return end < 0 ? errorHandlingSection(v5) : error.message.mid(start, end - start + 1);
}

// The packet a given role never receives, or empty.
QString wrongDirection(SessionRole role, PacketType type)
{
    const bool client = role == SessionRole::Client;
    switch (type) {
    case PacketType::Connect:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
    case PacketType::PingReq:
        return client ? QStringLiteral("a server never sends %1").arg(packetTypeName(type)) : QString();
    case PacketType::ConnAck:
    case PacketType::SubAck:
    case PacketType::UnsubAck:
    case PacketType::PingResp:
        return client ? QString() : QStringLiteral("a client never sends %1").arg(packetTypeName(type));
    default:
        return {};
    }
}

} // namespace

Session::Session(SessionOptions options)
    : m_options(options)
    , m_outbound(OutboundFlows::Options{options.maximumInflight, options.maximumQueued, options.useTopicAliases})
    , m_inbound(options.inboundMethod)
{
    m_link.peerIsServer = options.role == SessionRole::Client;
    m_link.receiveMaximum = options.receiveMaximum;
    m_link.topicAliasMaximum = options.topicAliasMaximum;
    m_link.maximumQoS = options.maximumQoS;
}

void Session::restore(const SessionMeta &meta, std::vector<OutboundFlow> outbound, std::vector<InboundFlow> inbound)
{
    m_meta = meta;
    m_link.version = meta.version;
    m_outbound.restore(std::move(outbound));
    m_inbound.restore(std::move(inbound));
}

QString Session::topicOf(const Packet &packet, bool sent) const
{
    if (const auto *publish = std::get_if<Publish>(&packet))
        return publish->topic;
    const auto id = packetIdOf(packet);
    if (!id || !belongsToFlow(packetType(packet)))
        return {};
    if (flowDirectionOf(packetType(packet), sent) == Direction::Outbound) {
        const OutboundFlow *f = m_outbound.flow(*id);
        return f ? f->message.topic : QString();
    }
    const InboundFlow *f = m_inbound.flow(*id);
    return f ? f->topic : QString();
}

FlowState Session::flowState(Direction direction, PacketId id) const
{
    if (direction == Direction::Outbound) {
        const OutboundFlow *f = m_outbound.flow(id);
        return f ? f->state : FlowState::None;
    }
    const InboundFlow *f = m_inbound.flow(id);
    return f ? f->state : FlowState::None;
}

SessionOutput Session::finish(SessionOutput out, Millis now)
{
    if (!out.sent.empty())
        m_lastSent = now;
    return out;
}

// ---- receiving --------------------------------------------------------------------------

SessionOutput Session::receive(const Packet &packet, Millis now)
{
    SessionOutput out;
    m_lastReceived = now;
    if (m_state == SessionState::Disconnected) {
        out.events.push_back(SessionNote{QStringLiteral("%1 arrived while disconnected; ignored.").arg(describe(packet))});
        return out;
    }
    dispatch(packet, now, out);
    if (closingViolation(out))
        closeOnViolation(out);
    return finish(std::move(out), now);
}

void Session::dispatch(const Packet &packet, Millis now, SessionOutput &out)
{
    const PacketType type = packetType(packet);
    if (const QString wrong = wrongDirection(m_options.role, type); !wrong.isEmpty()) {
        violate(type == PacketType::Connect ? QStringLiteral("[MQTT-3.1.0-2]") : errorHandlingSection(m_link.isV5()),
                QStringLiteral("Received %1, but %2 %3.")
                    .arg(packetTypeName(type), wrong,
                         type == PacketType::Connect ? QStringLiteral("[MQTT-3.1.0-2]")
                                                     : QStringLiteral("(a protocol error: 3.1.1 section 4.8, 5.0 section 4.13)")),
                out);
        return;
    }
    if (m_state == SessionState::Connecting && type != PacketType::ConnAck && type != PacketType::Disconnect) {
        violate(QStringLiteral("[MQTT-3.2.0-1]"),
                QStringLiteral("Received %1 before CONNACK; the server's first packet must be CONNACK [MQTT-3.2.0-1].")
                    .arg(packetTypeName(type)),
                out);
        return;
    }
    std::visit(
        overloaded{
            [&](const ConnAck &p) { onConnAck(p, now, out); },
            [&](const Connect &) {
                violate(QStringLiteral("[MQTT-3.1.0-2]"), QStringLiteral("A second CONNECT on one connection [MQTT-3.1.0-2]."), out);
            },
            [&](const Publish &p) { m_inbound.onPublish(p, now, m_link, out); },
            [&](const PubAck &p) { m_outbound.onPubAck(p, now, m_link, out); },
            [&](const PubRec &p) { m_outbound.onPubRec(p, now, m_link, out); },
            [&](const PubRel &p) { m_inbound.onPubRel(p, now, m_link, out); },
            [&](const PubComp &p) { m_outbound.onPubComp(p, now, m_link, out); },
            [&](const SubAck &p) { onSubAck(p, out); },
            [&](const UnsubAck &p) { onUnsubAck(p, out); },
            [&](const Subscribe &p) { out.events.push_back(SubscribeRequested{p}); },
            [&](const Unsubscribe &p) { out.events.push_back(UnsubscribeRequested{p}); },
            [&](const PingReq &) { out.sent.push_back(PingResp{}); },
            [&](const PingResp &) { m_pingSentAt.reset(); },
            [&](const Disconnect &p) {
                QString text = m_link.isV5() ? QStringLiteral("The peer disconnected: %1.")
                                                   .arg(reasonText(p.reason, PacketType::Disconnect))
                                             : QStringLiteral("The peer disconnected.");
                if (const auto reason = p.properties.string(PropertyId::ReasonString))
                    text += QStringLiteral(" It says: \"%1\".").arg(*reason);
                out.events.push_back(PeerDisconnected{p.reason, text, p.reason == ReasonCode::DisconnectWithWillMessage});
                out.close = true;
                markDisconnected(out);
            },
            [&](const Auth &) {
                violate(QStringLiteral("[MQTT-4.12.0-6]"),
                        QStringLiteral("Received AUTH, but no Authentication Method was agreed in CONNECT [MQTT-4.12.0-6]."),
                        out);
            },
        },
        packet);
}

std::optional<Session::PendingRequest> Session::takePending(PacketId id, PacketType request, PacketType answer,
                                                           SessionOutput &out)
{
    const auto it = m_pending.find(id.value);
    if (it == m_pending.end() || it->second.type != request) {
        out.events.push_back(PeerViolation{.rule = QStringLiteral("section 2.2.1"),
                                           .message = QStringLiteral("%1 for id %2, which answers no %3 of ours; ignored.")
                                                          .arg(packetTypeName(answer))
                                                          .arg(id.value)
                                                          .arg(packetTypeName(request)),
                                           .packetId = id});
        return std::nullopt;
    }
    PendingRequest taken = std::move(it->second);
    m_pending.erase(it);
    m_outbound.releaseId(id);
    return taken;
}

void Session::onSubAck(const SubAck &ack, SessionOutput &out)
{
    auto pending = takePending(ack.packetId, PacketType::Subscribe, PacketType::SubAck, out);
    if (!pending)
        return;
    PendingRequest &request = *pending;
    if (ack.reasons.size() != request.subscriptions.size()) {
        violate(QStringLiteral("[MQTT-3.9.3-1]"),
                QStringLiteral("SUBACK id %1 has %2 return codes for %3 topic filters [MQTT-3.9.3-1].")
                    .arg(ack.packetId.value)
                    .arg(ack.reasons.size())
                    .arg(request.subscriptions.size()),
                out);
        return;
    }
    out.events.push_back(SubscribeAcknowledged{ack.packetId, std::move(request.subscriptions), ack.reasons});
}

void Session::onUnsubAck(const UnsubAck &ack, SessionOutput &out)
{
    auto pending = takePending(ack.packetId, PacketType::Unsubscribe, PacketType::UnsubAck, out);
    if (!pending)
        return;
    PendingRequest &request = *pending;
    if (m_link.isV5() && ack.reasons.size() != request.filters.size()) {
        violate(QStringLiteral("[MQTT-3.11.3-1]"),
                QStringLiteral("UNSUBACK id %1 has %2 reason codes for %3 topic filters [MQTT-3.11.3-1].")
                    .arg(ack.packetId.value)
                    .arg(ack.reasons.size())
                    .arg(request.filters.size()),
                out);
        return;
    }
    out.events.push_back(UnsubscribeAcknowledged{ack.packetId, std::move(request.filters), ack.reasons});
}

// ---- commands ---------------------------------------------------------------------------

PublishResult Session::publish(const ApplicationMessage &message, Millis now, const PublishOverrides &overrides)
{
    PublishResult result = m_outbound.publish(message, now, m_link, overrides);
    result.output = finish(std::move(result.output), now);
    return result;
}

Status Session::checkPeerPacketSize(const Packet &packet) const
{
    if (m_link.peerMaximumPacketSize == 0)
        return {};
    const auto size = quint32(encode(packet, m_link.version).size());
    if (size <= m_link.peerMaximumPacketSize)
        return {};
    return Problem{ProblemKind::Limit, QStringLiteral("%1 not sent: it is %2 bytes, but the broker accepts at most %3 bytes (Maximum Packet Size) "
                          "[MQTT-3.2.2-15]. Send fewer or shorter topic filters.")
        .arg(packetTypeName(packetType(packet)))
        .arg(size)
        .arg(m_link.peerMaximumPacketSize)};
}

SessionOutput Session::subscribe(std::vector<Subscription> subscriptions, Millis now, Properties properties)
{
    SessionOutput out;
    if (m_state != SessionState::Connected) {
        out.events.push_back(LocalMisuse{QStringLiteral("Not connected: SUBSCRIBE not sent.")});
        return out;
    }
    const auto id = m_outbound.allocateId();
    if (!id) {
        out.events.push_back(LocalMisuse{QStringLiteral("All packet ids are in use; SUBSCRIBE not sent.")});
        return out;
    }
    Subscribe packet{*id, m_link.isV5() ? std::move(properties) : Properties{}, subscriptions};
    if (const Status size = checkPeerPacketSize(packet); !size) {
        m_outbound.releaseId(*id);
        out.events.push_back(LocalMisuse{size.sentence()});
        return out;
    }
    m_pending.emplace(id->value, PendingRequest{PacketType::Subscribe, std::move(subscriptions), {}});
    out.sent.push_back(std::move(packet));
    return finish(std::move(out), now);
}

SessionOutput Session::unsubscribe(std::vector<QString> filters, Millis now, Properties properties)
{
    SessionOutput out;
    if (m_state != SessionState::Connected) {
        out.events.push_back(LocalMisuse{QStringLiteral("Not connected: UNSUBSCRIBE not sent.")});
        return out;
    }
    const auto id = m_outbound.allocateId();
    if (!id) {
        out.events.push_back(LocalMisuse{QStringLiteral("All packet ids are in use; UNSUBSCRIBE not sent.")});
        return out;
    }
    Unsubscribe packet{*id, m_link.isV5() ? std::move(properties) : Properties{}, filters};
    if (const Status size = checkPeerPacketSize(packet); !size) {
        m_outbound.releaseId(*id);
        out.events.push_back(LocalMisuse{size.sentence()});
        return out;
    }
    m_pending.emplace(id->value, PendingRequest{PacketType::Unsubscribe, {}, std::move(filters)});
    out.sent.push_back(std::move(packet));
    return finish(std::move(out), now);
}

SessionOutput Session::acknowledgeSubscribe(PacketId id, std::vector<ReasonCode> reasons, Millis now)
{
    SessionOutput out;
    if (m_state == SessionState::Connected)
        out.sent.push_back(SubAck{id, {}, std::move(reasons)});
    return finish(std::move(out), now);
}

SessionOutput Session::acknowledgeUnsubscribe(PacketId id, std::vector<ReasonCode> reasons, Millis now)
{
    SessionOutput out;
    if (m_state == SessionState::Connected)
        out.sent.push_back(UnsubAck{id, {}, m_link.isV5() ? std::move(reasons) : std::vector<ReasonCode>{}});
    return finish(std::move(out), now);
}

SessionOutput Session::disconnect(Millis now, ReasonCode reason, Properties properties)
{
    SessionOutput out;
    if (m_state == SessionState::Disconnected)
        return out;
    if (m_link.isV5()) {
        if (const auto expiry = properties.integer(PropertyId::SessionExpiryInterval)) {
            m_meta.sessionExpiry = *expiry;
            m_meta.established = *expiry > 0;
            out.store.push_back(SaveMeta{m_meta});
        }
        out.sent.push_back(Disconnect{reason, std::move(properties)});
    } else {
        out.sent.push_back(Disconnect{});
    }
    out.close = true;
    markDisconnected(out);
    return finish(std::move(out), now);
}

SessionOutput Session::connectionLost(Millis)
{
    SessionOutput out;
    if (m_state != SessionState::Disconnected)
        markDisconnected(out);
    return out;
}

SessionOutput Session::protocolError(const ProtocolError &error, Millis now)
{
    SessionOutput out;
    if (m_state == SessionState::Disconnected)
        return out;
    out.events.push_back(PeerViolation{
        .rule = ruleOf(error, m_link.isV5()), .message = error.toString(), .closes = true, .reason = error.code});
    closeOnViolation(out);
    return finish(std::move(out), now);
}

void Session::violate(const QString &rule, const QString &message, SessionOutput &out)
{
    out.events.push_back(PeerViolation{.rule = rule, .message = message, .closes = true});
}

void Session::closeOnViolation(SessionOutput &out)
{
    if (m_state == SessionState::Disconnected)
        return;
    const PeerViolation *violation = closingViolation(out);
    // 5.0: tell the peer why ([MQTT-4.13.1-1]); 3.1.1 just closes.
    if (m_link.isV5())
        out.sent.push_back(Disconnect{violation->reason, {}});
    out.close = true;
    markDisconnected(out);
}

void Session::markDisconnected(SessionOutput &out)
{
    m_state = SessionState::Disconnected;
    m_link.connected = false;
    m_pingSentAt.reset();
    for (const auto &[id, request] : m_pending) {
        out.events.push_back(RequestUnanswered{PacketId(id), request.type,
                                               QStringLiteral("%1 id %2 got no answer before the connection closed.")
                                                   .arg(packetTypeName(request.type))
                                                   .arg(id)});
        m_outbound.releaseId(PacketId(id));
    }
    m_pending.clear();
}

// ---- keep alive -------------------------------------------------------------------------

std::optional<Millis> Session::nextDeadline() const
{
    if (m_state == SessionState::Disconnected || m_keepAlive == 0)
        return std::nullopt;
    const Millis interval(qint64(m_keepAlive) * 1000);
    if (m_options.role == SessionRole::Server)
        return m_lastReceived + interval + interval / 2; // [MQTT-3.1.2-22] one and a half times
    if (m_pingSentAt)
        return *m_pingSentAt + m_options.pingTimeout.value_or(interval);
    if (m_state == SessionState::Connecting)
        return m_lastSent + m_options.pingTimeout.value_or(interval); // no CONNACK in time
    return m_lastSent + interval;
}

SessionOutput Session::tick(Millis now)
{
    SessionOutput out;
    const auto deadline = nextDeadline();
    if (!deadline || now < *deadline)
        return out;
    const auto seconds = [](Millis m) { return QString::number(double(m.count()) / 1000.0, 'f', 1); };
    if (m_options.role == SessionRole::Server) {
        // The statement is 3.1.2-22 in 5.0 and 3.1.2-24 in 3.1.1.
        out.events.push_back(KeepAliveExpired{QStringLiteral("No packet from the client for %1 s, one and a half times "
                                                             "its Keep Alive of %2 s %3.")
                                                  .arg(seconds(now - m_lastReceived))
                                                  .arg(m_keepAlive)
                                                  .arg(m_link.isV5() ? QStringLiteral("[MQTT-3.1.2-22]")
                                                                     : QStringLiteral("[MQTT-3.1.2-24]"))});
        if (m_link.isV5())
            out.sent.push_back(Disconnect{ReasonCode::KeepAliveTimeout, {}});
        out.close = true;
        markDisconnected(out);
    } else if (m_state == SessionState::Connecting) {
        out.events.push_back(KeepAliveExpired{QStringLiteral("No CONNACK within %1 s of CONNECT; giving up.")
                                                  .arg(seconds(now - m_lastSent))});
        out.close = true;
        markDisconnected(out);
    } else if (m_pingSentAt) {
        out.events.push_back(KeepAliveExpired{QStringLiteral("No PINGRESP within %1 s of PINGREQ: the connection is "
                                                             "dead (section 3.1.2.10).")
                                                  .arg(seconds(now - *m_pingSentAt))});
        out.close = true;
        markDisconnected(out);
    } else {
        out.sent.push_back(PingReq{});
        m_pingSentAt = now;
    }
    return finish(std::move(out), now);
}

} // namespace mqs
