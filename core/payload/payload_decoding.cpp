#include "payload_decoding.h"

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

bool isValidUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    // decode() only describes the work; it is done when converted to a QString, and only then
    // does hasError() know.
    const QString text = decoder.decode(bytes);
    return !decoder.hasError();
}

DecodedPayload failed(DecodedPayload out, const QByteArray &payload, const QString &sentence)
{
    out.problem = Problem{ProblemKind::InvalidInput, sentence};
    out.value = QCborValue();
    out.text = QString::fromLatin1(payload.toHex(' '));
    return out;
}

DecodedPayload decodeJson(DecodedPayload out, const QByteArray &payload)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &error);
    if (error.error != QJsonParseError::NoError)
        return failed(std::move(out), payload, QStringLiteral("Not JSON: %1 at byte %2.").arg(error.errorString()).arg(error.offset));
    out.value = QCborValue::fromJsonValue(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()));
    out.text = QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
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

class ProtobufSchemas
{
};

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

Status PayloadDecoders::addProtoFile(const QString &path, const QStringList &)
{
    return Problem{ProblemKind::InvalidInput, QStringLiteral("%1: Protobuf schemas are not supported yet.").arg(path)};
}

QStringList PayloadDecoders::messageTypes() const
{
    return {};
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
    DecodedPayload out = decodeAs(choose(topic, payload, &automatic), payload);
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
    case DecoderKind::Json: return decodeJson(std::move(out), payload);
    case DecoderKind::Cbor: return decodeCbor(std::move(out), payload);
    case DecoderKind::MessagePack:
    case DecoderKind::Protobuf:
    case DecoderKind::SparkplugB: break;
    }
    return failed(std::move(out), payload, QStringLiteral("The %1 decoder is not built yet.").arg(decoderName(decoder)));
}

Result<QByteArray> PayloadDecoders::encodeProtobuf(const QString &messageType, const QByteArray &) const
{
    return Problem{ProblemKind::InvalidInput, QStringLiteral("No protobuf schema defines %1.").arg(messageType)};
}

} // namespace mqs
