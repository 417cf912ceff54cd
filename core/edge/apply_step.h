#pragma once
// How an edge (the client's Connection, the sandbox broker's connections, later the proxy)
// carries out one step of the engine, in the order session_output.h states: commit every store
// change of the step in one transaction, and only then send, deliver, report and close. The
// one store-failure rule: a step whose commit failed sends nothing and delivers nothing; its
// connections close with storeFailureClose(), so the peer resends what it did not see acknowledged.

#include "store/session_store.h"

#include <vector>

namespace mqs {

// One connection's side of an edge: what a committed step does to it.
class StepTarget
{
public:
    virtual ~StepTarget() = default;
    // The flow state a sent packet is traced with when the step itself did not change it.
    virtual FlowState currentFlowState(Direction direction, PacketId id) const = 0;
    virtual void send(const Packet &packet, FlowState flowState) = 0;
    // The application hears of a message only once it is committed (exactly once).
    virtual void deliver(const Delivery &delivery) = 0;
    // Flow updates and events, for the trace and the front end; after the step's packets.
    virtual void report(const SessionOutput &output) = 0;
    // Close once the step's packets are out.
    virtual void close() = 0;
};

// One session's output of a step, and where it goes (nothing: the session is offline; what it
// would send waits in the session until it connects).
struct StepPart {
    StepTarget *target = nullptr;
    const SessionOutput *output = nullptr;
};

// Commits `changes` in one transaction (no store: nothing persists, nothing can fail), then
// carries out `parts` in order. On a failed commit nothing of any part is carried out and the
// Store problem is returned: the caller closes with storeFailureClose() and forgets what the step did
// in memory (the store holds the truth).
Status applyStep(SessionStore *store, const StoreBatch &changes, const std::vector<StepPart> &parts);

// Carries out one committed output: packets in order, deliveries, report, close.
void carryOut(StepTarget &target, const SessionOutput &output);

// How a connection ends after its step's commit failed: 5.0 says so with DISCONNECT 0x80
// Unspecified error (allowed once CONNACK has accepted the connection, [MQTT-3.14.0-1]); 3.1.1,
// or before that, just closes. Either way the peer keeps what it did not see acknowledged and
// resends it on the next connection ([MQTT-4.4.0-1]).
[[nodiscard]] SessionOutput storeFailureClose(ProtocolVersion version, bool connectionAccepted);

} // namespace mqs
