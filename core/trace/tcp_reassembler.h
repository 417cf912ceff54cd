#pragma once
// Puts TCP segments back in order per stream and direction: handles the SYN's sequence
// start, retransmissions and overlaps, out-of-order segments, and streams whose SYN is not
// in the capture. Streams are numbered in order of first appearance, and a new SYN on a
// finished 4-tuple starts a new stream (as Wireshark's tcp.stream). Bytes the capture never
// saw (a segment it missed, a frame the snapshot length cut) are a gap: delivery goes on after
// it and says how many bytes are missing before.

#include <QByteArray>
#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <utility>

namespace mqs {

struct TcpSegment {
    QString source{};
    quint16 sourcePort = 0;
    QString destination{};
    quint16 destinationPort = 0;
    quint32 sequence = 0;
    std::optional<quint32> acknowledgment{}; // with the ACK flag: the next byte the sender expects
    bool syn = false;
    bool fin = false;
    bool rst = false;
    QByteArray payload{};
    qsizetype missingTail = 0; // payload bytes after `payload` that the snapshot length cut off
};

// In-order bytes of one direction of a stream.
struct TcpDelivery {
    quint32 stream = 0;
    QString source{}; // the sending side of these bytes
    quint16 sourcePort = 0;
    QString destination{};
    quint16 destinationPort = 0;
    QByteArray bytes{};
    qint64 missingBefore = 0; // bytes of this direction the capture lacks just before `bytes`
    bool streamStart = false; // the first bytes of this direction, and its SYN was captured
};

class TcpReassembler
{
public:
    using Deliver = std::function<void(TcpDelivery)>;
    // A hole is given up on (declared a gap) once this many segments wait behind it: a receiver
    // would have acknowledged the missing bytes long before, so the capture missed them.
    static constexpr std::size_t kSegmentsBehindGap = 32;

    // Emits the bytes this segment makes available in order (possibly with earlier buffered ones).
    void add(const TcpSegment &segment, const Deliver &deliver);
    // The end of the capture: what still waits behind a hole is delivered after its gap.
    void finish(const Deliver &deliver);
    quint32 streams() const { return m_nextStream; }

private:
    struct Direction {
        bool started = false;
        bool sawSyn = false;
        bool delivered = false;
        quint32 next = 0; // next expected sequence number
        qint64 missing = 0; // bytes known lost (cut by the snapshot length) before `next`
        std::map<quint32, QByteArray> pending; // out-of-order segments by sequence (relative order via serial arithmetic)
    };
    struct Stream {
        quint32 index = 0;
        bool finished = false;
        QString forwardAddress{}; // the side that sorts first
        quint16 forwardPort = 0;
        QString backwardAddress{};
        quint16 backwardPort = 0;
        Direction forward; // from the side that sorts first in the key
        Direction backward;
    };

    // The stream `segment` belongs to (a new one for its first segment, or a SYN after a FIN),
    // and whether it travels forward (from the side that sorts first).
    std::pair<Stream &, bool> streamOf(const TcpSegment &segment);
    // Puts the segment's bytes in order on `stream`'s direction and delivers what is now in sequence.
    static void accept(Stream &stream, bool forwardSide, const TcpSegment &segment, const Deliver &deliver);
    static QByteArray takeInOrder(Direction &dir, QByteArray data);
    static void skipGap(Direction &dir);
    static void skipAcknowledgedGaps(Stream &stream, bool forward, quint32 acknowledgment, const Deliver &deliver);
    static void deliverBytes(Stream &stream, bool forward, QByteArray bytes, const Deliver &deliver);

    std::map<QString, Stream> m_streams; // by canonical 4-tuple
    quint32 m_nextStream = 0;
};

} // namespace mqs
