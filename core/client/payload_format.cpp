#include "payload_format.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <cctype>

namespace mqs {

Result<QByteArray> payloadFromText(const QString &text, PayloadFormat format)
{
    switch (format) {
    case PayloadFormat::Text:
        return text.toUtf8();
    case PayloadFormat::Json: {
        QJsonParseError error;
        const QByteArray bytes = text.toUtf8();
        QJsonDocument::fromJson(bytes, &error);
        if (error.error != QJsonParseError::NoError) {
            const int line = int(bytes.left(error.offset).count('\n')) + 1;
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Invalid JSON: %1 at line %2 (byte %3).").arg(error.errorString()).arg(line).arg(error.offset)};
        }
        return bytes;
    }
    case PayloadFormat::Hex: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s|0x|,")));
        for (qsizetype i = 0; i < digits.size(); ++i)
            if (!isxdigit(digits[i].toLatin1()))
                return Problem{ProblemKind::InvalidInput, QStringLiteral("Invalid hex: '%1' at position %2 is not a hex digit.").arg(digits[i]).arg(i + 1)};
        if (digits.size() % 2)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Invalid hex: %1 digits is an odd number; each byte takes two.").arg(digits.size())};
        return QByteArray::fromHex(digits.toLatin1());
    }
    case PayloadFormat::Base64: {
        const auto result = QByteArray::fromBase64Encoding(text.trimmed().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!result)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Invalid base64: the text has characters or padding base64 does not allow.")};
        return *result;
    }
    }
    return QByteArray();
}

QString payloadToText(const QByteArray &bytes, PayloadFormat format)
{
    switch (format) {
    case PayloadFormat::Text: return QString::fromUtf8(bytes);
    case PayloadFormat::Json: {
        const QJsonDocument doc = QJsonDocument::fromJson(bytes);
        return doc.isNull() ? QString::fromUtf8(bytes) : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
    }
    case PayloadFormat::Hex: return QString::fromLatin1(bytes.toHex(' '));
    case PayloadFormat::Base64: return QString::fromLatin1(bytes.toBase64());
    }
    return {};
}

} // namespace mqs
