#pragma once
// Searching the kept messages: by text, by regular expression, or by a condition on a decoded
// field (`$.temperature > 30`), across all topics or under one branch of the topic tree. A query
// that cannot work says where it broke before any message is read.

#include "message_store.h"

#include "payload/path_condition.h"
#include "payload/payload_decoding.h"

#include <QRegularExpression>

#include <variant>

namespace mqs {

enum class SearchKind : quint8 { Text, RegularExpression, FieldCondition };

struct SearchHit {
    QString topic;
    quint64 serial = 0;
    qint64 timeMs = 0;
    // A line of the payload around the match (or, for a condition, the field and its value),
    // and where the match is within it.
    QString excerpt;
    qsizetype matchStart = 0;
    qsizetype matchLength = 0;
};

// What a search reads of a kept message: a copy another thread can own while the store changes.
struct SearchedMessage {
    QString topic;
    QByteArray payload;
    quint64 serial = 0;
    qint64 timeMs = 0;
};

class MessageQuery
{
public:
    // A problem names the character where a pattern or a condition broke.
    [[nodiscard]] static Result<MessageQuery> make(SearchKind kind, const QString &text);

    // The hit `message` gives, if any. Text and patterns look at the topic and the payload's text.
    // Safe on any thread while `decoders` is not changed.
    std::optional<SearchHit> match(const SearchedMessage &message, const PayloadDecoders &decoders) const;

private:
    std::variant<QString, QRegularExpression, PathCondition> m_query;
};

// True when `topic` is `branch` or below it; an empty branch is every topic.
bool isUnderBranch(const QString &topic, const QString &branch);

// The kept messages under `branch`, oldest first, copied for a search on another thread (payloads
// and topics are shared, not duplicated).
std::vector<SearchedMessage> searchSnapshot(const MessageStore &store, const QString &branch);

// Hits and how many messages matched in all: hits stop being listed at a limit, matches are
// still counted.
struct SearchTally {
    std::vector<SearchHit> hits;
    quint64 matches = 0;
};
// Matches messages [from, to) into `tally`, listing hits while it holds fewer than `mostListed`.
void searchRange(const std::vector<SearchedMessage> &messages, std::size_t from, std::size_t to, const MessageQuery &query,
                 const PayloadDecoders &decoders, int mostListed, SearchTally &tally);

// Hits oldest first across topics, at most `limit` of them, in one go on this thread.
std::vector<SearchHit> searchMessages(const MessageStore &store, const MessageQuery &query, const QString &branch,
                                      const PayloadDecoders &decoders, int limit);

// The kept messages under `branch` (all topics when empty), oldest first.
std::vector<const StoredMessage *> messagesUnder(const MessageStore &store, const QString &branch);

} // namespace mqs
