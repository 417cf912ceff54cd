#pragma once
// How a received payload is shown: which decoder a topic's payloads go through (the user's
// "decode as" rules, first matching filter wins, else an automatic choice), and what decoding
// gave. The decoded form is a QCborValue tree because it keeps the payload's own field order
// (QJsonObject sorts keys), 64-bit integers and byte strings; JSON is one rendering of it.

#include "protocol/result.h"

#include <QByteArray>
#include <QCborValue>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace mqs {

enum class DecoderKind : quint8 { Text, Json, Hex, Base64, Cbor, MessagePack, Protobuf, SparkplugB };

struct DecoderChoice {
    DecoderKind kind = DecoderKind::Text;
    QString messageType{}; // Protobuf only: the message's full name, "factory.Reading"
    bool operator==(const DecoderChoice &) const = default;
};

// "text", "json", "hex", "base64", "cbor", "msgpack", "sparkplug", "protobuf:factory.Reading":
// the CLI's spelling, also how rules are saved.
QString decoderName(const DecoderChoice &decoder);
[[nodiscard]] Result<DecoderChoice> decoderFromName(const QString &name);

struct DecodeRule {
    QString topicFilter; // an MQTT filter: "factory/+/reading", "spBv1.0/#"
    DecoderChoice decoder{};
    bool operator==(const DecodeRule &) const = default;
};

struct DecodedPayload {
    DecoderChoice decoder{}; // the decoder that was used (or tried, when `problem` is set)
    bool automatic = true; // chosen without a rule
    // The decoded tree in the payload's field order; Undefined for Text, Hex and Base64, and
    // when decoding failed.
    QCborValue value{};
    // One readable rendering: indented JSON for trees, the text itself, hex, base64; a hex dump
    // when decoding failed.
    QString text{};
    // Why the chosen decoder failed, saying where ("byte 14: field 3 is a varint, Reading.name
    // is a string"); the payload is then shown as hex.
    std::optional<Problem> problem{};
};

class ProtobufSchemas;

// The decoder table and the schemas it needs; one per window or CLI command. Its const members
// may run on several threads at once (libprotobuf's descriptor pools and
// DynamicMessageFactory::GetPrototype are thread-safe); changing it while they run is not.
class PayloadDecoders
{
public:
    PayloadDecoders();
    ~PayloadDecoders();
    PayloadDecoders(const PayloadDecoders &) = delete;
    PayloadDecoders &operator=(const PayloadDecoders &) = delete;

    void setRules(std::vector<DecodeRule> rules);
    const std::vector<DecodeRule> &rules() const { return m_rules; }

    // Adds a .proto file, its imports looked up in `importPaths`; says which line failed.
    [[nodiscard]] Status addProtoFile(const QString &path, const QStringList &importPaths);
    // Full names of every message type the added files define, for a picker.
    QStringList messageTypes() const;

    // The first rule whose filter matches `topic`, else the automatic choice: valid UTF-8 JSON
    // is JSON, "spBv1.0/..." is Sparkplug B, other UTF-8 text is Text, anything else Hex.
    DecoderChoice choose(const QString &topic, const QByteArray &payload, bool *automatic = nullptr) const;
    DecodedPayload decode(const QString &topic, const QByteArray &payload) const;
    DecodedPayload decodeAs(const DecoderChoice &decoder, const QByteArray &payload) const;

    // The bytes of `json` encoded as `messageType`, for publishing; says which field is wrong.
    [[nodiscard]] Result<QByteArray> encodeProtobuf(const QString &messageType, const QByteArray &json) const;

private:
    std::vector<DecodeRule> m_rules;
    std::unique_ptr<ProtobufSchemas> m_schemas;
};

} // namespace mqs
