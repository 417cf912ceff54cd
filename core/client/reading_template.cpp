#include "reading_template.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QUuid>

#include <cmath>

namespace mqs {
namespace {

int decimalsOf(const QString &number)
{
    const qsizetype dot = number.indexOf(QLatin1Char('.'));
    return dot < 0 ? 0 : int(number.size() - dot - 1);
}

} // namespace

Result<ReadingTemplate> ReadingTemplate::parse(const QString &text, quint32 seed)
{
    ReadingTemplate t;
    t.m_random.seed(seed ? seed : QRandomGenerator::global()->generate());
    static const QRegularExpression field(QStringLiteral(R"(\{\{\s*(.*?)\s*\}\})"));
    static const QRegularExpression randomRe(QStringLiteral(R"(^random\s+(-?[\d.]+)\s*\.\.\s*(-?[\d.]+)(?:\s+step\s+([\d.]+))?$)"));
    static const QRegularExpression walkRe(QStringLiteral(R"(^walk\s+(-?[\d.]+)\s*(?:±|\+-|\+/-)\s*([\d.]+)$)"));
    static const QRegularExpression pickRe(QStringLiteral(R"(^pick\s+(.+)$)"));
    qsizetype at = 0;
    auto it = field.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() > at)
            t.m_fields.push_back(Field{Field::Literal, text.mid(at, m.capturedStart() - at)});
        at = m.capturedEnd();
        const QString spec = m.captured(1);
        Field f;
        if (spec == QLatin1String("seq")) {
            f.kind = Field::Seq;
        } else if (spec == QLatin1String("counter")) {
            f.kind = Field::Counter;
        } else if (spec == QLatin1String("now")) {
            f.kind = Field::Now;
        } else if (spec == QLatin1String("uuid")) {
            f.kind = Field::Uuid;
        } else if (const auto r = randomRe.match(spec); r.hasMatch()) {
            f.kind = Field::Random;
            f.a = r.captured(1).toDouble();
            f.b = r.captured(2).toDouble();
            f.step = r.captured(3).isEmpty() ? 1.0 : r.captured(3).toDouble();
            f.decimals = std::max({decimalsOf(r.captured(1)), decimalsOf(r.captured(2)), decimalsOf(r.captured(3))});
            if (f.b < f.a || f.step <= 0)
                return Problem{ProblemKind::InvalidInput, QStringLiteral("{{%1}}: the range must run from low to high with a positive step.").arg(spec)};
        } else if (const auto w = walkRe.match(spec); w.hasMatch()) {
            f.kind = Field::Walk;
            f.a = f.value = w.captured(1).toDouble();
            f.b = w.captured(2).toDouble();
            f.decimals = std::max(decimalsOf(w.captured(1)), decimalsOf(w.captured(2)));
        } else if (const auto p = pickRe.match(spec); p.hasMatch()) {
            f.kind = Field::Pick;
            for (const QString &word : p.captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts))
                f.words.push_back(word.trimmed());
            if (f.words.empty())
                return Problem{ProblemKind::InvalidInput, QStringLiteral("{{%1}}: give the words to pick from, separated by commas.").arg(spec)};
        } else {
            return Problem{ProblemKind::InvalidInput, QStringLiteral("{{%1}} is not a template field; use seq, counter, now, uuid, random A..B [step S], "
                                  "walk X ±D or pick A,B,C.")
                .arg(spec)};
        }
        t.m_fields.push_back(std::move(f));
    }
    if (at < text.size())
        t.m_fields.push_back(Field{Field::Literal, text.mid(at)});
    for (const Field &f : t.m_fields)
        if (f.kind == Field::Literal && f.text.contains(QLatin1String("{{")))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'{{' at '%1' opens a template field that is never closed with '}}'.")
                .arg(f.text.mid(f.text.indexOf(QLatin1String("{{")), 20))};
    return t;
}

bool ReadingTemplate::isConstant() const
{
    return std::all_of(m_fields.begin(), m_fields.end(), [](const Field &f) { return f.kind == Field::Literal; });
}

QString ReadingTemplate::render()
{
    ++m_rendered;
    QString out;
    for (Field &f : m_fields) {
        switch (f.kind) {
        case Field::Literal: out += f.text; break;
        case Field::Seq: out += QString::number(m_rendered); break;
        case Field::Counter: out += QString::number(m_rendered - 1); break;
        case Field::Now: out += QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); break;
        case Field::Uuid: out += QUuid::createUuid().toString(QUuid::WithoutBraces); break;
        case Field::Random: {
            const auto steps = qint64(std::floor((f.b - f.a) / f.step + 1e-9));
            const double v = f.a + double(m_random.bounded(steps + 1)) * f.step;
            out += QString::number(v, 'f', f.decimals);
            break;
        }
        case Field::Walk: {
            const double delta = (m_random.generateDouble() * 2 - 1) * f.b;
            f.value += delta;
            out += QString::number(f.value, 'f', f.decimals);
            break;
        }
        case Field::Pick: out += f.words[m_random.bounded(quint32(f.words.size()))]; break;
        }
    }
    return out;
}

Result<QString> ReadingSeries::next(const QString &text)
{
    if (!m_template || text != m_text) {
        auto parsed = ReadingTemplate::parse(text);
        if (!parsed)
            return parsed.problem();
        m_template = std::move(parsed).value();
        m_text = text;
    }
    return m_template->render();
}

void ReadingSeries::restart()
{
    m_template.reset();
}

} // namespace mqs
