#include "session_output.h"

#include <QStringList>

namespace mqs {

void SessionOutput::append(SessionOutput &&other)
{
    auto move = [](auto &into, auto &from) {
        into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    };
    move(store, other.store);
    move(sent, other.sent);
    move(delivered, other.delivered);
    move(flows, other.flows);
    move(events, other.events);
    close = close || other.close;
}

FlowState stateAfter(const SessionOutput &out, Direction direction, PacketId id, FlowState fallback)
{
    for (auto it = out.flows.rbegin(); it != out.flows.rend(); ++it)
        if (it->direction == direction && it->packetId == id)
            return it->state;
    return fallback;
}

QString describeEvent(const SessionEvent &event)
{
    return std::visit(
        [](const auto &e) -> QString {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, Connected>)
                return QStringLiteral("Connected (Session Present = %1)%2")
                    .arg(int(e.sessionPresent))
                    .arg(e.assignedClientId.isEmpty() ? QString()
                                                      : QStringLiteral(", assigned client id '%1'").arg(e.assignedClientId));
            else if constexpr (std::is_same_v<E, SubscribeAcknowledged>) {
                QStringList parts;
                for (std::size_t i = 0; i < e.subscriptions.size() && i < e.reasons.size(); ++i)
                    parts << QStringLiteral("%1 → %2").arg(e.subscriptions[i].filter,
                                                           isFailure(e.reasons[i]) ? reasonText(e.reasons[i], PacketType::SubAck)
                                                                                   : QStringLiteral("QoS %1").arg(reasonValue(e.reasons[i])));
                return QStringLiteral("Subscribed: ") + parts.join(QStringLiteral(", "));
            } else if constexpr (std::is_same_v<E, UnsubscribeAcknowledged>) {
                QStringList filters(e.filters.begin(), e.filters.end());
                return QStringLiteral("Unsubscribed: ") + filters.join(QStringLiteral(", "));
            } else if constexpr (std::is_same_v<E, SubscribeRequested>) {
                return QStringLiteral("SUBSCRIBE id %1 requested").arg(e.request.packetId.value);
            } else if constexpr (std::is_same_v<E, UnsubscribeRequested>) {
                return QStringLiteral("UNSUBSCRIBE id %1 requested").arg(e.request.packetId.value);
            } else if constexpr (std::is_same_v<E, Violation>) {
                return e.message;
            } else {
                return e.message;
            }
        },
        event);
}

} // namespace mqs
