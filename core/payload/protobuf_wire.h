#pragma once
// Where bytes stop being a valid encoding of a Protobuf message type: the wire format walked
// field by field against the Descriptor, for the sentence shown when parsing fails.

#include <QByteArray>
#include <QString>

namespace google::protobuf {
class Descriptor;
}

namespace mqs {

// The first place `payload` breaks the wire format or contradicts `type` ("byte 14: field 3 is
// a varint, Reading.name is a string"); empty when the walk finds nothing wrong.
QString wireProblem(const google::protobuf::Descriptor *type, const QByteArray &payload);

} // namespace mqs
