#pragma once
// A JSON path subset over the decoded payload tree (QCborValue, so every decoder feeds it):
// `$` (the whole payload), `.name`, `['name']`, `[2]`, and a filter on an array's elements
// `[?(@.name == 'Temperature')]`. A path that does not parse says at which character it broke.

#include "protocol/result.h"

#include <QCborValue>
#include <QString>

#include <optional>
#include <vector>

namespace mqs {

// A value a filter or a condition compares with: a number or a string.
struct PathLiteral {
    std::optional<double> number{};
    QString text{}; // the literal as written (unquoted for strings)
    bool operator==(const PathLiteral &) const = default;
};

enum class PathComparison : quint8 { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Contains };

struct PathComparisonTo {
    PathComparison comparison = PathComparison::Equal;
    PathLiteral literal{};
};
// Reads "> 30", "== 'open'", "contains 'alarm'" at `text[*position]`; leaves `*position` after it.
[[nodiscard]] Result<PathComparisonTo> parseComparison(const QString &text, qsizetype *position);

// True when `value` compares with `literal` as `comparison` says: numerically when both are
// numbers, else as text (only Equal, NotEqual and Contains compare text).
bool compareValue(const QCborValue &value, PathComparison comparison, const PathLiteral &literal);

class JsonPath
{
public:
    struct Step; // one `.name`, `[index]` or `[?(...)]`

    // Parses "$.a.b[2].c"; a problem names the character (1-based) where the path broke.
    [[nodiscard]] static Result<JsonPath> parse(const QString &text);
    // Parses a path at `text[*position]` and leaves `*position` after it (for conditions).
    [[nodiscard]] static Result<JsonPath> parsePrefix(const QString &text, qsizetype *position);

    JsonPath();
    ~JsonPath();
    JsonPath(const JsonPath &);
    JsonPath &operator=(const JsonPath &);
    JsonPath(JsonPath &&) noexcept;
    JsonPath &operator=(JsonPath &&) noexcept;

    // Every value the path reaches in `root`, in the tree's order; empty when it reaches none.
    std::vector<QCborValue> select(const QCborValue &root) const;
    // The first value reached that reads as a number (numbers, booleans as 0/1, numeric text).
    std::optional<double> number(const QCborValue &root) const;
    QString text() const { return m_text; }
    bool isRoot() const { return m_steps.empty(); }

private:
    QString m_text;
    std::vector<Step> m_steps;
};

// A value as a number, when it reads as one: numbers, booleans (0/1), text such as "21.5".
std::optional<double> numberOf(const QCborValue &value);

} // namespace mqs
