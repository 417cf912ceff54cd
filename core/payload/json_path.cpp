#include "json_path.h"

#include <QCborArray>
#include <QCborMap>

#include <variant>

namespace mqs {
namespace {

template<class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};

struct MemberStep {
    QString name;
};
struct IndexStep {
    qsizetype index = 0;
};

} // namespace

// `[?(@.path OP literal)]`: keeps the array elements whose relative path compares true.
struct FilterStep {
    JsonPath relative;
    PathComparison comparison = PathComparison::Equal;
    PathLiteral literal;
};

struct JsonPath::Step {
    std::variant<MemberStep, IndexStep, FilterStep> kind;
};

namespace {

bool isNameCharacter(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u':';
}

Problem pathProblem(const QString &text, qsizetype position, const QString &what)
{
    return Problem{ProblemKind::InvalidInput,
                   QStringLiteral("Character %1 of \"%2\": %3.").arg(position + 1).arg(text, what)};
}

// Reads the pieces of a path, a literal and an operator from one string, left to right.
class PathReader
{
public:
    PathReader(const QString &text, qsizetype position) : m_text(&text), m_at(position) {}
    qsizetype position() const { return m_at; }
    bool atEnd() const { return m_at >= m_text->size(); }
    QChar peek(qsizetype ahead = 0) const { return m_at + ahead < m_text->size() ? (*m_text)[m_at + ahead] : QChar(); }
    void skipSpaces()
    {
        while (!atEnd() && peek().isSpace())
            ++m_at;
    }
    bool take(QChar c)
    {
        if (peek() != c)
            return false;
        ++m_at;
        return true;
    }
    Problem problem(const QString &what) const { return pathProblem(*m_text, m_at, what); }

    QString name()
    {
        const qsizetype start = m_at;
        while (!atEnd() && isNameCharacter(peek()))
            ++m_at;
        return m_text->mid(start, m_at - start);
    }
    Result<QString> quoted()
    {
        const QChar quote = peek();
        const qsizetype start = ++m_at;
        while (!atEnd() && peek() != quote)
            ++m_at;
        if (atEnd())
            return pathProblem(*m_text, start - 1, QStringLiteral("the quoted text is never closed"));
        return m_text->mid(start, m_at++ - start);
    }
    Result<PathLiteral> literal();
    std::optional<PathComparison> comparison();

private:
    const QString *m_text;
    qsizetype m_at = 0;
};

Result<PathLiteral> PathReader::literal()
{
    skipSpaces();
    if (peek() == u'\'' || peek() == u'"') {
        auto text = quoted();
        if (!text)
            return text.problem();
        return PathLiteral{.number = std::nullopt, .text = *text};
    }
    const qsizetype start = m_at;
    while (!atEnd() && (peek().isLetterOrNumber() || peek() == u'.' || peek() == u'-' || peek() == u'+'))
        ++m_at;
    const QString word = m_text->mid(start, m_at - start);
    bool isNumber = false;
    const double number = word.toDouble(&isNumber);
    if (word == u"true" || word == u"false")
        return PathLiteral{.number = word == u"true" ? 1.0 : 0.0, .text = word};
    if (!isNumber)
        return pathProblem(*m_text, start, QStringLiteral("expected a number or a quoted 'text' to compare with"));
    return PathLiteral{.number = number, .text = word};
}

std::optional<PathComparison> PathReader::comparison()
{
    skipSpaces();
    static const std::pair<const char16_t *, PathComparison> kOperators[] = {
        {u"==", PathComparison::Equal}, {u"!=", PathComparison::NotEqual}, {u"<=", PathComparison::LessOrEqual},
        {u">=", PathComparison::GreaterOrEqual}, {u"<", PathComparison::Less}, {u">", PathComparison::Greater},
        {u"contains", PathComparison::Contains},
    };
    for (const auto &[spelling, comparison] : kOperators) {
        const QString s = QString::fromUtf16(spelling);
        if (QStringView(*m_text).mid(m_at).startsWith(s)) {
            m_at += s.size();
            return comparison;
        }
    }
    return std::nullopt;
}

Result<JsonPath::Step> readBracket(PathReader &reader, const QString &text);

Result<std::vector<JsonPath::Step>> readSteps(PathReader &reader, const QString &text)
{
    std::vector<JsonPath::Step> steps;
    while (!reader.atEnd()) {
        if (reader.take(u'.')) {
            const qsizetype at = reader.position();
            const QString name = reader.name();
            if (name.isEmpty())
                return pathProblem(text, at, QStringLiteral("expected a field name after '.'"));
            steps.push_back({MemberStep{name}});
        } else if (reader.peek() == u'[') {
            auto step = readBracket(reader, text);
            if (!step)
                return step.problem();
            steps.push_back(std::move(*step));
        } else {
            break; // the caller decides whether what follows belongs to it
        }
    }
    return steps;
}

Result<JsonPath::Step> readFilter(PathReader &reader, const QString &text)
{
    reader.skipSpaces();
    qsizetype at = reader.position();
    if (reader.peek() != u'@')
        return reader.problem(QStringLiteral("a filter starts with '@', the array element"));
    auto relative = JsonPath::parsePrefix(text, &at);
    if (!relative)
        return relative.problem();
    auto compared = parseComparison(text, &at);
    if (!compared)
        return compared.problem();
    PathReader rest(text, at);
    rest.skipSpaces();
    if (!rest.take(u')') || !rest.take(u']'))
        return rest.problem(QStringLiteral("expected ')]' to close the filter"));
    reader = rest;
    return JsonPath::Step{FilterStep{std::move(*relative), compared->comparison, std::move(compared->literal)}};
}

Result<JsonPath::Step> readBracket(PathReader &reader, const QString &text)
{
    reader.take(u'[');
    if (reader.take(u'?')) {
        if (!reader.take(u'('))
            return reader.problem(QStringLiteral("expected '(' after '[?'"));
        return readFilter(reader, text);
    }
    JsonPath::Step step;
    if (reader.peek() == u'\'' || reader.peek() == u'"') {
        auto name = reader.quoted();
        if (!name)
            return name.problem();
        step.kind = MemberStep{*name};
    } else {
        const qsizetype at = reader.position();
        bool isIndex = false;
        const qsizetype index = reader.name().toLongLong(&isIndex);
        if (!isIndex || index < 0)
            return pathProblem(text, at, QStringLiteral("expected an index (0, 1, …), a quoted 'name' or a filter ?(…)"));
        step.kind = IndexStep{index};
    }
    if (!reader.take(u']'))
        return reader.problem(QStringLiteral("expected ']'"));
    return step;
}

QCborValue member(const QCborValue &value, const QString &name)
{
    const QCborMap map = value.toMap();
    if (map.contains(name))
        return map.value(name);
    bool isKey = false; // CBOR maps may have integer keys
    const qint64 key = name.toLongLong(&isKey);
    return isKey && map.contains(key) ? map.value(key) : QCborValue(QCborValue::Undefined);
}

} // namespace

Result<PathComparisonTo> parseComparison(const QString &text, qsizetype *position)
{
    PathReader reader(text, *position);
    const auto comparison = reader.comparison();
    if (!comparison)
        return reader.problem(QStringLiteral("expected ==, !=, <, <=, >, >= or contains"));
    auto literal = reader.literal();
    if (!literal)
        return literal.problem();
    *position = reader.position();
    return PathComparisonTo{*comparison, std::move(*literal)};
}

bool compareValue(const QCborValue &value, PathComparison comparison, const PathLiteral &literal)
{
    if (comparison == PathComparison::Contains) {
        if (value.isArray()) {
            for (const QCborValue &item : value.toArray())
                if (compareValue(item, PathComparison::Equal, literal))
                    return true;
            return false;
        }
        return value.isString() && value.toString().contains(literal.text, Qt::CaseInsensitive);
    }
    const std::optional<double> number = value.isString() && !literal.number ? std::nullopt : numberOf(value);
    if (number && literal.number) {
        switch (comparison) {
        case PathComparison::Equal: return *number == *literal.number;
        case PathComparison::NotEqual: return *number != *literal.number;
        case PathComparison::Less: return *number < *literal.number;
        case PathComparison::LessOrEqual: return *number <= *literal.number;
        case PathComparison::Greater: return *number > *literal.number;
        case PathComparison::GreaterOrEqual: return *number >= *literal.number;
        case PathComparison::Contains: break;
        }
        return false;
    }
    if (!value.isString() || value.isUndefined())
        return false;
    if (comparison == PathComparison::Equal)
        return value.toString() == literal.text;
    if (comparison == PathComparison::NotEqual)
        return value.toString() != literal.text;
    return false;
}

std::optional<double> numberOf(const QCborValue &value)
{
    if (value.isInteger())
        return double(value.toInteger());
    if (value.isDouble())
        return value.toDouble();
    if (value.isBool())
        return value.toBool() ? 1.0 : 0.0;
    if (value.isString()) {
        bool ok = false;
        const double number = value.toString().trimmed().toDouble(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

JsonPath::JsonPath() = default;
JsonPath::~JsonPath() = default;
JsonPath::JsonPath(const JsonPath &) = default;
JsonPath &JsonPath::operator=(const JsonPath &) = default;
JsonPath::JsonPath(JsonPath &&) noexcept = default;
JsonPath &JsonPath::operator=(JsonPath &&) noexcept = default;

Result<JsonPath> JsonPath::parsePrefix(const QString &text, qsizetype *position)
{
    PathReader reader(text, *position);
    reader.skipSpaces();
    const qsizetype start = reader.position();
    if (!reader.take(u'$') && !reader.take(u'@'))
        return reader.problem(QStringLiteral("a path starts with '$', the whole payload"));
    auto steps = readSteps(reader, text);
    if (!steps)
        return steps.problem();
    JsonPath path;
    path.m_text = text.mid(start, reader.position() - start);
    path.m_steps = std::move(*steps);
    *position = reader.position();
    return path;
}

Result<JsonPath> JsonPath::parse(const QString &text)
{
    qsizetype position = 0;
    if (!text.trimmed().startsWith(u'$'))
        return pathProblem(text, 0, QStringLiteral("a path starts with '$', the whole payload"));
    auto path = parsePrefix(text, &position);
    if (!path)
        return path;
    PathReader rest(text, position);
    rest.skipSpaces();
    if (!rest.atEnd())
        return rest.problem(QStringLiteral("expected '.name', '[index]' or the end of the path"));
    return path;
}

std::vector<QCborValue> JsonPath::select(const QCborValue &root) const
{
    std::vector<QCborValue> current{root};
    for (const Step &step : m_steps) {
        std::vector<QCborValue> next;
        for (const QCborValue &value : current) {
            std::visit(overloaded{
                           [&](const MemberStep &s) {
                               if (QCborValue v = member(value, s.name); !v.isUndefined())
                                   next.push_back(std::move(v));
                           },
                           [&](const IndexStep &s) {
                               if (value.isArray() && s.index < value.toArray().size())
                                   next.push_back(value.toArray().at(s.index));
                           },
                           [&](const FilterStep &s) {
                               for (const QCborValue &item : value.toArray())
                                   for (const QCborValue &reached : s.relative.select(item))
                                       if (compareValue(reached, s.comparison, s.literal)) {
                                           next.push_back(item);
                                           break;
                                       }
                           },
                       },
                       step.kind);
        }
        current = std::move(next);
    }
    return current;
}

std::optional<double> JsonPath::number(const QCborValue &root) const
{
    for (const QCborValue &value : select(root))
        if (auto n = numberOf(value))
            return n;
    return std::nullopt;
}

} // namespace mqs
