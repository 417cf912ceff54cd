#include "scenario_runner.h"

#include "scenario_check.h"

#include "client/connection.h"
#include "client/reading_template.h"
#include "faults/fault_rule.h"
#include "protocol/encoder.h"
#include "protocol/overloaded.h"
#include "store/sqlite_session_store.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace mqs {
namespace {

// How often a waiting step looks at its condition again; events in between are handled at once.
constexpr int kPollMs = 10;
// How long the end of a run waits for its clients' DISCONNECTs to go out before tearing them down.
constexpr int kCloseGraceMs = 2000;
// The largest PUBLISH "exceedMaximumPacketSize" builds: one byte over a broker's limit of up to
// 16 MiB. A broker announcing more (the encoding allows 256 MB) is not sent a message that large;
// the step fails and says so.
constexpr quint32 kLargestOversizePacket = 16u * 1024 * 1024;

// The caller's stop request (the window's Stop button): asked while waiting and between steps.
using StopRequest = std::function<bool()>;

// Spins the event loop until `holds` or `ms` pass (or `stop` is asked); whether it held.
bool waitUntil(const std::function<bool()> &holds, int ms, const StopRequest &stop)
{
    QTimer tick;
    tick.start(kPollMs); // WaitForMoreEvents always has something to wake for
    const QDeadlineTimer deadline(ms);
    while (!holds()) {
        if (deadline.hasExpired() || stop())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, kPollMs);
    }
    return true;
}

// How long an expectation must keep holding once it holds ("forMs"); 0: holding once is enough.
int staysFor(const Expectation &e)
{
    return std::visit(overloaded{[](const FlowExpectation &f) { return f.forMs; },
                                 [](const ReceivedExpectation &r) { return r.forMs; },
                                 [](const auto &) { return 0; }},
                      e);
}

bool restores(const Scenario &scenario, const QString &client)
{
    return std::any_of(scenario.steps.begin(), scenario.steps.end(), [&](const ScenarioStep &s) {
        const auto *restore = std::get_if<RestoreStep>(&s.action);
        return restore && restore->client == client;
    });
}

// The live parts of one client; what it saw goes to its ClientRecord.
struct ClientState {
    ConnectionSettings settings;
    QString storePath; // empty: no store (the scenario never restores this client)
    std::unique_ptr<SqliteSessionStore> store;
    std::unique_ptr<Connection> connection;
    int subscribeAcks = 0;
    // CONNACKs accepted: a connection the broker closes at once (a violation caught) still connected.
    int connacks = 0;
    std::map<QString, FaultRule> faults; // by name: added again to a restored connection
    std::map<QString, quint32> faultIds;
    ReadingSeries readings;
    // "refuse": the failure reason of the next PUBACK/PUBREC answers, and how many are left.
    ReasonCode refusal = ReasonCode::UnspecifiedError;
    int refusalsLeft = 0;
    QElapsedTimer sinceFlowChange; // for "orSettledForMs"
};

// The payload of `message` padded (or cut) so that its QoS 0 PUBLISH is `size` bytes; where the
// Remaining Length's own length makes that size impossible, one byte more.
void padToPacketSize(ApplicationMessage &message, quint32 size, ProtocolVersion version)
{
    const auto encoded = [&] { return qint64(encode(toPublish(message), version).size()); };
    for (int attempt = 0; attempt < 3 && encoded() != qint64(size); ++attempt) {
        const qint64 missing = qint64(size) - encoded();
        if (missing > 0)
            message.payload.append(QByteArray(missing, ' '));
        else
            message.payload.chop(std::min<qint64>(-missing, message.payload.size()));
    }
    if (encoded() < qint64(size))
        message.payload.append(' ');
}

class Runner
{
public:
    Runner(const Scenario &scenario, TraceLog &trace, const StopRequest &stop) : m_trace(trace), m_stop(stop)
    {
        for (const ScenarioClient &c : scenario.clients) {
            ClientState &state = m_clients[c.name];
            state.settings = c.settings;
            m_records[c.name].version = c.settings.version;
            if (restores(scenario, c.name))
                state.storePath = m_storeDir.filePath(c.name + QStringLiteral(".sqlite"));
            build(c.name);
        }
    }
    ~Runner()
    {
        for (auto &[name, state] : m_clients)
            state.connection->close();
        waitUntil([this] { return allClosed(); }, kCloseGraceMs, m_stop);
    }

    Judgement run(const ScenarioStep &step)
    {
        ClientState *c = m_clients.count(clientOf(step.action)) ? &m_clients[clientOf(step.action)] : nullptr;
        return std::visit(overloaded{
            [&](const ConnectStep &) { return connect(*c, step.withinMs, false); },
            [&](const ReconnectStep &) { return connect(*c, step.withinMs, true); },
            [&](const RestoreStep &r) { return restore(r.client, step.withinMs); },
            [&](const SubscribeStep &s) { return subscribe(*c, s, step.withinMs); },
            [&](const PublishStep &p) { return publish(*c, m_records[p.client], p); },
            [&](const AddFaultStep &f) { return addFault(*c, f); },
            [&](const RemoveFaultStep &f) {
                const bool known = c->faultIds.count(f.name) && c->connection->faults().remove(c->faultIds[f.name]);
                c->faults.erase(f.name);
                return Judgement{known, known ? QString() : QStringLiteral("no fault rule named \"%1\"").arg(f.name)};
            },
            [&](const CutStep &) {
                c->connection->cut(QStringLiteral("scenario step"));
                return Judgement{true, QString()};
            },
            [&](const DisconnectStep &d) { return disconnect(*c, d, step.withinMs); },
            [&](const RequireStep &r) { return judgeCapability(r.client, r.capability, m_records[r.client], m_trace); },
            [&](const RefuseStep &r) { return refuse(*c, r); },
            [&](const WaitStep &w) { return wait(w, step.withinMs); },
            [&](const ExpectStep &e) { return expect(e.what, step.withinMs); },
        }, step.action);
    }

private:
    // A connection for `name` with its store (opened afresh), recording into its ClientRecord.
    void build(const QString &name)
    {
        ClientState &state = m_clients[name];
        ClientRecord &record = m_records[name];
        if (!state.storePath.isEmpty())
            state.store = std::make_unique<SqliteSessionStore>(state.storePath);
        state.connection = std::make_unique<Connection>(state.settings, m_trace, state.store.get());
        Connection *connection = state.connection.get();
        record.traceIds.push_back(connection->traceId());
        QObject::connect(connection, &Connection::messageReceived, [&record](const Delivery &d) {
            record.received.push_back(sequenceNumberOf(d.message.payload).value_or(-1));
            record.messages.push_back({record.received.back(), d.message.topic, d.message.qos, d.message.retain});
        });
        QObject::connect(connection, &Connection::stateChanged, [&record](ConnectionState s) {
            record.connected = s == ConnectionState::Connected;
        });
        state.sinceFlowChange.start();
        connection->setInboundAcceptance([&state](const ApplicationMessage &m) {
            if (m.qos == QoS::AtMostOnce || state.refusalsLeft == 0)
                return ReasonCode::Success;
            --state.refusalsLeft;
            return state.refusal;
        });
        QObject::connect(connection, &Connection::flowUpdated, [&record, &state](const FlowUpdate &u) {
            state.sinceFlowChange.restart();
            if (u.direction == Direction::Outbound)
                record.outbound[u.serial] = u;
            else
                record.inbound[u.packetId.value] = u;
        });
        QObject::connect(connection, &Connection::sessionEvent, [&state, &record](const SessionEvent &e) {
            if (std::holds_alternative<SubscribeAcknowledged>(e))
                ++state.subscribeAcks;
            if (const auto *connected = std::get_if<Connected>(&e)) {
                ++state.connacks;
                record.sessionPresent.push_back(connected->sessionPresent);
            }
            if (const auto *violation = std::get_if<PeerViolation>(&e))
                record.violations.push_back(*violation);
        });
        for (const auto &[ruleName, rule] : state.faults)
            state.faultIds[ruleName] = connection->faults().add(rule);
    }

    Judgement connect(ClientState &c, int withinMs, bool again)
    {
        const int before = c.connacks;
        again ? c.connection->reconnect() : c.connection->open();
        const bool up = waitUntil([&] { return c.connacks > before; }, withinMs, m_stop);
        if (up)
            return {true, QString()};
        const QString why = c.connection->lastError();
        return {false, QStringLiteral("not connected within %1 ms%2").arg(withinMs).arg(why.isEmpty() ? QString() : QStringLiteral(": ") + why)};
    }

    // As a crash: the connection aborted without DISCONNECT, the object and its store gone; then
    // everything rebuilt from the file and connected.
    Judgement restore(const QString &name, int withinMs)
    {
        ClientState &c = m_clients[name];
        c.connection.reset();
        c.store.reset();
        build(name);
        if (const Status &opened = c.store->error(); !opened.ok())
            return {false, QStringLiteral("the session store did not open again: %1").arg(opened.sentence())};
        return connect(c, withinMs, false);
    }

    Judgement subscribe(ClientState &c, const SubscribeStep &s, int withinMs)
    {
        const int before = c.subscribeAcks;
        c.connection->subscribe({Subscription{s.filter, {s.qos}}});
        const bool acked = waitUntil([&] { return c.subscribeAcks > before; }, withinMs, m_stop);
        return {acked, acked ? QString() : QStringLiteral("no SUBACK within %1 ms").arg(withinMs)};
    }

    Judgement publish(ClientState &c, ClientRecord &record, const PublishStep &p)
    {
        PublishOverrides overrides{.exceedPeerMaximumPacketSize = p.exceedMaximumPacketSize};
        if (p.packetId)
            overrides.packetId = PacketId(*p.packetId);
        for (int i = 0; i < p.count; ++i) {
            if (i > 0 && p.intervalMs > 0)
                waitUntil([] { return false; }, p.intervalMs, m_stop);
            const QString payload = *c.readings.next(p.payload); // the template was checked when the file was read
            ApplicationMessage message = messageOf(p, payload);
            if (p.exceedMaximumPacketSize)
                if (const Judgement oversize = growOverLimit(c, message); !oversize.holds)
                    return oversize;
            const PublishResult result = c.connection->publish(message, overrides);
            if (!result.ticket)
                return {false, QStringLiteral("message %1 refused: %2").arg(i + 1).arg(result.ticket.sentence())};
            const std::optional<int> sequence = sequenceNumberOf(payload.toUtf8());
            if (sequence && result.ticket->serial != 0)
                record.serialOfSequence[*sequence] = result.ticket->serial;
        }
        return {true, QString()};
    }

    // The message made one byte larger (as a PUBLISH) than the broker's Maximum Packet Size.
    static Judgement growOverLimit(const ClientState &c, ApplicationMessage &message)
    {
        const Link &link = c.connection->session().link();
        if (link.peerMaximumPacketSize == 0)
            return {false, QStringLiteral("the broker announced no Maximum Packet Size to exceed")};
        if (link.peerMaximumPacketSize >= kLargestOversizePacket)
            return {false, QStringLiteral("the broker's Maximum Packet Size of %1 bytes is more than a scenario sends over a limit (%2 bytes)")
                               .arg(link.peerMaximumPacketSize).arg(kLargestOversizePacket)};
        padToPacketSize(message, link.peerMaximumPacketSize + 1, link.version);
        return {true, QString()};
    }

    Judgement refuse(ClientState &c, const RefuseStep &r)
    {
        if (c.settings.version != ProtocolVersion::V5)
            return {false, QStringLiteral("MQTT 3.1.1's PUBACK and PUBREC carry no reason code: a client cannot refuse a message")};
        c.refusal = r.reason;
        c.refusalsLeft = r.count;
        return {true, QString()};
    }

    static ApplicationMessage messageOf(const PublishStep &p, const QString &payload)
    {
        ApplicationMessage message{p.topic, payload.toUtf8(), p.qos, p.retain, {}};
        if (message.payload.size() < p.size)
            message.payload.append(QByteArray(p.size - message.payload.size(), ' ')); // sequenceNumberOf() reads past it
        if (p.messageExpiry)
            message.properties.set(PropertyId::MessageExpiryInterval, *p.messageExpiry);
        return message;
    }

    Judgement disconnect(ClientState &c, const DisconnectStep &d, int withinMs)
    {
        Properties properties;
        if (d.sessionExpiry)
            properties.set(PropertyId::SessionExpiryInterval, *d.sessionExpiry);
        c.connection->close(d.withWill ? ReasonCode::DisconnectWithWillMessage : ReasonCode::Success, properties);
        const bool closed = waitUntil([&] { return c.connection->state() == ConnectionState::Disconnected; }, withinMs, m_stop);
        return {closed, closed ? QString() : QStringLiteral("still connected after %1 ms").arg(withinMs)};
    }

    Judgement addFault(ClientState &c, const AddFaultStep &f)
    {
        FaultRule rule = *FaultRule::parse(f.rule); // checked when the file was read
        const QString name = f.name.isEmpty() ? f.rule : f.name;
        if (!f.name.isEmpty())
            rule.name = f.name;
        c.faults[name] = rule;
        c.faultIds[name] = c.connection->faults().add(rule);
        return {true, QString()};
    }

    Judgement wait(const WaitStep &w, int withinMs)
    {
        if (!w.until) {
            waitUntil([] { return false; }, w.ms, m_stop);
            return {true, QString()};
        }
        if (w.orSettledForMs == 0)
            return expect(*w.until, withinMs);
        const QString client = clientOf(*w.until);
        const QElapsedTimer &sinceFlowChange = m_clients[client].sinceFlowChange;
        Judgement seen;
        waitUntil([&] { return (seen = judge(*w.until, m_records, m_trace)).holds || sinceFlowChange.elapsed() >= w.orSettledForMs; },
                  withinMs, m_stop);
        if (seen.holds || sinceFlowChange.elapsed() < w.orSettledForMs)
            return seen;
        return {true, QStringLiteral("no flow of %1 changed for %2 ms; %3").arg(client).arg(w.orSettledForMs).arg(seen.detail)};
    }

    Judgement expect(const Expectation &e, int withinMs)
    {
        Judgement seen;
        waitUntil([&] { return (seen = judge(e, m_records, m_trace)).holds; }, withinMs, m_stop);
        const int forMs = staysFor(e);
        if (!seen.holds || forMs == 0)
            return seen;
        // "stays": it must not stop holding for forMs.
        const bool left = waitUntil([&] { return !(seen = judge(e, m_records, m_trace)).holds; }, forMs, m_stop);
        if (left)
            seen.detail += QStringLiteral(" before %1 ms had passed").arg(forMs);
        return seen;
    }

    bool allClosed() const
    {
        for (const auto &[name, state] : m_clients)
            if (state.connection->state() != ConnectionState::Disconnected)
                return false;
        return true;
    }

    TraceLog &m_trace;
    const StopRequest &m_stop;
    QTemporaryDir m_storeDir; // the stores of restored clients, gone with the run
    std::map<QString, ClientState> m_clients;
    ClientRecords m_records;
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

ScenarioOutcome runScenario(const Scenario &scenario, TraceLog &trace, const std::function<void(const StepOutcome &)> &progress,
                            const std::function<bool()> &stop)
{
    const StopRequest stopRequested = stop ? stop : [] { return false; };
    ScenarioOutcome outcome{scenario.name, {}};
    Runner runner(scenario, trace, stopRequested);
    for (const ScenarioStep &step : scenario.steps) {
        if (stopRequested())
            break;
        const ScenarioClient *client = scenario.client(clientOf(step.action));
        if (step.onlyVersion && client && client->settings.version != *step.onlyVersion)
            continue;
        QElapsedTimer clock;
        clock.start();
        const quint64 firstEvent = trace.endSequence();
        Judgement judged = runner.run(step);
        if (stopRequested())
            judged = {false, QStringLiteral("stopped before it finished")};
        outcome.steps.push_back(StepOutcome{describeStep(step), isExpectation(step), judged.holds, judged.detail,
                                            clock.elapsed(), step.spec, firstEvent, trace.endSequence(), judged.unsupported});
        if (progress)
            progress(outcome.steps.back());
        if (!judged.holds && !isExpectation(step))
            break; // the steps after a failed one would test nothing meaningful
    }
    return outcome;
}

bool isExpectation(const ScenarioStep &step) { return std::holds_alternative<ExpectStep>(step.action); }

QString clientOf(const Expectation &expectation)
{
    return std::visit([](const auto &e) { return e.client; }, expectation);
}

QString clientOf(const ScenarioAction &action)
{
    return std::visit(overloaded{[](const WaitStep &w) { return w.until ? clientOf(*w.until) : QString(); },
                                 [](const ExpectStep &e) { return clientOf(e.what); },
                                 [](const auto &a) { return a.client; }},
                      action);
}

QString describeStep(const ScenarioStep &step)
{
    return std::visit(overloaded{
        [](const ConnectStep &s) { return QStringLiteral("connect %1").arg(s.client); },
        [](const ReconnectStep &s) { return QStringLiteral("reconnect %1").arg(s.client); },
        [](const RestoreStep &s) { return QStringLiteral("kill %1 and restore it from its session store").arg(s.client); },
        [](const SubscribeStep &s) { return QStringLiteral("%1 subscribes to %2 (QoS %3)").arg(s.client, s.filter).arg(qosValue(s.qos)); },
        [](const PublishStep &s) {
            QString how;
            if (s.packetId)
                how += QStringLiteral(" with packet id %1").arg(*s.packetId);
            if (s.exceedMaximumPacketSize)
                how += QStringLiteral(", one byte over the broker's Maximum Packet Size");
            return QStringLiteral("%1 publishes %2 × QoS %3%4 to %5%6").arg(s.client).arg(s.count).arg(qosValue(s.qos))
                .arg(s.retain ? QStringLiteral(" retained") : QString()).arg(s.topic, how);
        },
        [](const AddFaultStep &s) { return QStringLiteral("fault rule on %1: %2").arg(s.client, s.rule); },
        [](const RemoveFaultStep &s) { return QStringLiteral("remove fault rule %1 from %2").arg(s.name, s.client); },
        [](const CutStep &s) { return QStringLiteral("cut %1's connection").arg(s.client); },
        [](const DisconnectStep &s) {
            QString text = QStringLiteral("%1 disconnects").arg(s.client);
            if (s.sessionExpiry)
                text += QStringLiteral(" with Session Expiry Interval %1 s").arg(*s.sessionExpiry);
            if (s.withWill)
                text += QStringLiteral(" keeping its will (0x04)");
            return text;
        },
        [](const RequireStep &s) { return QStringLiteral("%1's broker declares %2").arg(s.client, capabilityName(s.capability)); },
        [](const RefuseStep &s) {
            return QStringLiteral("%1 refuses the next %2 QoS 1/2 message(s) with %3")
                .arg(s.client).arg(s.count).arg(reasonText(s.reason, PacketType::PubRec));
        },
        [&](const WaitStep &s) {
            if (!s.until)
                return QStringLiteral("wait %1 ms").arg(s.ms);
            const QString settled = s.orSettledForMs > 0
                ? QStringLiteral(", or until %1's flows are still for %2 ms").arg(clientOf(*s.until)).arg(s.orSettledForMs)
                : QString();
            return QStringLiteral("wait until %1%2 (at most %3 ms)").arg(describeExpectation(*s.until), settled).arg(step.withinMs);
        },
        [&](const ExpectStep &e) { return QStringLiteral("expect %1 within %2 ms").arg(describeExpectation(e.what)).arg(step.withinMs); },
    }, step.action);
}

} // namespace mqs
