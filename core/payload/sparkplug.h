#pragma once
// Sparkplug B (Eclipse Sparkplug 3.0): topics parsed into their parts, and payloads decoded
// through the bundled sparkplug_b.proto with metrics made readable (datatype by name, the
// value in one "value" field, signed types as signed numbers).

#include "protocol/result.h"

#include <QByteArray>
#include <QCborMap>
#include <QCborValue>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

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
// A metric of a decoded payload, the members of a Template value listed after it (Sparkplug 3.0,
// "Template"), each named by its path: "Motor1", then "Motor1/Speed", "Motor1/Gear/Ratio".
struct SparkplugMetricEntry {
    QString path{};
    QCborMap metric; // as decodeSparkplugPayload gives it
    int depth = 0; // 0 for the payload's own metrics, 1 for a Template's members, ...
    std::optional<quint64> alias{};
    bool nameFromBirth = false; // sent by alias only; `path` is the one the BIRTH gave it
    QStringList names{}; // the path's parts from the payload's metric down: {"Motor1", "Speed"}
};
// Every metric of `payload`, depth first. One sent by alias only is named from `aliases` (alias
// to whole path, as a BIRTH's entries give them) when it is there.
std::vector<SparkplugMetricEntry> sparkplugMetricEntries(const QCborValue &payload, const QHash<quint64, QString> &aliases = {});
// The JSON path a chart reads an entry's value by: $.metrics[?(@.name=='Motor1')].value
// .metrics[?(@.name=='Speed')].value for names {"Motor1", "Speed"}.
QString sparkplugMetricPath(const QStringList &names);
// A Template metric's parameter by name: $.metrics[?(@.name=='Motor1')].value.parameters
// [?(@.name=='rpmLimit')].value for {"Motor1"} and "rpmLimit".
QString sparkplugParameterPath(const QStringList &templateNames, const QString &parameter);
// True when the metric's value is a Template (a definition or an instance).
bool isSparkplugTemplate(const QCborMap &metric);
// "instance of Motor v2, 3 members, 1 parameter", "definition, 3 members": a Template value in one line.
QString sparkplugTemplateText(const QCborMap &metric);
// A parameter of a Template (Sparkplug 3.0, "Template"): a name, a datatype and a value, given by
// definitions as defaults and by instances as their own; no alias and no timestamp of its own.
struct SparkplugTemplateParameter {
    QString name{};
    QString datatype{}; // by name, "UInt32"
    QCborValue value{}; // undefined when the parameter carries none
};
// The parameters of a Template metric of a decoded payload, in the payload's order.
std::vector<SparkplugTemplateParameter> sparkplugTemplateParameters(const QCborMap &metric);

// A Payload given in protobuf's JSON mapping ({"seq": "1", "metrics": [{"name": ..., "intValue": 3}]}),
// encoded for publishing.
[[nodiscard]] Result<QByteArray> encodeSparkplugPayload(const QByteArray &json);

} // namespace mqs
