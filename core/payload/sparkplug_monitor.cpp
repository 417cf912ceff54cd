#include "sparkplug_monitor.h"

#include <QCborArray>
#include <QCborMap>

namespace mqs {
namespace {

// Sparkplug 3.0 normative statement ids (the specification's tck-id anchors).
constexpr const char *kSeqIncrementing = "tck-id-payloads-sequence-num-incrementing";
constexpr const char *kSeqAlwaysIncluded = "tck-id-payloads-sequence-num-always-included";
constexpr const char *kNdeathSeq = "tck-id-payloads-ndeath-seq";
constexpr const char *kNbirthBdseq = "tck-id-payloads-nbirth-bdseq";
constexpr const char *kNdeathBdseq = "tck-id-payloads-ndeath-bdseq";
constexpr const char *kDbirthOrder = "tck-id-payloads-dbirth-order";
constexpr const char *kNdataOrder = "tck-id-payloads-ndata-order";
constexpr const char *kDdataOrder = "tck-id-payloads-ddata-order";
constexpr const char *kAliasBirth = "tck-id-payloads-alias-birth-requirement";

// seq counts 0..255 and then wraps to 0 [tck-id-payloads-sequence-num-incrementing].
constexpr qint64 kSeqModulus = 256;
// The metric NBIRTH and NDEATH carry to pair a death with its birth.
constexpr QLatin1StringView kBdSeqMetric("bdSeq");

std::optional<qint64> integerAt(const QCborMap &map, QLatin1StringView key)
{
    return map.contains(key) ? std::optional<qint64>(map.value(key).toInteger()) : std::nullopt;
}

std::optional<qint64> bdSeqOf(const QCborArray &metrics)
{
    for (const QCborValue &metric : metrics)
        if (metric[QLatin1StringView("name")].toString() == kBdSeqMetric)
            return metric[QLatin1StringView("value")].toInteger();
    return std::nullopt;
}

bool isCommand(SparkplugMessageType type)
{
    return type == SparkplugMessageType::NCMD || type == SparkplugMessageType::DCMD;
}

} // namespace

struct SparkplugMonitor::Message {
    SparkplugTopic topic;
    QString topicText;
    QCborMap payload;
    QCborArray metrics;
    std::optional<qint64> seq;
    qint64 receivedAtMs = 0;
    QString what() const
    {
        const QString device = topic.device.isEmpty() ? QString() : QLatin1Char('/') + topic.device;
        return sparkplugMessageTypeName(topic.type) + QStringLiteral(" from ") + topic.edgeNodeKey() + device;
    }
};

std::vector<SparkplugFinding> SparkplugMonitor::observe(const QString &topic, const QCborValue &payload, qint64 receivedAtMs)
{
    m_latest.clear();
    auto parsed = parseSparkplugTopic(topic);
    if (!parsed || parsed->type == SparkplugMessageType::STATE)
        return {};
    const QCborMap map = payload.toMap();
    const Message m{.topic = *parsed, .topicText = topic, .payload = map, .metrics = map.value(QLatin1StringView("metrics")).toArray(),
                    .seq = integerAt(map, QLatin1StringView("seq")), .receivedAtMs = receivedAtMs};
    EdgeNodeState &node = m_nodes[m.topic.edgeNodeKey()];
    switch (m.topic.type) {
    case SparkplugMessageType::NBIRTH: onBirth(node, m); break;
    case SparkplugMessageType::NDEATH: onNodeDeath(node, m); break;
    case SparkplugMessageType::NCMD:
    case SparkplugMessageType::DCMD: break; // sent by a host: no seq, no edge node state
    default:
        checkOrder(node, m);
        checkSeq(node, m);
        if (m.topic.type == SparkplugMessageType::DBIRTH)
            onBirth(node, m);
        if (m.topic.type == SparkplugMessageType::DDEATH)
            node.bornDevices.erase(m.topic.device);
    }
    if (!isCommand(m.topic.type) && m.topic.type != SparkplugMessageType::NDEATH)
        updateMetrics(node, m);
    return m_latest;
}

void SparkplugMonitor::checkOrder(EdgeNodeState &node, const Message &m)
{
    const SparkplugMessageType type = m.topic.type;
    if (!node.born) {
        const char *rule = type == SparkplugMessageType::DBIRTH ? kDbirthOrder : type == SparkplugMessageType::NDATA ? kNdataOrder : kDdataOrder;
        flag(m, rule, QStringLiteral("%1 arrived before the edge node's NBIRTH.").arg(m.what()));
    } else if (type == SparkplugMessageType::DDATA && !node.bornDevices.contains(m.topic.device)) {
        flag(m, kDdataOrder, QStringLiteral("%1 arrived before the device's DBIRTH.").arg(m.what()));
    }
}

void SparkplugMonitor::checkSeq(EdgeNodeState &node, const Message &m)
{
    if (!m.seq) {
        flag(m, kSeqAlwaysIncluded, QStringLiteral("%1 carries no seq.").arg(m.what()));
        return;
    }
    const qint64 seq = *m.seq;
    if (seq < 0 || seq >= kSeqModulus)
        flag(m, kSeqIncrementing, QStringLiteral("%1 has seq %2, outside 0-255.").arg(m.what()).arg(seq));
    else if (node.lastSeq && seq == *node.lastSeq)
        flag(m, kSeqIncrementing, QStringLiteral("%1 repeats seq %2.").arg(m.what()).arg(seq));
    else if (const qint64 expected = node.lastSeq ? (*node.lastSeq + 1) % kSeqModulus : seq; seq != expected)
        flag(m, kSeqIncrementing, QStringLiteral("%1 has seq %2 where %3 was next: %4 message(s) missing.")
                                      .arg(m.what()).arg(seq).arg(expected).arg((seq - expected + kSeqModulus) % kSeqModulus));
    node.lastSeq = seq;
}

void SparkplugMonitor::onBirth(EdgeNodeState &node, const Message &m)
{
    if (m.topic.type == SparkplugMessageType::NBIRTH) {
        node = EdgeNodeState{.born = true};
        if (!m.seq)
            flag(m, kSeqAlwaysIncluded, QStringLiteral("%1 carries no seq.").arg(m.what()));
        else
            node.lastSeq = *m.seq;
        node.bdSeq = bdSeqOf(m.metrics);
        if (!node.bdSeq)
            flag(m, kNbirthBdseq, QStringLiteral("%1 has no bdSeq metric.").arg(m.what()));
    } else {
        node.bornDevices[m.topic.device] = true;
    }
    // Aliases are unique over the edge node's metrics, a Template's members included
    // (Sparkplug 3.0, "Metric", alias): a member is known by its path, "Motor1/Speed".
    for (const SparkplugMetricEntry &e : sparkplugMetricEntries(m.payload))
        if (e.alias)
            node.aliases[*e.alias] = MetricDefinition{e.path, e.metric.value(QLatin1StringView("datatype")).toString()};
}

QHash<quint64, QString> SparkplugMonitor::aliasPaths(const EdgeNodeState &node)
{
    QHash<quint64, QString> paths;
    for (const auto &[alias, definition] : node.aliases)
        paths.insert(alias, definition.name);
    return paths;
}

void SparkplugMonitor::onNodeDeath(EdgeNodeState &node, const Message &m)
{
    if (m.seq)
        flag(m, kNdeathSeq, QStringLiteral("%1 carries seq %2; NDEATH has none.").arg(m.what()).arg(*m.seq));
    const std::optional<qint64> bdSeq = bdSeqOf(m.metrics);
    if (!bdSeq)
        flag(m, kNdeathBdseq, QStringLiteral("%1 has no bdSeq metric.").arg(m.what()));
    else if (node.born && node.bdSeq && *bdSeq != *node.bdSeq)
        flag(m, kNdeathBdseq, QStringLiteral("%1 has bdSeq %2, the NBIRTH it ends had %3.").arg(m.what()).arg(*bdSeq).arg(*node.bdSeq));
    node.born = false;
    node.lastSeq.reset();
    node.bornDevices.clear();
}

void SparkplugMonitor::updateMetrics(EdgeNodeState &node, const Message &m)
{
    const std::optional<qint64> payloadTime = integerAt(m.payload, QLatin1StringView("timestamp"));
    for (const SparkplugMetricEntry &e : sparkplugMetricEntries(m.payload, aliasPaths(node))) {
        const QCborMap &metric = e.metric;
        QString name = e.path;
        QString datatype = metric.value(QLatin1StringView("datatype")).toString();
        if (e.alias) {
            const auto known = node.aliases.find(*e.alias);
            if (known != node.aliases.end()) {
                datatype = datatype.isEmpty() ? known->second.datatype : datatype;
            } else if (!metric.contains(QLatin1StringView("name"))) {
                flag(m, kAliasBirth, QStringLiteral("%1 uses metric alias %2, which no NBIRTH or DBIRTH defined.").arg(m.what()).arg(*e.alias));
                name = QStringLiteral("alias %1").arg(*e.alias);
            }
        }
        SparkplugMetricRow &row = rowFor(m.topic.edgeNodeKey(), m.topic.device, name);
        row.alias = e.alias ? e.alias : row.alias;
        row.datatype = datatype.isEmpty() ? row.datatype : datatype;
        row.value = metric.value(QLatin1StringView("value"));
        const std::optional<qint64> metricTime = integerAt(metric, QLatin1StringView("timestamp"));
        row.timestampMs = metricTime ? metricTime : payloadTime;
    }
}

QString SparkplugMonitor::metricName(const QString &edgeNodeKey, quint64 alias) const
{
    const auto node = m_nodes.find(edgeNodeKey);
    if (node == m_nodes.end())
        return {};
    const auto known = node->second.aliases.find(alias);
    return known == node->second.aliases.end() ? QString() : known->second.name;
}

QCborValue SparkplugMonitor::withMetricNames(const QString &edgeNodeKey, const QCborValue &payload) const
{
    const auto node = m_nodes.find(edgeNodeKey);
    if (node == m_nodes.end())
        return payload;
    QCborMap map = payload.toMap();
    if (map.contains(QLatin1StringView("metrics")))
        map.insert(QLatin1StringView("metrics"), namedMetrics(map.value(QLatin1StringView("metrics")).toArray(), QString(), aliasPaths(node->second)));
    return map;
}

// A metric sent by alias only gets its name first: within a Template, the member's own name
// (the path's last part under its parent), so paths like $.metrics[?(@.name=='Motor1')].value
// .metrics[?(@.name=='Speed')].value read it whether it came by name or by alias.
QCborArray SparkplugMonitor::namedMetrics(const QCborArray &metrics, const QString &parent, const QHash<quint64, QString> &paths)
{
    QCborArray named;
    for (const QCborValue &entry : metrics) {
        QCborMap metric = entry.toMap();
        QString name = metric.value(QLatin1StringView("name")).toString();
        const bool byAlias = name.isEmpty() && metric.contains(QLatin1StringView("alias"));
        if (byAlias) {
            const QString path = paths.value(quint64(metric.value(QLatin1StringView("alias")).toInteger()));
            const QString prefix = parent.isEmpty() ? QString() : parent + QLatin1Char('/');
            name = !prefix.isEmpty() && path.startsWith(prefix) ? path.mid(prefix.size()) : path;
        }
        QCborValue value = metric.value(QLatin1StringView("value"));
        if (value.isMap() && value.toMap().contains(QLatin1StringView("metrics"))) {
            QCborMap templateValue = value.toMap();
            const QString here = parent.isEmpty() ? name : parent + QLatin1Char('/') + name;
            templateValue.insert(QLatin1StringView("metrics"), namedMetrics(templateValue.value(QLatin1StringView("metrics")).toArray(), here, paths));
            metric.insert(QLatin1StringView("value"), templateValue);
        }
        if (!byAlias || name.isEmpty()) {
            named.append(metric);
            continue;
        }
        QCborMap first{{QStringLiteral("name"), name}};
        for (auto it = metric.constBegin(); it != metric.constEnd(); ++it)
            first.insert(it.key(), it.value());
        named.append(first);
    }
    return named;
}

SparkplugMetricRow &SparkplugMonitor::rowFor(const QString &edgeNode, const QString &device, const QString &name)
{
    const QString key = edgeNode + QChar(0x1f) + device + QChar(0x1f) + name;
    const auto [it, added] = m_rowIndex.try_emplace(key, m_rows.size());
    if (added)
        m_rows.push_back(SparkplugMetricRow{.edgeNode = edgeNode, .device = device, .name = name});
    return m_rows[it->second];
}

void SparkplugMonitor::flag(const Message &m, const char *ruleId, const QString &what)
{
    const QString rule = QString::fromLatin1(ruleId);
    SparkplugFinding finding{.ruleId = rule, .sentence = what + QStringLiteral(" [") + rule + QLatin1Char(']'),
                             .topic = m.topicText, .receivedAtMs = m.receivedAtMs};
    m_findings.push_back(finding);
    m_latest.push_back(std::move(finding));
}

} // namespace mqs
