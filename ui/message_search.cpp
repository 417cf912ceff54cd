#include "message_search.h"

#include <algorithm>

namespace mqs {
namespace {

template<class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};

// Characters of context shown before a match in an excerpt, and the most shown in all.
constexpr qsizetype kContextBefore = 30;
constexpr qsizetype kExcerptLength = 160;

SearchHit hitAround(const SearchedMessage &m, const QString &text, qsizetype start, qsizetype length)
{
    const qsizetype from = std::max<qsizetype>(0, start - kContextBefore);
    QString excerpt = text.mid(from, std::max(kExcerptLength, start - from + length));
    excerpt.replace(u'\n', u' ').replace(u'\r', u' ').replace(u'\t', u' '); // one line, same length
    return SearchHit{.topic = m.topic, .serial = m.serial, .timeMs = m.timeMs, .excerpt = excerpt,
                     .matchStart = start - from, .matchLength = length};
}

// Text and patterns match the topic too: "Topic: " shows where a topic match is.
SearchHit topicHit(const SearchedMessage &m, qsizetype start, qsizetype length)
{
    const QString prefix = QStringLiteral("topic ");
    return SearchHit{.topic = m.topic, .serial = m.serial, .timeMs = m.timeMs, .excerpt = prefix + m.topic,
                     .matchStart = prefix.size() + start, .matchLength = length};
}

QString shownValue(const QCborValue &value)
{
    return value.isMap() || value.isArray() ? value.toDiagnosticNotation(QCborValue::Compact) : value.toVariant().toString();
}

} // namespace

Result<MessageQuery> MessageQuery::make(SearchKind kind, const QString &text)
{
    MessageQuery query;
    switch (kind) {
    case SearchKind::Text:
        if (text.isEmpty())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Type the text to look for.")};
        query.m_query = text;
        return query;
    case SearchKind::RegularExpression: {
        QRegularExpression pattern(text, QRegularExpression::CaseInsensitiveOption);
        if (!pattern.isValid())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Character %1 of the regular expression: %2.")
                                                          .arg(pattern.patternErrorOffset() + 1)
                                                          .arg(pattern.errorString())};
        query.m_query = pattern;
        return query;
    }
    case SearchKind::FieldCondition: {
        auto condition = PathCondition::parse(text);
        if (!condition)
            return condition.problem();
        query.m_query = std::move(*condition);
        return query;
    }
    }
    return Problem{ProblemKind::InvalidInput, QStringLiteral("Unknown kind of search.")};
}

std::optional<SearchHit> MessageQuery::match(const SearchedMessage &m, const PayloadDecoders &decoders) const
{
    return std::visit(
        overloaded{
            [&](const QString &text) -> std::optional<SearchHit> {
                if (const qsizetype at = m.topic.indexOf(text, 0, Qt::CaseInsensitive); at >= 0)
                    return topicHit(m, at, text.size());
                const QString payload = QString::fromUtf8(m.payload);
                if (const qsizetype at = payload.indexOf(text, 0, Qt::CaseInsensitive); at >= 0)
                    return hitAround(m, payload, at, text.size());
                return std::nullopt;
            },
            [&](const QRegularExpression &pattern) -> std::optional<SearchHit> {
                if (const auto found = pattern.match(m.topic); found.hasMatch())
                    return topicHit(m, found.capturedStart(), found.capturedLength());
                const QString payload = QString::fromUtf8(m.payload);
                if (const auto found = pattern.match(payload); found.hasMatch())
                    return hitAround(m, payload, found.capturedStart(), found.capturedLength());
                return std::nullopt;
            },
            [&](const PathCondition &condition) -> std::optional<SearchHit> {
                const QCborValue tree = fieldTree(decoders.decode(m.topic, m.payload), m.payload);
                if (!condition.matches(tree))
                    return std::nullopt;
                const auto reached = condition.path().select(tree);
                const QString value = reached.empty() ? QString() : shownValue(reached.front());
                const QString prefix = condition.path().text() + QStringLiteral(" = ");
                return SearchHit{.topic = m.topic, .serial = m.serial, .timeMs = m.timeMs, .excerpt = prefix + value,
                                 .matchStart = prefix.size(), .matchLength = value.size()};
            },
        },
        m_query);
}

bool isUnderBranch(const QString &topic, const QString &branch)
{
    if (branch.isEmpty())
        return true;
    const QString trimmed = branch.endsWith(u'/') ? branch.chopped(1) : branch;
    return topic == trimmed || (topic.startsWith(trimmed) && topic.at(trimmed.size()) == u'/');
}

std::vector<const StoredMessage *> messagesUnder(const MessageStore &store, const QString &branch)
{
    std::vector<const StoredMessage *> found;
    for (const QString &topic : store.topics())
        if (isUnderBranch(topic, branch))
            for (const StoredMessage &m : store.messages(topic))
                found.push_back(&m);
    std::sort(found.begin(), found.end(), [](const StoredMessage *a, const StoredMessage *b) { return a->serial < b->serial; });
    return found;
}

std::vector<SearchedMessage> searchSnapshot(const MessageStore &store, const QString &branch)
{
    const auto kept = messagesUnder(store, branch);
    std::vector<SearchedMessage> snapshot;
    snapshot.reserve(kept.size());
    for (const StoredMessage *m : kept)
        snapshot.push_back(SearchedMessage{.topic = m->message.topic, .payload = m->message.payload, .serial = m->serial, .timeMs = m->timeMs});
    return snapshot;
}

void searchRange(const std::vector<SearchedMessage> &messages, std::size_t from, std::size_t to, const MessageQuery &query,
                 const PayloadDecoders &decoders, int mostListed, SearchTally &tally)
{
    for (std::size_t i = from; i < std::min(to, messages.size()); ++i) {
        auto hit = query.match(messages[i], decoders);
        if (!hit)
            continue;
        ++tally.matches;
        if (int(tally.hits.size()) < mostListed)
            tally.hits.push_back(std::move(*hit));
    }
}

std::vector<SearchHit> searchMessages(const MessageStore &store, const MessageQuery &query, const QString &branch,
                                      const PayloadDecoders &decoders, int limit)
{
    const auto snapshot = searchSnapshot(store, branch);
    SearchTally tally;
    searchRange(snapshot, 0, snapshot.size(), query, decoders, limit, tally);
    return std::move(tally.hits);
}

} // namespace mqs
