#include "session_output.h"

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

} // namespace mqs
