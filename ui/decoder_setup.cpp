#include "decoder_setup.h"

#include <QJsonArray>

namespace mqs {
namespace {
const QString kRules = QStringLiteral("rules");
const QString kFilter = QStringLiteral("filter");
const QString kDecoder = QStringLiteral("decoder");
const QString kProtoFiles = QStringLiteral("protoFiles");
const QString kImportPaths = QStringLiteral("importPaths");

QStringList stringsOf(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        if (!v.toString().isEmpty())
            out << v.toString();
    return out;
}
} // namespace

QJsonObject toJson(const DecoderSetup &setup)
{
    QJsonArray rules;
    for (const DecodeRule &r : setup.rules)
        rules.append(QJsonObject{{kFilter, r.topicFilter}, {kDecoder, decoderName(r.decoder)}});
    return {{kRules, rules}, {kProtoFiles, QJsonArray::fromStringList(setup.protoFiles)},
            {kImportPaths, QJsonArray::fromStringList(setup.importPaths)}};
}

DecoderSetup decoderSetupFromJson(const QJsonObject &json)
{
    DecoderSetup setup;
    for (const QJsonValue &v : json.value(kRules).toArray()) {
        const auto decoder = decoderFromName(v[kDecoder].toString());
        if (decoder)
            setup.rules.push_back({v[kFilter].toString(), *decoder});
    }
    setup.protoFiles = stringsOf(json.value(kProtoFiles));
    setup.importPaths = stringsOf(json.value(kImportPaths));
    return setup;
}

QStringList loadDecoderSetup(PayloadDecoders &decoders, const DecoderSetup &setup)
{
    decoders.setRules(setup.rules);
    QStringList problems;
    for (const QString &file : setup.protoFiles)
        if (const Status loaded = decoders.addProtoFile(file, setup.importPaths); !loaded)
            problems << loaded.sentence();
    return problems;
}

} // namespace mqs
