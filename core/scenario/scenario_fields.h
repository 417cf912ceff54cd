#pragma once
// The pieces of reading a scenario file shared by its parts (scenario_parse.cpp: clients and steps;
// scenario_expect_parse.cpp: expectations): where a field sits in the text, and the fields of one
// JSON object read with ${NAME} substituted and the first problem kept.

#include "scenario.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace mqs::scenario_detail {

inline int lineAt(const QByteArray &text, qsizetype position)
{
    return int(text.left(std::max<qsizetype>(position, 0)).count('\n')) + 1;
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


inline QString substitute(QString text, const QMap<QString, QString> &variables, QStringList &missing)
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
    // A reason code written as a number or as "0x92".
    quint8 reasonCode(const QString &field)
    {
        const QJsonValue code = m_object.value(field);
        bool ok = code.isDouble();
        int value = code.toInt(-1);
        if (code.isString())
            value = code.toString().toInt(&ok, 0); // "0x92" or "146"
        if (!ok || value < 0 || value > 0xff)
            fail(field, QStringLiteral("must be a reason code from 0 to 255, as a number or \"0x92\"."));
        return quint8(value);
    }
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

// The expectation named `kind` ("received", "flow", ...) from the fields of its object.
std::optional<Expectation> parseExpect(const QString &kind, Fields &f);

} // namespace mqs::scenario_detail
