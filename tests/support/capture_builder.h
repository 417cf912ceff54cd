#pragma once
// Writes captures frame by frame for tests and benchmarks: pcap or pcapng, Ethernet, Linux
// cooked v1/v2, BSD loopback or raw IP, IPv4 or IPv6, synthetic TCP segments with the sequence
// numbers the test chooses, and frames cut to a snapshot length.

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QtEndian>

namespace mqs::test {

enum class CaptureFormat { Pcap, Pcapng };

struct Endpoint {
    QByteArray address; // 4 bytes (IPv4) or 16 (IPv6)
    quint16 port = 0;
};

inline QByteArray ipv4(quint8 a, quint8 b, quint8 c, quint8 d) { const char bytes[] = {char(a), char(b), char(c), char(d)}; return QByteArray(bytes, 4); }
inline QByteArray ipv6Loopback() { QByteArray a(16, 0); a[15] = 1; return a; }
inline QByteArray ipv6(quint16 last) { QByteArray a(16, 0); a[0] = char(0xfd); a[14] = char(last >> 8); a[15] = char(last); return a; }

constexpr quint8 kTcpSyn = 0x02;
constexpr quint8 kTcpPshAck = 0x18;
constexpr quint8 kTcpFinAck = 0x11;

struct Segment {
    Endpoint from;
    Endpoint to;
    quint32 sequence = 0;
    quint32 acknowledgment = 0; // the next byte expected from the other side (ACK is in the flags)
    QByteArray payload{};
    quint8 flags = kTcpPshAck;
    qint64 timeUs = -1; // -1: the previous frame's time plus one millisecond
    int snapLength = 0; // > 0: the frame is cut to this many bytes in the file
};

class CaptureBuilder
{
public:
    explicit CaptureBuilder(quint32 linkType = 1, CaptureFormat format = CaptureFormat::Pcap)
        : m_linkType(linkType), m_format(format)
    {
        if (format == CaptureFormat::Pcap)
            writePcapHeader();
        else
            writePcapngHeader();
    }

    void add(const Segment &s)
    {
        const QByteArray frame = linkHeader(s.from.address.size() == 16) + ipAndTcp(s);
        m_timeUs = s.timeUs >= 0 ? s.timeUs : m_timeUs + 1000;
        const QByteArray kept = s.snapLength > 0 ? frame.left(s.snapLength) : frame;
        if (m_format == CaptureFormat::Pcap)
            writePcapRecord(kept, frame.size());
        else
            writePcapngRecord(kept, frame.size());
        ++m_frames;
    }

    // The capture sees nothing for `us`: the next frame comes `us` after the last one.
    void pause(qint64 us) { m_timeUs += us - 1000; }
    QByteArray bytes() const { return m_bytes; }
    quint64 frames() const { return m_frames; }
    QString save(const QString &path, qsizetype truncateBy = 0) const
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(m_bytes.left(m_bytes.size() - truncateBy));
        return path;
    }
    // Writes what was built so far to `file` and forgets it: for captures too big to keep in memory.
    void flushTo(QFile &file) { file.write(m_bytes); m_bytes.clear(); }

private:
    void put16(quint16 v) { m_bytes.append(reinterpret_cast<const char *>(&v), 2); }
    void put32(quint32 v) { m_bytes.append(reinterpret_cast<const char *>(&v), 4); }

    void writePcapHeader()
    {
        put32(0xa1b2c3d4);
        put16(2);
        put16(4);
        put32(0);
        put32(0);
        put32(262144);
        put32(m_linkType);
    }

    void writePcapngHeader()
    {
        put32(0x0A0D0D0A); // section header block
        put32(28);
        put32(0x1A2B3C4D);
        put16(1);
        put16(0);
        put32(0xFFFFFFFF);
        put32(0xFFFFFFFF);
        put32(28);
        put32(1); // interface description block
        put32(20);
        put16(quint16(m_linkType));
        put16(0);
        put32(262144);
        put32(20);
    }

    void writePcapRecord(const QByteArray &kept, qsizetype wireLength)
    {
        put32(quint32(m_timeUs / 1000000));
        put32(quint32(m_timeUs % 1000000));
        put32(quint32(kept.size()));
        put32(quint32(wireLength));
        m_bytes += kept;
    }

    void writePcapngRecord(const QByteArray &kept, qsizetype wireLength)
    {
        const qsizetype padded = (kept.size() + 3) / 4 * 4;
        const quint32 total = quint32(32 + padded);
        put32(6); // enhanced packet block
        put32(total);
        put32(0);
        put32(quint32(quint64(m_timeUs) >> 32));
        put32(quint32(quint64(m_timeUs) & 0xFFFFFFFF));
        put32(quint32(kept.size()));
        put32(quint32(wireLength));
        m_bytes += kept;
        m_bytes += QByteArray(padded - kept.size(), 0);
        put32(total);
    }

    QByteArray linkHeader(bool v6) const
    {
        const char typeHi = char(v6 ? 0x86 : 0x08);
        const char typeLo = char(v6 ? 0xDD : 0x00);
        QByteArray link;
        switch (m_linkType) {
        case 1: // Ethernet
            link = QByteArray(14, 0);
            link[12] = typeHi;
            link[13] = typeLo;
            break;
        case 113: // Linux cooked v1
            link = QByteArray(16, 0);
            link[14] = typeHi;
            link[15] = typeLo;
            break;
        case 276: // Linux cooked v2: protocol type first
            link = QByteArray(20, 0);
            link[0] = typeHi;
            link[1] = typeLo;
            break;
        case 0: { // BSD loopback: address family in host order
            const quint32 family = v6 ? 30 : 2;
            link = QByteArray(reinterpret_cast<const char *>(&family), 4);
            break;
        }
        default: // raw IP
            break;
        }
        return link;
    }

    static QByteArray ipAndTcp(const Segment &s)
    {
        QByteArray tcp(20, 0);
        qToBigEndian(s.from.port, tcp.data());
        qToBigEndian(s.to.port, tcp.data() + 2);
        qToBigEndian(s.sequence, tcp.data() + 4);
        qToBigEndian(s.acknowledgment, tcp.data() + 8);
        tcp[12] = char(5 << 4);
        tcp[13] = char(s.flags);
        qToBigEndian(quint16(65535), tcp.data() + 14);
        tcp += s.payload;
        if (s.from.address.size() == 16) {
            QByteArray ip(40, 0);
            ip[0] = char(0x60);
            qToBigEndian(quint16(tcp.size()), ip.data() + 4);
            ip[6] = char(6);
            ip[7] = char(64);
            ip.replace(8, 16, s.from.address);
            ip.replace(24, 16, s.to.address);
            return ip + tcp;
        }
        QByteArray ip(20, 0);
        ip[0] = char(0x45);
        qToBigEndian(quint16(20 + tcp.size()), ip.data() + 2);
        ip[8] = char(64);
        ip[9] = char(6);
        ip.replace(12, 4, s.from.address);
        ip.replace(16, 4, s.to.address);
        return ip + tcp;
    }

    quint32 m_linkType;
    CaptureFormat m_format;
    QByteArray m_bytes;
    qint64 m_timeUs = 1700000000LL * 1000000;
    quint64 m_frames = 0;
};

// One TCP connection's two directions, keeping each side's sequence number.
class TcpConversation
{
public:
    TcpConversation(CaptureBuilder &capture, Endpoint client, Endpoint broker, bool withSyn = true)
        : m_capture(capture), m_client(std::move(client)), m_broker(std::move(broker))
    {
        if (!withSyn)
            return;
        m_capture.add({.from = m_client, .to = m_broker, .sequence = m_clientSeq++, .flags = kTcpSyn});
        m_capture.add({.from = m_broker, .to = m_client, .sequence = m_brokerSeq++, .flags = quint8(kTcpSyn | 0x10)});
    }
    void fromClient(const QByteArray &bytes, int snapLength = 0) { send(true, bytes, snapLength); }
    void fromBroker(const QByteArray &bytes, int snapLength = 0) { send(false, bytes, snapLength); }
    // Bytes the client sent that the capture missed.
    void lostFromClient(const QByteArray &bytes) { m_clientSeq += quint32(bytes.size()); }
    void close() { m_capture.add({.from = m_client, .to = m_broker, .sequence = m_clientSeq, .flags = kTcpFinAck}); }

private:
    void send(bool client, const QByteArray &bytes, int snapLength)
    {
        quint32 &seq = client ? m_clientSeq : m_brokerSeq;
        m_capture.add({.from = client ? m_client : m_broker, .to = client ? m_broker : m_client, .sequence = seq,
                       .acknowledgment = client ? m_brokerSeq : m_clientSeq, .payload = bytes, .snapLength = snapLength});
        seq += quint32(bytes.size());
    }

    CaptureBuilder &m_capture;
    Endpoint m_client;
    Endpoint m_broker;
    quint32 m_clientSeq = 1000;
    quint32 m_brokerSeq = 5000;
};

} // namespace mqs::test
