#include "trace_text.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"

namespace mqs {
namespace {
constexpr qint64 kMicrosPerSecond = 1'000'000;
constexpr qint64 kMicrosPerMilli = 1'000;
} // namespace

QString traceSeconds(qint64 timeUs, TimeResolution resolution)
{
    const qint64 magnitude = timeUs < 0 ? -timeUs : timeUs; // captures may start before the trace
    const qint64 fraction = magnitude % kMicrosPerSecond;
    const bool micro = resolution == TimeResolution::Microseconds;
    return QStringLiteral("%1%2.%3")
        .arg(timeUs < 0 ? QStringLiteral("-") : QString())
        .arg(magnitude / kMicrosPerSecond)
        .arg(micro ? fraction : fraction / kMicrosPerMilli, micro ? 6 : 3, 10, QLatin1Char('0'));
}

QString durationText(qint64 us)
{
    const double ms = double(std::max<qint64>(0, us)) / 1e3;
    return ms < 1000 ? QStringLiteral("%1 ms").arg(ms, 0, 'f', ms < 10 ? 2 : 0) : QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', 1);
}

QString partyName(const TraceLog &log, const TraceConnection &connection, bool remote)
{
    if (!remote)
        return connection.localParty;
    if (connection.role == ConnectionRole::BrokerSide && !connection.clientId.isEmpty())
        for (const TraceConnection &other : log.connections())
            if (other.role == ConnectionRole::Client && other.clientId == connection.clientId)
                return other.localParty;
    return connection.remoteParty;
}

qint64 wallTimeUs(const TraceLog &log, const TraceConnection &connection, qint64 timeUs)
{
    return timeUs + connection.capturedWallOffsetUs.value_or(log.clock().epochWallUs());
}

QString traceLine(const TraceLog &log, quint64 sequence)
{
    const auto connection = log.connection(log.connectionOf(sequence)).value_or(TraceConnection{});
    const QString time = QStringLiteral("%1").arg(traceSeconds(log.timeUs(sequence), TimeResolution::Microseconds), 10);
    const TraceKind kind = log.kindOf(sequence);
    if (kind != TraceKind::Packet) {
        static const char *const kKinds[] = {"packet", "opened", "closed", "cut", "resumed", "abandoned", "violation", "note"};
        return QStringLiteral("%1  %2  [%3] %4")
            .arg(time, connection.localParty, QLatin1String(kKinds[int(kind)]), log.noteOf(sequence));
    }
    const bool sent = log.directionOf(sequence) == TraceDirection::Sent;
    const QString from = partyName(log, connection, !sent);
    const QString to = partyName(log, connection, sent);
    const auto decoded = decodePacket(log.rawView(sequence), connection.version);
    QString text = std::holds_alternative<Packet>(decoded) ? describe(std::get<Packet>(decoded), connection.version)
                                                           : std::get<ProtocolError>(decoded).toString();
    QString line = QStringLiteral("%1  %2 → %3  %4").arg(time, from, to, text);
    if (const FlowState state = log.flowStateOf(sequence); state != FlowState::None)
        line += QStringLiteral("  ") + flowStateName(state);
    switch (log.markOf(sequence)) {
    case TraceMark::Held: line += QStringLiteral("  [held by a fault rule]"); break;
    case TraceMark::Released: line += QStringLiteral("  [released]"); break;
    case TraceMark::Dropped: line += QStringLiteral("  [dropped by a fault rule]"); break;
    case TraceMark::Delayed: line += QStringLiteral("  [delayed]"); break;
    case TraceMark::Duplicated: line += QStringLiteral("  [duplicated]"); break;
    case TraceMark::None: break;
    }
    return line;
}

} // namespace mqs
