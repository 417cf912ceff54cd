#include "message_payload.h"

#include "theme.h"

#include "protocol/topic.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QCborArray>
#include <QCborMap>
#include <QRegularExpression>

#include <cstring>

namespace mqs {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MessagesView", text);
}

bool isOneOf(char c, const char *set)
{
    return c != '\0' && std::strchr(set, c) != nullptr;
}

// Reads valid JSON into a QCborValue keeping the order of object members (QJsonObject would
// sort them). Only called after QJsonDocument has accepted the text, so it does not report errors.
class OrderedReader
{
public:
    explicit OrderedReader(const QByteArray &json) : m_json(json) {}

    QCborValue value()
    {
        skipSpace();
        const char c = peek();
        if (c == '{')
            return members();
        if (c == '[')
            return elements();
        if (c == '"')
            return string();
        const qsizetype start = m_at;
        while (m_at < m_json.size() && !isOneOf(m_json.at(m_at), ",]} \t\r\n"))
            ++m_at;
        return scalar(m_json.mid(start, m_at - start));
    }

private:
    static QCborValue scalar(const QByteArray &token)
    {
        bool whole = false;
        const qint64 integer = token.toLongLong(&whole); // 64-bit ids survive, as a double would not keep them
        if (whole)
            return integer;
        return QCborValue::fromJsonValue(QJsonDocument::fromJson('[' + token + ']').array().at(0));
    }

    QCborMap members()
    {
        QCborMap map;
        ++m_at; // '{'
        for (skipSpace(); peek() != '}' && m_at < m_json.size(); skipSpace()) {
            const QString name = string();
            skipSpace();
            ++m_at; // ':'
            map.insert(name, value());
            skipSpace();
            if (peek() == ',')
                ++m_at;
        }
        ++m_at; // '}'
        return map;
    }

    QCborArray elements()
    {
        QCborArray array;
        ++m_at; // '['
        for (skipSpace(); peek() != ']' && m_at < m_json.size(); skipSpace()) {
            array.append(value());
            skipSpace();
            if (peek() == ',')
                ++m_at;
        }
        ++m_at; // ']'
        return array;
    }

    QString string()
    {
        const qsizetype start = m_at++;
        while (m_at < m_json.size() && m_json.at(m_at) != '"')
            m_at += m_json.at(m_at) == '\\' ? 2 : 1;
        ++m_at;
        // Escapes decoded by Qt: the token is a valid JSON string.
        const QByteArray token = '[' + m_json.mid(start, m_at - start) + ']';
        return QJsonDocument::fromJson(token).array().at(0).toString();
    }

    void skipSpace()
    {
        while (m_at < m_json.size() && isOneOf(m_json.at(m_at), " \t\r\n"))
            ++m_at;
    }
    char peek() const { return m_at < m_json.size() ? m_json.at(m_at) : '\0'; }

    const QByteArray &m_json;
    qsizetype m_at = 0;
};

void appendValue(QStandardItem *parent, const QString &name, const QCborValue &v)
{
    auto *key = new QStandardItem(name);
    auto *shown = new QStandardItem(fieldText(v));
    if (v.isMap())
        for (const auto &[childName, child] : v.toMap())
            appendValue(key, childName.isString() ? childName.toString() : fieldText(childName), child);
    if (v.isArray()) {
        const QCborArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            appendValue(key, QStringLiteral("[%1]").arg(i), array.at(i));
    }
    parent->appendRow({key, shown});
}

bool isJsonDocument(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray());
}

// Leaves of `v` as (path, text), in order.
void flatten(const QCborValue &v, const QString &path, std::vector<std::pair<QString, QString>> &out)
{
    const auto child = [&](const QString &name, bool element) {
        return path.isEmpty() ? name : element ? path + name : path + QLatin1Char('.') + name;
    };
    if (v.isMap()) {
        for (const auto &[name, value] : v.toMap())
            flatten(value, child(name.isString() ? name.toString() : fieldText(name), false), out);
    } else if (v.isArray()) {
        const QCborArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            flatten(array.at(i), child(QStringLiteral("[%1]").arg(i), true), out);
    } else {
        out.emplace_back(path, fieldText(v));
    }
}

bool isTree(const QCborValue &v)
{
    return v.isMap() || v.isArray();
}

QString coloured(const QString &text, const QColor &color)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color.name(), text.toHtmlEscaped());
}

QString lineDifferenceHtml(const QString &before, const QString &after)
{
    const QStringList was = before.split(QLatin1Char('\n'));
    const QStringList now = after.split(QLatin1Char('\n'));
    QStringList lines;
    for (qsizetype i = 0; i < std::max(was.size(), now.size()); ++i) {
        if (i < was.size() && i < now.size() && was[i] == now[i]) {
            lines << (QStringLiteral("  ") + now[i]).toHtmlEscaped();
            continue;
        }
        if (i < was.size())
            lines << coloured(QStringLiteral("- ") + was[i], problemColor());
        if (i < now.size())
            lines << coloured(QStringLiteral("+ ") + now[i], successColor());
    }
    return lines.join(QStringLiteral("<br>"));
}

} // namespace

QString fieldText(const QCborValue &v)
{
    switch (v.type()) {
    case QCborValue::Map: return QStringLiteral("{%1}").arg(v.toMap().size());
    case QCborValue::Array: return QStringLiteral("[%1]").arg(v.toArray().size());
    case QCborValue::String: return QLatin1Char('"') + v.toString() + QLatin1Char('"');
    case QCborValue::Integer: return QString::number(v.toInteger());
    case QCborValue::Double: return QString::number(v.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QCborValue::True: return QStringLiteral("true");
    case QCborValue::False: return QStringLiteral("false");
    case QCborValue::Null: return QStringLiteral("null");
    case QCborValue::ByteArray: return QStringLiteral("h'%1'").arg(QString::fromLatin1(v.toByteArray().toHex()));
    default: return v.toDiagnosticNotation(QCborValue::Compact); // tags, simple values, undefined
    }
}

QCborValue orderedJson(const QByteArray &json)
{
    return isJsonDocument(json) ? OrderedReader(json).value() : QCborValue();
}

DecodedPayload decodeInOrder(const PayloadDecoders &decoders, const QString &topic, const QByteArray &payload)
{
    DecodedPayload decoded = decoders.decode(topic, payload);
    if (decoded.decoder.kind == DecoderKind::Json && !decoded.problem) {
        // The payload's own text and order: the sender's layout reads better than one re-indented with sorted keys.
        decoded.value = orderedJson(payload);
        decoded.text = QString::fromUtf8(payload);
    }
    return decoded;
}

namespace {

// `v` on one line, fields in order, as compact JSON reads: {"t":21.5,"unit":"C"}. Stops adding
// once `out` holds `room` characters.
void appendOneLine(QString &out, const QCborValue &v, qsizetype room)
{
    if (out.size() >= room)
        return;
    if (v.isMap()) {
        out += QLatin1Char('{');
        bool first = true;
        for (const auto &[key, child] : v.toMap()) {
            out += first ? QString() : QStringLiteral(",");
            first = false;
            const QCborValue name = key;
            out += fieldText(name.isString() ? name : QCborValue(fieldText(name))) + QLatin1Char(':');
            appendOneLine(out, child, room);
        }
        out += QLatin1Char('}');
    } else if (v.isArray()) {
        out += QLatin1Char('[');
        const QCborArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            out += i ? QStringLiteral(",") : QString();
            appendOneLine(out, array.at(i), room);
        }
        out += QLatin1Char(']');
    } else {
        out += fieldText(v);
    }
}

} // namespace

QString ruleFilterFor(const PayloadDecoders &decoders, const QString &topic)
{
    for (const DecodeRule &rule : decoders.rules())
        if (topicMatches(rule.topicFilter, topic))
            return rule.topicFilter;
    return {};
}

QString lastValueText(const PayloadDecoders &decoders, const QString &topic, const QByteArray &payload)
{
    constexpr qsizetype kShownCharacters = 200; // the column shows the start; the message view the rest
    const DecoderKind kind = decoders.choose(topic, payload).kind;
    if (kind == DecoderKind::Text || kind == DecoderKind::Json) // readable as they are, in the sender's layout
        return QString::fromUtf8(payload.left(kShownCharacters)).simplified();
    const DecodedPayload decoded = decodeInOrder(decoders, topic, payload);
    if (decoded.problem)
        return tr("⚠ %1").arg(QString::fromLatin1(payload.left(kShownCharacters / 3).toHex(' ')));
    if (isTree(decoded.value)) {
        QString line;
        appendOneLine(line, decoded.value, kShownCharacters);
        return line.left(kShownCharacters);
    }
    return decoded.text.left(kShownCharacters).simplified();
}

void appendFieldTree(QStandardItem *parent, const QCborValue &tree, const QString &rootName)
{
    appendValue(parent, rootName, tree);
}

void appendJsonTree(QStandardItem *parent, const QByteArray &json, const QString &rootName)
{
    appendValue(parent, rootName, OrderedReader(json).value());
}

QString hexDump(const QByteArray &bytes)
{
    constexpr int kPerLine = 16;
    constexpr int kOffsetDigits = 8; // offsets up to 4 GiB line up
    constexpr int kHexWidth = kPerLine * 3 + 1; // "xx " per byte, and the gap in the middle
    QString out;
    for (qsizetype at = 0; at < bytes.size(); at += kPerLine) {
        const QByteArray line = bytes.mid(at, kPerLine);
        QString hex;
        QString ascii;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const auto byte = quint8(line.at(i));
            hex += QStringLiteral("%1 ").arg(byte, 2, 16, QLatin1Char('0'));
            if (i == kPerLine / 2 - 1)
                hex += QLatin1Char(' ');
            ascii += byte >= 0x20 && byte < 0x7F ? QChar(byte) : QLatin1Char('.');
        }
        out += QStringLiteral("%1  %2 |%3|\n").arg(at, kOffsetDigits, 16, QLatin1Char('0')).arg(hex.leftJustified(kHexWidth), ascii);
    }
    return out;
}

std::optional<std::vector<FieldChange>> fieldChanges(const QCborValue &before, const QCborValue &after)
{
    if (!isTree(before) || !isTree(after))
        return std::nullopt;
    std::vector<std::pair<QString, QString>> was;
    std::vector<std::pair<QString, QString>> now;
    flatten(before, QString(), was);
    flatten(after, QString(), now);
    std::vector<FieldChange> changes;
    for (const auto &[path, text] : now) {
        const auto old = std::find_if(was.begin(), was.end(), [&](const auto &p) { return p.first == path; });
        if (old == was.end())
            changes.push_back({FieldChange::Added, path, {}, text});
        else if (old->second != text)
            changes.push_back({FieldChange::Changed, path, old->second, text});
    }
    for (const auto &[path, text] : was)
        if (std::none_of(now.begin(), now.end(), [&](const auto &p) { return p.first == path; }))
            changes.push_back({FieldChange::Removed, path, text, {}});
    return changes;
}

std::optional<std::vector<FieldChange>> jsonFieldChanges(const QByteArray &before, const QByteArray &after)
{
    return fieldChanges(orderedJson(before), orderedJson(after));
}

QString differenceHtml(const DecodedPayload &before, const DecodedPayload &after)
{
    const auto changes = fieldChanges(before.value, after.value);
    if (!changes)
        return lineDifferenceHtml(before.text, after.text);
    if (changes->empty())
        return tr("The same fields and values as the previous message.").toHtmlEscaped();
    QStringList lines;
    for (const FieldChange &c : *changes) {
        switch (c.kind) {
        case FieldChange::Changed:
            lines << QStringLiteral("<b>%1</b> %2 → %3").arg(c.path.toHtmlEscaped(), coloured(c.before, problemColor()),
                                                          coloured(c.after, successColor()));
            break;
        case FieldChange::Added: lines << coloured(QStringLiteral("+ %1 %2").arg(c.path, c.after), successColor()); break;
        case FieldChange::Removed: lines << coloured(QStringLiteral("- %1 %2").arg(c.path, c.before), problemColor()); break;
        }
    }
    return lines.join(QStringLiteral("<br>"));
}

QString differenceHtml(const QByteArray &before, const QByteArray &after)
{
    const auto asRead = [](const QByteArray &bytes) {
        return DecodedPayload{.value = orderedJson(bytes), .text = QString::fromUtf8(bytes)};
    };
    return differenceHtml(asRead(before), asRead(after));
}

QString suggestedFileName(const StoredMessage &m)
{
    static const QRegularExpression kUnsafe(QStringLiteral("[^A-Za-z0-9._-]+"));
    QString base = m.message.topic;
    base.replace(kUnsafe, QStringLiteral("_"));
    const QByteArray &payload = m.message.payload;
    const bool text = !payload.contains('\0') && !QString::fromUtf8(payload).contains(QChar::ReplacementCharacter);
    const QString extension = isJsonDocument(payload) ? QStringLiteral("json") : text ? QStringLiteral("txt") : QStringLiteral("bin");
    return QStringLiteral("%1-%2.%3").arg(base.isEmpty() ? QStringLiteral("payload") : base).arg(m.serial).arg(extension);
}

} // namespace mqs
