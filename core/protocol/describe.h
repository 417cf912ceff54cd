#pragma once
// Packets as a person reads them: a one-line summary and a field-by-field breakdown.

#include "byte_reader.h"
#include "packets.h"

namespace mqs {

// One line, e.g. "PUBLISH id=12345 qos=2 dup=0 retain=0 sensors/temperature/livingroom (4 B)".
// `version` is the connection's: a 3.1.1 CONNACK shows its return code ("0x05 Connection
// Refused, not authorized"), a 5.0 one its reason code ("0x87 Not authorized").
QString describe(const Packet &packet, ProtocolVersion version = ProtocolVersion::V5);

// Every field of the packet in `raw` (fixed header included) with its byte range, for the
// packet-detail view. A packet that does not decode yields the fields read so far and a
// last field named "Error" that says why.
PacketLayout breakdown(QByteArrayView raw, ProtocolVersion version);

} // namespace mqs
