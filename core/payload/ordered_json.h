#pragma once
// JSON read into a QCborValue tree in the document's own member order. QJsonObject, and so
// QCborValue::fromJsonValue, sorts keys; a payload's author chose its order and a reader of
// the message view expects to see it.

#include "protocol/result.h"

#include <QByteArray>
#include <QCborValue>

namespace mqs {

// The tree of a JSON document (object, array or scalar), members in the order written.
// Integers that fit 64 bits stay integers; other numbers are doubles. Says at which byte the
// text stops being JSON.
[[nodiscard]] Result<QCborValue> orderedJsonTree(const QByteArray &json);

enum class JsonLayout : quint8 { Compact, Indented };

// A decoded tree written back as JSON, keys in the tree's order (QJsonDocument would sort them).
// Byte strings become base64 strings (protobuf's JSON mapping does the same), date-times ISO 8601
// strings, a tagged value its content, NaN and infinities null.
QByteArray jsonOfTree(const QCborValue &tree, JsonLayout layout = JsonLayout::Compact);

} // namespace mqs
