#include "observed_trace.h"

namespace mqs {
namespace {

ObserverOptions forTrace(ObserverOptions options)
{
    options.keepFinished = KeptFlows::None; // the FlowIndex keeps the trace's flows
    return options;
}

} // namespace

ObservedTrace::ObservedTrace(TraceLog &log, ObservedEndpoints endpoints, ObserverOptions options)
    : m_log(log), m_endpoints(std::move(endpoints)), m_observer(forTrace(options))
{
    m_connection = m_log.addConnection(TraceConnection{
        .role = ConnectionRole::Observed,
        .name = m_endpoints.client,
        .localParty = m_endpoints.client,
        .remoteParty = QStringLiteral("broker %1").arg(m_endpoints.broker).trimmed(),
        .version = options.assumedVersion,
    });
}

quint64 ObservedTrace::packet(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs, TraceMark mark,
                              quint32 ruleId)
{
    std::optional<ObservedFault> copiedBy;
    if (mark == TraceMark::Duplicated && ruleId != 0)
        copiedBy = faultOf(ruleId, Interference::Duplicated);
    const ObservedStep step = m_observer.packet(from, packet, raw, timeUs, copiedBy);
    if (!m_named && m_observer.limits().connectSeen)
        nameAfterConnect();
    const quint64 sequence = appendPacket(from, packet, raw, timeUs, mark, ruleId, step.state);
    traceFindings();
    return sequence;
}

quint64 ObservedTrace::withheld(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs, TraceMark mark,
                                quint32 ruleId)
{
    if (ruleId != 0)
        m_observer.interfered(from, packet, timeUs, faultOf(ruleId, mark == TraceMark::Held ? Interference::Held : Interference::Dropped));
    return appendPacket(from, packet, raw, timeUs, mark, ruleId, FlowState::None);
}

void ObservedTrace::delayed(ObservedSide from, const Packet &packet, qint64 timeUs, quint32 ruleId)
{
    m_observer.interfered(from, packet, timeUs, faultOf(ruleId, Interference::Delayed));
}

ObservedFault ObservedTrace::faultOf(quint32 ruleId, Interference how) const
{
    QString name = m_ruleNames ? m_ruleNames(ruleId) : QString();
    if (name.isEmpty())
        name = QString::number(ruleId);
    return ObservedFault{.ruleId = ruleId, .ruleName = std::move(name), .how = how};
}

quint64 ObservedTrace::appendPacket(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs,
                                    TraceMark mark, quint32 ruleId, FlowState state)
{
    return m_log.append(TraceEvent{
        .timeUs = timeUs,
        .connection = m_connection,
        .kind = TraceKind::Packet,
        .direction = directionOf(from),
        .type = packetType(packet),
        .packetId = packetIdOf(packet).value_or(PacketId{}),
        .flowState = state,
        .mark = mark,
        .ruleId = ruleId,
        .raw = raw,
    });
}

void ObservedTrace::tick(qint64 timeUs)
{
    m_observer.tick(timeUs);
    traceFindings();
}

void ObservedTrace::closed(qint64 timeUs, const QString &why)
{
    m_observer.closed(timeUs);
    traceFindings();
    m_log.append(TraceEvent{.timeUs = timeUs, .connection = m_connection, .kind = TraceKind::Closed, .note = why});
    m_log.closeConnection(m_connection);
}

void ObservedTrace::traceFindings()
{
    for (ObservedFinding &finding : m_observer.takeFindings()) {
        m_log.append(TraceEvent{
            .timeUs = finding.timeUs,
            .connection = m_connection,
            .kind = TraceKind::Violation,
            .direction = directionOf(finding.side),
            .packetId = finding.packetId.value_or(PacketId{}),
            .ruleId = finding.fault ? finding.fault->ruleId : 0,
            .note = finding.text(),
        });
        m_taken.push_back(std::move(finding));
    }
}

void ObservedTrace::learnVersion(ProtocolVersion version)
{
    if (m_observer.limits().connectSeen || m_observer.version() == version)
        return;
    m_observer.learnVersion(version);
    if (auto connection = m_log.connection(m_connection)) {
        connection->version = version;
        m_log.updateConnection(*connection);
    }
}

void ObservedTrace::nameAfterConnect()
{
    m_named = true;
    auto connection = m_log.connection(m_connection).value_or(TraceConnection{});
    const QString clientId = m_observer.clientId();
    connection.version = m_observer.version();
    if (!clientId.isEmpty()) {
        connection.clientId = clientId;
        connection.name = clientId;
        connection.localParty = clientId;
    }
    m_log.updateConnection(connection);
}

} // namespace mqs
