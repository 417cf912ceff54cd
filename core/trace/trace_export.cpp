#include "trace_export.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "trace_text.h"

#include <QFileDevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

#include <map>

namespace mqs {
namespace {

constexpr quint16 kBrokerPort = 1883;
constexpr qsizetype kMaximumSegment = 60000;

enum TcpFlags : quint8 { Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10 };

quint16 checksum(const QByteArray &bytes, quint32 sum = 0)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.constData());
    qsizetype n = bytes.size();
    for (; n > 1; p += 2, n -= 2)
        sum += quint32((p[0] << 8) | p[1]);
    if (n)
        sum += quint32(p[0] << 8);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return quint16(~sum);
}

struct Endpoint {
    quint32 address;
    quint16 port;
    quint32 next; // next sequence number this side sends
};

struct Conversation {
    Endpoint client;
    Endpoint broker;
    bool open = false;
};

class PcapWriter
{
public:
    explicit PcapWriter(QIODevice &out) : m_out(out)
    {
        QByteArray header(24, 0);
        qToLittleEndian(quint32(0xa1b2c3d4), header.data());
        qToLittleEndian(quint16(2), header.data() + 4);
        qToLittleEndian(quint16(4), header.data() + 6);
        qToLittleEndian(quint32(262144), header.data() + 16);
        qToLittleEndian(quint32(1), header.data() + 20); // LINKTYPE_ETHERNET
        write(header);
    }

    void segment(qint64 timeUs, Endpoint &from, Endpoint &to, quint8 flags, const QByteArray &payload = {})
    {
        QByteArray tcp(20, 0);
        qToBigEndian(from.port, tcp.data());
        qToBigEndian(to.port, tcp.data() + 2);
        qToBigEndian(from.next, tcp.data() + 4);
        qToBigEndian((flags & Ack) ? to.next : 0u, tcp.data() + 8);
        tcp[12] = char(5 << 4);
        tcp[13] = char(flags);
        qToBigEndian(quint16(65535), tcp.data() + 14);
        tcp += payload;
        QByteArray pseudo(12, 0);
        qToBigEndian(from.address, pseudo.data());
        qToBigEndian(to.address, pseudo.data() + 4);
        pseudo[9] = 6;
        qToBigEndian(quint16(tcp.size()), pseudo.data() + 10);
        qToBigEndian(checksum(pseudo + tcp), tcp.data() + 16);

        QByteArray ip(20, 0);
        ip[0] = char(0x45);
        qToBigEndian(quint16(20 + tcp.size()), ip.data() + 2);
        qToBigEndian(quint16(++m_ipId), ip.data() + 4);
        ip[6] = char(0x40); // don't fragment
        ip[8] = char(64);
        ip[9] = char(6);
        qToBigEndian(from.address, ip.data() + 12);
        qToBigEndian(to.address, ip.data() + 16);
        qToBigEndian(checksum(ip), ip.data() + 10);

        QByteArray ethernet(14, 0);
        ethernet[5] = char(from.address & 0xFF);
        ethernet[11] = char(to.address & 0xFF);
        ethernet[12] = char(0x08);
        const QByteArray frame = ethernet + ip + tcp;

        QByteArray record(16, 0);
        qToLittleEndian(quint32(timeUs / 1000000), record.data());
        qToLittleEndian(quint32(timeUs % 1000000), record.data() + 4);
        qToLittleEndian(quint32(frame.size()), record.data() + 8);
        qToLittleEndian(quint32(frame.size()), record.data() + 12);
        write(record + frame);
        from.next += quint32(payload.size()) + ((flags & (Syn | Fin)) ? 1 : 0);
    }

    const Status &error() const { return m_error; }

private:
    void write(const QByteArray &bytes)
    {
        if (!m_error)
            return;
        if (m_out.write(bytes) != bytes.size()) {
            const auto *file = qobject_cast<QFileDevice *>(&m_out);
            m_error = Problem{ProblemKind::File,
                              QStringLiteral("Could not write the capture%1: %2. Check the disk space and permissions.")
                                  .arg(file ? QStringLiteral(" to ") + file->fileName() : QString(), m_out.errorString())};
        }
    }

    QIODevice &m_out;
    quint16 m_ipId = 0;
    Status m_error;
};

} // namespace

bool TraceSelection::includes(const TraceLog &log, quint64 sequence) const
{
    if (sequence < firstSequence || sequence >= endSequence)
        return false;
    if (connections && !connections->count(log.connectionOf(sequence)))
        return false;
    return !accept || accept(sequence);
}

Status writePcap(const TraceLog &log, QIODevice &out, const TraceSelection &selection)
{
    PcapWriter pcap(out);
    std::map<ConnectionId, Conversation> conversations;
    std::map<ConnectionId, int> opened;
    // A capture played in keeps its own clock, so re-exporting it keeps the capture's timestamps.
    auto wallUs = [&log](ConnectionId id, qint64 timeUs) {
        return wallTimeUs(log, log.connection(id).value_or(TraceConnection{}), timeUs);
    };

    auto conversationFor = [&](ConnectionId id, qint64 timeUs) -> Conversation & {
        Conversation &c = conversations[id];
        if (!c.open) {
            const auto record = log.connection(id);
            const bool brokerSide = record && record->role == ConnectionRole::BrokerSide;
            const int n = opened[id]++;
            // 127.0.0.1 for the app's own clients, 127.0.0.2 for the sandbox broker's view of a hop
            c.client = Endpoint{0x7F000001u + (brokerSide ? 1u : 0u), quint16(20000 + (id % 700) * 64 + n % 64), 1000u * id};
            c.broker = Endpoint{0x7F000001u + (brokerSide ? 1u : 0u), kBrokerPort, 500000u + 1000u * id};
            c.open = true;
            pcap.segment(wallUs(id, timeUs), c.client, c.broker, Syn);
            pcap.segment(wallUs(id, timeUs), c.broker, c.client, Syn | Ack);
            pcap.segment(wallUs(id, timeUs), c.client, c.broker, Ack);
        }
        return c;
    };

    for (quint64 s = log.firstSequence(); s < log.endSequence(); ++s) {
        if (!selection.includes(log, s))
            continue;
        const ConnectionId id = log.connectionOf(s);
        const qint64 time = log.timeUs(s);
        switch (log.kindOf(s)) {
        case TraceKind::Packet: {
            const TraceMark mark = log.markOf(s);
            if (mark == TraceMark::Held || mark == TraceMark::Dropped)
                break; // it did not cross (yet)
            const auto record = log.connection(id);
            const bool brokerSide = record && record->role == ConnectionRole::BrokerSide;
            Conversation &c = conversationFor(id, time);
            const bool fromClient = (log.directionOf(s) == TraceDirection::Sent) != brokerSide;
            const QByteArray raw = log.rawView(s).toByteArray();
            for (qsizetype at = 0; at < raw.size(); at += kMaximumSegment) {
                const QByteArray part = raw.mid(at, kMaximumSegment);
                if (fromClient)
                    pcap.segment(wallUs(id, time), c.client, c.broker, Psh | Ack, part);
                else
                    pcap.segment(wallUs(id, time), c.broker, c.client, Psh | Ack, part);
            }
            break;
        }
        case TraceKind::Closed: {
            auto it = conversations.find(id);
            if (it != conversations.end() && it->second.open) {
                Conversation &c = it->second;
                pcap.segment(wallUs(id, time), c.client, c.broker, Fin | Ack);
                pcap.segment(wallUs(id, time), c.broker, c.client, Fin | Ack);
                pcap.segment(wallUs(id, time), c.client, c.broker, Ack);
                c.open = false;
            }
            break;
        }
        case TraceKind::Cut: {
            auto it = conversations.find(id);
            if (it != conversations.end() && it->second.open) {
                pcap.segment(wallUs(id, time), it->second.client, it->second.broker, Rst | Ack);
                it->second.open = false;
            }
            break;
        }
        default:
            break;
        }
        if (!pcap.error())
            return pcap.error();
    }
    return pcap.error();
}

Status writeJsonLines(const TraceLog &log, QIODevice &out, const TraceSelection &selection)
{
    static const char *const kKinds[] = {"packet", "opened", "closed", "cut", "session_resumed", "flows_abandoned",
                                         "violation", "note"};
    static const char *const kMarks[] = {"", "held", "released", "dropped", "delayed", "duplicated"};
    for (quint64 s = log.firstSequence(); s < log.endSequence(); ++s) {
        if (!selection.includes(log, s))
            continue;
        const auto connection = log.connection(log.connectionOf(s)).value_or(TraceConnection{});
        QJsonObject o{{QStringLiteral("sequence"), qint64(s)},
                      {QStringLiteral("time_us"), log.timeUs(s)},
                      {QStringLiteral("connection"), qint64(connection.id)},
                      {QStringLiteral("connection_name"), connection.name},
                      {QStringLiteral("kind"), QLatin1String(kKinds[int(log.kindOf(s))])}};
        if (log.kindOf(s) == TraceKind::Packet) {
            o.insert(QStringLiteral("direction"),
                     log.directionOf(s) == TraceDirection::Sent ? QStringLiteral("sent") : QStringLiteral("received"));
            o.insert(QStringLiteral("type"), packetTypeName(log.typeOf(s)));
            if (log.packetIdOf(s).isValid())
                o.insert(QStringLiteral("id"), log.packetIdOf(s).value);
            if (log.flowStateOf(s) != FlowState::None)
                o.insert(QStringLiteral("flow_state"), flowStateName(log.flowStateOf(s)));
            if (log.markOf(s) != TraceMark::None) {
                o.insert(QStringLiteral("mark"), QLatin1String(kMarks[int(log.markOf(s))]));
                o.insert(QStringLiteral("rule"), qint64(log.ruleOf(s)));
            }
            const QByteArrayView raw = log.rawView(s);
            o.insert(QStringLiteral("raw"), QString::fromLatin1(raw.toByteArray().toHex()));
            const auto decoded = decodePacket(raw, connection.version);
            if (const auto *packet = std::get_if<Packet>(&decoded))
                o.insert(QStringLiteral("describe"), describe(*packet, connection.version));
        }
        const QString note = log.noteOf(s);
        if (!note.isEmpty())
            o.insert(QStringLiteral("note"), note);
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        if (out.write(line) != line.size()) {
            const auto *file = qobject_cast<QFileDevice *>(&out);
            return Problem{ProblemKind::File, QStringLiteral("Could not write the trace%1: %2. Check the disk space and permissions.")
                .arg(file ? QStringLiteral(" to ") + file->fileName() : QString(), out.errorString())};
        }
    }
    return {};
}

} // namespace mqs
