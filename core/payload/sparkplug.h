#pragma once
// Sparkplug B (Eclipse Sparkplug 3.0): topics parsed into their parts, and payloads decoded
// through the bundled sparkplug_b.proto with metrics made readable (datatype by name, the
// value in one "value" field, signed types as signed numbers).

#include "protocol/result.h"

#include <QByteArray>
#include <QCborValue>
#include <QString>

namespace mqs {

// Sparkplug 3.0, "Message Types".
enum class SparkplugMessageType : quint8 { NBIRTH, NDEATH, DBIRTH, DDEATH, NDATA, DDATA, NCMD, DCMD, STATE };

// spBv1.0/group/MSGTYPE/edge_node[/device], or spBv1.0/STATE/host_id.
struct SparkplugTopic {
    SparkplugMessageType type = SparkplugMessageType::NDATA;
    QString group{};
    QString edgeNode{};
    QString device{}; // empty for node-level messages
    QString hostId{}; // STATE only
    // "group/edge_node": the edge node whose seq, bdSeq and aliases this message belongs to.
    QString edgeNodeKey() const { return group + QLatin1Char('/') + edgeNode; }
};

QString sparkplugMessageTypeName(SparkplugMessageType type);
[[nodiscard]] Result<SparkplugTopic> parseSparkplugTopic(const QString &topic);

// "Int32", "Boolean", ...; "DataType 99" for a number the specification does not define.
QString sparkplugDataTypeName(quint32 datatype);

// A Sparkplug B Payload: {timestamp, metrics: [{name, alias, timestamp, datatype, value, ...}],
// seq, ...} in the schema's field order. Says where the bytes fail to parse.
[[nodiscard]] Result<QCborValue> decodeSparkplugPayload(const QByteArray &payload);
// A Payload given in protobuf's JSON mapping ({"seq": "1", "metrics": [{"name": ..., "intValue": 3}]}),
// encoded for publishing.
[[nodiscard]] Result<QByteArray> encodeSparkplugPayload(const QByteArray &json);

} // namespace mqs
