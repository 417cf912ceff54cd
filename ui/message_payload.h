#pragma once
// How the Messages view presents one payload: a JSON tree in the payload's own key order, a hex
// dump with fixed-width offsets and an ASCII column, the fields that changed since the previous
// message on the topic, and a file name to save it under. Pure functions over bytes.

#include "message_store.h"

#include "payload/payload_decoding.h"

#include <QStandardItem>

#include <optional>
#include <vector>

namespace mqs {

// A field's value as the tree shows it: "22.5", "\"°C\"", "true", "{3}" for a map of three.
QString fieldText(const QCborValue &value);
// `json` as a tree in its own key order (QJsonObject sorts them); Undefined unless it is a JSON
// object or array.
QCborValue orderedJson(const QByteArray &json);
// What `decoders` make of `payload` on `topic`, a JSON tree in the payload's key order.
DecodedPayload decodeInOrder(const PayloadDecoders &decoders, const QString &topic, const QByteArray &payload);
// The filter of the first rule that matches `topic` (the one that chose its decoder); empty: none.
QString ruleFilterFor(const PayloadDecoders &decoders, const QString &topic);
// The start of `payload` decoded, on one line, for the topic tree's Last value column: text and
// JSON as they are, trees as compact JSON in their own order, "⚠" and hex when decoding failed.
QString lastValueText(const PayloadDecoders &decoders, const QString &topic, const QByteArray &payload);
// Appends `tree` under `parent` as name/value rows, in its own order.
void appendFieldTree(QStandardItem *parent, const QCborValue &tree, const QString &rootName);

// Appends `json` (already known to be valid JSON) under `parent` as key/value rows, keys in the
// order the payload has them (QJsonObject would sort them).
void appendJsonTree(QStandardItem *parent, const QByteArray &json, const QString &rootName);

// "00000000  7b 22 74 22 3a 20 32 31  2e 35 7d              |{"t": 21.5}|"
QString hexDump(const QByteArray &bytes);

struct FieldChange {
    enum Kind { Added, Removed, Changed } kind;
    QString path; // "temperature", "readings[2].value"
    QString before; // empty for Added
    QString after; // empty for Removed
};
// What changed between two decoded trees, field by field, in the newer one's order; nothing
// when either is not a map or an array.
std::optional<std::vector<FieldChange>> fieldChanges(const QCborValue &before, const QCborValue &after);
std::optional<std::vector<FieldChange>> jsonFieldChanges(const QByteArray &before, const QByteArray &after);

// The difference as HTML for a QPlainTextEdit: changed fields ("temperature 22.5 → 23.5") for
// trees, else changed lines of the decoded text; additions and removals coloured.
QString differenceHtml(const DecodedPayload &before, const DecodedPayload &after);
// The same for two payloads read as JSON when they are, else as text.
QString differenceHtml(const QByteArray &before, const QByteArray &after);

// "sensors_temperature_livingroom-42.json": the topic, the message's serial, an extension by content.
QString suggestedFileName(const StoredMessage &message);

} // namespace mqs
