#include "trace_text.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"

namespace mqs {

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

QString traceLine(const TraceLog &log, quint64 sequence)
{
    const auto connection = log.connection(log.connectionOf(sequence)).value_or(TraceConnection{});
    const QString time = QStringLiteral("%1").arg(double(log.timeUs(sequence)) / 1e6, 10, 'f', 6);
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
