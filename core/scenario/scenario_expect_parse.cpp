// Reading a scenario's expectations ("expect": received, message, flow, reason, violation,
// connack, connected, audit), each from the fields of its object.

#include "scenario_fields.h"

#include <QJsonArray>

#include <algorithm>

namespace mqs::scenario_detail {
namespace {

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
    e.reason = f.reasonCode(QStringLiteral("code"));
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


} // namespace

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


} // namespace mqs::scenario_detail
