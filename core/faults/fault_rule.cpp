#include "fault_rule.h"

#include "protocol/topic.h"

#include <QJsonValue>
#include <QStringList>

namespace mqs {
namespace {

std::optional<PacketType> parseType(const QString &word)
{
    for (int t = 1; t <= 15; ++t)
        if (word.compare(packetTypeName(PacketType(t)), Qt::CaseInsensitive) == 0)
            return PacketType(t);
    return std::nullopt;
}

std::optional<quint32> parseDuration(QString word)
{
    word = word.toLower();
    quint32 scale = 1;
    if (word.endsWith(QLatin1String("ms"))) {
        word.chop(2);
    } else if (word.endsWith(QLatin1Char('s'))) {
        word.chop(1);
        scale = 1000;
    }
    bool ok = false;
    const double value = word.toDouble(&ok);
    if (!ok || value < 0 || value * scale > 3600.0 * 1000)
        return std::nullopt;
    return quint32(value * scale);
}

const char *directionWord(FaultDirection d)
{
    switch (d) {
    case FaultDirection::Outgoing: return "out";
    case FaultDirection::Incoming: return "in";
    case FaultDirection::Both: return "any";
    }
    return "any";
}

} // namespace

QString faultActionName(FaultAction action)
{
    switch (action) {
    case FaultAction::None: return QStringLiteral("none");
    case FaultAction::Hold: return QStringLiteral("hold");
    case FaultAction::Drop: return QStringLiteral("drop");
    case FaultAction::Delay: return QStringLiteral("delay");
    case FaultAction::Duplicate: return QStringLiteral("duplicate");
    case FaultAction::CutAfter: return QStringLiteral("cut");
    }
    return {};
}

Result<FaultRule> FaultRule::parse(const QString &text)
{
    const QStringList words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString usage = QStringLiteral(" Write e.g. \"hold out PUBREL\", \"drop in PUBCOMP every 10\" or "
                                         "\"delay 500ms out PUBLISH topic sensors/#\".");
    FaultRule rule;
    qsizetype i = 0;
    auto next = [&]() -> QString { return i < words.size() ? words[i++] : QString(); };
    const QString action = next().toLower();
    if (action == QLatin1String("hold")) {
        rule.action = FaultAction::Hold;
    } else if (action == QLatin1String("drop")) {
        rule.action = FaultAction::Drop;
    } else if (action == QLatin1String("duplicate")) {
        rule.action = FaultAction::Duplicate;
    } else if (action == QLatin1String("cut")) {
        rule.action = FaultAction::CutAfter;
    } else if (action == QLatin1String("delay")) {
        rule.action = FaultAction::Delay;
        const QString duration = next();
        const auto ms = parseDuration(duration);
        if (!ms)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': 'delay' needs a duration such as 500ms or 2s, got '%2'.").arg(text, duration)};
        rule.delayMs = *ms;
    } else {
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1' starts with '%2'; it must start with hold, drop, delay, duplicate or cut.")
                   .arg(text, action) + usage};
    }
    const QString direction = next().toLower();
    if (direction == QLatin1String("out"))
        rule.direction = FaultDirection::Outgoing;
    else if (direction == QLatin1String("in"))
        rule.direction = FaultDirection::Incoming;
    else if (direction == QLatin1String("any"))
        rule.direction = FaultDirection::Both;
    else
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': after the action comes out, in or any, not '%2'.").arg(text, direction) + usage};
    const QString type = next();
    if (type.compare(QLatin1String("any"), Qt::CaseInsensitive) != 0) {
        rule.type = parseType(type);
        if (!rule.type)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': '%2' is not a packet type (PUBLISH, PUBREC, PUBREL, PUBCOMP, ... or any).")
                .arg(text, type)};
    }
    while (i < words.size()) {
        const QString key = next().toLower();
        const QString value = next();
        if (value.isEmpty())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': '%2' needs a value.").arg(text, key)};
        bool ok = false;
        if (key == QLatin1String("id")) {
            const uint id = value.toUInt(&ok);
            if (!ok || id == 0 || id > 65535)
                return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': packet id '%2' must be 1 to 65535.").arg(text, value)};
            rule.match = FaultMatch::PacketId;
            rule.packetId = PacketId(quint16(id));
        } else if (key == QLatin1String("topic")) {
            if (const Status problem = checkTopicFilter(value); !problem)
                return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': %2").arg(text, problem.sentence())};
            rule.match = FaultMatch::TopicFilter;
            rule.topicFilter = value;
        } else if (key == QLatin1String("every")) {
            const uint n = value.toUInt(&ok);
            if (!ok || n == 0)
                return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': 'every' needs a count of 1 or more, got '%2'.").arg(text, value)};
            rule.match = FaultMatch::EveryNth;
            rule.every = n;
        } else if (key == QLatin1String("client")) {
            rule.clientId = value;
        } else if (key == QLatin1String("limit")) {
            const uint n = value.toUInt(&ok);
            if (!ok || n == 0)
                return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': 'limit' needs a count of 1 or more, got '%2'.").arg(text, value)};
            rule.limit = n;
        } else {
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Fault rule '%1': unknown word '%2'; expected id, topic, every, client or limit.").arg(text, key)};
        }
    }
    rule.name = rule.toText();
    return rule;
}

QString FaultRule::toText() const
{
    QStringList words;
    words << faultActionName(action);
    if (action == FaultAction::Delay)
        words << QStringLiteral("%1ms").arg(delayMs);
    words << QLatin1String(directionWord(direction));
    words << (type ? packetTypeName(*type) : QStringLiteral("any"));
    switch (match) {
    case FaultMatch::PacketId: words << QStringLiteral("id") << QString::number(packetId.value); break;
    case FaultMatch::TopicFilter: words << QStringLiteral("topic") << topicFilter; break;
    case FaultMatch::EveryNth: words << QStringLiteral("every") << QString::number(every); break;
    case FaultMatch::Any: break;
    }
    if (!clientId.isEmpty())
        words << QStringLiteral("client") << clientId;
    if (limit)
        words << QStringLiteral("limit") << QString::number(*limit);
    return words.join(QLatin1Char(' '));
}

QString FaultRule::describe() const
{
    const QString what = type ? packetTypeName(*type) : QStringLiteral("packets");
    const QString dir = direction == FaultDirection::Outgoing ? QStringLiteral("outgoing ")
        : direction == FaultDirection::Incoming             ? QStringLiteral("incoming ")
                                                            : QString();
    QString text;
    switch (action) {
    case FaultAction::Hold: text = QStringLiteral("Hold %1%2 until released"); break;
    case FaultAction::Drop: text = QStringLiteral("Drop %1%2"); break;
    case FaultAction::Delay: text = QStringLiteral("Delay %1%2 by %3 ms"); break;
    case FaultAction::Duplicate: text = QStringLiteral("Send %1%2 twice"); break;
    case FaultAction::CutAfter: text = QStringLiteral("Cut the connection after %1%2"); break;
    case FaultAction::None: text = QStringLiteral("Do nothing to %1%2"); break;
    }
    text = action == FaultAction::Delay ? text.arg(dir, what).arg(delayMs) : text.arg(dir, what);
    if (match == FaultMatch::PacketId)
        text += QStringLiteral(" with id %1").arg(packetId.value);
    else if (match == FaultMatch::TopicFilter)
        text += QStringLiteral(" on topics matching %1").arg(topicFilter);
    else if (match == FaultMatch::EveryNth)
        text += QStringLiteral(", every %1th one").arg(every);
    if (!clientId.isEmpty())
        text += QStringLiteral(" of client '%1'").arg(clientId);
    if (limit)
        text += QStringLiteral(" (first %1 only)").arg(*limit);
    return text;
}

QJsonObject FaultRule::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("rule"), toText());
    json.insert(QStringLiteral("name"), name);
    json.insert(QStringLiteral("enabled"), enabled);
    return json;
}

Result<FaultRule> FaultRule::fromJson(const QJsonObject &json)
{
    auto parsed = parse(json.value(QStringLiteral("rule")).toString());
    if (parsed) {
        const QString name = json.value(QStringLiteral("name")).toString();
        if (!name.isEmpty())
            parsed->name = name;
        parsed->enabled = json.value(QStringLiteral("enabled")).toBool(true);
    }
    return parsed;
}

} // namespace mqs
