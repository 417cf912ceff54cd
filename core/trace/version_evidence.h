#pragma once
// What one packet of a stream whose CONNECT the capture lacks says about its protocol version.
// 3.1.1 and 5.0 frame packets alike, but 5.0 adds reason codes and property blocks that a 3.1.1
// reader refuses (an acknowledgement of more than 2 bytes, a CONNACK with properties) and
// requires a property length a 3.1.1 PUBLISH need not have.

#include "protocol/types.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace mqs {

struct VersionEvidence {
    ProtocolVersion version = ProtocolVersion::V311;
    QString sentence{}; // "its PUBREC (remaining length 3) decodes only as 5.0: …"
};

// `packet` is one whole packet, fixed header included. Nullopt when it reads the same either way
// (a PINGREQ, a 2-byte PUBACK) or is malformed in both.
[[nodiscard]] std::optional<VersionEvidence> versionEvidence(QByteArrayView packet);

} // namespace mqs
