#pragma once
// Protobuf messages without generated code: bytes parsed with a run-time Descriptor into a
// DynamicMessage, and a message shown as a QCborValue tree (field names, nested messages,
// repeated fields as arrays, maps as maps, enums by name, bytes as byte strings).

#include "protocol/result.h"

#include <QByteArray>
#include <QCborValue>

namespace google::protobuf {
class Descriptor;
class Message;
class MessageFactory;
} // namespace google::protobuf

namespace mqs {

// The fields of `message` in declaration order: those set, and proto3 fields without presence
// always (a 0 reading is a reading). Unknown fields are left out.
QCborValue messageTree(const google::protobuf::Message &message);

// `payload` parsed as `type`; when it does not parse, says at which byte and field it failed.
[[nodiscard]] Result<QCborValue> decodeMessage(const google::protobuf::Descriptor *type,
                                               google::protobuf::MessageFactory &factory, const QByteArray &payload);

// `json` (protobuf's JSON mapping) encoded as `type`; says which field is wrong.
[[nodiscard]] Result<QByteArray> encodeMessage(const google::protobuf::Descriptor *type,
                                               google::protobuf::MessageFactory &factory, const QByteArray &json);

} // namespace mqs
