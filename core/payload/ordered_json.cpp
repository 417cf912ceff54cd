#include "ordered_json.h"

#include <QCborArray>
#include <QCborMap>
#include <QDateTime>
#include <QLocale>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mqs {
namespace {

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Walks text QJsonDocument has already accepted, so it reports no errors of its own.
class OrderedJsonReader
{
public:
    explicit OrderedJsonReader(const QByteArray &json) : m_json(json) {}

    QCborValue value()
    {
        skipSpace();
        switch (peek()) {
        case '{': return object();
        case '[': return array();
        case '"': return string();
        default: return scalar();
        }
    }

private:
    QCborValue object()
    {
        QCborMap map;
        ++m_at; // '{'
        for (skipSpace(); peek() != '}'; skipSpace()) {
            const QString key = string();
            skipSpace();
            ++m_at; // ':'
            map.insert(key, value());
            skipSeparator();
        }
        ++m_at; // '}'
        return map;
    }

    QCborValue array()
    {
        QCborArray list;
        ++m_at; // '['
        for (skipSpace(); peek() != ']'; skipSpace()) {
            list.append(value());
            skipSeparator();
        }
        ++m_at; // ']'
        return list;
    }

    QString string()
    {
        const qsizetype start = m_at++;
        while (m_at < m_json.size() && m_json.at(m_at) != '"')
            m_at += m_json.at(m_at) == '\\' ? 2 : 1;
        ++m_at;
        // Escapes (\n, \u00e9, surrogate pairs) decoded by Qt: the token is a valid JSON string.
        const QByteArray token = '[' + m_json.mid(start, m_at - start) + ']';
        return QJsonDocument::fromJson(token).array().at(0).toString();
    }

    QCborValue scalar()
    {
        const qsizetype start = m_at;
        while (m_at < m_json.size() && !std::strchr(",]} \t\r\n", m_json.at(m_at)))
            ++m_at;
        const QByteArray token = m_json.mid(start, m_at - start);
        if (token == "true" || token == "false")
            return QCborValue(token == "true");
        if (token == "null")
            return QCborValue(QCborValue::Null);
        bool isInteger = false;
        const qlonglong integer = token.toLongLong(&isInteger);
        return isInteger ? QCborValue(integer) : QCborValue(token.toDouble());
    }

    void skipSeparator()
    {
        skipSpace();
        if (peek() == ',')
            ++m_at;
    }
    void skipSpace()
    {
        while (m_at < m_json.size() && isJsonSpace(m_json.at(m_at)))
            ++m_at;
    }
    char peek() const { return m_at < m_json.size() ? m_json.at(m_at) : '\0'; }

    const QByteArray &m_json;
    qsizetype m_at = 0;
};

void writeString(QByteArray &out, const QString &text)
{
    out += '"';
    for (const char c : text.toUtf8()) {
        if (c == '"' || c == '\\')
            out += '\\', out += c;
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (uchar(c) < 0x20)
            out += "\\u00" + QByteArray::number(uchar(c), 16).rightJustified(2, '0');
        else
            out += c;
    }
    out += '"';
}

// Writes `tree` into `out`; `depth` is the indentation level when indenting.
class JsonWriter
{
public:
    JsonWriter(QByteArray &out, JsonLayout layout) : m_out(out), m_indent(layout == JsonLayout::Indented) {}

    void value(const QCborValue &v, int depth)
    {
        if (v.isMap()) {
            const QCborMap map = v.toMap();
            return container(map.size(), '{', '}', depth, [&](qsizetype i) {
                const auto it = map.constBegin() + i;
                writeString(m_out, it.key().isString() ? it.key().toString() : QString::fromUtf8(jsonOfTree(it.key())));
                m_out += m_indent ? ": " : ":";
                value(it.value(), depth + 1);
            });
        }
        if (v.isArray()) {
            const QCborArray array = v.toArray();
            return container(array.size(), '[', ']', depth, [&](qsizetype i) { value(array.at(i), depth + 1); });
        }
        scalar(v);
    }

private:
    template<class WriteElement>
    void container(qsizetype size, char open, char close, int depth, WriteElement writeElement)
    {
        m_out += open;
        for (qsizetype i = 0; i < size; ++i) {
            if (i > 0)
                m_out += ',';
            newline(depth + 1);
            writeElement(i);
        }
        if (size > 0)
            newline(depth);
        m_out += close;
    }

    void scalar(const QCborValue &v)
    {
        if (v.isString())
            writeString(m_out, v.toString());
        else if (v.isInteger())
            m_out += QByteArray::number(v.toInteger());
        else if (v.isDouble())
            m_out += std::isfinite(v.toDouble()) ? QByteArray::number(v.toDouble(), 'g', QLocale::FloatingPointShortest) : "null";
        else if (v.isBool())
            m_out += v.toBool() ? "true" : "false";
        else if (v.isByteArray())
            writeString(m_out, QString::fromLatin1(v.toByteArray().toBase64()));
        else if (v.isDateTime())
            writeString(m_out, v.toDateTime().toString(Qt::ISODateWithMs));
        else if (v.isTag())
            value(v.taggedValue(), 0);
        else
            m_out += "null";
    }

    void newline(int depth)
    {
        if (m_indent)
            m_out += '\n' + QByteArray(depth * 2, ' ');
    }

    QByteArray &m_out;
    bool m_indent;
};

} // namespace

QByteArray jsonOfTree(const QCborValue &tree, JsonLayout layout)
{
    QByteArray out;
    JsonWriter(out, layout).value(tree, 0);
    return out;
}

Result<QCborValue> orderedJsonTree(const QByteArray &json)
{
    QJsonParseError error;
    // Wrapped so scalars ("22.5", "\"on\"") are documents too; the offset is moved back.
    const QJsonDocument wrapped = QJsonDocument::fromJson('[' + json + ']', &error);
    if (error.error != QJsonParseError::NoError) {
        const qsizetype at = std::clamp<qsizetype>(error.offset - 1, 0, std::max<qsizetype>(json.size() - 1, 0));
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not JSON: %1 at byte %2.").arg(error.errorString()).arg(at)};
    }
    if (wrapped.array().size() != 1)
        return Problem{ProblemKind::InvalidInput, wrapped.array().isEmpty() ? QStringLiteral("Not JSON: the payload is empty.")
                                                                            : QStringLiteral("Not JSON: more than one value.")};
    return OrderedJsonReader(json).value();
}

} // namespace mqs
