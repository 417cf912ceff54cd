#include "path_condition.h"

namespace mqs {

QCborValue fieldTree(const DecodedPayload &decoded, const QByteArray &payload)
{
    if (!decoded.value.isUndefined())
        return decoded.value;
    return QCborValue(QString::fromUtf8(payload));
}

Result<PathCondition> PathCondition::parse(const QString &text)
{
    if (!text.trimmed().startsWith(u'$'))
        return Problem{ProblemKind::InvalidInput,
                       QStringLiteral("Character 1 of \"%1\": a condition starts with a path such as $.temperature.").arg(text)};
    qsizetype at = 0;
    auto path = JsonPath::parsePrefix(text, &at);
    if (!path)
        return path.problem();
    auto compared = parseComparison(text, &at);
    if (!compared)
        return compared.problem();
    while (at < text.size() && text[at].isSpace())
        ++at;
    if (at < text.size())
        return Problem{ProblemKind::InvalidInput,
                       QStringLiteral("Character %1 of \"%2\": nothing may follow the value compared with.").arg(at + 1).arg(text)};
    PathCondition condition;
    condition.m_path = std::move(*path);
    condition.m_comparison = compared->comparison;
    condition.m_literal = std::move(compared->literal);
    return condition;
}

bool PathCondition::matches(const QCborValue &root) const
{
    for (const QCborValue &value : m_path.select(root))
        if (compareValue(value, m_comparison, m_literal))
            return true;
    return false;
}

} // namespace mqs
