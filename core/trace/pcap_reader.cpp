#include "pcap_reader.h"

#include "protocol/overloaded.h"

#include <limits>

namespace mqs {
namespace {

// The bytes of `delivery`, timed and numbered as the frame `frame` that released them.
TcpPayload payloadOf(const TcpPayload &frame, TcpDelivery delivery)
{
    TcpPayload payload = frame;
    payload.stream = delivery.stream;
    payload.sourceAddress = std::move(delivery.source);
    payload.sourcePort = delivery.sourcePort;
    payload.destinationAddress = std::move(delivery.destination);
    payload.destinationPort = delivery.destinationPort;
    payload.bytes = std::move(delivery.bytes);
    payload.missingBefore = delivery.missingBefore;
    payload.streamStart = delivery.streamStart;
    return payload;
}

} // namespace

QString CaptureReadReport::cutSentence() const
{
    if (framesCut == 0)
        return {};
    return QStringLiteral("%1 frames were cut to the capture's snapshot length of %2 bytes; the bytes they lost are gaps in "
                          "their streams (capture again with a larger snapshot length, e.g. tcpdump -s 0).")
        .arg(framesCut)
        .arg(snapLength);
}

TcpPayloadReader::TcpPayloadReader(std::unique_ptr<CaptureSource> source, FrameTap tap)
    : m_source(std::move(source))
    , m_tap(std::move(tap))
{
    m_report.snapLength = m_source->snapLength();
}

bool TcpPayloadReader::read(quint64 maxFrames, const Sink &sink)
{
    for (quint64 i = 0; i < maxFrames && !m_ended; ++i) {
        const bool more = std::visit(overloaded{
                                         [&](const SourceFrame &frame) { readFrame(frame, sink); return true; },
                                         [](NoFrameYet) { return false; },
                                         [&](EndOfCapture) { finish(sink); return false; },
                                         [&](const Problem &damage) { m_report.damage = damage; finish(sink); return false; },
                                     },
                                     m_source->next());
        if (!more)
            break;
    }
    return !m_ended;
}

void TcpPayloadReader::readFrame(const SourceFrame &frame, const Sink &sink)
{
    m_report.frames = m_source->framesRead();
    if (m_tap)
        m_tap(frame);
    if (m_report.frames == 1)
        m_report.firstTimeUs = frame.timeUs;
    m_report.lastTimeUs = frame.timeUs;
    const auto segment = tcpSegmentOf(frame.frame);
    if (!segment)
        return;
    if (segment->missingTail > 0)
        ++m_report.framesCut;
    m_last = TcpPayload{.frame = m_report.frames, .time = double(frame.timeUs - m_report.firstTimeUs) / 1e6,
                        .sourceAddress = segment->source, .sourcePort = segment->sourcePort,
                        .destinationAddress = segment->destination, .destinationPort = segment->destinationPort,
                        .timeUs = frame.timeUs};
    m_reassembler.add(*segment, [&](TcpDelivery delivery) {
        sink(payloadOf(m_last, std::move(delivery)));
    });
}

// What waits behind a gap at the end is delivered at the last frame's time.
void TcpPayloadReader::finish(const Sink &sink)
{
    if (std::exchange(m_ended, true))
        return;
    m_reassembler.finish([&](TcpDelivery delivery) {
        sink(payloadOf(m_last, std::move(delivery)));
    });
}

Result<CaptureReadReport> readTcpPayloads(const QString &path, const TcpPayloadReader::Sink &sink)
{
    auto source = CaptureSource::openFile(path);
    if (!source)
        return source.problem();
    TcpPayloadReader reader(std::move(*source));
    while (reader.read(std::numeric_limits<quint64>::max(), sink)) {
    }
    return reader.report();
}

} // namespace mqs
