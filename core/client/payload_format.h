#pragma once
// How a payload is typed in: plain text, JSON (checked and pretty-printed), hex or base64.

#include "protocol/result.h"

#include <QByteArray>
#include <QString>

#include <variant>

namespace mqs {

enum class PayloadFormat : quint8 { Text, Json, Hex, Base64 };

// The bytes `text` stands for in `format`, or an InvalidInput problem saying what is wrong and where.
Result<QByteArray> payloadFromText(const QString &text, PayloadFormat format);
// `bytes` written in `format` (JSON is pretty-printed when it parses).
QString payloadToText(const QByteArray &bytes, PayloadFormat format);

} // namespace mqs
