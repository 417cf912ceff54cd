// Connection, reading: the packets decoded from one turn's bytes run their steps at once, and
// their store changes are committed together before any of their packets is written.

#include "connection.h"

#include <limits>

namespace mqs {

int Connection::backlogPackets() const
{
    const qint64 unread = m_transport && m_transport->isOpen() ? m_transport->unreadBytes() : 0;
    if (unread <= 0)
        return 0;
    const qint64 meanSize = m_packetsReceived > 0 ? std::max<qint64>(1, m_bytesReceived / m_packetsReceived) : unread;
    return int(std::min<qint64>(std::numeric_limits<int>::max(), (unread + meanSize - 1) / meanSize));
}

void Connection::onReceived(const QByteArray &bytes)
{
    if (m_storeFailed)
        return; // closing: what the step that failed to commit would have answered is not read either
    m_decoder.feed(bytes);
    m_bytesReceived += bytes.size();
    // A read inside a slot's nested event loop joins the turn already being gathered.
    const bool outermost = !m_received;
    if (outermost)
        m_received.emplace();
    decodeReceived();
    if (outermost)
        flushReceived();
}

void Connection::decodeReceived()
{
    while (m_transport && m_transport->isOpen() && !(m_received && m_received->closing)) {
        auto result = m_decoder.next();
        if (std::holds_alternative<NeedMoreBytes>(result))
            return;
        if (const auto *error = std::get_if<ProtocolError>(&result)) {
            const QString text = describeIncomingError(*error);
            TraceEvent event;
            event.connection = m_traceId;
            event.kind = TraceKind::Violation;
            event.direction = TraceDirection::Received;
            event.note = text;
            event.timeUs = m_trace.clock().nowUs();
            m_trace.append(event);
            m_lastError = problem(ProblemKind::Protocol, text);
            emit errorOccurred(*m_lastError);
            execute(m_session->protocolError(*error, now()));
            return;
        }
        handleIncoming(std::get<DecodedPacket>(result));
    }
}

void Connection::flushReceived()
{
    std::optional<ReceivedSteps> received = std::exchange(m_received, std::nullopt);
    if (!received || received->steps.empty())
        return;
    // One transaction for the whole turn, committed before any packet of it is written; if it
    // fails, nothing of the turn is sent or delivered.
    std::vector<const SessionOutput *> steps;
    steps.reserve(received->steps.size());
    for (const SessionOutput &step : received->steps)
        steps.push_back(&step);
    applySteps(std::move(received->store), steps);
}

void Connection::handleIncoming(const DecodedPacket &decoded)
{
    ++m_packetsReceived;
    pass(HeldPacket::of(m_transportGeneration, TraceDirection::Received, decoded.packet, decoded.raw,
                        m_session->topicOf(decoded.packet, false), m_session->meta().clientId));
}

void Connection::process(const Packet &packet, const QByteArray &raw, TraceMark mark, quint32 ruleId)
{
    SessionOutput out = m_session->receive(packet, now());
    const PacketType type = packetType(packet);
    FlowState state = FlowState::None;
    if (belongsToFlow(type)) {
        const Direction direction = flowDirectionOf(type, false);
        const PacketId id = packetIdOf(packet).value_or(PacketId());
        state = stateAfter(out, direction, id, m_session->flowState(direction, id));
    }
    trace(TraceDirection::Received, packet, raw, state, mark, ruleId);
    keepInboundFlowsInMemory(out);
    if (!m_received) {
        execute(std::move(out));
        return;
    }
    m_received->store.insert(m_received->store.end(), std::make_move_iterator(out.store.begin()),
                             std::make_move_iterator(out.store.end()));
    out.store.clear();
    m_received->closing = m_received->closing || out.close;
    m_received->steps.push_back(std::move(out));
}

void Connection::keepInboundFlowsInMemory(SessionOutput &out)
{
    if (m_inboundInMemory)
        std::erase_if(out.store, [](const StoreChange &change) {
            return std::holds_alternative<SaveInbound>(change) || std::holds_alternative<DeleteInbound>(change);
        });
    // A CONNACK without a session, for a session that ends with the connection (5.0 expiry 0;
    // 3.1.1 clean session): the step that says so discarded the stored inbound flows, so from
    // here on the store holds none for this connection and a kill could not use any.
    for (const SessionEvent &event : out.events)
        if (const auto *connected = std::get_if<Connected>(&event))
            m_inboundInMemory = !connected->sessionPresent && m_session->meta().sessionExpiry == 0;
}

} // namespace mqs
