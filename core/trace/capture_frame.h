#pragma once
// One captured frame taken apart down to its TCP segment: the link layers libpcap names
// (Ethernet with VLAN tags, Linux cooked v1 and v2, BSD loopback/null, raw IP), then IPv4 or
// IPv6 (with extension headers), then TCP. Pure: bytes in, a segment or nothing out.

#include "tcp_reassembler.h"

#include <optional>

namespace mqs {

// The link types a capture may use (libpcap's LINKTYPE_ values).
enum class LinkType : int {
    Null = 0, // BSD loopback: a 4-byte address family
    Ethernet = 1,
    RawAlt = 12, // DLT_RAW on some systems
    Raw = 101, // raw IPv4 or IPv6
    Loop = 108, // OpenBSD loopback
    LinuxCooked = 113, // SLL
    LinuxCooked2 = 276, // SLL2
};

[[nodiscard]] bool isSupportedLinkType(int linkType);

struct CapturedFrame {
    int linkType = 1;
    const uchar *data = nullptr;
    qsizetype capturedLength = 0; // bytes in the capture
    qsizetype wireLength = 0; // bytes on the wire; more when the snapshot length cut the frame
};

// The TCP segment in `frame`, or nothing when it carries no (unfragmented) TCP. A frame cut by
// the snapshot length yields the payload bytes it kept and, in `missingTail`, how many it lost.
[[nodiscard]] std::optional<TcpSegment> tcpSegmentOf(const CapturedFrame &frame);

} // namespace mqs
