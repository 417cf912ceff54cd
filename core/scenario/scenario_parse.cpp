// Reading a scenario file. QJsonDocument keeps no positions, so the lines a sentence names come
// from a small scan of the text: where each client and step object starts, and where a field's
// key appears inside it.

#include "scenario.h"

#include "client/reading_template.h"
#include "faults/fault_rule.h"
#include "protocol/overloaded.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <map>

namespace mqs {
namespace {

// A step may take this long when the file does not say ("withinMs"): long enough for a loaded CI machine.
constexpr int kDefaultWithinMs = 10000;
// A padded payload ("size") stays far below any broker's limit unless a check means to pass one.
constexpr int kLargestPadding = 1024 * 1024;

int lineAt(const QByteArray &text, qsizetype position)
{
    return int(text.left(std::max<qsizetype>(position, 0)).count('\n')) + 1;
}

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

// Names a place in the file: "line 12, field \"qos\"".
struct Locator {
    const QByteArray &text;
    qsizetype start = 0;
    qsizetype end = -1;

    int line(const QString &field) const
    {
        const qsizetype at = text.indexOf('"' + field.toUtf8() + '"', start);
        return (at >= 0 && (end < 0 || at < end)) ? lineAt(text, at) : lineAt(text, start);
    }
    Problem problem(const QString &field, const QString &what) const
    {
        return Problem{ProblemKind::InvalidInput,
                       QStringLiteral("Line %1, field \"%2\": %3").arg(line(field)).arg(field, what)};
    }
};

QString substitute(QString text, const QMap<QString, QString> &variables, QStringList &missing)
{
    static const QRegularExpression variable(QStringLiteral(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})"));
    QString out;
    qsizetype last = 0;
    for (auto it = variable.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        out += text.mid(last, match.capturedStart() - last);
        const QString name = match.captured(1);
        if (variables.contains(name))
            out += variables.value(name);
        else
            missing << name;
        last = match.capturedEnd();
    }
    return out + text.mid(last);
}

// Reads fields of one JSON object, substituting variables in strings, remembering the first problem.
class Fields
{
public:
    Fields(QJsonObject object, Locator where, const QMap<QString, QString> &variables)
        : m_object(std::move(object)), m_where(where), m_variables(variables) {}

    QString text(const QString &field, bool required = true)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined()) {
            if (required)
                fail(field, QStringLiteral("is missing."));
            return {};
        }
        if (!value.isString())
            return fail(field, QStringLiteral("must be a string.")), QString();
        QStringList missing;
        const QString out = substitute(value.toString(), m_variables, missing);
        if (!missing.isEmpty())
            fail(field, QStringLiteral("uses ${%1}, which no --var gives.").arg(missing.first()));
        return out;
    }
    int number(const QString &field, int fallback, int minimum, int maximum)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined())
            return fallback;
        bool isNumber = value.isDouble();
        double n = value.toDouble(-1e18);
        if (value.isString()) // "${BURST}": a number from a variable
            n = text(field).toDouble(&isNumber);
        if (!isNumber || n != double(qint64(n)) || n < minimum || n > maximum)
            fail(field, QStringLiteral("must be a whole number from %1 to %2.").arg(minimum).arg(maximum));
        return int(n);
    }
    bool flag(const QString &field, bool fallback)
    {
        const QJsonValue value = m_object.value(field);
        if (value.isUndefined())
            return fallback;
        if (!value.isBool())
            fail(field, QStringLiteral("must be true or false."));
        return value.toBool();
    }
    QoS qos(const QString &field) { return QoS(number(field, 0, 0, 2)); }
    QJsonValue raw(const QString &field) const { return m_object.value(field); }
    void fail(const QString &field, const QString &what)
    {
        if (!m_problem)
            m_problem = m_where.problem(field, what);
    }
    void fail(const QString &sentence)
    {
        if (!m_problem)
            m_problem = Problem{ProblemKind::InvalidInput, sentence};
    }
    // The fields of an object inside this one, placed by the same lines.
    Fields nested(QJsonObject object) const { return Fields(std::move(object), m_where, m_variables); }
    const std::optional<Problem> &problem() const { return m_problem; }

private:
    QJsonObject m_object;
    Locator m_where;
    const QMap<QString, QString> &m_variables;
    std::optional<Problem> m_problem;
};

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

std::optional<std::vector<int>> sequenceOf(Fields &f)
{
    const QJsonValue value = f.raw(QStringLiteral("seq"));
    if (value.isUndefined())
        return std::nullopt;
    std::vector<int> numbers;
    if (value.isString()) { // "1..10"
        const QStringList ends = value.toString().split(QStringLiteral(".."));
        bool a = false, b = false;
        const int from = ends.value(0).toInt(&a), to = ends.value(1).toInt(&b);
        if (ends.size() != 2 || !a || !b || to < from)
            return f.fail(QStringLiteral("seq"), QStringLiteral("must be a list of numbers or a range \"FROM..TO\".")), numbers;
        for (int n = from; n <= to; ++n)
            numbers.push_back(n);
        return numbers;
    }
    for (const QJsonValue n : value.toArray())
        numbers.push_back(n.toInt());
    if (!value.isArray())
        f.fail(QStringLiteral("seq"), QStringLiteral("must be a list of numbers or a range \"FROM..TO\"."));
    return numbers;
}

std::optional<Expectation> parseExpect(const QString &kind, Fields &f);

// "wait": a time, or "until" an expectation (an object of the same fields) holds.
WaitStep waitStep(Fields &f)
{
    WaitStep w{f.number(QStringLiteral("ms"), 0, 0, 3600000)};
    const QJsonValue until = f.raw(QStringLiteral("until"));
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
    if (kind == QLatin1String("publish")) {
        PublishStep p{client(), f.text(QStringLiteral("topic")), f.qos(QStringLiteral("qos"))};
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
        return p;
    }
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
                                                "cut, disconnect, reconnect, restore, require or wait.").arg(kind));
    return std::nullopt;
}

ReceivedExpectation receivedExpectation(Fields &f)
{
    ReceivedExpectation e{f.text(QStringLiteral("client"))};
    e.sequence = sequenceOf(f);
    if (!f.raw(QStringLiteral("count")).isUndefined())
        e.count = f.number(QStringLiteral("count"), 0, 0, 1000000);
    if (!e.sequence && !e.count)
        f.fail(QStringLiteral("expect"), QStringLiteral("\"received\" needs \"seq\" or \"count\"."));
    e.exactlyOnce = f.flag(QStringLiteral("exactlyOnce"), true);
    e.inOrder = f.flag(QStringLiteral("inOrder"), false);
    e.forMs = f.number(QStringLiteral("forMs"), 0, 0, 3600000);
    const QJsonValue together = f.raw(QStringLiteral("together"));
    for (const QJsonValue other : together.toArray())
        e.together.push_back(other.toString());
    if (!together.isUndefined() && !together.isArray())
        f.fail(QStringLiteral("together"), QStringLiteral("must be a list of client names."));
    return e;
}

std::optional<FlowState> flowStateNamed(const QString &name)
{
    for (FlowState s : {FlowState::Queued, FlowState::AwaitingPubAck, FlowState::AwaitingPubRec, FlowState::AwaitingPubComp,
                        FlowState::AwaitingPubRel, FlowState::Complete, FlowState::Failed, FlowState::Abandoned})
        if (flowStateName(s).compare(name, Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

FlowExpectation flowExpectation(Fields &f)
{
    FlowExpectation e{f.text(QStringLiteral("client"))};
    const QString direction = f.text(QStringLiteral("direction"), false);
    if (direction == QLatin1String("inbound"))
        e.direction = Direction::Inbound;
    else if (!direction.isEmpty() && direction != QLatin1String("outbound"))
        f.fail(QStringLiteral("direction"), QStringLiteral("must be \"outbound\" or \"inbound\"."));
    if (!f.raw(QStringLiteral("seq")).isUndefined())
        e.sequence = f.number(QStringLiteral("seq"), 0, 0, 1000000000);
    if (!f.raw(QStringLiteral("packetId")).isUndefined())
        e.packetId = quint16(f.number(QStringLiteral("packetId"), 1, 1, 65535));
    if (e.direction == Direction::Outbound ? !e.sequence : !e.packetId)
        f.fail(QStringLiteral("expect"), e.direction == Direction::Outbound
                                             ? QStringLiteral("an outbound \"flow\" needs \"seq\", the number its message was published with.")
                                             : QStringLiteral("an inbound \"flow\" needs \"packetId\"."));
    const QString name = f.text(QStringLiteral("state"));
    e.state = flowStateNamed(name);
    if (!e.state && name.compare(QLatin1String("Finished"), Qt::CaseInsensitive) != 0)
        f.fail(QStringLiteral("state"), QStringLiteral("must be a flow state: Queued, AwaitingPubAck, AwaitingPubRec, "
                                                       "AwaitingPubComp, AwaitingPubRel, Complete, Failed or Abandoned; "
                                                       "or Finished for any of the last three."));
    e.forMs = f.number(QStringLiteral("forMs"), 0, 0, 3600000);
    return e;
}

// The packets whose reason code an expectation may name.
const std::vector<PacketType> &reasonCarriers()
{
    static const std::vector<PacketType> carriers{PacketType::ConnAck, PacketType::PubAck, PacketType::PubRec,
                                                  PacketType::PubRel, PacketType::PubComp, PacketType::SubAck,
                                                  PacketType::UnsubAck, PacketType::Disconnect};
    return carriers;
}

ReasonExpectation reasonExpectation(Fields &f)
{
    ReasonExpectation e{f.text(QStringLiteral("client"))};
    const QString packet = f.text(QStringLiteral("packet")).toUpper();
    const auto &carriers = reasonCarriers();
    const auto it = std::find_if(carriers.begin(), carriers.end(), [&](PacketType t) { return packetTypeName(t) == packet; });
    if (it == carriers.end())
        f.fail(QStringLiteral("packet"), QStringLiteral("must name a packet with a reason code: CONNACK, PUBACK, PUBREC, "
                                                        "PUBREL, PUBCOMP, SUBACK, UNSUBACK or DISCONNECT."));
    else
        e.type = *it;
    const QJsonValue code = f.raw(QStringLiteral("code"));
    bool ok = code.isDouble();
    int value = code.toInt(-1);
    if (code.isString())
        value = code.toString().toInt(&ok, 0); // "0x92" or "146"
    if (!ok || value < 0 || value > 0xff)
        f.fail(QStringLiteral("code"), QStringLiteral("must be a reason code from 0 to 255, as a number or \"0x92\"."));
    e.reason = quint8(value);
    const QString from = f.text(QStringLiteral("from"), false);
    if (!from.isEmpty() && from != QLatin1String("broker") && from != QLatin1String("client"))
        f.fail(QStringLiteral("from"), QStringLiteral("must be \"broker\" or \"client\"."));
    e.sentByClient = from == QLatin1String("client");
    return e;
}

ViolationExpectation violationExpectation(Fields &f)
{
    ViolationExpectation e{f.text(QStringLiteral("client"))};
    const QJsonValue rule = f.raw(QStringLiteral("rule"));
    if (rule.isString())
        e.rule = f.text(QStringLiteral("rule"));
    else if (!rule.isNull())
        f.fail(QStringLiteral("rule"), QStringLiteral("must be a rule id such as \"[MQTT-4.3.3-10]\", or null for none."));
    return e;
}

MessageExpectation messageExpectation(Fields &f)
{
    MessageExpectation e{f.text(QStringLiteral("client")), f.number(QStringLiteral("seq"), 0, 0, 1000000000)};
    if (f.raw(QStringLiteral("seq")).isUndefined())
        f.fail(QStringLiteral("seq"), QStringLiteral("is missing."));
    if (!f.raw(QStringLiteral("qos")).isUndefined())
        e.qos = f.qos(QStringLiteral("qos"));
    if (!f.raw(QStringLiteral("retain")).isUndefined())
        e.retain = f.flag(QStringLiteral("retain"), false);
    if (!f.raw(QStringLiteral("topic")).isUndefined())
        e.topic = f.text(QStringLiteral("topic"));
    return e;
}

std::optional<Expectation> parseExpect(const QString &kind, Fields &f)
{
    if (kind == QLatin1String("received"))
        return receivedExpectation(f);
    if (kind == QLatin1String("flow"))
        return flowExpectation(f);
    if (kind == QLatin1String("reason"))
        return reasonExpectation(f);
    if (kind == QLatin1String("violation"))
        return violationExpectation(f);
    if (kind == QLatin1String("audit"))
        return AuditExpectation{f.text(QStringLiteral("subscriber")), f.text(QStringLiteral("publisher"))};
    if (kind == QLatin1String("message"))
        return messageExpectation(f);
    if (kind == QLatin1String("connected"))
        return ConnectedExpectation{f.text(QStringLiteral("client")), f.flag(QStringLiteral("connected"), true)};
    if (kind == QLatin1String("connack"))
        return ConnAckExpectation{f.text(QStringLiteral("client")), f.flag(QStringLiteral("sessionPresent"), false)};
    f.fail(QStringLiteral("expect"), QStringLiteral("\"%1\" is not an expectation; use received, message, flow, reason, "
                                                    "violation, connack, connected or audit.").arg(kind));
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
