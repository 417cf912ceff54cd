// mqttscope-cli history: the messages a session store kept, with their exact bytes. Text lines
// escape what would be ambiguous; JSON gives payloads that are not UTF-8 in base64.

#include "cli_commands.h"

#include "store/sqlite_session_store.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <limits>

namespace mqs::cli {
namespace {

// Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0 when the byte there starts none.
int utf8SequenceAt(QByteArrayView bytes, qsizetype i)
{
    const auto lead = quint8(bytes[i]);
    if (lead < 0x80)
        return 1;
    int length = 0;
    char32_t codePoint = 0;
    char32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, codePoint = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, codePoint = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, codePoint = lead & 0x07, smallest = 0x10000;
    } else {
        return 0;
    }
    if (bytes.size() - i < length)
        return 0;
    for (int k = 1; k < length; ++k) {
        const auto next = quint8(bytes[i + k]);
        if ((next & 0xC0) != 0x80)
            return 0;
        codePoint = (codePoint << 6) | (next & 0x3F);
    }
    const bool surrogate = codePoint >= 0xD800 && codePoint <= 0xDFFF;
    return codePoint < smallest || codePoint > 0x10FFFF || surrogate ? 0 : length;
}

bool isUtf8(QByteArrayView bytes)
{
    for (qsizetype i = 0; i < bytes.size();) {
        const int length = utf8SequenceAt(bytes, i);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

// One field of a text line: \\ \n \r \t as in C, \xHH for other control bytes, for bytes that are
// not UTF-8 and (with `escapeSpaces`) for spaces, so a line splits unambiguously and reads back exactly.
QString escaped(QByteArrayView bytes, bool escapeSpaces)
{
    QString text;
    for (qsizetype i = 0; i < bytes.size();) {
        const auto byte = quint8(bytes[i]);
        const int length = utf8SequenceAt(bytes, i);
        if (byte == '\\')
            text += QStringLiteral("\\\\");
        else if (byte == '\n')
            text += QStringLiteral("\\n");
        else if (byte == '\r')
            text += QStringLiteral("\\r");
        else if (byte == '\t')
            text += QStringLiteral("\\t");
        else if (length == 0 || byte < 0x20 || byte == 0x7F || (escapeSpaces && byte == ' '))
            text += QStringLiteral("\\x%1").arg(uint(byte), 2, 16, QLatin1Char('0'));
        else
            text += QString::fromUtf8(bytes.sliced(i, length));
        i += std::max(length, 1);
    }
    return text;
}

QString textLine(const SessionKey &key, const Delivery &d, const QString &at)
{
    return QStringLiteral("%1  %2  id=%3 qos=%4 %5 %6")
        .arg(at, escaped(key.clientId.toUtf8(), true))
        .arg(d.packetId ? d.packetId->value : 0)
        .arg(qosValue(d.message.qos))
        .arg(escaped(d.message.topic.toUtf8(), true), escaped(d.message.payload, false));
}

QString jsonLine(const SessionKey &key, const Delivery &d, const QString &at)
{
    const bool text = isUtf8(d.message.payload);
    QJsonObject o{{QStringLiteral("at"), at},
                  {QStringLiteral("server"), key.scope},
                  {QStringLiteral("client"), key.clientId},
                  {QStringLiteral("topic"), d.message.topic},
                  {QStringLiteral("qos"), qosValue(d.message.qos)},
                  {QStringLiteral("retain"), d.message.retain},
                  {QStringLiteral("encoding"), text ? QStringLiteral("utf-8") : QStringLiteral("base64")},
                  {QStringLiteral("payload"), text ? QString::fromUtf8(d.message.payload)
                                                   : QString::fromLatin1(d.message.payload.toBase64())}};
    if (d.packetId)
        o.insert(QStringLiteral("id"), d.packetId->value);
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

int historyCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the message history a session store keeps: every QoS 2 message delivered, exactly once, oldest first.\n"
        "Text lines: TIME  CLIENT  id=N qos=Q TOPIC PAYLOAD, where topic and payload escape \\\\ \\n \\r \\t, other "
        "control bytes and bytes that are not UTF-8 as \\xHH, and the topic its spaces as \\x20.\n"
        "--json: \"encoding\" says whether \"payload\" is the text (utf-8) or the bytes in base64."));
    parser.addHelpOption();
    const QCommandLineOption storeFlag(QStringLiteral("store"), QStringLiteral("The SQLite session store (as given to "
                                                                              "pub/sub --store)."),
                                       QStringLiteral("FILE"));
    const QCommandLineOption jsonFlag(QStringLiteral("json"), QStringLiteral("One JSON object per line."));
    const QCommandLineOption idFlag({QStringLiteral("i"), QStringLiteral("id")}, QStringLiteral("Only this client id's history."),
                                    QStringLiteral("ID"));
    parser.addOptions({storeFlag, jsonFlag, idFlag});
    if (!parser.parse(arguments))
        return usageError(QStringLiteral("history"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(parser.helpText());
        return 0;
    }
    if (!parser.isSet(storeFlag))
        return usageError(QStringLiteral("history"), QStringLiteral("give the session store with --store FILE."));
    const QString path = parser.value(storeFlag);
    if (!QFile::exists(path)) {
        err(QStringLiteral("mqttscope-cli history: %1 does not exist.").arg(path));
        return 1;
    }
    SqliteSessionStore store(path);
    if (!store.error()) {
        err(QStringLiteral("mqttscope-cli history: ") + store.error().sentence());
        return 1;
    }
    auto keys = store.historyKeys();
    if (!keys) {
        err(QStringLiteral("mqttscope-cli history: ") + keys.sentence());
        return 1;
    }
    const bool json = parser.isSet(jsonFlag);
    for (const SessionKey &key : *keys) {
        if (parser.isSet(idFlag) && key.clientId != parser.value(idFlag))
            continue;
        auto history = store.history(key, std::numeric_limits<int>::max());
        if (!history) {
            err(QStringLiteral("mqttscope-cli history: ") + history.sentence());
            return 1;
        }
        for (const Delivery &d : *history) {
            const QString at = QDateTime::fromMSecsSinceEpoch(d.at.count()).toString(Qt::ISODateWithMs);
            out(json ? jsonLine(key, d, at) : textLine(key, d, at));
        }
    }
    return 0;
}

} // namespace mqs::cli
