#pragma once
// How the Messages view presents one payload: a JSON tree in the payload's own key order, a hex
// dump with fixed-width offsets and an ASCII column, the fields that changed since the previous
// message on the topic, and a file name to save it under. Pure functions over bytes.

#include "message_store.h"

#include <QStandardItem>

#include <optional>
#include <vector>

namespace mqs {

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
// What changed between two JSON payloads, field by field, in the newer payload's order; nothing
// when either is not a JSON object or array.
std::optional<std::vector<FieldChange>> jsonFieldChanges(const QByteArray &before, const QByteArray &after);

// The difference as HTML for a QPlainTextEdit: changed fields ("temperature 22.5 → 23.5") for
// JSON, else changed lines; additions and removals coloured.
QString differenceHtml(const QByteArray &before, const QByteArray &after);

// "sensors_temperature_livingroom-42.json": the topic, the message's serial, an extension by content.
QString suggestedFileName(const StoredMessage &message);

} // namespace mqs
