#pragma once
// What a scenario run saw of each client, and the expectations read against it: the runner
// records, these functions judge (scenario_runner.cpp polls them until they hold).

#include "scenario.h"

#include "session/session_output.h"
#include "trace/trace_log.h"

#include <map>

namespace mqs {

struct ClientRecord {
    ProtocolVersion version = ProtocolVersion::V5;
    std::vector<int> received; // sequence numbers in arrival order (-1: a payload without one)
    std::map<int, quint64> serialOfSequence; // what the client published: sequence number -> flow serial
    std::map<quint64, FlowUpdate> outbound; // by flow serial, the latest update
    std::map<quint16, FlowUpdate> inbound; // by packet id, the latest update
    std::vector<PeerViolation> violations; // the broker's, as the client's session caught them
    std::vector<ConnectionId> traceIds; // every lane the client had (a restore makes a new one)
};

using ClientRecords = std::map<QString, ClientRecord>;

struct Judgement {
    bool holds = false;
    QString detail; // what was seen: why it failed, or what held
};

[[nodiscard]] Judgement judge(const Expectation &expectation, const ClientRecords &clients, const TraceLog &trace);

// "dashboard received seq 1..10, exactly once": the expectation without its time limit.
QString describeExpectation(const Expectation &expectation);

} // namespace mqs
