#include "protobuf_wire.h"

#include <QStringDecoder>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format.h>
#include <google/protobuf/wire_format_lite.h>

namespace mqs {
namespace {

namespace pb = google::protobuf;
using WireType = pb::internal::WireFormatLite::WireType;

// libprotobuf's own default recursion limit: deeper nesting fails to parse there too.
constexpr int kMaxNesting = 100;

QString wireTypeText(int wireType)
{
    switch (wireType) {
    case WireType::WIRETYPE_VARINT: return QStringLiteral("a varint");
    case WireType::WIRETYPE_FIXED64: return QStringLiteral("64-bit");
    case WireType::WIRETYPE_LENGTH_DELIMITED: return QStringLiteral("length-delimited");
    case WireType::WIRETYPE_START_GROUP: return QStringLiteral("a group start");
    case WireType::WIRETYPE_END_GROUP: return QStringLiteral("a group end");
    case WireType::WIRETYPE_FIXED32: return QStringLiteral("32-bit");
    default: return QStringLiteral("wire type %1, which does not exist").arg(wireType);
    }
}

QString fieldText(const pb::Descriptor *type, const pb::FieldDescriptor *field, int number)
{
    if (!field)
        return QStringLiteral("field %1 (not in %2)").arg(number).arg(QString::fromStdString(type->name()));
    return QStringLiteral("field %1 (%2.%3)").arg(number).arg(QString::fromStdString(type->name()),
                                                              QString::fromStdString(field->name()));
}

// "a string", "an int32", "an enum".
QString withArticle(const QString &typeName)
{
    const bool vowel = QStringLiteral("aeio").contains(typeName.left(1));
    return (vowel ? QStringLiteral("an ") : QStringLiteral("a ")) + typeName;
}

bool wireTypeFits(const pb::FieldDescriptor *field, int wireType)
{
    const int expected = pb::internal::WireFormat::WireTypeForFieldType(field->type());
    const bool packable = field->is_repeated() && field->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING &&
                          field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE;
    return wireType == expected || (packable && wireType == WireType::WIRETYPE_LENGTH_DELIMITED);
}

bool isValidUtf8(const char *data, int size)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString decoded = decoder.decode(QByteArrayView(data, size)); // decode() is lazy: converting runs it
    return !decoder.hasError();
}

// One message's bytes, at `base` in the whole payload.
class MessageWalk
{
public:
    MessageWalk(const pb::Descriptor *type, const char *data, int size, int base, int depth)
        : m_type(type), m_data(data), m_size(size), m_base(base), m_depth(depth),
          m_input(reinterpret_cast<const uint8_t *>(data), size)
    {
    }

    QString problem()
    {
        if (m_depth > kMaxNesting)
            return QStringLiteral("byte %1: messages nested more than %2 deep.").arg(m_base).arg(kMaxNesting);
        while (m_input.CurrentPosition() < m_size) {
            if (QString p = nextField(); !p.isEmpty())
                return p;
        }
        return {};
    }

private:
    int at() const { return m_base + m_input.CurrentPosition(); }
    int remaining() const { return m_size - m_input.CurrentPosition(); }

    QString nextField()
    {
        const int keyAt = at();
        const uint32_t tag = m_input.ReadTag();
        if (tag == 0 || (tag >> 3) == 0)
            return QStringLiteral("byte %1: not a field key (field number 0 or a broken varint).").arg(keyAt);
        const int number = int(tag >> 3);
        const int wireType = int(tag & 7);
        const pb::FieldDescriptor *field = m_type->FindFieldByNumber(number);
        if (field && !wireTypeFits(field, wireType))
            return QStringLiteral("byte %1: field %2 is %3, %4.%5 is %6.")
                .arg(keyAt)
                .arg(number)
                .arg(wireTypeText(wireType), QString::fromStdString(m_type->name()), QString::fromStdString(field->name()))
                .arg(withArticle(QString::fromLatin1(field->type_name())));
        return fieldValue(field, number, wireType, keyAt);
    }

    QString fieldValue(const pb::FieldDescriptor *field, int number, int wireType, int keyAt)
    {
        const QString name = fieldText(m_type, field, number);
        uint64_t varint = 0;
        uint32_t fixed32 = 0;
        switch (wireType) {
        case WireType::WIRETYPE_VARINT:
            return m_input.ReadVarint64(&varint) ? QString() : QStringLiteral("byte %1: %2's varint is cut short.").arg(at()).arg(name);
        case WireType::WIRETYPE_FIXED64:
            return m_input.ReadLittleEndian64(&varint) ? QString()
                                                       : QStringLiteral("byte %1: %2 needs 8 bytes, %3 remain.").arg(at()).arg(name).arg(remaining());
        case WireType::WIRETYPE_FIXED32:
            return m_input.ReadLittleEndian32(&fixed32) ? QString()
                                                        : QStringLiteral("byte %1: %2 needs 4 bytes, %3 remain.").arg(at()).arg(name).arg(remaining());
        case WireType::WIRETYPE_LENGTH_DELIMITED: return lengthDelimited(field, name);
        case WireType::WIRETYPE_START_GROUP:
            return pb::internal::WireFormatLite::SkipField(&m_input, uint32_t(number << 3 | wireType))
                       ? QString()
                       : QStringLiteral("byte %1: %2 starts a group that never ends.").arg(keyAt).arg(name);
        case WireType::WIRETYPE_END_GROUP: return QStringLiteral("byte %1: %2 ends a group that was never started.").arg(keyAt).arg(name);
        default: return QStringLiteral("byte %1: %2 has %3.").arg(keyAt).arg(name, wireTypeText(wireType));
        }
    }

    QString lengthDelimited(const pb::FieldDescriptor *field, const QString &name)
    {
        const int lengthAt = at();
        uint32_t length = 0;
        if (!m_input.ReadVarint32(&length))
            return QStringLiteral("byte %1: %2's length is cut short.").arg(lengthAt).arg(name);
        if (int64_t(length) > remaining())
            return QStringLiteral("byte %1: %2 says %3 bytes follow, %4 remain.").arg(lengthAt).arg(name).arg(length).arg(remaining());
        const int start = m_input.CurrentPosition();
        QString inner;
        if (field && field->type() == pb::FieldDescriptor::TYPE_MESSAGE)
            inner = MessageWalk(field->message_type(), m_data + start, int(length), m_base + start, m_depth + 1).problem();
        else if (field && field->type() == pb::FieldDescriptor::TYPE_STRING && field->file()->syntax() == pb::FileDescriptor::SYNTAX_PROTO3 &&
                 !isValidUtf8(m_data + start, int(length)))
            inner = QStringLiteral("byte %1: %2 is a string, and these %3 bytes are not valid UTF-8.").arg(m_base + start).arg(name).arg(length);
        m_input.Skip(int(length));
        return inner;
    }

    const pb::Descriptor *m_type;
    const char *m_data;
    int m_size;
    int m_base;
    int m_depth;
    pb::io::CodedInputStream m_input;
};

} // namespace

QString wireProblem(const pb::Descriptor *type, const QByteArray &payload)
{
    return MessageWalk(type, payload.constData(), int(payload.size()), 0, 0).problem();
}

} // namespace mqs
