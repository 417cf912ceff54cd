#pragma once
// A scenario: named clients and a list of steps and expectations, read from a JSON file so a CI
// system can run the same QoS 2 or session check against any broker (see README "Scenarios").

#include "client/connection_settings.h"
#include "protocol/reason_code.h"
#include "protocol/result.h"
#include "session/flow.h"

#include <QMap>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace mqs {

struct ScenarioClient {
    QString name;
    ConnectionSettings settings;
};

struct ConnectStep { QString client; };
struct SubscribeStep { QString client; QString filter; QoS qos = QoS::AtMostOnce; };
struct PublishStep {
    QString client;
    QString topic;
    QoS qos = QoS::AtMostOnce;
    QString payload{}; // a reading template ({{seq}} ...); a constant text is a template too
    int count = 1;
    int intervalMs = 0;
    bool retain = false;
    std::optional<quint32> messageExpiry{}; // seconds (5.0 Message Expiry Interval)
    int size = 0; // the payload padded with spaces to at least this many bytes
    std::optional<quint16> packetId{}; // QoS 1/2, one message: this id rather than the client's next
    // QoS 0, one message: padded until the whole PUBLISH is one byte over the Maximum Packet Size
    // the broker announced, and sent anyway (see PublishOverrides: a client must never do this).
    bool exceedMaximumPacketSize = false;
};
struct AddFaultStep { QString client; QString rule; QString name; };
struct RemoveFaultStep { QString client; QString name; };
struct CutStep { QString client; };
// A normal DISCONNECT (and close): 5.0 may set a new Session Expiry Interval in it, or keep the
// will (reason 0x04 Disconnect with Will Message).
struct DisconnectStep {
    QString client;
    std::optional<quint32> sessionExpiry{};
    bool withWill = false;
};
// What a broker may declare in CONNACK that it lacks (5.0); absent properties take their defaults.
enum class BrokerCapability : quint8 { SharedSubscriptions, TopicAliases, Retain, WildcardSubscriptions, MaximumPacketSize };
// The client's last CONNACK declares `capability`; when it does not, the run stops and the
// probe reads the check as "not supported".
struct RequireStep {
    QString client;
    BrokerCapability capability = BrokerCapability::SharedSubscriptions;
};
struct ReconnectStep { QString client; };
// The client answers the next `count` QoS 1/2 PUBLISHes from the broker with PUBACK/PUBREC
// carrying `reason` (>= 0x80, 5.0 only): the messages are refused, not delivered.
struct RefuseStep {
    QString client;
    ReasonCode reason = ReasonCode::UnspecifiedError;
    int count = 1;
};
// Kills the client as a crash would (no DISCONNECT, the object and its store closed), then builds it
// again from its SQLite session store and connects: what survives is what was written ahead.
struct RestoreStep { QString client; };

// Messages a client received, each read as a sequence number (see scenario_runner.h).
struct ReceivedExpectation {
    QString client;
    std::optional<std::vector<int>> sequence{}; // exactly these numbers
    std::optional<int> count{}; // or this many messages
    bool exactlyOnce = true; // no number twice
    bool inOrder = false; // in the order given
    std::vector<QString> together{}; // further clients whose messages count with `client`'s (a shared subscription)
    int forMs = 0; // and it stays so this long ("still nothing after 2 s")
};

// A message `client` received with sequence number `sequence`, and what its PUBLISH said.
struct MessageExpectation {
    QString client;
    int sequence = 0;
    std::optional<QoS> qos{};
    std::optional<bool> retain{};
    std::optional<QString> topic{};
};

// The client is connected (CONNACK accepted, not closed since), or not.
struct ConnectedExpectation {
    QString client;
    bool connected = true;
};

// The client's last CONNACK said Session Present = `sessionPresent`.
struct ConnAckExpectation {
    QString client;
    bool sessionPresent = false;
};

// The state of one of a client's flows: outbound, the message it published with sequence number
// `sequence`; inbound, the flow of packet id `packetId` (the broker's id toward the client).
struct FlowExpectation {
    QString client;
    Direction direction = Direction::Outbound;
    std::optional<int> sequence{};
    std::optional<quint16> packetId{};
    std::optional<FlowState> state = FlowState::Complete; // nothing: any end (Complete, Failed, Abandoned)
    int forMs = 0; // and it stays so this long ("stays AwaitingPubComp")
};

// A packet of `type` carrying `reason` crossed the client's connection (received from the broker
// unless `sentByClient`). SUBACK: any of its reason codes.
struct ReasonExpectation {
    QString client;
    PacketType type = PacketType::ConnAck;
    quint8 reason = 0;
    bool sentByClient = false;
};

// The client's session caught the broker breaking `rule` ("[MQTT-3.3.4-9]"); nothing: no violation at all.
struct ViolationExpectation {
    QString client;
    std::optional<QString> rule{};
};

// The delivery audit: every QoS 2 message the broker completed with `publisher` (PUBCOMP) reached
// `client` (the subscriber). Holds once all of the publisher's flows are finished and each completed
// message arrived.
struct AuditExpectation {
    QString client;
    QString publisher;
};

using Expectation = std::variant<ReceivedExpectation, FlowExpectation, ReasonExpectation, ViolationExpectation,
                                 AuditExpectation, MessageExpectation, ConnAckExpectation, ConnectedExpectation>;

struct ExpectStep { Expectation what; };
// Waits `ms`; or, with `until`, until that holds (the step's withinMs at most: past it the run stops).
// With `orSettledForMs` as well, it also ends, and passes, once no flow of the condition's client
// has changed for that long: e.g. a burst waits for a broker that withholds PUBREC while a queue is full.
struct WaitStep {
    int ms = 0;
    std::optional<Expectation> until{};
    int orSettledForMs = 0;
};

using ScenarioAction = std::variant<ConnectStep, SubscribeStep, PublishStep, AddFaultStep, RemoveFaultStep,
                                    CutStep, ReconnectStep, RestoreStep, WaitStep, ExpectStep, DisconnectStep, RequireStep,
                                    RefuseStep>;

struct ScenarioStep {
    ScenarioAction action;
    int line = 0; // in the file, for messages
    int withinMs = 0; // connect/subscribe/expectations: how long they may take
    // The rule a failure of this expectation means the broker broke ("[MQTT-4.5.0-1]"): the probe
    // reads a failure with one as "deviates", without one as "inconclusive".
    QString spec{};
    // Only for clients of this protocol version ("version": "5"): skipped for the other.
    std::optional<ProtocolVersion> onlyVersion{};
};

struct Scenario {
    QString name;
    std::vector<ScenarioClient> clients;
    std::vector<ScenarioStep> steps;
    // The probe's reading of the file (see resources/probe/): the protocol version it needs, and
    // the rules it checks, for its table.
    std::optional<ProtocolVersion> requiresVersion{};
    QString description{};

    const ScenarioClient *client(const QString &name) const;
};

// The scenario in `json`, with `${NAME}` replaced from `variables` in every string; or a Problem
// (InvalidInput / File) whose sentence names the line and the field.
[[nodiscard]] Result<Scenario> parseScenario(const QByteArray &json, const QMap<QString, QString> &variables);

// "publish 10 × QoS 2 to t as pub": one line per step for the runner's output.
QString describeStep(const ScenarioStep &step);
bool isExpectation(const ScenarioStep &step);
// The client a step or expectation concerns (empty for a timed wait).
QString clientOf(const ScenarioAction &action);
QString clientOf(const Expectation &expectation);

} // namespace mqs
