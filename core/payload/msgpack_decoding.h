#pragma once
// MessagePack payloads read into the same QCborValue tree as JSON and CBOR: maps keep their
// order, bin becomes a byte string, ext a tagged [type, bytes] pair (the timestamp ext, type
// -1, a date-time).

#include "protocol/result.h"

#include <QByteArray>
#include <QtCborCommon>
#include <QCborValue>

namespace mqs {

// The CBOR tag around a MessagePack ext that has no CBOR counterpart: [ext type, data bytes].
// 0x6D736770 is "msgp" in ASCII, in the first-come-first-served range of IANA's CBOR tags and
// assigned to no one, so it cannot be mistaken for a real CBOR meaning.
inline constexpr QCborTag kMessagePackExtTag = QCborTag(0x6D736770);

// The one MessagePack value in `payload`; says at which byte it is broken or cut short.
[[nodiscard]] Result<QCborValue> decodeMessagePack(const QByteArray &payload);

} // namespace mqs
