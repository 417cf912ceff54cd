#pragma once
// Puts TCP segments back in order per stream and direction: handles the SYN's sequence
// start, retransmissions and overlaps, out-of-order segments, and streams whose SYN is not
// in the capture. Streams are numbered in order of first appearance, and a new SYN on a
// finished 4-tuple starts a new stream (as Wireshark's tcp.stream).

#include <QByteArray>
#include <QString>

#include <functional>
#include <map>

namespace mqs {

struct TcpSegment {
    QString source{};
    quint16 sourcePort = 0;
    QString destination{};
    quint16 destinationPort = 0;
    quint32 sequence = 0;
    bool syn = false;
    bool fin = false;
    bool rst = false;
    QByteArray payload{};
};

class TcpReassembler
{
public:
    // Emits the bytes this segment makes available in order (possibly with earlier buffered ones).
    void add(const TcpSegment &segment, const std::function<void(quint32 stream, QByteArray bytes)> &deliver);
    quint32 streams() const { return m_nextStream; }

private:
    struct Direction {
        bool started = false;
        quint32 next = 0; // next expected sequence number
        std::map<quint32, QByteArray> pending; // out-of-order segments by sequence (relative order via serial arithmetic)
    };
    struct Stream {
        quint32 index = 0;
        bool finished = false;
        Direction forward; // from the side that sorts first in the key
        Direction backward;
    };

    std::map<QString, Stream> m_streams; // by canonical 4-tuple
    quint32 m_nextStream = 0;
};

} // namespace mqs
