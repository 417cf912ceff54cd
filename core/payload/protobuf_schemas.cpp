#include "protobuf_schemas.h"

#include "protobuf_tree.h"

#include <QDir>
#include <QFileInfo>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

namespace mqs {
namespace {

namespace pb = google::protobuf;

// libprotoc reports 0-based lines and columns; editors and people count from 1.
class ErrorSentences : public pb::compiler::MultiFileErrorCollector
{
public:
    explicit ErrorSentences(pb::compiler::DiskSourceTree &tree) : m_tree(tree) {}
    void AddError(const std::string &file, int line, int column, const std::string &message) override
    {
        std::string disk;
        const QString where = m_tree.VirtualFileToDiskFile(file, &disk) ? QString::fromStdString(disk) : QString::fromStdString(file);
        sentences << (line < 0 ? QStringLiteral("%1: %2").arg(where, QString::fromStdString(message))
                               : QStringLiteral("%1:%2:%3: %4").arg(where).arg(line + 1).arg(column + 1).arg(QString::fromStdString(message)));
    }
    QStringList sentences;

private:
    pb::compiler::DiskSourceTree &m_tree;
};

void collectTypes(const pb::Descriptor *type, QStringList &out)
{
    out << QString::fromStdString(type->full_name());
    for (int i = 0; i < type->nested_type_count(); ++i)
        if (!type->nested_type(i)->options().map_entry())
            collectTypes(type->nested_type(i), out);
}

} // namespace

// Members in construction order; the factory's prototypes go before the pool they point into.
struct ProtobufSchemas::Compiled {
    pb::compiler::DiskSourceTree tree;
    ErrorSentences errors{tree};
    pb::compiler::Importer importer{&tree, &errors};
    pb::DynamicMessageFactory factory{importer.pool()};
    std::vector<const pb::FileDescriptor *> files;

    const pb::Descriptor *find(const QString &messageType) const
    {
        return importer.pool()->FindMessageTypeByName(messageType.toStdString());
    }
};

ProtobufSchemas::ProtobufSchemas() = default;
ProtobufSchemas::~ProtobufSchemas() = default;

Status ProtobufSchemas::addProtoFile(const QString &path, const QStringList &importPaths)
{
    const QFileInfo file(path);
    if (!file.isFile())
        return Problem{ProblemKind::File, QStringLiteral("%1: no such .proto file.").arg(path)};
    QStringList paths = m_importPaths;
    for (const QString &dir : importPaths)
        if (const QString absolute = QDir(dir).absolutePath(); !paths.contains(absolute))
            paths << absolute;
    QStringList files = m_files;
    if (!files.contains(file.absoluteFilePath()))
        files << file.absoluteFilePath();
    auto compiled = compile(files, paths);
    if (!compiled)
        return compiled.problem();
    m_compiled = std::move(compiled).value();
    m_files = files;
    m_importPaths = paths;
    return {};
}

Result<std::unique_ptr<ProtobufSchemas::Compiled>> ProtobufSchemas::compile(const QStringList &files, const QStringList &importPaths) const
{
    auto compiled = std::make_unique<Compiled>();
    for (const QString &dir : importPaths)
        compiled->tree.MapPath("", dir.toStdString());
    for (const QString &path : files) {
        std::string virtualName, shadowing;
        if (compiled->tree.DiskFileToVirtualFile(path.toStdString(), &virtualName, &shadowing) ==
            pb::compiler::DiskSourceTree::NO_MAPPING) {
            // Not under an import path: its own folder is one, as protoc's default "-I." would be.
            compiled->tree.MapPath("", QFileInfo(path).absolutePath().toStdString());
            (void)compiled->tree.DiskFileToVirtualFile(path.toStdString(), &virtualName, &shadowing);
        }
        const pb::FileDescriptor *descriptor = compiled->importer.Import(virtualName);
        if (!descriptor)
            return Problem{ProblemKind::File, compiled->errors.sentences.isEmpty()
                                                  ? QStringLiteral("%1: could not be compiled.").arg(path)
                                                  : compiled->errors.sentences.join(QLatin1Char('\n'))};
        compiled->files.push_back(descriptor);
    }
    return compiled;
}

QStringList ProtobufSchemas::messageTypes() const
{
    QStringList types;
    if (m_compiled)
        for (const pb::FileDescriptor *file : m_compiled->files)
            for (int i = 0; i < file->message_type_count(); ++i)
                collectTypes(file->message_type(i), types);
    types.sort();
    types.removeDuplicates();
    return types;
}

Result<QCborValue> ProtobufSchemas::decode(const QString &messageType, const QByteArray &payload) const
{
    const pb::Descriptor *type = m_compiled ? m_compiled->find(messageType) : nullptr;
    if (!type)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("No .proto file added defines %1.").arg(messageType)};
    return decodeMessage(type, m_compiled->factory, payload);
}

Result<QByteArray> ProtobufSchemas::encode(const QString &messageType, const QByteArray &json) const
{
    const pb::Descriptor *type = m_compiled ? m_compiled->find(messageType) : nullptr;
    if (!type)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("No .proto file added defines %1.").arg(messageType)};
    return encodeMessage(type, m_compiled->factory, json);
}

} // namespace mqs
