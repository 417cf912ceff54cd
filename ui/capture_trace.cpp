#include "capture_trace.h"

#include "protocol/overloaded.h"

namespace mqs {
namespace {

QString endpoint(const QString &address, quint16 port)
{
    return address.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(address).arg(port)
                                               : QStringLiteral("%1:%2").arg(address).arg(port);
}

void addCounts(CaptureSummary &summary, const ConnectionObserver &observer)
{
    const ObservedCounts &counts = observer.counts();
    for (std::size_t qos = 0; qos < summary.messages.size(); ++qos)
        summary.messages[qos] += counts.messages[qos];
    summary.completed += counts.completed;
    summary.failed += counts.failed;
    summary.resends += counts.resends;
    summary.violations += counts.violations;
}

// The lane's clock stops at the capture's end: its open flows waited until then, not until now.
void endRecording(TraceLog &log, ConnectionId id, qint64 endUs)
{
    if (auto connection = log.connection(id)) {
        connection->recordingEndUs = endUs;
        log.updateConnection(*connection);
    }
}

} // namespace

CaptureTrace::CaptureTrace(TraceLog &log, Timing timing)
    : m_log(log), m_timing(timing)
{
}

qint64 CaptureTrace::traceTimeOf(qint64 captureUs)
{
    if (!m_offsetUs)
        m_offsetUs = m_timing == Timing::Live ? -m_log.clock().epochWallUs() : m_log.clock().nowUs() - captureUs;
    return captureUs + *m_offsetUs;
}

void CaptureTrace::add(CaptureItem item, const CaptureStreams &streams)
{
    std::visit(overloaded{
                   [&](CapturedPacket &packet) { addPacket(packet, streams); },
                   [&](const CaptureStreamNote &note) { addNote(note); },
               },
               item);
}

ObservedTrace &CaptureTrace::traceOf(const CaptureStream &stream)
{
    auto &trace = m_traces[stream.index];
    if (!trace) {
        const ObserverOptions options{.start = stream.midSession ? StreamStart::Unknown : StreamStart::Beginning,
                                      .assumedVersion = stream.version};
        trace = std::make_unique<ObservedTrace>(
            m_log, ObservedEndpoints{endpoint(stream.clientAddress, stream.clientPort), endpoint(stream.brokerAddress, stream.brokerPort)},
            options);
        keepCaptureClock(trace->connection());
    }
    return *trace;
}

// A file's packets are shifted to when it was opened: the lane keeps the shift, so the times the
// user reads (the Inspector's steps, an export's title) are the capture's own. A live capture's
// trace times are its own already.
void CaptureTrace::keepCaptureClock(ConnectionId id)
{
    auto connection = m_log.connection(id);
    if (!connection || m_timing == Timing::Live || !m_offsetUs)
        return;
    connection->capturedWallOffsetUs = -*m_offsetUs;
    m_log.updateConnection(*connection);
}

void CaptureTrace::addPacket(CapturedPacket &packet, const CaptureStreams &streams)
{
    const CaptureStream *stream = streams.stream(packet.stream);
    if (!stream)
        return;
    const qint64 timeUs = traceTimeOf(packet.timeUs); // first: the lane takes its clock from it
    ObservedTrace &trace = traceOf(*stream);
    trace.learnVersion(packet.version); // a stream without its CONNECT may show its version later
    trace.packet(packet.fromClient ? ObservedSide::Client : ObservedSide::Broker, packet.packet, packet.raw, timeUs);
    if (!m_named[packet.stream] && !stream->clientId.isEmpty())
        nameLanes(trace, *stream);
}

// "boiler (192.168.1.20:50100)" and "broker 192.168.1.2:1883": the lanes say who and where.
void CaptureTrace::nameLanes(ObservedTrace &trace, const CaptureStream &stream)
{
    m_named[stream.index] = true;
    auto connection = m_log.connection(trace.connection());
    if (!connection)
        return;
    const QString name = QStringLiteral("%1 (%2)").arg(stream.clientId, endpoint(stream.clientAddress, stream.clientPort));
    connection->name = name;
    connection->localParty = name;
    m_log.updateConnection(*connection);
}

void CaptureTrace::addNote(const CaptureStreamNote &note)
{
    m_notes << note.sentence;
    const auto it = m_traces.find(note.stream);
    if (it == m_traces.end())
        return;
    m_log.append(TraceEvent{.timeUs = traceTimeOf(note.timeUs), .connection = it->second->connection(),
                            .kind = TraceKind::Note, .note = note.sentence});
}

CaptureSummary CaptureTrace::finish(qint64 endCaptureUs)
{
    CaptureSummary summary;
    summary.connections = connections();
    summary.notes = m_notes;
    const qint64 endUs = traceTimeOf(endCaptureUs);
    for (const auto &[stream, trace] : m_traces) {
        const ConnectionObserver &observer = trace->observer();
        addCounts(summary, observer);
        for (const ObservedStall &stall : observer.stalls(endUs, 0)) {
            const QString sentence = QStringLiteral("At the capture's end, %1").arg(stall.sentence);
            summary.stalls << sentence;
            m_log.append(TraceEvent{.timeUs = endUs, .connection = trace->connection(), .kind = TraceKind::Note,
                                    .packetId = stall.packetId, .note = sentence});
        }
        summary.unfinished += observer.openFlows().size();
        endRecording(m_log, trace->connection(), endUs);
    }
    return summary;
}

} // namespace mqs
