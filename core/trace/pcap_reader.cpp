#include "pcap_reader.h"

#include "tcp_reassembler.h"

#include <QFile>
#include <QFileInfo>

#include <arpa/inet.h>
#include <pcap/pcap.h>

namespace mqs {
namespace {

constexpr int kLinkNull = 0;
constexpr int kLinkEthernet = 1;
constexpr int kLinkRaw = 101;
constexpr int kLinkRawAlt = 12; // DLT_RAW on some systems
constexpr int kLinkLoop = 108;
constexpr int kLinkSll = 113;
constexpr int kLinkSll2 = 276;

quint16 be16(const uchar *p) { return quint16((p[0] << 8) | p[1]); }
quint32 be32(const uchar *p) { return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3]; }

// An IPv4 or IPv6 address as Wireshark prints it (RFC 5952 for IPv6), from its bytes on the wire.
// POSIX inet_ntop rather than QHostAddress: the trace layer stays off QtNetwork.
QString addressText(int family, const uchar *bytes)
{
    char text[INET6_ADDRSTRLEN] = {};
    return inet_ntop(family, bytes, text, sizeof text) ? QString::fromLatin1(text) : QString();
}

// Where the IP header starts for this link type, or -1 when the frame carries no IP.
qsizetype ipOffset(int linkType, const uchar *data, qsizetype length)
{
    switch (linkType) {
    case kLinkEthernet: {
        if (length < 14)
            return -1;
        qsizetype offset = 12;
        quint16 etherType = be16(data + offset);
        while ((etherType == 0x8100 || etherType == 0x88A8) && length >= offset + 6) { // VLAN tags
            offset += 4;
            etherType = be16(data + offset);
        }
        return (etherType == 0x0800 || etherType == 0x86DD) ? offset + 2 : -1;
    }
    case kLinkSll:
        return length >= 16 && (be16(data + 14) == 0x0800 || be16(data + 14) == 0x86DD) ? 16 : -1;
    case kLinkSll2:
        return length >= 20 && (be16(data) == 0x0800 || be16(data) == 0x86DD) ? 20 : -1;
    case kLinkRaw:
    case kLinkRawAlt:
        return 0;
    case kLinkNull:
    case kLinkLoop:
        return length >= 4 ? 4 : -1;
    default:
        return -1;
    }
}

} // namespace

Status readTcpPayloads(const QString &path, const std::function<void(const TcpPayload &)> &sink,
                                       quint64 *framesRead)
{
    if (!QFileInfo::exists(path))
        return Problem{ProblemKind::File, QStringLiteral("%1 does not exist.").arg(path)};
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap_t *pcap = pcap_open_offline(QFile::encodeName(path).constData(), errorBuffer);
    if (!pcap)
        return Problem{ProblemKind::File, QStringLiteral("%1 is not a packet capture (libpcap says: %2).").arg(path, QString::fromLocal8Bit(errorBuffer))};
    const int linkType = pcap_datalink(pcap);
    const bool supported = linkType == kLinkEthernet || linkType == kLinkSll || linkType == kLinkSll2
        || linkType == kLinkNull || linkType == kLinkLoop || linkType == kLinkRaw || linkType == kLinkRawAlt;
    if (!supported) {
        pcap_close(pcap);
        return Problem{ProblemKind::File, QStringLiteral("%1 uses link type %2 (%3), which is not supported; captures of Ethernet, Linux cooked, "
                              "loopback or raw IP are.")
            .arg(path)
            .arg(linkType)
            .arg(QString::fromLatin1(pcap_datalink_val_to_name(linkType) ? pcap_datalink_val_to_name(linkType) : "?"))};
    }
    TcpReassembler reassembler;
    pcap_pkthdr *header = nullptr;
    const uchar *data = nullptr;
    quint64 frame = 0;
    std::optional<double> firstTime;
    int status = 0;
    while ((status = pcap_next_ex(pcap, &header, &data)) == 1) {
        ++frame;
        const double absolute = double(header->ts.tv_sec) + double(header->ts.tv_usec) / 1e6;
        if (!firstTime)
            firstTime = absolute;
        const qsizetype length = header->caplen;
        const qsizetype ip = ipOffset(linkType, data, length);
        if (ip < 0 || ip >= length)
            continue;
        const uchar *p = data + ip;
        const qsizetype available = length - ip;
        const int version = p[0] >> 4;
        qsizetype tcpOffset = 0;
        QString source;
        QString destination;
        qsizetype ipPayloadLength = 0;
        if (version == 4) {
            if (available < 20)
                continue;
            const qsizetype ihl = (p[0] & 0x0F) * 4;
            if (p[9] != 6 || ihl < 20 || available < ihl)
                continue;
            if ((be16(p + 6) & 0x1FFF) != 0 || (be16(p + 6) & 0x2000)) // fragments are not reassembled
                continue;
            source = addressText(AF_INET, p + 12);
            destination = addressText(AF_INET, p + 16);
            ipPayloadLength = std::min<qsizetype>(be16(p + 2), available) - ihl;
            tcpOffset = ihl;
        } else if (version == 6) {
            if (available < 40)
                continue;
            quint8 next = p[6];
            qsizetype offset = 40;
            while ((next == 0 || next == 43 || next == 60) && available >= offset + 8) {
                next = p[offset];
                offset += (qsizetype(p[offset + 1]) + 1) * 8;
            }
            if (next != 6)
                continue;
            source = addressText(AF_INET6, p + 8);
            destination = addressText(AF_INET6, p + 24);
            ipPayloadLength = std::min<qsizetype>(40 + be16(p + 4), available) - offset;
            tcpOffset = offset;
        } else {
            continue;
        }
        if (ipPayloadLength < 20 || tcpOffset + ipPayloadLength > available)
            continue;
        const uchar *tcp = p + tcpOffset;
        const qsizetype tcpHeader = (tcp[12] >> 4) * 4;
        if (tcpHeader < 20 || tcpHeader > ipPayloadLength)
            continue;
        TcpSegment segment;
        segment.source = source;
        segment.sourcePort = be16(tcp);
        segment.destination = destination;
        segment.destinationPort = be16(tcp + 2);
        segment.sequence = be32(tcp + 4);
        segment.syn = tcp[13] & 0x02;
        segment.fin = tcp[13] & 0x01;
        segment.rst = tcp[13] & 0x04;
        segment.payload = QByteArray(reinterpret_cast<const char *>(tcp + tcpHeader), ipPayloadLength - tcpHeader);
        reassembler.add(segment, [&](quint32 stream, QByteArray bytes) {
            sink(TcpPayload{frame, absolute - *firstTime, stream, segment.source, segment.sourcePort, segment.destination,
                            segment.destinationPort, std::move(bytes)});
        });
    }
    QString readError;
    if (status == -1)
        readError = QString::fromLocal8Bit(pcap_geterr(pcap));
    pcap_close(pcap);
    if (framesRead)
        *framesRead = frame;
    if (!readError.isEmpty())
        return Problem{ProblemKind::File, QStringLiteral("%1 is damaged after frame %2 (libpcap says: %3).").arg(path).arg(frame).arg(readError)};
    return {};
}

} // namespace mqs
