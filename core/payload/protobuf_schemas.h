#pragma once
// The .proto files a user added, compiled at run time (libprotoc's Importer over a
// DiskSourceTree of the import paths) so any message type they define decodes without
// generated code.

#include "protocol/result.h"

#include <QByteArray>
#include <QCborValue>
#include <QStringList>

#include <memory>

namespace mqs {

class ProtobufSchemas
{
public:
    ProtobufSchemas();
    ~ProtobufSchemas();

    // Compiles `path` with the files added before; its imports are looked up in `importPaths`
    // and the file's own folder. On failure the schemas stay as they were and the sentence
    // names each error as file:line:column.
    [[nodiscard]] Status addProtoFile(const QString &path, const QStringList &importPaths);
    // Full names of every message type the added files define, nested ones included, sorted.
    QStringList messageTypes() const;

    [[nodiscard]] Result<QCborValue> decode(const QString &messageType, const QByteArray &payload) const;
    [[nodiscard]] Result<QByteArray> encode(const QString &messageType, const QByteArray &json) const;

private:
    struct Compiled;
    [[nodiscard]] Result<std::unique_ptr<Compiled>> compile(const QStringList &files, const QStringList &importPaths) const;

    QStringList m_files; // as added, absolute
    QStringList m_importPaths; // every path given so far, absolute
    std::unique_ptr<Compiled> m_compiled;
};

} // namespace mqs
