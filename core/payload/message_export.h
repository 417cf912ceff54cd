#pragma once
// Kept messages written out and read back: JSON Lines (one message a line, the payload as text or
// base64, so an export imports back byte for byte) and CSV (the decoded tree's leaves as columns,
// for a spreadsheet). The pace of a replay is replay_pace.h's.

#include "bounded_series.h"
#include "protocol/result.h"
#include "protocol/types.h"

#include <QByteArray>
#include <QCborValue>
#include <QString>

#include <optional>
#include <vector>

namespace mqs {

struct MessageRecord {
    qint64 timeMs = 0; // wall clock, milliseconds since the epoch
    QString topic{};
    QByteArray payload{};
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    QString connection{}; // the connection it came through, when known
    bool operator==(const MessageRecord &) const = default;
};

// One line of JSON, without the newline: {"time":…,"time_ms":…,"topic":…,"qos":…,"retain":…,
// "payload":… or "payload_base64":…,"connection":…}.
QByteArray jsonLine(const MessageRecord &record);
// Every non-empty line of a JSON Lines export; a problem names the line that is not one.
[[nodiscard]] Result<std::vector<MessageRecord>> readJsonLines(const QByteArray &text);

// The leaves of a decoded tree as (path, text) in the tree's order: "$.a.b", "$.list[0]".
std::vector<std::pair<QString, QString>> leafFields(const QCborValue &tree);

// A CSV table (RFC 4180): time, topic, qos, retain, payload, then one column per leaf path any
// message's decoded tree has, in the order first seen. `decoded[i]` is message i's tree
// (Undefined when its decoder gives none).
QByteArray csvTable(const std::vector<MessageRecord> &records, const std::vector<QCborValue> &decoded);

// A chart's data: "time,series,value" a row per kept point, series after series.
struct NamedSeries {
    QString name;
    std::vector<SeriesPoint> points;
};
QByteArray seriesCsv(const std::vector<NamedSeries> &series);

} // namespace mqs
