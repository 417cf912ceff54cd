#pragma once
// What a scenario run saw of each client, and the expectations read against it: the runner
// records, these functions judge (scenario_runner.cpp polls them until they hold).

#include "scenario.h"

#include "session/session_output.h"
#include "trace/trace_log.h"

#include <map>

namespace mqs {

struct ReceivedMessage {
    int sequence = -1;
    QString topic;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
};

struct ClientRecord {
    ProtocolVersion version = ProtocolVersion::V5;
    std::vector<int> received; // sequence numbers in arrival order (-1: a payload without one)
    std::map<int, quint64> serialOfSequence; // what the client published: sequence number -> flow serial
    std::map<quint64, FlowUpdate> outbound; // by flow serial, the latest update
    std::map<quint16, FlowUpdate> inbound; // by packet id, the latest update
    std::vector<PeerViolation> violations; // the broker's, as the client's session caught them
    std::vector<ConnectionId> traceIds; // every lane the client had (a restore makes a new one)
    std::vector<ReceivedMessage> messages; // as `received`, with what each PUBLISH said
    std::vector<bool> sessionPresent; // of each CONNACK, in order
    bool connected = false; // now
};

using ClientRecords = std::map<QString, ClientRecord>;

struct Judgement {
    bool holds = false;
    QString detail; // what was seen: why it failed, or what held
    bool unsupported = false; // it failed because the broker declared it lacks something
};

[[nodiscard]] Judgement judge(const Expectation &expectation, const ClientRecords &clients, const TraceLog &trace);

// Whether the client's last CONNACK declares `capability` (its defaults when a property is absent).
[[nodiscard]] Judgement judgeCapability(const QString &client, BrokerCapability capability, const ClientRecord &record,
                                        const TraceLog &trace);
QString capabilityName(BrokerCapability capability);

// "dashboard received seq 1..10, exactly once": the expectation without its time limit.
QString describeExpectation(const Expectation &expectation);

} // namespace mqs
