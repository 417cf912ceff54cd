#include "scenario_runner.h"

#include "client/connection.h"
#include "client/reading_template.h"
#include "faults/fault_rule.h"
#include "protocol/overloaded.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <map>
#include <memory>
#include <set>

namespace mqs {
namespace {

// How often a waiting step looks at its condition again; events in between are handled at once.
constexpr int kPollMs = 10;
// How long the end of a run waits for its clients' DISCONNECTs to go out before tearing them down.
constexpr int kCloseGraceMs = 2000;

QString clientOf(const ScenarioAction &action)
{
    return std::visit(overloaded{[](const WaitStep &) { return QString(); }, [](const auto &a) { return a.client; }},
                      action);
}

QString numbers(const std::vector<int> &list)
{
    QStringList out;
    for (int n : list)
        out << QString::number(n);
    return out.isEmpty() ? QStringLiteral("none") : out.join(QLatin1Char(','));
}

struct ClientState {
    std::unique_ptr<Connection> connection;
    std::vector<int> received; // sequence numbers in arrival order (-1: a payload without one)
    int subscribeAcks = 0;
    std::map<QString, quint32> faultIds;
    ReadingSeries readings;
};

// Spins the event loop until `holds` or `ms` pass; whether it held.
bool waitUntil(const std::function<bool()> &holds, int ms)
{
    QTimer tick;
    tick.start(kPollMs); // WaitForMoreEvents always has something to wake for
    const QDeadlineTimer deadline(ms);
    while (!holds()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, kPollMs);
    }
    return true;
}

// What a received expectation sees now: whether it holds, and a sentence of what arrived.
std::pair<bool, QString> check(const ReceivedExpectation &e, const std::vector<int> &received)
{
    std::set<int> seen;
    std::vector<int> duplicates;
    for (int n : received)
        if (!seen.insert(n).second)
            duplicates.push_back(n);
    QString detail = QStringLiteral("received %1 message(s): %2").arg(received.size()).arg(numbers(received));
    if (!duplicates.empty())
        detail += QStringLiteral("; twice: %1").arg(numbers(duplicates));
    bool holds = !(e.exactlyOnce && !duplicates.empty());
    if (e.count)
        holds = holds && int(received.size()) == *e.count;
    if (e.sequence) {
        const std::set<int> wanted(e.sequence->begin(), e.sequence->end());
        std::vector<int> missing, extra;
        std::set_difference(wanted.begin(), wanted.end(), seen.begin(), seen.end(), std::back_inserter(missing));
        std::set_difference(seen.begin(), seen.end(), wanted.begin(), wanted.end(), std::back_inserter(extra));
        if (!missing.empty())
            detail += QStringLiteral("; missing: %1").arg(numbers(missing));
        if (!extra.empty())
            detail += QStringLiteral("; not expected: %1").arg(numbers(extra));
        holds = holds && missing.empty() && extra.empty();
        if (e.inOrder && holds && e.exactlyOnce && received != *e.sequence) {
            detail += QStringLiteral("; out of order");
            holds = false;
        }
    }
    return {holds, detail};
}

class Runner
{
public:
    Runner(const Scenario &scenario, TraceLog &trace) : m_scenario(scenario)
    {
        for (const ScenarioClient &c : scenario.clients) {
            ClientState &state = m_clients[c.name];
            state.connection = std::make_unique<Connection>(c.settings, trace, nullptr);
            QObject::connect(state.connection.get(), &Connection::messageReceived, [&state](const Delivery &d) {
                state.received.push_back(sequenceNumberOf(d.message.payload).value_or(-1));
            });
            QObject::connect(state.connection.get(), &Connection::sessionEvent, [&state](const SessionEvent &e) {
                if (std::holds_alternative<SubscribeAcknowledged>(e))
                    ++state.subscribeAcks;
            });
        }
    }
    ~Runner()
    {
        for (auto &[name, state] : m_clients)
            state.connection->close();
        waitUntil([this] { return allClosed(); }, kCloseGraceMs);
    }

    // Whether it passed, and a sentence when not.
    std::pair<bool, QString> run(const ScenarioStep &step)
    {
        ClientState *c = m_clients.count(clientOf(step.action)) ? &m_clients[clientOf(step.action)] : nullptr;
        return std::visit(overloaded{
            [&](const ConnectStep &) { return connect(*c, step.withinMs, false); },
            [&](const ReconnectStep &) { return connect(*c, step.withinMs, true); },
            [&](const SubscribeStep &s) {
                const int before = c->subscribeAcks;
                c->connection->subscribe({Subscription{s.filter, {s.qos}}});
                const bool acked = waitUntil([&] { return c->subscribeAcks > before; }, step.withinMs);
                return std::pair{acked, acked ? QString() : QStringLiteral("no SUBACK within %1 ms").arg(step.withinMs)};
            },
            [&](const PublishStep &p) { return publish(*c, p); },
            [&](const AddFaultStep &f) {
                FaultRule rule = *FaultRule::parse(f.rule); // checked when the file was read
                if (!f.name.isEmpty())
                    rule.name = f.name;
                c->faultIds[f.name.isEmpty() ? f.rule : f.name] = c->connection->faults().add(rule);
                return std::pair{true, QString()};
            },
            [&](const RemoveFaultStep &f) {
                const bool known = c->faultIds.count(f.name) && c->connection->faults().remove(c->faultIds[f.name]);
                return std::pair{known, known ? QString() : QStringLiteral("no fault rule named \"%1\"").arg(f.name)};
            },
            [&](const CutStep &) {
                c->connection->cut(QStringLiteral("scenario step"));
                return std::pair{true, QString()};
            },
            [&](const WaitStep &w) {
                waitUntil([] { return false; }, w.ms);
                return std::pair{true, QString()};
            },
            [&](const ReceivedExpectation &e) {
                std::pair<bool, QString> seen;
                waitUntil([&] { return (seen = check(e, c->received)).first; }, step.withinMs);
                return seen;
            },
        }, step.action);
    }

private:
    std::pair<bool, QString> connect(ClientState &c, int withinMs, bool again)
    {
        again ? c.connection->reconnect() : c.connection->open();
        const bool up = waitUntil([&] { return c.connection->state() == ConnectionState::Connected; }, withinMs);
        if (up)
            return {true, QString()};
        const QString why = c.connection->lastError();
        return {false, QStringLiteral("not connected within %1 ms%2").arg(withinMs).arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why)};
    }

    std::pair<bool, QString> publish(ClientState &c, const PublishStep &p)
    {
        for (int i = 0; i < p.count; ++i) {
            if (i > 0 && p.intervalMs > 0)
                waitUntil([] { return false; }, p.intervalMs);
            const QString payload = *c.readings.next(p.payload); // the template was checked when the file was read
            const PublishResult result = c.connection->publish(ApplicationMessage{p.topic, payload.toUtf8(), p.qos, false, {}});
            if (!result.ticket)
                return {false, QStringLiteral("message %1 refused: %2").arg(i + 1).arg(result.ticket.sentence())};
        }
        return {true, QString()};
    }

    bool allClosed() const
    {
        for (const auto &[name, state] : m_clients)
            if (state.connection->state() != ConnectionState::Disconnected)
                return false;
        return true;
    }

    const Scenario &m_scenario;
    std::map<QString, ClientState> m_clients;
};

} // namespace

bool ScenarioOutcome::passed() const { return failures() == 0; }

int ScenarioOutcome::failures() const
{
    return int(std::count_if(steps.begin(), steps.end(), [](const StepOutcome &s) { return !s.passed; }));
}

std::optional<int> sequenceNumberOf(const QByteArray &payload)
{
    const QJsonDocument document = QJsonDocument::fromJson(payload);
    if (document.isObject() && document.object().value(QStringLiteral("seq")).isDouble())
        return document.object().value(QStringLiteral("seq")).toInt();
    bool ok = false;
    const int n = payload.trimmed().toInt(&ok);
    return ok ? std::optional<int>(n) : std::nullopt;
}

ScenarioOutcome runScenario(const Scenario &scenario, TraceLog &trace, const std::function<void(const StepOutcome &)> &progress)
{
    ScenarioOutcome outcome{scenario.name, {}};
    Runner runner(scenario, trace);
    for (const ScenarioStep &step : scenario.steps) {
        QElapsedTimer clock;
        clock.start();
        const auto [passed, detail] = runner.run(step);
        outcome.steps.push_back(StepOutcome{describeStep(step), isExpectation(step), passed, detail, clock.elapsed()});
        if (progress)
            progress(outcome.steps.back());
        if (!passed && !isExpectation(step))
            break; // the steps after a failed one would test nothing meaningful
    }
    return outcome;
}

bool isExpectation(const ScenarioStep &step) { return std::holds_alternative<ReceivedExpectation>(step.action); }

QString describeStep(const ScenarioStep &step)
{
    return std::visit(overloaded{
        [](const ConnectStep &s) { return QStringLiteral("connect %1").arg(s.client); },
        [](const ReconnectStep &s) { return QStringLiteral("reconnect %1").arg(s.client); },
        [](const SubscribeStep &s) { return QStringLiteral("%1 subscribes to %2 (QoS %3)").arg(s.client, s.filter).arg(qosValue(s.qos)); },
        [](const PublishStep &s) {
            return QStringLiteral("%1 publishes %2 × QoS %3 to %4").arg(s.client).arg(s.count).arg(qosValue(s.qos)).arg(s.topic);
        },
        [](const AddFaultStep &s) { return QStringLiteral("fault rule on %1: %2").arg(s.client, s.rule); },
        [](const RemoveFaultStep &s) { return QStringLiteral("remove fault rule %1 from %2").arg(s.name, s.client); },
        [](const CutStep &s) { return QStringLiteral("cut %1's connection").arg(s.client); },
        [](const WaitStep &s) { return QStringLiteral("wait %1 ms").arg(s.ms); },
        [&](const ReceivedExpectation &e) {
            QString what = e.sequence ? QStringLiteral("seq %1").arg(numbers(*e.sequence))
                                      : QStringLiteral("%1 message(s)").arg(*e.count);
            if (e.exactlyOnce)
                what += QStringLiteral(", exactly once");
            if (e.inOrder)
                what += QStringLiteral(", in order");
            return QStringLiteral("expect %1 received %2 within %3 ms").arg(e.client, what).arg(step.withinMs);
        },
    }, step.action);
}

} // namespace mqs
