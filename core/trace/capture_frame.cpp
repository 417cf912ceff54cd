#include "capture_frame.h"

#include <arpa/inet.h>

namespace mqs {
namespace {

constexpr quint16 kEtherTypeIpv4 = 0x0800;
constexpr quint16 kEtherTypeIpv6 = 0x86DD;
constexpr quint16 kEtherTypeVlan = 0x8100; // 802.1Q
constexpr quint16 kEtherTypeQinQ = 0x88A8; // 802.1ad
constexpr qsizetype kEthernetHeader = 14;
constexpr qsizetype kVlanTag = 4;
constexpr qsizetype kSllHeader = 16;
constexpr qsizetype kSll2Header = 20;
constexpr qsizetype kNullHeader = 4;
constexpr qsizetype kIpv4MinHeader = 20;
constexpr quint8 kTcpAckFlag = 0x10; // the ACK control bit: the acknowledgment number is valid (RFC 9293, 3.1)
constexpr qsizetype kIpv6Header = 40;
constexpr qsizetype kTcpMinHeader = 20;
constexpr quint8 kProtocolTcp = 6;
// IPv6 extension headers that may sit between the fixed header and TCP: hop-by-hop, routing,
// destination options (RFC 8200 section 4).
constexpr quint8 kIpv6HopByHop = 0;
constexpr quint8 kIpv6Routing = 43;
constexpr quint8 kIpv6DestinationOptions = 60;

quint16 be16(const uchar *p) { return quint16((p[0] << 8) | p[1]); }
quint32 be32(const uchar *p) { return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3]; }

bool isIp(quint16 etherType) { return etherType == kEtherTypeIpv4 || etherType == kEtherTypeIpv6; }

// An IPv4 or IPv6 address as Wireshark prints it (RFC 5952 for IPv6), from its bytes on the wire.
// POSIX inet_ntop rather than QHostAddress: the trace layer stays off QtNetwork.
QString addressText(int family, const uchar *bytes)
{
    char text[INET6_ADDRSTRLEN] = {};
    return inet_ntop(family, bytes, text, sizeof text) ? QString::fromLatin1(text) : QString();
}

qsizetype ethernetIpOffset(const uchar *data, qsizetype length)
{
    if (length < kEthernetHeader)
        return -1;
    qsizetype offset = 12;
    quint16 etherType = be16(data + offset);
    while ((etherType == kEtherTypeVlan || etherType == kEtherTypeQinQ) && length >= offset + kVlanTag + 2) {
        offset += kVlanTag;
        etherType = be16(data + offset);
    }
    return isIp(etherType) ? offset + 2 : -1;
}

// Where the IP header starts for this link type, or -1 when the frame carries no IP.
qsizetype ipOffset(int linkType, const uchar *data, qsizetype length)
{
    switch (LinkType(linkType)) {
    case LinkType::Ethernet:
        return ethernetIpOffset(data, length);
    case LinkType::LinuxCooked: // the protocol type is the header's last field
        return length >= kSllHeader && isIp(be16(data + 14)) ? kSllHeader : -1;
    case LinkType::LinuxCooked2: // the protocol type is the header's first field
        return length >= kSll2Header && isIp(be16(data)) ? kSll2Header : -1;
    case LinkType::Raw:
    case LinkType::RawAlt:
        return 0;
    case LinkType::Null:
    case LinkType::Loop:
        return length >= kNullHeader ? kNullHeader : -1;
    }
    return -1;
}

// The IP layer: addresses, where TCP starts and how long the IP payload was on the wire.
struct IpPart {
    QString source;
    QString destination;
    qsizetype tcpOffset = 0; // from the IP header's start
    qsizetype payloadOnWire = 0; // TCP header and payload, as the IP header states
};

std::optional<IpPart> ipv4Part(const uchar *p, qsizetype available)
{
    if (available < kIpv4MinHeader)
        return std::nullopt;
    const qsizetype ihl = (p[0] & 0x0F) * 4;
    if (p[9] != kProtocolTcp || ihl < kIpv4MinHeader || available < ihl)
        return std::nullopt;
    const quint16 fragment = be16(p + 6);
    if ((fragment & 0x1FFF) != 0 || (fragment & 0x2000)) // fragments are not reassembled
        return std::nullopt;
    return IpPart{addressText(AF_INET, p + 12), addressText(AF_INET, p + 16), ihl, qsizetype(be16(p + 2)) - ihl};
}

std::optional<IpPart> ipv6Part(const uchar *p, qsizetype available)
{
    if (available < kIpv6Header)
        return std::nullopt;
    quint8 next = p[6];
    qsizetype offset = kIpv6Header;
    while ((next == kIpv6HopByHop || next == kIpv6Routing || next == kIpv6DestinationOptions) && available >= offset + 8) {
        next = p[offset];
        offset += (qsizetype(p[offset + 1]) + 1) * 8;
    }
    if (next != kProtocolTcp)
        return std::nullopt;
    return IpPart{addressText(AF_INET6, p + 8), addressText(AF_INET6, p + 24), offset,
                  kIpv6Header + qsizetype(be16(p + 4)) - offset};
}

} // namespace

bool isSupportedLinkType(int linkType)
{
    switch (LinkType(linkType)) {
    case LinkType::Null:
    case LinkType::Ethernet:
    case LinkType::RawAlt:
    case LinkType::Raw:
    case LinkType::Loop:
    case LinkType::LinuxCooked:
    case LinkType::LinuxCooked2:
        return true;
    }
    return false;
}

std::optional<TcpSegment> tcpSegmentOf(const CapturedFrame &frame)
{
    const qsizetype ip = ipOffset(frame.linkType, frame.data, frame.capturedLength);
    if (ip < 0 || ip >= frame.capturedLength)
        return std::nullopt;
    const uchar *p = frame.data + ip;
    const qsizetype available = frame.capturedLength - ip;
    const int version = p[0] >> 4;
    const auto part = version == 4 ? ipv4Part(p, available) : version == 6 ? ipv6Part(p, available) : std::nullopt;
    if (!part || part->payloadOnWire < kTcpMinHeader || available < part->tcpOffset + kTcpMinHeader)
        return std::nullopt;
    const uchar *tcp = p + part->tcpOffset;
    const qsizetype tcpHeader = (tcp[12] >> 4) * 4;
    const qsizetype kept = available - part->tcpOffset; // TCP bytes in the capture
    if (tcpHeader < kTcpMinHeader || tcpHeader > part->payloadOnWire || tcpHeader > kept)
        return std::nullopt;
    // Ethernet pads short frames: the IP length, not the frame's, says where the payload ends.
    const qsizetype payloadOnWire = part->payloadOnWire - tcpHeader;
    const qsizetype payloadKept = std::min(payloadOnWire, kept - tcpHeader);
    TcpSegment segment;
    segment.source = part->source;
    segment.sourcePort = be16(tcp);
    segment.destination = part->destination;
    segment.destinationPort = be16(tcp + 2);
    segment.sequence = be32(tcp + 4);
    if (tcp[13] & kTcpAckFlag)
        segment.acknowledgment = be32(tcp + 8);
    segment.syn = tcp[13] & 0x02;
    segment.fin = tcp[13] & 0x01;
    segment.rst = tcp[13] & 0x04;
    segment.payload = QByteArray(reinterpret_cast<const char *>(tcp + tcpHeader), payloadKept);
    segment.missingTail = payloadOnWire - payloadKept;
    return segment;
}

} // namespace mqs
