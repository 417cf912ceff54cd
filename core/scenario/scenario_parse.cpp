// Reading a scenario file. QJsonDocument keeps no positions, so the lines a sentence names come
// from a small scan of the text: where each client and step object starts, and where a field's
// key appears inside it.

#include "scenario.h"
#include "scenario_fields.h"

#include "client/reading_template.h"
#include "faults/fault_rule.h"
#include "protocol/overloaded.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <map>
#include <set>

namespace mqs {
using namespace scenario_detail;
namespace {

// A step may take this long when the file does not say ("withinMs"): long enough for a loaded CI machine.
constexpr int kDefaultWithinMs = 10000;
// A padded payload ("size") stays far below any broker's limit unless a check means to pass one.
constexpr int kLargestPadding = 1024 * 1024;

// Where each direct child object of the container after `key` starts (steps: array items; clients: values).
std::vector<qsizetype> childObjects(const QByteArray &text, const QByteArray &key)
{
    std::vector<qsizetype> starts;
    qsizetype i = text.indexOf('"' + key + '"');
    if (i < 0)
        return starts;
    int depth = 0;
    bool inString = false;
    for (i = text.indexOf(':', i) + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (depth == 1 && c == '{')
                starts.push_back(i);
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                break;
        }
    }
    return starts;
}

// "will": {"topic", "payload", "qos", "retain", "delay"}; the delay is 5.0's Will Delay Interval in seconds.
Will willOf(Fields will, Fields &client)
{
    Will w{will.text(QStringLiteral("topic")), will.text(QStringLiteral("payload")).toUtf8(), will.qos(QStringLiteral("qos")),
           will.flag(QStringLiteral("retain"), false), {}};
    if (!will.raw(QStringLiteral("delay")).isUndefined())
        w.properties.set(PropertyId::WillDelayInterval, quint32(will.number(QStringLiteral("delay"), 0, 0, 0x7fffffff)));
    if (will.problem())
        client.fail(will.problem()->sentence);
    return w;
}

Result<ScenarioClient> parseClient(const QString &name, Fields &f)
{
    ScenarioClient client{name, {}};
    ConnectionSettings &s = client.settings;
    s.name = name;
    const QString url = f.text(QStringLiteral("url"));
    if (!f.problem()) {
        const Result<ServerUrl> parsed = ServerUrl::parse(url);
        if (!parsed)
            f.fail(QStringLiteral("url"), parsed.sentence());
        else
            s.url = *parsed;
    }
    const QString version = f.text(QStringLiteral("version"), false);
    if (version == QStringLiteral("3.1.1"))
        s.version = ProtocolVersion::V311;
    else if (!version.isEmpty() && version != QStringLiteral("5"))
        f.fail(QStringLiteral("version"), QStringLiteral("must be \"5\" or \"3.1.1\"."));
    s.clientId = f.text(QStringLiteral("clientId"), false);
    if (s.clientId.isEmpty())
        s.clientId = generateClientId();
    s.cleanStart = f.flag(QStringLiteral("cleanStart"), true);
    s.sessionExpiry = quint32(f.number(QStringLiteral("sessionExpiry"), 0, 0, 0x7fffffff));
    s.keepAlive = quint16(f.number(QStringLiteral("keepAlive"), 60, 0, 65535));
    // 5.0 3.1.2.11.3: Receive Maximum 0 is a protocol error, so the smallest is 1.
    s.session.receiveMaximum = quint16(f.number(QStringLiteral("receiveMaximum"), 65535, 1, 65535));
    // 5.0 3.1.2.11.4: Maximum Packet Size 0 is a protocol error; 0 here means "not announced".
    s.session.maximumPacketSize = quint32(f.number(QStringLiteral("maximumPacketSize"), 0, 0, 0x7fffffff));
    s.session.useTopicAliases = f.flag(QStringLiteral("topicAliases"), false);
    if (const QJsonValue will = f.raw(QStringLiteral("will")); will.isObject())
        s.will = willOf(f.nested(will.toObject()), f);
    else if (!will.isUndefined())
        f.fail(QStringLiteral("will"), QStringLiteral("must be an object with \"topic\" and \"payload\"."));
    if (f.problem())
        return *f.problem();
    return client;
}


// "publish": a payload or reading template, how many and how, and what a check may ask beyond that.
PublishStep publishStep(Fields &f)
{
    PublishStep p{f.text(QStringLiteral("client")), f.text(QStringLiteral("topic")), f.qos(QStringLiteral("qos"))};
    p.payload = f.raw(QStringLiteral("template")).isUndefined() ? f.text(QStringLiteral("payload"))
                                                                 : f.text(QStringLiteral("template"));
    const Result<ReadingTemplate> parsed = ReadingTemplate::parse(p.payload);
    if (!parsed)
        f.fail(QStringLiteral("template"), parsed.sentence());
    p.count = f.number(QStringLiteral("count"), 1, 1, 1000000);
    p.intervalMs = f.number(QStringLiteral("intervalMs"), 0, 0, 3600000);
    p.retain = f.flag(QStringLiteral("retain"), false);
    if (!f.raw(QStringLiteral("messageExpiry")).isUndefined())
        p.messageExpiry = quint32(f.number(QStringLiteral("messageExpiry"), 0, 0, 0x7fffffff));
    p.size = f.number(QStringLiteral("size"), 0, 0, kLargestPadding);
    if (!f.raw(QStringLiteral("packetId")).isUndefined()) {
        p.packetId = quint16(f.number(QStringLiteral("packetId"), 1, 1, 65535));
        if (p.qos == QoS::AtMostOnce || p.count != 1)
            f.fail(QStringLiteral("packetId"), QStringLiteral("needs QoS 1 or 2 and a count of 1: one message takes the id."));
    }
    p.exceedMaximumPacketSize = f.flag(QStringLiteral("exceedMaximumPacketSize"), false);
    if (p.exceedMaximumPacketSize && (p.qos != QoS::AtMostOnce || p.count != 1))
        f.fail(QStringLiteral("exceedMaximumPacketSize"), QStringLiteral("needs QoS 0 and a count of 1: a QoS 1 or 2 message over "
                                                                         "the limit would stay in the session to be resent."));
    return p;
}

// "refuse": the client's next PUBACK/PUBREC answers carry a failure reason a receiver may give.
RefuseStep refuseStep(Fields &f)
{
    static const std::set<quint8> refusals{0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}; // 5.0 3.4.2.1, 3.5.2.1
    RefuseStep r{f.text(QStringLiteral("client"))};
    const quint8 reason = f.reasonCode(QStringLiteral("reason"));
    if (!refusals.count(reason))
        f.fail(QStringLiteral("reason"), QStringLiteral("must be a failing PUBACK/PUBREC reason: 0x80, 0x83, 0x87, 0x90, 0x91, 0x97 or 0x99."));
    r.reason = ReasonCode(reason);
    r.count = f.number(QStringLiteral("count"), 1, 1, 65535);
    return r;
}

// "wait": a time, or "until" an expectation (an object of the same fields) holds.
WaitStep waitStep(Fields &f)
{
    WaitStep w{f.number(QStringLiteral("ms"), 0, 0, 3600000)};
    const QJsonValue until = f.raw(QStringLiteral("until"));
    w.orSettledForMs = f.number(QStringLiteral("orSettledForMs"), 0, 0, 3600000);
    if (w.orSettledForMs > 0 && until.isUndefined())
        f.fail(QStringLiteral("orSettledForMs"), QStringLiteral("needs \"until\": it names the client whose flows settle."));
    if (until.isUndefined())
        return w;
    if (!until.isObject() || !until.toObject().value(QStringLiteral("expect")).isString())
        return f.fail(QStringLiteral("until"), QStringLiteral("must be an object naming an expectation (\"expect\": ...).")), w;
    Fields condition = f.nested(until.toObject());
    w.until = parseExpect(condition.text(QStringLiteral("expect")), condition);
    if (condition.problem())
        f.fail(condition.problem()->sentence);
    return w;
}

RequireStep requireStep(Fields &f)
{
    static const std::map<QString, BrokerCapability> capabilities{
        {QStringLiteral("sharedSubscriptions"), BrokerCapability::SharedSubscriptions},
        {QStringLiteral("topicAliases"), BrokerCapability::TopicAliases},
        {QStringLiteral("retain"), BrokerCapability::Retain},
        {QStringLiteral("wildcardSubscriptions"), BrokerCapability::WildcardSubscriptions},
        {QStringLiteral("maximumPacketSize"), BrokerCapability::MaximumPacketSize}};
    RequireStep r{f.text(QStringLiteral("client"))};
    const auto it = capabilities.find(f.text(QStringLiteral("capability")));
    if (it == capabilities.end())
        f.fail(QStringLiteral("capability"), QStringLiteral("must be sharedSubscriptions, topicAliases, retain, "
                                                            "wildcardSubscriptions or maximumPacketSize."));
    else
        r.capability = it->second;
    return r;
}

std::optional<ScenarioAction> parseDo(const QString &kind, Fields &f)
{
    const auto client = [&] { return f.text(QStringLiteral("client")); };
    if (kind == QLatin1String("connect"))
        return ConnectStep{client()};
    if (kind == QLatin1String("subscribe"))
        return SubscribeStep{client(), f.text(QStringLiteral("topic")), f.qos(QStringLiteral("qos"))};
    if (kind == QLatin1String("publish"))
        return publishStep(f);
    if (kind == QLatin1String("refuse"))
        return refuseStep(f);
    if (kind == QLatin1String("fault")) {
        AddFaultStep a{client(), f.text(QStringLiteral("rule")), f.text(QStringLiteral("name"), false)};
        const Result<FaultRule> parsed = FaultRule::parse(a.rule);
        if (!parsed)
            f.fail(QStringLiteral("rule"), parsed.sentence());
        return a;
    }
    if (kind == QLatin1String("unfault"))
        return RemoveFaultStep{client(), f.text(QStringLiteral("name"))};
    if (kind == QLatin1String("cut"))
        return CutStep{client()};
    if (kind == QLatin1String("reconnect"))
        return ReconnectStep{client()};
    if (kind == QLatin1String("disconnect")) {
        DisconnectStep d{client()};
        if (!f.raw(QStringLiteral("sessionExpiry")).isUndefined())
            d.sessionExpiry = quint32(f.number(QStringLiteral("sessionExpiry"), 0, 0, 0x7fffffff));
        d.withWill = f.flag(QStringLiteral("withWill"), false);
        return d;
    }
    if (kind == QLatin1String("require"))
        return requireStep(f);
    if (kind == QLatin1String("restore"))
        return RestoreStep{client()};
    if (kind == QLatin1String("wait"))
        return waitStep(f);
    f.fail(QStringLiteral("do"), QStringLiteral("\"%1\" is not a step; use connect, subscribe, publish, fault, unfault, "
                                                "cut, disconnect, reconnect, restore, require, refuse or wait.").arg(kind));
    return std::nullopt;
}

// Every client a step names, with the field that names it.
std::vector<std::pair<QString, QString>> clientsNamed(const ScenarioAction &action)
{
    const auto ofExpectation = [](const Expectation &e) {
        std::vector<std::pair<QString, QString>> named;
        std::visit(overloaded{[&](const AuditExpectation &a) {
                                  named = {{QStringLiteral("subscriber"), a.client}, {QStringLiteral("publisher"), a.publisher}};
                              },
                              [&](const ReceivedExpectation &r) {
                                  named = {{QStringLiteral("client"), r.client}};
                                  for (const QString &other : r.together)
                                      named.emplace_back(QStringLiteral("together"), other);
                              },
                              [&](const auto &other) { named = {{QStringLiteral("client"), other.client}}; }},
                   e);
        return named;
    };
    return std::visit(overloaded{[&](const ExpectStep &e) { return ofExpectation(e.what); },
                                 [&](const WaitStep &w) {
                                     return w.until ? ofExpectation(*w.until) : std::vector<std::pair<QString, QString>>{};
                                 },
                                 [](const auto &step) { return std::vector<std::pair<QString, QString>>{{QStringLiteral("client"), step.client}}; }},
                      action);
}

Result<ScenarioStep> parseStep(const QJsonValue &value, const Locator &where, const Scenario &scenario,
                               const QMap<QString, QString> &variables)
{
    if (!value.isObject())
        return where.problem(QStringLiteral("steps"), QStringLiteral("each step must be an object."));
    Fields f(value.toObject(), where, variables);
    ScenarioStep step{WaitStep{}, where.line(QStringLiteral("do")), 0};
    const bool expectation = !f.raw(QStringLiteral("expect")).isUndefined();
    std::optional<ScenarioAction> action;
    if (expectation) {
        if (std::optional<Expectation> e = parseExpect(f.text(QStringLiteral("expect")), f))
            action = ExpectStep{std::move(*e)};
        step.line = where.line(QStringLiteral("expect"));
    } else {
        action = parseDo(f.text(QStringLiteral("do")), f);
    }
    step.withinMs = f.number(QStringLiteral("withinMs"), kDefaultWithinMs, 0, 3600000);
    step.spec = f.text(QStringLiteral("spec"), false);
    const QString version = f.text(QStringLiteral("version"), false);
    if (version == QLatin1String("5"))
        step.onlyVersion = ProtocolVersion::V5;
    else if (version == QLatin1String("3.1.1"))
        step.onlyVersion = ProtocolVersion::V311;
    else if (!version.isEmpty())
        f.fail(QStringLiteral("version"), QStringLiteral("must be \"5\" or \"3.1.1\"."));
    if (f.problem())
        return *f.problem();
    step.action = std::move(*action);
    for (const auto &[field, client] : clientsNamed(step.action))
        if (!scenario.client(client))
            return where.problem(field, QStringLiteral("\"%1\" is not one of the scenario's clients.").arg(client));
    return step;
}

} // namespace

const ScenarioClient *Scenario::client(const QString &wanted) const
{
    for (const ScenarioClient &c : clients)
        if (c.name == wanted)
            return &c;
    return nullptr;
}

Result<Scenario> parseScenario(const QByteArray &json, const QMap<QString, QString> &variables)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return Problem{ProblemKind::File, QStringLiteral("Line %1: not valid JSON (%2).")
                                              .arg(lineAt(json, error.offset)).arg(error.errorString())};
    const QJsonObject root = document.object();
    const Locator top{json, 0, -1};
    Scenario scenario;
    scenario.name = root.value(QStringLiteral("name")).toString();
    scenario.description = root.value(QStringLiteral("description")).toString();
    const QString requires_ = root.value(QStringLiteral("requires")).toString();
    if (requires_ == QLatin1String("5"))
        scenario.requiresVersion = ProtocolVersion::V5;
    else if (requires_ == QLatin1String("3.1.1"))
        scenario.requiresVersion = ProtocolVersion::V311;
    else if (!requires_.isEmpty())
        return top.problem(QStringLiteral("requires"), QStringLiteral("must be \"5\" or \"3.1.1\"."));
    const QJsonObject clients = root.value(QStringLiteral("clients")).toObject();
    if (clients.isEmpty())
        return top.problem(QStringLiteral("clients"), QStringLiteral("must name at least one client."));
    const std::vector<qsizetype> clientStarts = childObjects(json, "clients");
    for (const QString &name : clients.keys()) {
        const qsizetype at = json.indexOf('"' + name.toUtf8() + '"', json.indexOf("\"clients\""));
        const auto it = std::upper_bound(clientStarts.begin(), clientStarts.end(), at);
        Fields f(clients.value(name).toObject(), Locator{json, at, it == clientStarts.end() ? -1 : *it}, variables);
        Result<ScenarioClient> client = parseClient(name, f);
        if (!client)
            return client.problem();
        scenario.clients.push_back(std::move(client).value());
    }
    const QJsonArray steps = root.value(QStringLiteral("steps")).toArray();
    if (steps.isEmpty())
        return top.problem(QStringLiteral("steps"), QStringLiteral("must list at least one step."));
    const std::vector<qsizetype> stepStarts = childObjects(json, "steps");
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const qsizetype start = i < qsizetype(stepStarts.size()) ? stepStarts[size_t(i)] : 0;
        const qsizetype end = i + 1 < qsizetype(stepStarts.size()) ? stepStarts[size_t(i + 1)] : -1;
        Result<ScenarioStep> step = parseStep(steps[i], Locator{json, start, end}, scenario, variables);
        if (!step)
            return step.problem();
        scenario.steps.push_back(std::move(step).value());
    }
    return scenario;
}

} // namespace mqs