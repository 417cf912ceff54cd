#include "payload_decoding.h"

#include "msgpack_decoding.h"
#include "ordered_json.h"
#include "protobuf_schemas.h"
#include "sparkplug.h"

#include "protocol/topic.h"

#include <QCborMap>
#include <QCborParserError>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

namespace mqs {
namespace {

struct DecoderSpelling {
    DecoderKind kind;
    const char *name;
};
constexpr DecoderSpelling kSpellings[] = {
    {DecoderKind::Text, "text"},   {DecoderKind::Json, "json"},         {DecoderKind::Hex, "hex"},
    {DecoderKind::Base64, "base64"}, {DecoderKind::Cbor, "cbor"},       {DecoderKind::MessagePack, "msgpack"},
    {DecoderKind::Protobuf, "protobuf"}, {DecoderKind::SparkplugB, "sparkplug"},
};

// Sparkplug B topics start with this namespace (Sparkplug 3.0, "Topic Namespace Elements").
constexpr QStringView kSparkplugNamespace = u"spBv1.0/";
// Sparkplug 3.0 Host Application state: spBv1.0/STATE/host_id.
constexpr QStringView kSparkplugHostState = u"spBv1.0/STATE/";

bool isValidUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString decoded = decoder.decode(bytes); // decode() is lazy: converting runs it
    return !decoder.hasError();
}

DecodedPayload failed(DecodedPayload out, const QByteArray &payload, const QString &sentence)
{
    out.problem = Problem{ProblemKind::InvalidInput, sentence};
    out.value = QCborValue();
    out.text = QString::fromLatin1(payload.toHex(' '));
    return out;
}

DecodedPayload fromTree(DecodedPayload out, const QByteArray &payload, Result<QCborValue> tree)
{
    if (!tree)
        return failed(std::move(out), payload, tree.sentence());
    out.value = std::move(tree).value();
    out.text = QString::fromUtf8(jsonOfTree(out.value, JsonLayout::Indented));
    return out;
}

DecodedPayload decodeCbor(DecodedPayload out, const QByteArray &payload)
{
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(payload, &error);
    if (error.error != QCborError::NoError)
        return failed(std::move(out), payload, QStringLiteral("Not CBOR: %1 at byte %2.").arg(error.errorString()).arg(error.offset));
    out.value = value;
    out.text = value.toDiagnosticNotation(QCborValue::LineWrapped);
    return out;
}

} // namespace

QString decoderName(const DecoderChoice &decoder)
{
    for (const auto &[kind, name] : kSpellings)
        if (kind == decoder.kind)
            return decoder.kind == DecoderKind::Protobuf ? QStringLiteral("protobuf:") + decoder.messageType : QString::fromLatin1(name);
    return {};
}

Result<DecoderChoice> decoderFromName(const QString &name)
{
    const QString kind = name.section(QLatin1Char(':'), 0, 0).trimmed().toLower();
    const QString messageType = name.section(QLatin1Char(':'), 1).trimmed();
    for (const auto &[k, spelling] : kSpellings) {
        if (kind != QLatin1String(spelling))
            continue;
        if (k == DecoderKind::Protobuf && messageType.isEmpty())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("The protobuf decoder needs a message type: \"protobuf:package.Message\".")};
        return DecoderChoice{k, k == DecoderKind::Protobuf ? messageType : QString()};
    }
    return Problem{ProblemKind::InvalidInput,
                   QStringLiteral("Unknown decoder \"%1\": use text, json, hex, base64, cbor, msgpack, sparkplug or protobuf:TYPE.").arg(name)};
}

PayloadDecoders::PayloadDecoders() : m_schemas(std::make_unique<ProtobufSchemas>()) {}
PayloadDecoders::~PayloadDecoders() = default;

void PayloadDecoders::setRules(std::vector<DecodeRule> rules)
{
    m_rules = std::move(rules);
}

Status PayloadDecoders::addProtoFile(const QString &path, const QStringList &importPaths)
{
    return m_schemas->addProtoFile(path, importPaths);
}

QStringList PayloadDecoders::messageTypes() const
{
    return m_schemas->messageTypes();
}

DecoderChoice PayloadDecoders::choose(const QString &topic, const QByteArray &payload, bool *automatic) const
{
    if (automatic)
        *automatic = false;
    for (const DecodeRule &rule : m_rules)
        if (topicMatches(rule.topicFilter, topic))
            return rule.decoder;
    if (automatic)
        *automatic = true;
    if (topic.startsWith(kSparkplugNamespace))
        return {DecoderKind::SparkplugB};
    if (!isValidUtf8(payload))
        return {DecoderKind::Hex};
    QJsonParseError error;
    (void)QJsonDocument::fromJson(payload, &error);
    return {error.error == QJsonParseError::NoError ? DecoderKind::Json : DecoderKind::Text};
}

DecodedPayload PayloadDecoders::decode(const QString &topic, const QByteArray &payload) const
{
    bool automatic = true;
    const DecoderChoice decoder = choose(topic, payload, &automatic);
    // Sparkplug 3.0 host STATE messages carry JSON ({"online": true, ...}), not a Payload.
    const bool hostState = decoder.kind == DecoderKind::SparkplugB && topic.startsWith(kSparkplugHostState);
    DecodedPayload out = hostState ? fromTree(DecodedPayload{.decoder = decoder}, payload, orderedJsonTree(payload))
                                   : decodeAs(decoder, payload);
    out.automatic = automatic;
    return out;
}

DecodedPayload PayloadDecoders::decodeAs(const DecoderChoice &decoder, const QByteArray &payload) const
{
    DecodedPayload out;
    out.decoder = decoder;
    switch (decoder.kind) {
    case DecoderKind::Text: out.text = QString::fromUtf8(payload); return out;
    case DecoderKind::Hex: out.text = QString::fromLatin1(payload.toHex(' ')); return out;
    case DecoderKind::Base64: out.text = QString::fromLatin1(payload.toBase64()); return out;
    case DecoderKind::Json: return fromTree(std::move(out), payload, orderedJsonTree(payload));
    case DecoderKind::Cbor: return decodeCbor(std::move(out), payload);
    case DecoderKind::MessagePack: return fromTree(std::move(out), payload, decodeMessagePack(payload));
    case DecoderKind::Protobuf: return fromTree(std::move(out), payload, m_schemas->decode(decoder.messageType, payload));
    case DecoderKind::SparkplugB: return fromTree(std::move(out), payload, decodeSparkplugPayload(payload));
    }
    return failed(std::move(out), payload, QStringLiteral("Unknown decoder."));
}

Result<QByteArray> PayloadDecoders::encodeProtobuf(const QString &messageType, const QByteArray &json) const
{
    return m_schemas->encode(messageType, json);
}

} // namespace mqs
