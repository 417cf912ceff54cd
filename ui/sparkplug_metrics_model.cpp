#include "sparkplug_metrics_model.h"

#include "message_payload.h"

#include <QCborArray>
#include <QCborMap>
#include <QDateTime>
#include <QFont>

namespace mqs {
namespace {

// The field of a Metric, by its name in sparkplug_b.proto or its JSON (camelCase) name.
QCborValue field(const QCborMap &metric, const char *protoName, const char *jsonName)
{
    const QCborValue v = metric.value(QLatin1String(protoName));
    return v.isUndefined() ? metric.value(QLatin1String(jsonName)) : v;
}

QString datatypeText(const QCborValue &v)
{
    if (v.isString())
        return v.toString();
    return v.isInteger() ? sparkplugDataTypeName(quint32(v.toInteger())) : QString();
}

QString shownValue(const QCborValue &v)
{
    return v.isString() ? v.toString() : fieldText(v);
}

// The metric's value: "value" as decodeSparkplugPayload gives it, else the one "…_value" member of its oneof.
QString valueText(const QCborMap &metric)
{
    if (field(metric, "is_null", "isNull").toBool())
        return QStringLiteral("null");
    if (const QCborValue v = metric.value(QLatin1String("value")); !v.isUndefined())
        return shownValue(v);
    for (const auto &[key, value] : metric) {
        const QString name = key.toString();
        if (name.endsWith(QLatin1String("_value")) || name.endsWith(QLatin1String("Value")))
            return shownValue(value);
    }
    return {};
}

QString timeText(const QCborValue &v)
{
    if (!v.isInteger())
        return {};
    return QDateTime::fromMSecsSinceEpoch(v.toInteger(), Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QString sparkplugParameterName(const QString &templatePath, const QString &parameter)
{
    return SparkplugMetricsModel::tr("%1 ▸ parameter %2").arg(templatePath, parameter);
}

QString sparkplugBirthTopic(const QString &topic)
{
    const auto parts = parseSparkplugTopic(topic);
    if (!parts || parts->type == SparkplugMessageType::STATE)
        return {};
    if (parts->device.isEmpty())
        return QStringLiteral("spBv1.0/%1/NBIRTH/%2").arg(parts->group, parts->edgeNode);
    return QStringLiteral("spBv1.0/%1/DBIRTH/%2/%3").arg(parts->group, parts->edgeNode, parts->device);
}

SparkplugBirthNames sparkplugAliases(const QCborValue &birth)
{
    SparkplugBirthNames names;
    for (const SparkplugMetricEntry &e : sparkplugMetricEntries(birth)) {
        if (e.alias && !e.path.isEmpty())
            names.byAlias.insert(*e.alias, e.path);
        names.datatypes.insert(e.path, datatypeText(field(e.metric, "datatype", "datatype")));
    }
    return names;
}

void SparkplugMetricsModel::setPayload(const QCborValue &payload, const SparkplugBirthNames &aliases)
{
    beginResetModel();
    m_metrics.clear();
    // DATA metrics often leave out what the BIRTH said: the datatype, and a timestamp of their own.
    const QCborValue payloadTime = payload.toMap().value(QLatin1String("timestamp"));
    for (const SparkplugMetricEntry &e : sparkplugMetricEntries(payload, aliases.byAlias)) {
        const QCborMap &metric = e.metric;
        const QString datatype = datatypeText(field(metric, "datatype", "datatype"));
        const QCborValue metricTime = field(metric, "timestamp", "timestamp");
        const QCborValue value = metric.value(QLatin1String("value"));
        const bool isTemplate = isSparkplugTemplate(metric);
        m_metrics.push_back(Metric{.name = e.path,
                                   .nameFromBirth = e.nameFromBirth,
                                   .alias = e.alias,
                                   .datatype = datatype.isEmpty() ? aliases.datatypes.value(e.path) : datatype,
                                   .value = isTemplate ? sparkplugTemplateText(metric) : valueText(metric),
                                   .timestamp = timeText(metricTime.isInteger() ? metricTime : payloadTime),
                                   .depth = e.depth,
                                   .chartPath = sparkplugMetricPath(e.names),
                                   .numeric = value.isDouble() || value.isInteger() || value.isBool()});
        if (isTemplate)
            addParameters(e);
    }
    endResetModel();
}

void SparkplugMetricsModel::addParameters(const SparkplugMetricEntry &templateEntry)
{
    // Right under the Template, before its members: members may nest deep, and the parameters
    // describe the Template itself.
    for (const SparkplugTemplateParameter &p : sparkplugTemplateParameters(templateEntry.metric)) {
        m_metrics.push_back(Metric{.name = sparkplugParameterName(templateEntry.path, p.name),
                                   .alias = std::nullopt,
                                   .datatype = p.datatype,
                                   .value = p.value.isUndefined() ? QString() : shownValue(p.value),
                                   .timestamp = QString(),
                                   .depth = templateEntry.depth + 1,
                                   .chartPath = sparkplugParameterPath(templateEntry.names, p.name),
                                   .numeric = p.value.isDouble() || p.value.isInteger() || p.value.isBool(),
                                   .parameter = true});
    }
}

QVariant SparkplugMetricsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Metric &m = m_metrics[std::size_t(index.row())];
    // The name whole first (the column may elide it), then what is special about it.
    if (role == Qt::ToolTipRole && index.column() == Name && m.nameFromBirth)
        return tr("%1\nSent by alias only; the name is the one the last BIRTH gave alias %2.").arg(m.name).arg(*m.alias);
    if (role == Qt::ToolTipRole && index.column() == Value && !m.value.isEmpty())
        return m.value; // whole, when the column is wider than the pane
    if (role == Qt::ToolTipRole && index.column() == Name && m.parameter)
        return tr("%1\nA parameter of the Template above (Sparkplug 3.0): a name, a type and a value, no alias or timestamp of its own.")
            .arg(m.name);
    if (role == Qt::ToolTipRole && index.column() == Name)
        return m.name;
    if (role == Qt::FontRole && index.column() == Name && m.nameFromBirth) {
        QFont italic;
        italic.setItalic(true);
        return italic;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Name: return m.name;
    case Alias: return m.alias ? QString::number(*m.alias) : QString();
    case Datatype: return m.datatype;
    case Value: return m.value;
    case Timestamp: return m.timestamp;
    case ColumnCount: break;
    }
    return {};
}

QVariant SparkplugMetricsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kTitles[] = {"Name", "Alias", "Datatype", "Value", "Timestamp"};
    return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
}

} // namespace mqs
