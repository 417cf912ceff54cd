#pragma once
// A scenario: named clients and a list of steps and expectations, read from a JSON file so a CI
// system can run the same QoS 2 or session check against any broker (see README "Scenarios").

#include "client/connection_settings.h"
#include "protocol/result.h"

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
};
struct AddFaultStep { QString client; QString rule; QString name; };
struct RemoveFaultStep { QString client; QString name; };
struct CutStep { QString client; };
struct ReconnectStep { QString client; };
struct WaitStep { int ms = 0; };

// Messages a client received, each read as a sequence number (see scenario_runner.h).
struct ReceivedExpectation {
    QString client;
    std::optional<std::vector<int>> sequence{}; // exactly these numbers
    std::optional<int> count{}; // or this many messages
    bool exactlyOnce = true; // no number twice
    bool inOrder = false; // in the order given
};

using ScenarioAction = std::variant<ConnectStep, SubscribeStep, PublishStep, AddFaultStep, RemoveFaultStep,
                                    CutStep, ReconnectStep, WaitStep, ReceivedExpectation>;

struct ScenarioStep {
    ScenarioAction action;
    int line = 0; // in the file, for messages
    int withinMs = 0; // connect/subscribe/expectations: how long they may take
};

struct Scenario {
    QString name;
    std::vector<ScenarioClient> clients;
    std::vector<ScenarioStep> steps;

    const ScenarioClient *client(const QString &name) const;
};

// The scenario in `json`, with `${NAME}` replaced from `variables` in every string; or a Problem
// (InvalidInput / File) whose sentence names the line and the field.
[[nodiscard]] Result<Scenario> parseScenario(const QByteArray &json, const QMap<QString, QString> &variables);

// "publish 10 × QoS 2 to t as pub": one line per step for the runner's output.
QString describeStep(const ScenarioStep &step);
bool isExpectation(const ScenarioStep &step);

} // namespace mqs
