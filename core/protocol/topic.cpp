#include "topic.h"

namespace mqs {

namespace {
Problem invalid(QString sentence) { return problem(ProblemKind::InvalidInput, std::move(sentence)); }
} // namespace

Status checkTopicName(QStringView topic)
{
    if (topic.isEmpty())
        return invalid(QStringLiteral("A topic name must not be empty [MQTT-4.7.3-1]."));
    // One pass over the characters: every PUBLISH a proxy forwards or a client receives is checked.
    bool wildcard = false;
    bool null = false;
    for (const QChar c : topic) {
        wildcard = wildcard || c == u'+' || c == u'#';
        null = null || c.isNull();
    }
    if (wildcard)
        return invalid(QStringLiteral("The topic name '%1' contains a wildcard ('+' or '#'); wildcards are only "
                              "allowed in subscriptions [MQTT-3.3.2-2].")
            .arg(topic));
    if (null)
        return invalid(QStringLiteral("A topic name must not contain U+0000 [MQTT-4.7.3-2]."));
    return {};
}

bool isSharedSubscription(QStringView filter)
{
    return filter.startsWith(QLatin1String("$share/"));
}

QStringView filterWithoutShare(QStringView filter)
{
    if (!isSharedSubscription(filter))
        return filter;
    const qsizetype slash = filter.indexOf(QLatin1Char('/'), 7);
    return slash < 0 ? QStringView() : filter.mid(slash + 1);
}

Status checkTopicFilter(QStringView filter)
{
    if (filter.isEmpty())
        return invalid(QStringLiteral("A topic filter must not be empty [MQTT-4.7.3-1]."));
    if (filter.contains(QChar(0)))
        return invalid(QStringLiteral("A topic filter must not contain U+0000 [MQTT-4.7.3-2]."));
    QStringView plain = filter;
    if (isSharedSubscription(filter)) {
        const qsizetype slash = filter.indexOf(QLatin1Char('/'), 7);
        const QStringView shareName = slash < 0 ? filter.mid(7) : filter.mid(7, slash - 7);
        if (shareName.isEmpty() || slash < 0)
            return invalid(QStringLiteral("The shared subscription '%1' needs the form $share/{ShareName}/{filter} "
                                  "[MQTT-4.8.2-1].")
                .arg(filter));
        if (shareName.contains(QLatin1Char('+')) || shareName.contains(QLatin1Char('#')))
            return invalid(QStringLiteral("The share name in '%1' must not contain '+' or '#' [MQTT-4.8.2-2].").arg(filter));
        plain = filter.mid(slash + 1);
        if (plain.isEmpty())
            return invalid(QStringLiteral("The shared subscription '%1' has no topic filter after the share name.").arg(filter));
    }
    const auto levels = plain.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QStringView level = levels[i];
        if (level.contains(QLatin1Char('#'))) {
            if (level.size() != 1 || i != levels.size() - 1)
                return invalid(QStringLiteral("In '%1', '#' must stand alone as the last level [MQTT-4.7.1-1].").arg(filter));
        }
        if (level.contains(QLatin1Char('+')) && level.size() != 1)
            return invalid(QStringLiteral("In '%1', '+' must occupy a whole level [MQTT-4.7.1-2].").arg(filter));
    }
    return {};
}

bool topicMatches(QStringView filter, QStringView topic)
{
    filter = filterWithoutShare(filter);
    if (filter.isEmpty() || topic.isEmpty())
        return false;
    // [MQTT-4.7.2-1] a filter starting with a wildcard does not match $-topics
    if (topic.startsWith(QLatin1Char('$')) && (filter.startsWith(QLatin1Char('+')) || filter.startsWith(QLatin1Char('#'))))
        return false;
    qsizetype f = 0;
    qsizetype t = 0;
    while (true) {
        const qsizetype fEnd = [&] { qsizetype e = filter.indexOf(QLatin1Char('/'), f); return e < 0 ? filter.size() : e; }();
        const QStringView fLevel = filter.mid(f, fEnd - f);
        if (fLevel == QLatin1String("#"))
            return true; // matches the parent level and everything below
        if (t > topic.size())
            return false; // topic exhausted but filter has more levels
        const qsizetype tEnd = [&] { qsizetype e = topic.indexOf(QLatin1Char('/'), t); return e < 0 ? topic.size() : e; }();
        const QStringView tLevel = topic.mid(t, tEnd - t);
        if (fLevel != QLatin1String("+") && fLevel != tLevel)
            return false;
        const bool filterDone = fEnd >= filter.size();
        const bool topicDone = tEnd >= topic.size();
        if (filterDone && topicDone)
            return true;
        if (filterDone)
            return false;
        f = fEnd + 1;
        t = topicDone ? topic.size() + 1 : tEnd + 1;
    }
}

} // namespace mqs
