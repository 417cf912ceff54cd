#pragma once
// A search condition on the decoded payload: a JSON path, a comparison and a literal, as
// `$.temperature > 30`, `$.state == 'open'`, `$.tags contains 'alarm'`. True when any value
// the path reaches compares true.

#include "json_path.h"
#include "payload_decoding.h"

namespace mqs {

// What paths and conditions look into: the decoded tree, or for a payload no decoder gives a tree
// (text such as "21.5"), the payload's text, so `$` reads a plain number.
QCborValue fieldTree(const DecodedPayload &decoded, const QByteArray &payload);

class PathCondition
{
public:
    // A problem names the character where the condition broke.
    [[nodiscard]] static Result<PathCondition> parse(const QString &text);

    bool matches(const QCborValue &root) const;
    const JsonPath &path() const { return m_path; }

private:
    JsonPath m_path;
    PathComparison m_comparison = PathComparison::Equal;
    PathLiteral m_literal;
};

} // namespace mqs
