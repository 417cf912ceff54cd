#include "message_export.h"

#include <QCborArray>
#include <QCborMap>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

#include <algorithm>

namespace mqs {
namespace {

bool isUtf8Text(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder.decode(bytes);
    return !decoder.hasError() && !bytes.contains('\0');
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

Problem lineProblem(int line, const QString &what)
{
    return Problem{ProblemKind::File, QStringLiteral("Line %1 is not a message of a JSON Lines export: %2.").arg(line).arg(what)};
}

Result<MessageRecord> recordOf(const QJsonObject &object, int line)
{
    MessageRecord record;
    record.topic = object.value(u"topic").toString();
    if (record.topic.isEmpty())
        return lineProblem(line, QStringLiteral("it has no \"topic\""));
    if (object.contains(u"payload_base64")) {
        const auto decoded = QByteArray::fromBase64Encoding(object.value(u"payload_base64").toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return lineProblem(line, QStringLiteral("\"payload_base64\" is not base64"));
        record.payload = decoded.decoded;
    } else {
        record.payload = object.value(u"payload").toString().toUtf8();
    }
    const int qos = object.value(u"qos").toInt(0);
    if (qos < 0 || qos > 2)
        return lineProblem(line, QStringLiteral("\"qos\" is %1, not 0, 1 or 2").arg(qos));
    record.qos = QoS(qos);
    record.retain = object.value(u"retain").toBool(false);
    record.timeMs = object.contains(u"time_ms")
        ? qint64(object.value(u"time_ms").toDouble())
        : QDateTime::fromString(object.value(u"time").toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
    record.connection = object.value(u"connection").toString();
    return record;
}

void appendLeaves(const QCborValue &value, const QString &path, std::vector<std::pair<QString, QString>> &out)
{
    if (value.isMap()) {
        for (const auto &[key, item] : value.toMap())
            appendLeaves(item, path + u'.' + key.toVariant().toString(), out);
    } else if (value.isArray()) {
        const QCborArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            appendLeaves(array.at(i), path + QStringLiteral("[%1]").arg(i), out);
    } else if (value.isByteArray()) {
        out.emplace_back(path, QString::fromLatin1(value.toByteArray().toHex()));
    } else if (value.isString()) {
        out.emplace_back(path, value.toString());
    } else if (value.isNull()) {
        out.emplace_back(path, QStringLiteral("null"));
    } else if (!value.isUndefined()) {
        out.emplace_back(path, value.toVariant().toString());
    }
}

QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (!bytes.contains(',') && !bytes.contains('"') && !bytes.contains('\n') && !bytes.contains('\r'))
        return bytes;
    bytes.replace("\"", "\"\""); // RFC 4180 2.7: a quote inside a quoted field is doubled
    return '"' + bytes + '"';
}

QString payloadCell(const QByteArray &payload)
{
    return isUtf8Text(payload) ? QString::fromUtf8(payload) : QStringLiteral("base64:") + QString::fromLatin1(payload.toBase64());
}

} // namespace

QByteArray jsonLine(const MessageRecord &record)
{
    QJsonObject object{{QStringLiteral("time"), isoTime(record.timeMs)},
                       {QStringLiteral("time_ms"), double(record.timeMs)},
                       {QStringLiteral("topic"), record.topic},
                       {QStringLiteral("qos"), int(record.qos)},
                       {QStringLiteral("retain"), record.retain}};
    if (isUtf8Text(record.payload))
        object.insert(QStringLiteral("payload"), QString::fromUtf8(record.payload));
    else
        object.insert(QStringLiteral("payload_base64"), QString::fromLatin1(record.payload.toBase64()));
    if (!record.connection.isEmpty())
        object.insert(QStringLiteral("connection"), record.connection);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

Result<std::vector<MessageRecord>> readJsonLines(const QByteArray &text)
{
    std::vector<MessageRecord> records;
    int lineNumber = 0;
    for (const QByteArray &line : text.split('\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return lineProblem(lineNumber, error.error != QJsonParseError::NoError ? error.errorString() : QStringLiteral("it is not an object"));
        auto record = recordOf(doc.object(), lineNumber);
        if (!record)
            return record.problem();
        records.push_back(std::move(*record));
    }
    return records;
}

std::vector<std::pair<QString, QString>> leafFields(const QCborValue &tree)
{
    std::vector<std::pair<QString, QString>> out;
    appendLeaves(tree, QStringLiteral("$"), out);
    return out;
}

QByteArray csvTable(const std::vector<MessageRecord> &records, const std::vector<QCborValue> &decoded)
{
    QStringList columns;
    std::vector<QHash<QString, QString>> rows(records.size());
    for (std::size_t i = 0; i < records.size() && i < decoded.size(); ++i) {
        if (!decoded[i].isMap() && !decoded[i].isArray())
            continue; // a bare number or text is already the payload column
        for (auto &[path, text] : leafFields(decoded[i])) {
            if (!columns.contains(path))
                columns.append(path);
            rows[i].insert(path, text);
        }
    }
    QByteArray out = "time,topic,qos,retain,payload";
    for (const QString &column : columns)
        out += ',' + csvField(column);
    out += "\r\n"; // RFC 4180 2.1: lines end with CRLF
    for (std::size_t i = 0; i < records.size(); ++i) {
        const MessageRecord &r = records[i];
        out += csvField(isoTime(r.timeMs)) + ',' + csvField(r.topic) + ',' + QByteArray::number(int(r.qos)) + ','
            + (r.retain ? "true" : "false") + ',' + csvField(payloadCell(r.payload));
        for (const QString &column : columns)
            out += ',' + csvField(rows[i].value(column));
        out += "\r\n";
    }
    return out;
}

QByteArray seriesCsv(const std::vector<NamedSeries> &series)
{
    QByteArray out = "time,series,value\r\n";
    for (const NamedSeries &s : series)
        for (const SeriesPoint &p : s.points)
            out += csvField(isoTime(p.timeMs)) + ',' + csvField(s.name) + ',' + QByteArray::number(p.value, 'g', 17) + "\r\n";
    return out;
}

} // namespace mqs
