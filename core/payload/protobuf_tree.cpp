#include "protobuf_tree.h"

#include "protobuf_wire.h"

#include <QCborArray>
#include <QCborMap>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <limits>
#include <memory>

namespace mqs {
namespace {

namespace pb = google::protobuf;

QCborValue unsignedValue(uint64_t v)
{
    // QCborValue holds signed 64 bits; larger values keep their magnitude as a double.
    return v > uint64_t(std::numeric_limits<qint64>::max()) ? QCborValue(double(v)) : QCborValue(qint64(v));
}

QCborValue enumValue(const pb::EnumValueDescriptor *value, int number)
{
    // An open (proto3) enum may carry a number its definition does not name.
    return value ? QCborValue(QString::fromStdString(value->name())) : QCborValue(qint64(number));
}

// One value of `field`: the singular value when `index` < 0, else the repeated element.
QCborValue fieldValue(const pb::Message &m, const pb::FieldDescriptor *field, int index)
{
    const pb::Reflection *r = m.GetReflection();
    const bool rep = index >= 0;
    switch (field->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_INT32: return qint64(rep ? r->GetRepeatedInt32(m, field, index) : r->GetInt32(m, field));
    case pb::FieldDescriptor::CPPTYPE_INT64: return qint64(rep ? r->GetRepeatedInt64(m, field, index) : r->GetInt64(m, field));
    case pb::FieldDescriptor::CPPTYPE_UINT32: return qint64(rep ? r->GetRepeatedUInt32(m, field, index) : r->GetUInt32(m, field));
    case pb::FieldDescriptor::CPPTYPE_UINT64: return unsignedValue(rep ? r->GetRepeatedUInt64(m, field, index) : r->GetUInt64(m, field));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: return rep ? r->GetRepeatedDouble(m, field, index) : r->GetDouble(m, field);
    case pb::FieldDescriptor::CPPTYPE_FLOAT: return double(rep ? r->GetRepeatedFloat(m, field, index) : r->GetFloat(m, field));
    case pb::FieldDescriptor::CPPTYPE_BOOL: return rep ? r->GetRepeatedBool(m, field, index) : r->GetBool(m, field);
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
        const int number = rep ? r->GetRepeatedEnumValue(m, field, index) : r->GetEnumValue(m, field);
        return enumValue(field->enum_type()->FindValueByNumber(number), number);
    }
    case pb::FieldDescriptor::CPPTYPE_STRING: {
        const std::string s = rep ? r->GetRepeatedString(m, field, index) : r->GetString(m, field);
        if (field->type() == pb::FieldDescriptor::TYPE_BYTES)
            return QByteArray(s.data(), qsizetype(s.size()));
        return QString::fromUtf8(s.data(), qsizetype(s.size()));
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return messageTree(rep ? r->GetRepeatedMessage(m, field, index) : r->GetMessage(m, field));
    }
    return {};
}

// A map field: its entries are messages of key (field 1) and value (field 2).
QCborMap mapValue(const pb::Message &m, const pb::FieldDescriptor *field)
{
    QCborMap map;
    const pb::Reflection *r = m.GetReflection();
    for (int i = 0; i < r->FieldSize(m, field); ++i) {
        const pb::Message &entry = r->GetRepeatedMessage(m, field, i);
        const pb::Descriptor *entryType = entry.GetDescriptor();
        map.insert(fieldValue(entry, entryType->map_key(), -1), fieldValue(entry, entryType->map_value(), -1));
    }
    return map;
}

QCborValue repeatedValue(const pb::Message &m, const pb::FieldDescriptor *field)
{
    if (field->is_map())
        return mapValue(m, field);
    QCborArray list;
    for (int i = 0; i < m.GetReflection()->FieldSize(m, field); ++i)
        list.append(fieldValue(m, field, i));
    return list;
}

QString statusText(const pb::util::Status &status)
{
    return QString::fromStdString(std::string(status.message()));
}

} // namespace

QCborValue messageTree(const pb::Message &message)
{
    QCborMap tree;
    const pb::Descriptor *type = message.GetDescriptor();
    const pb::Reflection *r = message.GetReflection();
    for (int i = 0; i < type->field_count(); ++i) {
        const pb::FieldDescriptor *field = type->field(i);
        const QString name = QString::fromStdString(field->name());
        if (field->is_repeated()) {
            if (r->FieldSize(message, field) > 0)
                tree.insert(name, repeatedValue(message, field));
        } else if (!field->has_presence() || r->HasField(message, field)) {
            tree.insert(name, fieldValue(message, field, -1));
        }
    }
    return tree;
}

Result<QCborValue> decodeMessage(const pb::Descriptor *type, pb::MessageFactory &factory, const QByteArray &payload)
{
    const QString typeName = QString::fromStdString(type->full_name());
    // Walked first: libprotobuf accepts a known field number with the wrong wire type as an
    // unknown field, so a payload of another type would "parse" with its fields silently empty.
    if (const QString where = wireProblem(type, payload); !where.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not a %1: %2").arg(typeName, where)};
    const std::unique_ptr<pb::Message> message(factory.GetPrototype(type)->New());
    if (message->ParseFromArray(payload.constData(), int(payload.size())))
        return messageTree(*message);
    if (message->ParsePartialFromArray(payload.constData(), int(payload.size())))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Not a complete %1: required field(s) %2 missing.")
                                                      .arg(typeName, QString::fromStdString(message->InitializationErrorString()))};
    return Problem{ProblemKind::InvalidInput, QStringLiteral("Not a %1.").arg(typeName)};
}

Result<QByteArray> encodeMessage(const pb::Descriptor *type, pb::MessageFactory &factory, const QByteArray &json)
{
    const std::unique_ptr<pb::Message> message(factory.GetPrototype(type)->New());
    const pb::util::Status status = pb::util::JsonStringToMessage(pb::StringPiece(json.constData(), size_t(json.size())), message.get());
    if (!status.ok())
        return Problem{ProblemKind::InvalidInput,
                       QStringLiteral("Not a %1 in JSON: %2").arg(QString::fromStdString(type->full_name()), statusText(status))};
    std::string bytes;
    if (!message->SerializeToString(&bytes))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("%1 could not be encoded: required field(s) %2 missing.")
                                                      .arg(QString::fromStdString(type->full_name()),
                                                           QString::fromStdString(message->InitializationErrorString()))};
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

} // namespace mqs
