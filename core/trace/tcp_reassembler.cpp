#include "tcp_reassembler.h"

namespace mqs {
namespace {

// Serial number arithmetic (RFC 1982) for 32-bit sequence numbers.
qint32 distance(quint32 from, quint32 to)
{
    return qint32(to - from);
}

} // namespace

void TcpReassembler::add(const TcpSegment &segment, const Deliver &deliver)
{
    auto [stream, forwardSide] = streamOf(segment);
    if (segment.fin || segment.rst)
        stream.finished = true;
    accept(stream, forwardSide, segment, deliver);
}

std::pair<TcpReassembler::Stream &, bool> TcpReassembler::streamOf(const TcpSegment &segment)
{
    const QString a = QStringLiteral("%1:%2").arg(segment.source).arg(segment.sourcePort);
    const QString b = QStringLiteral("%1:%2").arg(segment.destination).arg(segment.destinationPort);
    const bool forwardSide = a < b;
    const QString key = forwardSide ? a + QLatin1Char('|') + b : b + QLatin1Char('|') + a;

    auto it = m_streams.find(key);
    const bool newConnection = segment.syn && it != m_streams.end() && it->second.finished;
    if (it == m_streams.end() || newConnection) {
        Stream stream;
        stream.index = m_nextStream++;
        stream.forwardAddress = forwardSide ? segment.source : segment.destination;
        stream.forwardPort = forwardSide ? segment.sourcePort : segment.destinationPort;
        stream.backwardAddress = forwardSide ? segment.destination : segment.source;
        stream.backwardPort = forwardSide ? segment.destinationPort : segment.sourcePort;
        it = m_streams.insert_or_assign(key, stream).first;
    }
    return {it->second, forwardSide};
}

void TcpReassembler::accept(Stream &stream, bool forwardSide, const TcpSegment &segment, const Deliver &deliver)
{
    Direction &dir = forwardSide ? stream.forward : stream.backward;
    quint32 sequence = segment.sequence;
    if (segment.syn) {
        dir.started = true;
        dir.sawSyn = true;
        dir.next = sequence + 1;
        dir.pending.clear();
        sequence += 1;
    }
    if (segment.acknowledgment)
        skipAcknowledgedGaps(stream, !forwardSide, *segment.acknowledgment, deliver);
    if (segment.payload.isEmpty() && segment.missingTail == 0)
        return;
    if (!dir.started) { // the capture began mid-stream
        dir.started = true;
        dir.next = sequence;
    }
    const qint32 gap = distance(dir.next, sequence);
    if (gap > 0) { // a hole before it: keep it for later, or give up on the hole
        auto &slot = dir.pending[sequence];
        if (slot.size() < segment.payload.size())
            slot = segment.payload;
        if (dir.pending.size() < kSegmentsBehindGap)
            return;
        skipGap(dir);
        deliverBytes(stream, forwardSide, takeInOrder(dir, {}), deliver);
        return;
    }
    if (-gap >= segment.payload.size() + segment.missingTail)
        return; // a retransmission of bytes already delivered
    QByteArray data = segment.payload.mid(-gap); // the part already delivered overlaps
    dir.next += quint32(data.size());
    deliverBytes(stream, forwardSide, takeInOrder(dir, std::move(data)), deliver);
    if (segment.missingTail > 0) { // what the snapshot length cut: a gap before what follows
        dir.next += quint32(segment.missingTail);
        dir.missing += segment.missingTail;
    }
}

void TcpReassembler::finish(const Deliver &deliver)
{
    for (auto &[key, stream] : m_streams)
        for (const bool forward : {true, false}) {
            Direction &dir = forward ? stream.forward : stream.backward;
            while (!dir.pending.empty()) {
                skipGap(dir);
                deliverBytes(stream, forward, takeInOrder(dir, {}), deliver);
            }
        }
}

// Appends the buffered segments that now follow `data` in order.
QByteArray TcpReassembler::takeInOrder(Direction &dir, QByteArray data)
{
    bool progress = true;
    while (progress && !dir.pending.empty()) {
        progress = false;
        for (auto p = dir.pending.begin(); p != dir.pending.end();) {
            const qint32 d = distance(dir.next, p->first);
            if (d > 0) {
                ++p;
                continue;
            }
            if (-d < p->second.size()) {
                const QByteArray extra = p->second.mid(-d);
                data.append(extra);
                dir.next += quint32(extra.size());
                progress = true;
            }
            p = dir.pending.erase(p);
        }
    }
    return data;
}

// The peer acknowledged bytes of the `forward` direction past a hole in it: it received them, so
// the capture missed them. What waits behind the hole is delivered now, before this segment's
// bytes, so a PUBLISH after a gap does not come after the PUBACK that answers it.
void TcpReassembler::skipAcknowledgedGaps(Stream &stream, bool forward, quint32 acknowledgment, const Deliver &deliver)
{
    Direction &dir = forward ? stream.forward : stream.backward;
    while (dir.started && !dir.pending.empty() && distance(dir.next, acknowledgment) > 0) {
        skipGap(dir);
        deliverBytes(stream, forward, takeInOrder(dir, {}), deliver);
    }
}

// Moves `next` to the nearest buffered segment, counting the bytes jumped over as missing.
void TcpReassembler::skipGap(Direction &dir)
{
    auto nearest = dir.pending.begin();
    for (auto p = dir.pending.begin(); p != dir.pending.end(); ++p)
        if (distance(dir.next, p->first) < distance(dir.next, nearest->first))
            nearest = p;
    dir.missing += distance(dir.next, nearest->first);
    dir.next = nearest->first;
}

void TcpReassembler::deliverBytes(Stream &stream, bool forward, QByteArray bytes, const Deliver &deliver)
{
    if (bytes.isEmpty())
        return;
    Direction &dir = forward ? stream.forward : stream.backward;
    const bool start = !dir.delivered && dir.sawSyn && dir.missing == 0;
    dir.delivered = true;
    deliver(TcpDelivery{.stream = stream.index,
                        .source = forward ? stream.forwardAddress : stream.backwardAddress,
                        .sourcePort = forward ? stream.forwardPort : stream.backwardPort,
                        .destination = forward ? stream.backwardAddress : stream.forwardAddress,
                        .destinationPort = forward ? stream.backwardPort : stream.forwardPort,
                        .bytes = std::move(bytes), .missingBefore = dir.missing, .streamStart = start});
    dir.missing = 0;
}

} // namespace mqs
