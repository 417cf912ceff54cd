// Session: connecting. CONNECT and CONNACK from either side, the limits each announces and
// adopts, and what becomes of unfinished flows when a session is or is not resumed.

#include "session.h"

#include "protocol/describe.h"

#include <QStringList>

namespace mqs {
namespace {

// "outbound id 3 'a/b' (QoS 2), ...", for the sentences on flows a new session leaves behind.
QString listFlows(const std::vector<FlowUpdate> &flows)
{
    QStringList parts;
    for (const FlowUpdate &f : flows)
        parts << QStringLiteral("%1 id %2 '%3' (QoS %4)")
                     .arg(directionName(f.direction))
                     .arg(f.packetId.value)
                     .arg(f.topic)
                     .arg(qosValue(f.qos));
    return parts.join(QStringLiteral(", "));
}

// A fresh link for a new connection, with our own limits until the peer's are known;
// `peerIsServer` in the client role.
Link freshLink(bool peerIsServer, ProtocolVersion version, const SessionOptions &options)
{
    Link link{};
    link.peerIsServer = peerIsServer;
    link.version = version;
    link.receiveMaximum = options.receiveMaximum;
    link.topicAliasMaximum = version == ProtocolVersion::V5 ? options.topicAliasMaximum : 0;
    return link;
}

} // namespace

// 5.0: our limits, announced in CONNECT (client) or CONNACK (server) where the options lower them from
// the specification's defaults, unless the caller set them already.
void Session::announceLimits(Properties &p) const
{
    if (m_options.receiveMaximum < kDefaultReceiveMaximum && !p.contains(PropertyId::ReceiveMaximum))
        p.set(PropertyId::ReceiveMaximum, quint32(m_options.receiveMaximum));
    if (m_options.maximumPacketSize > 0 && !p.contains(PropertyId::MaximumPacketSize))
        p.set(PropertyId::MaximumPacketSize, m_options.maximumPacketSize);
    if (m_options.topicAliasMaximum > 0 && !p.contains(PropertyId::TopicAliasMaximum))
        p.set(PropertyId::TopicAliasMaximum, quint32(m_options.topicAliasMaximum));
}

// 5.0: the peer's limits from its CONNECT (server) or CONNACK (client); an absent property means the
// specification's default (Receive Maximum 65,535, no packet size limit, no topic aliases).
void Session::adoptPeerLimits(const Properties &p)
{
    m_link.peerReceiveMaximum = quint16(p.integer(PropertyId::ReceiveMaximum).value_or(kDefaultReceiveMaximum));
    m_link.peerMaximumPacketSize = p.integer(PropertyId::MaximumPacketSize).value_or(0);
    m_link.peerTopicAliasMaximum = quint16(p.integer(PropertyId::TopicAliasMaximum).value_or(0));
}

SessionOutput Session::connect(Connect connect, Millis now)
{
    SessionOutput out;
    if (m_options.role != SessionRole::Client || m_state != SessionState::Disconnected) {
        out.events.push_back(LocalMisuse{QStringLiteral("Already connected or connecting; CONNECT not sent.")});
        return out;
    }
    m_link = freshLink(true, connect.version, m_options); // the client role: the peer is the server
    if (connect.version == ProtocolVersion::V5) {
        Properties &p = connect.properties;
        announceLimits(p);
        m_link.receiveMaximum = quint16(p.integer(PropertyId::ReceiveMaximum).value_or(kDefaultReceiveMaximum));
        m_link.topicAliasMaximum = quint16(p.integer(PropertyId::TopicAliasMaximum).value_or(0));
    }
    m_meta.clientId = connect.clientId;
    m_meta.version = connect.version;
    m_meta.sessionExpiry = connect.version == ProtocolVersion::V5
        ? connect.properties.integer(PropertyId::SessionExpiryInterval).value_or(0)
        : (connect.cleanStart ? 0 : kSessionNeverExpires);
    m_cleanStartRequested = connect.cleanStart;
    m_keepAlive = connect.keepAlive;
    if (connect.cleanStart) {
        abandonAllFlows(QStringLiteral("discarded by Clean Start before connecting"),
                        QStringLiteral("Clean Start discarded the session: %1 were never completed."), now, out);
        if (m_meta.established) {
            m_meta.established = false;
            out.store.push_back(SaveMeta{m_meta});
        }
    }
    m_state = SessionState::Connecting;
    m_pingSentAt.reset();
    m_lastReceived = now;
    out.sent.push_back(std::move(connect));
    return finish(std::move(out), now);
}

// Why the broker refused, from its CONNACK: the code as it was on the wire, what usually causes it,
// and the broker's own Reason String (5.0).
QString Session::refusalSentence(const ConnAck &ack) const
{
    // 3.1.1 return codes are 0x01-0x05, not the 5.0 codes.
    QString text = ack.answeredInV311
        ? QStringLiteral("The broker speaks only MQTT 3.1.1: it answered this 5.0 CONNECT with a 3.1.1 CONNACK, "
                         "return code 0x01 (unacceptable protocol level).")
        : QStringLiteral("The broker refused the connection: %1 (CONNACK 0x%2).")
              .arg(connAckReasonName(ack.reason, m_link.version))
              .arg(connAckWireValue(ack.reason, m_link.version), 2, 16, QLatin1Char('0'));
    switch (ack.reason) {
    case ReasonCode::ClientIdentifierNotValid:
        text += m_meta.clientId.isEmpty()
            ? QStringLiteral(" The broker does not assign client ids; enter one.")
            : QStringLiteral(" Client id '%1' was not accepted; try a shorter id or let the broker assign one.").arg(m_meta.clientId);
        break;
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::NotAuthorized:
        text += QStringLiteral(" Check the user name and password.");
        break;
    case ReasonCode::UnsupportedProtocolVersion:
        text += QStringLiteral(" Try the other protocol version (3.1.1 or 5.0).");
        break;
    case ReasonCode::UnspecifiedError:
        // mosquitto 2.0.11 refuses a 5.0 CONNECT with an empty client id this way when it
        // does not assign ids (0x85 would be the specific code).
        if (m_meta.clientId.isEmpty())
            text += QStringLiteral(" The client id was empty; if the broker does not assign ids, enter one.");
        break;
    default:
        break;
    }
    if (const auto reason = ack.properties.string(PropertyId::ReasonString))
        text += QStringLiteral(" Broker says: \"%1\".").arg(*reason);
    return text;
}

void Session::onConnAck(const ConnAck &ack, Millis now, SessionOutput &out)
{
    if (m_state != SessionState::Connecting) {
        violate(QStringLiteral("[MQTT-3.2.0-2]"), QStringLiteral("A second CONNACK on one connection [MQTT-3.2.0-2]."), out);
        return;
    }
    if (isFailure(ack.reason)) {
        out.events.push_back(ConnectionRefused{ack.reason, refusalSentence(ack)});
        out.close = true;
        markDisconnected(out);
        return;
    }
    if (ack.sessionPresent && m_cleanStartRequested) {
        violate(QStringLiteral("[MQTT-3.2.2-2]"),
                QStringLiteral("CONNACK says Session Present = 1 although we asked for Clean Start [MQTT-3.2.2-2]."), out);
        return;
    }
    if (ack.sessionPresent && !m_meta.established) {
        // The front end says how to keep the session state across runs (a store file).
        violate(QStringLiteral("[MQTT-3.2.2-4]"),
                QStringLiteral("The broker resumed a session (Session Present = 1) for which this client holds no state "
                               "[MQTT-3.2.2-4]; its unfinished messages are lost to us. Reconnect with Clean Start to "
                               "begin a new session."),
                out);
        return;
    }
    if (m_link.isV5()) {
        const Properties &p = ack.properties;
        if (const auto id = p.string(PropertyId::AssignedClientIdentifier))
            m_meta.clientId = *id;
        if (const auto keepAlive = p.integer(PropertyId::ServerKeepAlive))
            m_keepAlive = quint16(*keepAlive); // [MQTT-3.2.2-21] the server's value wins
        adoptPeerLimits(p);
        if (const auto maxQos = p.integer(PropertyId::MaximumQoS))
            m_link.peerMaximumQoS = QoS(*maxQos);
        m_link.peerRetainAvailable = p.integer(PropertyId::RetainAvailable).value_or(1) == 1;
        if (const auto expiry = p.integer(PropertyId::SessionExpiryInterval))
            m_meta.sessionExpiry = *expiry;
    }
    m_state = SessionState::Connected;
    m_link.connected = true;
    out.events.push_back(Connected{ack.sessionPresent, ack.properties.string(PropertyId::AssignedClientIdentifier).value_or(QString())});
    m_meta.established = m_meta.sessionExpiry > 0;
    out.store.push_back(SaveMeta{m_meta});
    if (!ack.sessionPresent && !m_link.isV5() && !m_cleanStartRequested && m_outbound.inflight() > 0)
        resendToServerWithoutSession(now, out);
    else
        startFlows(ack.sessionPresent, now, out);
}

SessionOutput Session::accept(const Connect &connect, ConnAck ack, Millis now)
{
    SessionOutput out;
    m_link = freshLink(false, connect.version, m_options); // the server role
    m_link.maximumQoS = m_options.maximumQoS;
    m_meta.clientId = connect.clientId;
    m_meta.version = connect.version;
    m_keepAlive = connect.keepAlive;
    if (connect.version == ProtocolVersion::V5) {
        adoptPeerLimits(connect.properties);
        m_meta.sessionExpiry = connect.properties.integer(PropertyId::SessionExpiryInterval).value_or(0);
        Properties &a = ack.properties;
        announceLimits(a);
        if (m_options.maximumQoS && *m_options.maximumQoS != QoS::ExactlyOnce && !a.contains(PropertyId::MaximumQoS))
            a.set(PropertyId::MaximumQoS, quint32(qosValue(*m_options.maximumQoS)));
        if (const auto keepAlive = a.integer(PropertyId::ServerKeepAlive))
            m_keepAlive = quint16(*keepAlive);
    } else {
        m_meta.sessionExpiry = connect.cleanStart ? 0 : kSessionNeverExpires;
    }
    const bool refused = isFailure(ack.reason);
    if (refused)
        ack.sessionPresent = false; // [MQTT-3.2.2-6]
    out.sent.push_back(ack);
    if (refused) {
        out.close = true;
        markDisconnected(out);
        return finish(std::move(out), now);
    }
    m_state = SessionState::Connected;
    m_link.connected = true;
    m_lastReceived = now;
    m_meta.established = true;
    out.store.push_back(SaveMeta{m_meta});
    startFlows(ack.sessionPresent, now, out);
    return finish(std::move(out), now);
}

void Session::startFlows(bool sessionPresent, Millis now, SessionOutput &out)
{
    m_outbound.startConnection(m_link);
    m_inbound.startConnection();
    if (sessionPresent) {
        m_inbound.resume();
        resend(QStringLiteral("Session resumed (Session Present = 1)."), now, out);
        return;
    }
    // [MQTT-3.2.2-5] no session at the peer: our session state goes too, inbound ids included.
    abandonAllFlows(QStringLiteral("abandoned: the peer has no session (Session Present = 0)"),
                    QStringLiteral("The session was not resumed (Session Present = 0); these flows were never completed "
                                   "and are abandoned: %1."),
                    now, out);
    m_outbound.pump(now, m_link, out);
}

void Session::abandonAllFlows(const QString &why, const QString &sentence, Millis now, SessionOutput &out)
{
    auto lost = m_outbound.abandonSent(why, now, out);
    const auto lostInbound = m_inbound.discard(why, out);
    lost.insert(lost.end(), lostInbound.begin(), lostInbound.end());
    if (!lost.empty())
        out.events.push_back(FlowsAbandoned{sentence.arg(listFlows(lost)), lost});
}

// 3.1.1 [MQTT-4.4.0-1]: "When a Client reconnects with CleanSession set to 0, both the Client and
// Server MUST re-send any unacknowledged PUBLISH Packets (where QoS > 0) and PUBREL Packets" — whatever
// Session Present says. A server without the session takes the PUBLISHes as new and answers a PUBREL
// for an unknown id with PUBCOMP. Our inbound ids go: a server without the session sends no PUBREL.
void Session::resendToServerWithoutSession(Millis now, SessionOutput &out)
{
    m_outbound.startConnection(m_link);
    m_inbound.startConnection();
    const auto lostInbound = m_inbound.discard(QStringLiteral("abandoned: the server has no session (Session Present = "
                                                              "0), so it will not send their PUBREL"),
                                               out);
    if (!lostInbound.empty())
        out.events.push_back(FlowsAbandoned{QStringLiteral("The server kept no session (Session Present = 0); these "
                                                           "inbound flows are abandoned: %1.")
                                                .arg(listFlows(lostInbound)),
                                            lostInbound});
    resend(QStringLiteral("The server kept no session (Session Present = 0), but with CleanSession = 0 an MQTT 3.1.1 "
                          "client resends what is unacknowledged [MQTT-4.4.0-1]."),
           now, out);
}

void Session::resend(const QString &headline, Millis now, SessionOutput &out)
{
    const auto before = out.sent.size();
    m_outbound.resume(now, m_link, out);
    QStringList resent;
    for (auto i = before; i < out.sent.size(); ++i)
        resent << describe(out.sent[i]);
    QStringList waiting;
    for (const InboundFlow &f : m_inbound.flows())
        waiting << QString::number(f.packetId.value);
    QString text = headline;
    text += resent.isEmpty() ? QStringLiteral(" Nothing to resend.")
                             : QStringLiteral(" Resending in original order: %1.").arg(resent.join(QStringLiteral("; ")));
    if (!waiting.isEmpty())
        text += QStringLiteral(" Inbound ids awaiting PUBREL: %1.").arg(waiting.join(QStringLiteral(", ")));
    out.events.push_back(SessionResumed{text});
}

} // namespace mqs
