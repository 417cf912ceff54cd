#pragma once
// Encoding packets to the bytes of the wire format. Pure: no QObject, no I/O.

#include "packets.h"
#include "result.h"

#include <QByteArray>

namespace mqs {

// The bytes of `packet` as `version` writes them (a CONNECT uses its own version).
// The shortest legal form is used: 5.0 acknowledgements omit a 0x00 reason code and
// an empty property list, as the spec allows.
QByteArray encode(const Packet &packet, ProtocolVersion version);

// Success when `packet` can be encoded faithfully; else an InvalidInput problem saying why not
// (a string longer than 65,535 bytes, a QoS > 0 PUBLISH without a packet id, a packet over 256 MiB, ...).
Status checkEncodable(const Packet &packet, ProtocolVersion version);

// Writes a Variable Byte Integer (spec 1.5.5) to `out`.
void appendVariableByteInteger(QByteArray &out, quint32 value);

} // namespace mqs
