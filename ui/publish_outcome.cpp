#include "publish_outcome.h"

#include "theme.h"
#include "trace/trace_text.h"

#include <QCoreApplication>

namespace mqs {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("PublishPanel", text);
}

bool onTheWire(FlowState state)
{
    return state == FlowState::AwaitingPubAck || state == FlowState::AwaitingPubRec || state == FlowState::AwaitingPubComp
        || state == FlowState::Complete;
}

} // namespace

void PublishTally::add(const PublishTicket &ticket, QoS qos, FlowState stateNow)
{
    ++m_handed;
    if (qos == QoS::AtMostOnce) { // sent at once or refused: never queued, never acknowledged
        ++m_sent;
        return;
    }
    ++m_queued;
    bool &onWire = m_open[ticket.serial];
    onWire = false;
    step(ticket.serial, onWire, stateNow);
}

bool PublishTally::update(const FlowUpdate &update)
{
    if (update.direction != Direction::Outbound)
        return false;
    const auto it = m_open.find(update.serial);
    if (it == m_open.end())
        return false;
    step(update.serial, *it, update.state);
    return true;
}

void PublishTally::step(quint64 serial, bool &onWire, FlowState state)
{
    if (!onWire && onTheWire(state)) {
        onWire = true;
        ++m_sent;
        --m_queued;
    }
    if (!isFinished(state))
        return;
    if (!onWire)
        --m_queued; // failed or abandoned before it went out
    if (state == FlowState::Complete)
        ++m_completed;
    else
        ++m_failed;
    m_open.remove(serial);
}

void LastPublish::published(Connection *connection, const ApplicationMessage &message, const PublishTicket &ticket, quint64 traceEnd)
{
    m_connection = connection;
    m_serial = ticket.serial;
    m_traceEnd = traceEnd;
    m_startUs = m_workbench.trace().clock().nowUs();
    m_completedInUs.reset();
    m_update = FlowUpdate{};
    m_update.qos = message.qos;
    m_update.topic = message.topic;
    m_update.packetId = ticket.packetId.value_or(PacketId());
    m_update.state = message.qos == QoS::AtMostOnce ? FlowState::None
                                                    : connection->session().flowState(Direction::Outbound, m_update.packetId);
    if (m_update.state == FlowState::Complete)
        completedInUs();
}

bool LastPublish::update(Connection *connection, const FlowUpdate &update)
{
    if (connection != m_connection || update.direction != Direction::Outbound || update.serial != m_serial || !m_serial)
        return false;
    m_update = update;
    if (update.state == FlowState::Complete)
        completedInUs(); // now, while the PUBCOMP is the trace's newest news
    return true;
}

qint64 LastPublish::completedInUs()
{
    if (m_completedInUs)
        return *m_completedInUs;
    FlowIndex &flows = m_workbench.flows();
    flows.update();
    // Newest first; flows older than this publish cannot be its flow.
    for (auto it = flows.flows().rbegin(); it != flows.flows().rend() && it->events.front() >= m_traceEnd; ++it) {
        const FlowKey &key = it->key;
        if (key.connection == m_connection->traceId() && key.direction == Direction::Outbound && key.packetId == m_update.packetId
            && it->publishUs >= 0 && it->completeUs >= 0) {
            m_completedInUs = it->completeUs - it->publishUs;
            return *m_completedInUs;
        }
    }
    // Evicted from the trace already: the time until we heard of it, fixed from now on.
    m_completedInUs = m_workbench.trace().clock().nowUs() - m_startUs;
    return *m_completedInUs;
}

std::optional<QString> LastPublish::heldSentence() const
{
    for (const Workbench::Held &h : m_workbench.heldPackets())
        if (h.connection == m_connection && h.packet.packetId == m_update.packetId)
            return tr("id %1: %2 held by rule '%3' — release it in the flow inspector.")
                .arg(m_update.packetId.value)
                .arg(packetTypeName(h.packet.type), h.packet.ruleName);
    return std::nullopt;
}

QString LastPublish::waitingSentence() const
{
    const double seconds = double(m_workbench.trace().clock().nowUs() - m_startUs) / 1e6;
    const quint16 id = m_update.packetId.value;
    switch (m_update.state) {
    case FlowState::Queued:
        if (m_connection->state() != ConnectionState::Connected)
            return tr("id %1 not sent: %2 is not connected. It goes out when the connection opens (Ctrl+K).")
                .arg(id)
                .arg(m_connection->settings().name);
        return tr("id %1 queued: waiting for send quota (the broker's Receive Maximum).").arg(id);
    case FlowState::AwaitingPubAck: return tr("id %1 waiting for PUBACK (%2 s).").arg(id).arg(seconds, 0, 'f', 1);
    case FlowState::AwaitingPubRec: return tr("id %1 waiting for PUBREC (%2 s).").arg(id).arg(seconds, 0, 'f', 1);
    case FlowState::AwaitingPubComp:
        return tr("id %1 PUBREC received; waiting for PUBCOMP (%2 s).").arg(id).arg(seconds, 0, 'f', 1);
    default: return tr("id %1 …").arg(id);
    }
}

LastPublish::Sentence LastPublish::sentence()
{
    const FlowUpdate &u = m_update;
    if (u.qos == QoS::AtMostOnce)
        return {tr("%1 sent at QoS 0: no acknowledgement exists for QoS 0.").arg(u.topic), {}, QStyle::SP_ArrowRight};
    if (const auto held = heldSentence())
        return {*held, {}, QStyle::SP_MediaPause};
    switch (u.state) {
    case FlowState::Complete:
        return {tr("id %1 completed (%2) in %3.")
                    .arg(u.packetId.value)
                    .arg(u.qos == QoS::ExactlyOnce ? QStringLiteral("PUBCOMP") : QStringLiteral("PUBACK"), durationText(completedInUs())),
                successColor(), QStyle::SP_DialogApplyButton};
    case FlowState::Failed:
        return {tr("id %1 failed: %2").arg(u.packetId.value).arg(u.note), problemColor(), QStyle::SP_MessageBoxCritical};
    case FlowState::Abandoned:
        return {tr("id %1 abandoned: %2").arg(u.packetId.value).arg(u.note), problemColor(), QStyle::SP_MessageBoxCritical};
    default: return {waitingSentence(), {}, QStyle::SP_BrowserReload};
    }
}

} // namespace mqs
