#pragma once
// Sparkplug B's own state, checked the way the session engine checks MQTT's: fed every Sparkplug
// message in arrival order (topic, decoded payload, time received), it keeps each edge node's
// seq, bdSeq, BIRTH aliases and latest metric values, and says which Sparkplug 3.0 rule a message
// breaks. Values in, values out: no clock or socket of its own.

#include "sparkplug.h"

#include <QCborArray>
#include <QCborValue>
#include <QHash>
#include <QString>

#include <map>
#include <optional>
#include <vector>

namespace mqs {

// A metric's latest value, as the metrics table shows it.
struct SparkplugMetricRow {
    QString edgeNode; // "group/edge_node"
    QString device; // empty for the edge node's own metrics
    QString name; // resolved from the last BIRTH when the message carried only the alias; a Template member's is its path, "Motor1/Speed"
    std::optional<quint64> alias{};
    QString datatype{}; // "Int32", from the metric or its BIRTH definition
    QCborValue value{};
    std::optional<qint64> timestampMs{}; // the metric's timestamp, else the payload's
};

// A broken Sparkplug rule.
struct SparkplugFinding {
    QString ruleId; // "tck-id-payloads-sequence-num-incrementing"
    QString sentence; // says what happened, ends with the rule id in brackets
    QString topic;
    qint64 receivedAtMs = 0;
};

class SparkplugMonitor
{
public:
    // Takes the next Sparkplug message; `payload` is decodeSparkplugPayload's tree. Returns the
    // rules it broke (also kept in findings()). Topics that are not Sparkplug are ignored.
    std::vector<SparkplugFinding> observe(const QString &topic, const QCborValue &payload, qint64 receivedAtMs);

    // Every metric seen, per edge node and device, in the order first seen.
    const std::vector<SparkplugMetricRow> &metrics() const { return m_rows; }
    const std::vector<SparkplugFinding> &findings() const { return m_findings; }
    // The name the edge node's last NBIRTH or DBIRTH gave `alias`; empty when none did.
    QString metricName(const QString &edgeNodeKey, quint64 alias) const;
    // `payload` with each metric sent by alias only given its name from the last BIRTH (first),
    // as a reader of DATA messages wants to see it.
    QCborValue withMetricNames(const QString &edgeNodeKey, const QCborValue &payload) const;

private:
    struct MetricDefinition {
        QString name;
        QString datatype;
    };
    struct EdgeNodeState {
        bool born = false;
        std::optional<qint64> lastSeq{};
        std::optional<qint64> bdSeq{}; // from the last NBIRTH
        std::map<quint64, MetricDefinition> aliases{}; // from NBIRTH and DBIRTHs, edge node wide
        std::map<QString, bool> bornDevices{};
    };
    struct Message;

    void checkSeq(EdgeNodeState &node, const Message &m);
    void checkOrder(EdgeNodeState &node, const Message &m);
    void onBirth(EdgeNodeState &node, const Message &m);
    void onNodeDeath(EdgeNodeState &node, const Message &m);
    void updateMetrics(EdgeNodeState &node, const Message &m);
    void flag(const Message &m, const char *ruleId, const QString &what);
    static QHash<quint64, QString> aliasPaths(const EdgeNodeState &node);
    static QCborArray namedMetrics(const QCborArray &metrics, const QString &parent, const QHash<quint64, QString> &paths);
    SparkplugMetricRow &rowFor(const QString &edgeNode, const QString &device, const QString &name);

    std::map<QString, EdgeNodeState> m_nodes;
    std::vector<SparkplugMetricRow> m_rows;
    std::map<QString, std::size_t> m_rowIndex; // "edge node\x1fdevice\x1fname" -> m_rows
    std::vector<SparkplugFinding> m_findings;
    std::vector<SparkplugFinding> m_latest;
};

} // namespace mqs
