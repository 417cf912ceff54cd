#include "tcp_reassembler.h"

namespace mqs {
namespace {

// Serial number arithmetic (RFC 1982) for 32-bit sequence numbers.
qint32 distance(quint32 from, quint32 to)
{
    return qint32(to - from);
}

} // namespace

void TcpReassembler::add(const TcpSegment &segment, const std::function<void(quint32, QByteArray)> &deliver)
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
        it = m_streams.insert_or_assign(key, stream).first;
    }
    Stream &stream = it->second;
    Direction &dir = forwardSide ? stream.forward : stream.backward;
    if (segment.fin || segment.rst)
        stream.finished = true;

    quint32 sequence = segment.sequence;
    if (segment.syn) {
        dir.started = true;
        dir.next = sequence + 1;
        dir.pending.clear();
        sequence += 1;
    }
    if (segment.payload.isEmpty())
        return;
    if (!dir.started) { // the capture began mid-stream
        dir.started = true;
        dir.next = sequence;
    }
    QByteArray data = segment.payload;
    const qint32 gap = distance(dir.next, sequence);
    if (gap > 0) { // a hole before it: keep it for later
        auto &slot = dir.pending[sequence];
        if (slot.size() < data.size())
            slot = data;
        return;
    }
    if (-gap >= data.size())
        return; // a retransmission of bytes already delivered
    data.remove(0, -gap); // the part already delivered overlaps
    dir.next += quint32(data.size());
    // Buffered segments that now fit.
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
    deliver(stream.index, std::move(data));
}

} // namespace mqs
