#include "message_payload.h"

#include "theme.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
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

// A JSON value as read in order: a scalar's text, or members/elements with their names.
struct OrderedValue {
    enum Kind { Scalar, Object, Array } kind = Scalar;
    QString text; // Scalar: as shown ("22.5", "\"°C\"", "true")
    std::vector<std::pair<QString, OrderedValue>> children;
};

// Reads valid JSON keeping the order of object members. Only called after QJsonDocument has
// accepted the text, so it does not report errors.
class OrderedReader
{
public:
    explicit OrderedReader(const QByteArray &json) : m_json(json) {}

    OrderedValue value()
    {
        skipSpace();
        const char c = peek();
        if (c == '{')
            return members('}', OrderedValue::Object);
        if (c == '[')
            return members(']', OrderedValue::Array);
        if (c == '"') {
            const QString s = string();
            return {OrderedValue::Scalar, QLatin1Char('"') + s + QLatin1Char('"'), {}};
        }
        const qsizetype start = m_at;
        while (m_at < m_json.size() && !isOneOf(m_json.at(m_at), ",]} \t\r\n"))
            ++m_at;
        return {OrderedValue::Scalar, QString::fromUtf8(m_json.mid(start, m_at - start)), {}};
    }

private:
    OrderedValue members(char close, OrderedValue::Kind kind)
    {
        OrderedValue v{kind, {}, {}};
        ++m_at; // the opening bracket
        for (skipSpace(); peek() != close && m_at < m_json.size(); skipSpace()) {
            QString name = QStringLiteral("[%1]").arg(v.children.size());
            if (kind == OrderedValue::Object) {
                name = string();
                skipSpace();
                ++m_at; // ':'
            }
            v.children.emplace_back(name, value());
            skipSpace();
            if (peek() == ',')
                ++m_at;
        }
        ++m_at; // the closing bracket
        return v;
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

void appendValue(QStandardItem *parent, const QString &name, const OrderedValue &v)
{
    auto *key = new QStandardItem(name);
    auto *shown = new QStandardItem(v.kind == OrderedValue::Object  ? QStringLiteral("{%1}").arg(v.children.size())
                                    : v.kind == OrderedValue::Array ? QStringLiteral("[%1]").arg(v.children.size())
                                                                    : v.text);
    for (const auto &[childName, child] : v.children)
        appendValue(key, childName, child);
    parent->appendRow({key, shown});
}

bool isJsonDocument(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError && (doc.isObject() || doc.isArray());
}

// Leaves of `v` as (path, text), in order.
void flatten(const OrderedValue &v, const QString &path, std::vector<std::pair<QString, QString>> &out)
{
    if (v.kind == OrderedValue::Scalar) {
        out.emplace_back(path, v.text);
        return;
    }
    for (const auto &[name, child] : v.children) {
        const bool element = v.kind == OrderedValue::Array;
        flatten(child, path.isEmpty() ? name : element ? path + name : path + QLatin1Char('.') + name, out);
    }
}

QString coloured(const QString &text, const QColor &color)
{
    return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color.name(), text.toHtmlEscaped());
}

QString lineDifferenceHtml(const QByteArray &before, const QByteArray &after)
{
    const QStringList was = QString::fromUtf8(before).split(QLatin1Char('\n'));
    const QStringList now = QString::fromUtf8(after).split(QLatin1Char('\n'));
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

std::optional<std::vector<FieldChange>> jsonFieldChanges(const QByteArray &before, const QByteArray &after)
{
    if (!isJsonDocument(before) || !isJsonDocument(after))
        return std::nullopt;
    std::vector<std::pair<QString, QString>> was;
    std::vector<std::pair<QString, QString>> now;
    flatten(OrderedReader(before).value(), QString(), was);
    flatten(OrderedReader(after).value(), QString(), now);
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

QString differenceHtml(const QByteArray &before, const QByteArray &after)
{
    const auto changes = jsonFieldChanges(before, after);
    if (!changes)
        return lineDifferenceHtml(before, after);
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
