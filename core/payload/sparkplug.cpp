#include "sparkplug.h"

#include "protobuf_tree.h"

#include <QCborArray>
#include <QCborMap>
#include <QFile>

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <array>

static void loadSparkplugSchemaResource()
{
    Q_INIT_RESOURCE(sparkplug_schema);
}

namespace mqs {
namespace {

namespace pb = google::protobuf;

// The topic namespace of Sparkplug B (Sparkplug 3.0, "Topic Namespace Elements").
constexpr QStringView kNamespace = u"spBv1.0";

constexpr std::array<SparkplugMessageType, 9> kMessageTypes = {
    SparkplugMessageType::NBIRTH, SparkplugMessageType::NDEATH, SparkplugMessageType::DBIRTH,
    SparkplugMessageType::DDEATH, SparkplugMessageType::NDATA,  SparkplugMessageType::DDATA,
    SparkplugMessageType::NCMD,   SparkplugMessageType::DCMD,   SparkplugMessageType::STATE,
};

// Sparkplug 3.0, "Data Types": the value of Metric.datatype, in order from 0.
constexpr std::array<const char *, 35> kDataTypeNames = {
    "Unknown", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
    "Float", "Double", "Boolean", "String", "DateTime", "Text", "UUID", "DataSet", "Bytes", "File",
    "Template", "PropertySet", "PropertySetList", "Int8Array", "Int16Array", "Int32Array",
    "Int64Array", "UInt8Array", "UInt16Array", "UInt32Array", "UInt64Array", "FloatArray",
    "DoubleArray", "BooleanArray", "StringArray", "DateTimeArray",
};
enum SparkplugDataType : quint32 { Int8 = 1, Int16 = 2, Int32 = 3, Int64 = 4, UInt64 = 8 };

// The Metric fields of the `value` oneof; shown as one "value".
constexpr std::array<QLatin1StringView, 10> kValueFields = {
    QLatin1StringView("int_value"),     QLatin1StringView("long_value"),     QLatin1StringView("float_value"),
    QLatin1StringView("double_value"),  QLatin1StringView("boolean_value"),  QLatin1StringView("string_value"),
    QLatin1StringView("bytes_value"),   QLatin1StringView("dataset_value"),  QLatin1StringView("template_value"),
    QLatin1StringView("extension_value"),
};

// The bundled schema, compiled once from the resource.
struct SparkplugSchema {
    pb::DescriptorPool pool;
    mutable pb::DynamicMessageFactory factory{&pool};
    const pb::Descriptor *payload = nullptr;

    SparkplugSchema()
    {
        loadSparkplugSchemaResource();
        QFile file(QStringLiteral(":/sparkplug/sparkplug_b.proto"));
        const QByteArray text = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        pb::io::ArrayInputStream input(text.constData(), int(text.size()));
        pb::io::Tokenizer tokenizer(&input, nullptr);
        pb::FileDescriptorProto proto;
        pb::compiler::Parser parser;
        if (!parser.Parse(&tokenizer, &proto))
            return;
        proto.set_name("sparkplug_b.proto");
        if (pool.BuildFile(proto))
            payload = pool.FindMessageTypeByName("org.eclipse.tahu.protobuf.Payload");
    }
};

const SparkplugSchema &schema()
{
    static const SparkplugSchema compiled;
    return compiled;
}

// Sparkplug 3.0 carries Int8/16/32 in a uint32 and Int64 in a uint64 as two's complement.
QCborValue typedValue(quint32 datatype, const QCborValue &raw)
{
    if (!raw.isInteger())
        return raw;
    const qint64 v = raw.toInteger();
    switch (datatype) {
    case Int8: return qint64(qint8(v));
    case Int16: return qint64(qint16(v));
    case Int32: return qint64(qint32(v));
    case Int64: return v;
    default: return raw;
    }
}

QCborMap readableMetric(const QCborMap &metric);
QCborMap readableParameter(const QCborMap &parameter);

// A Template's members (Sparkplug 3.0, "Template") are metrics themselves, and its parameters
// carry a type and a value like one: both made readable the same way.
QCborMap readableTemplate(const QCborMap &templateValue)
{
    QCborMap out = templateValue;
    const auto readableList = [&](QLatin1StringView key, QCborMap (*readable)(const QCborMap &)) {
        if (!templateValue.contains(key))
            return;
        QCborArray items;
        for (const QCborValue &item : templateValue.value(key).toArray())
            items.append(readable(item.toMap()));
        out.insert(key, items);
    };
    readableList(QLatin1StringView("metrics"), readableMetric);
    readableList(QLatin1StringView("parameters"), readableParameter);
    return out;
}

QCborValue readableValue(QLatin1StringView field, bool typed, quint32 datatype, const QCborValue &raw)
{
    if (field == QLatin1StringView("template_value"))
        return readableTemplate(raw.toMap());
    return typed ? typedValue(datatype, raw) : raw;
}

// The datatype under `typeKey` by name, and the value oneof as one "value".
QCborMap readableTyped(const QCborMap &fields, QLatin1StringView typeKey)
{
    QCborMap out;
    const bool typed = fields.contains(typeKey);
    const auto datatype = quint32(fields.value(typeKey).toInteger());
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const QString key = it.key().toString();
        if (key == typeKey)
            out.insert(key, sparkplugDataTypeName(datatype));
        else if (std::find(kValueFields.begin(), kValueFields.end(), key) == kValueFields.end())
            out.insert(key, it.value());
    }
    for (QLatin1StringView field : kValueFields)
        if (fields.contains(field))
            out.insert(QLatin1StringView("value"), readableValue(field, typed, datatype, fields.value(field)));
    return out;
}

QCborMap readableMetric(const QCborMap &metric)
{
    return readableTyped(metric, QLatin1StringView("datatype"));
}

// Template.Parameter names its datatype `type`.
QCborMap readableParameter(const QCborMap &parameter)
{
    return readableTyped(parameter, QLatin1StringView("type"));
}

} // namespace

QString sparkplugMessageTypeName(SparkplugMessageType type)
{
    static const char *const names[] = {"NBIRTH", "NDEATH", "DBIRTH", "DDEATH", "NDATA", "DDATA", "NCMD", "DCMD", "STATE"};
    return QString::fromLatin1(names[int(type)]);
}

Result<SparkplugTopic> parseSparkplugTopic(const QString &topic)
{
    const QStringList parts = topic.split(QLatin1Char('/'));
    if (parts.size() < 3 || parts[0] != kNamespace)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("\"%1\" is not a Sparkplug B topic (spBv1.0/group/type/edge_node[/device]).").arg(topic)};
    if (parts[1] == QLatin1StringView("STATE") && parts.size() == 3)
        return SparkplugTopic{.type = SparkplugMessageType::STATE, .hostId = parts[2]};
    for (SparkplugMessageType type : kMessageTypes) {
        if (type == SparkplugMessageType::STATE || parts[2] != sparkplugMessageTypeName(type))
            continue;
        const bool deviceLevel = parts[2].startsWith(QLatin1Char('D'));
        if (parts.size() != (deviceLevel ? 5 : 4))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("\"%1\": a %2 topic has %3 levels.").arg(topic, parts[2]).arg(deviceLevel ? 5 : 4)};
        return SparkplugTopic{.type = type, .group = parts[1], .edgeNode = parts[3], .device = deviceLevel ? parts[4] : QString()};
    }
    return Problem{ProblemKind::InvalidInput, QStringLiteral("\"%1\": %2 is not a Sparkplug message type.").arg(topic, parts[2])};
}

QString sparkplugDataTypeName(quint32 datatype)
{
    return datatype < kDataTypeNames.size() ? QString::fromLatin1(kDataTypeNames[datatype]) : QStringLiteral("DataType %1").arg(datatype);
}

Result<QCborValue> decodeSparkplugPayload(const QByteArray &payload)
{
    const SparkplugSchema &s = schema();
    if (!s.payload)
        return Problem{ProblemKind::File, QStringLiteral("The bundled Sparkplug B schema did not compile.")};
    auto tree = decodeMessage(s.payload, s.factory, payload);
    if (!tree)
        return tree;
    QCborMap map = tree->toMap();
    if (map.contains(QLatin1StringView("metrics"))) {
        QCborArray metrics;
        for (const QCborValue &metric : map.value(QLatin1StringView("metrics")).toArray())
            metrics.append(readableMetric(metric.toMap()));
        map.insert(QLatin1StringView("metrics"), metrics);
    }
    return QCborValue(map);
}

namespace {

QString joinedPath(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + QLatin1Char('/') + name;
}

void collectEntries(const QCborArray &metrics, const SparkplugMetricEntry *parent, const QHash<quint64, QString> &aliases,
                    std::vector<SparkplugMetricEntry> &out)
{
    const QString parentPath = parent ? parent->path : QString();
    for (const QCborValue &entry : metrics) {
        const QCborMap metric = entry.toMap();
        QString name = metric.value(QLatin1StringView("name")).toString();
        const QCborValue alias = metric.value(QLatin1StringView("alias"));
        SparkplugMetricEntry e{.metric = metric, .depth = parent ? parent->depth + 1 : 0, .names = parent ? parent->names : QStringList()};
        if (alias.isInteger())
            e.alias = quint64(alias.toInteger());
        if (name.isEmpty() && e.alias && aliases.contains(*e.alias)) {
            // BIRTH paths are whole ("Motor1/Speed"); within its Template a member is its last part.
            const QString path = aliases.value(*e.alias);
            name = parent && path.startsWith(parentPath + QLatin1Char('/')) ? path.mid(parentPath.size() + 1) : path;
            e.nameFromBirth = true;
        }
        e.path = joinedPath(parentPath, name);
        e.names << name;
        out.push_back(e);
        const QCborValue value = metric.value(QLatin1StringView("value"));
        if (value.isMap() && value.toMap().contains(QLatin1StringView("metrics")))
            collectEntries(value.toMap().value(QLatin1StringView("metrics")).toArray(), &out.back(), aliases, out);
    }
}

} // namespace

std::vector<SparkplugMetricEntry> sparkplugMetricEntries(const QCborValue &payload, const QHash<quint64, QString> &aliases)
{
    std::vector<SparkplugMetricEntry> entries;
    collectEntries(payload.toMap().value(QLatin1StringView("metrics")).toArray(), nullptr, aliases, entries);
    return entries;
}

namespace {

// [?(@.name=='Speed')]: paths have no escapes, so a name with a ' is quoted with ".
QString byName(const QString &name)
{
    const QChar quote = name.contains(QLatin1Char('\'')) ? QLatin1Char('"') : QLatin1Char('\'');
    return QStringLiteral("[?(@.name==") + quote + name + quote + QStringLiteral(")]");
}

// The metric named by `names`, down through its Templates' members.
QString metricByNames(const QStringList &names)
{
    QString path = QStringLiteral("$");
    for (qsizetype i = 0; i < names.size(); ++i)
        path += (i == 0 ? QStringLiteral(".metrics") : QStringLiteral(".value.metrics")) + byName(names[i]);
    return path;
}

} // namespace

QString sparkplugMetricPath(const QStringList &names)
{
    return metricByNames(names) + QStringLiteral(".value");
}

QString sparkplugParameterPath(const QStringList &templateNames, const QString &parameter)
{
    return metricByNames(templateNames) + QStringLiteral(".value.parameters") + byName(parameter) + QStringLiteral(".value");
}

bool isSparkplugTemplate(const QCborMap &metric)
{
    const QCborValue value = metric.value(QLatin1StringView("value"));
    return value.isMap() && (value.toMap().contains(QLatin1StringView("metrics")) || value.toMap().contains(QLatin1StringView("template_ref"))
                             || value.toMap().contains(QLatin1StringView("is_definition")));
}

QString sparkplugTemplateText(const QCborMap &metric)
{
    const QCborMap value = metric.value(QLatin1StringView("value")).toMap();
    const qsizetype members = value.value(QLatin1StringView("metrics")).toArray().size();
    const qsizetype parameters = value.value(QLatin1StringView("parameters")).toArray().size();
    const QString ref = value.value(QLatin1StringView("template_ref")).toString();
    const QString version = value.value(QLatin1StringView("version")).toString();
    QString text = value.value(QLatin1StringView("is_definition")).toBool() ? QStringLiteral("definition")
                   : ref.isEmpty()                                           ? QStringLiteral("instance")
                                                                             : QStringLiteral("instance of %1").arg(ref);
    if (!version.isEmpty())
        text += QStringLiteral(" v%1").arg(version);
    text += members == 1 ? QStringLiteral(", 1 member") : QStringLiteral(", %1 members").arg(members);
    if (parameters > 0)
        text += parameters == 1 ? QStringLiteral(", 1 parameter") : QStringLiteral(", %1 parameters").arg(parameters);
    return text;
}

std::vector<SparkplugTemplateParameter> sparkplugTemplateParameters(const QCborMap &metric)
{
    std::vector<SparkplugTemplateParameter> out;
    const QCborArray parameters = metric.value(QLatin1StringView("value")).toMap().value(QLatin1StringView("parameters")).toArray();
    for (const QCborValue &p : parameters) {
        const QCborMap parameter = p.toMap();
        out.push_back({.name = parameter.value(QLatin1StringView("name")).toString(),
                       .datatype = parameter.value(QLatin1StringView("type")).toString(),
                       .value = parameter.value(QLatin1StringView("value"))});
    }
    return out;
}

Result<QByteArray> encodeSparkplugPayload(const QByteArray &json)
{
    const SparkplugSchema &s = schema();
    if (!s.payload)
        return Problem{ProblemKind::File, QStringLiteral("The bundled Sparkplug B schema did not compile.")};
    return encodeMessage(s.payload, s.factory, json);
}

} // namespace mqs
