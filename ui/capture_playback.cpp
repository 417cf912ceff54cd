#include "capture_playback.h"

namespace mqs {
namespace {

// How long one slice reads before the event loop gets its turn: well under a frame at 30 Hz.
constexpr int kSliceMs = 25;
// Frames read between looks at the clock.
constexpr quint64 kFramesPerCheck = 512;

} // namespace

Result<std::unique_ptr<CapturePlayback>> CapturePlayback::open(TraceLog &log, const QString &path, std::vector<quint16> ports)
{
    auto source = CaptureSource::openFile(path);
    if (!source)
        return source.problem();
    return std::unique_ptr<CapturePlayback>(new CapturePlayback(log, path, std::move(ports), std::move(*source)));
}

CapturePlayback::CapturePlayback(TraceLog &log, const QString &path, std::vector<quint16> ports,
                                 std::unique_ptr<CaptureSource> source)
    : m_path(path)
    , m_streams(std::move(ports), [this](CaptureItem item) {
        if (const auto *packet = std::get_if<CapturedPacket>(&item))
            m_lastCaptureUs = packet->timeUs; // what waited behind a gap comes with the last frame's time
        m_trace.add(std::move(item), m_streams);
    })
    , m_trace(log, CaptureTrace::Timing::Replay)
    , m_reader(std::move(source))
{
    m_slices.setInterval(0);
    connect(&m_slices, &QTimer::timeout, this, &CapturePlayback::playSlice);
}

void CapturePlayback::start()
{
    m_slices.start();
}

double CapturePlayback::progress() const
{
    const CaptureSource &source = m_reader.source();
    return source.fileSize() > 0 ? std::min(1.0, double(source.bytesRead()) / double(source.fileSize())) : 0.0;
}

void CapturePlayback::playSlice()
{
    QElapsedTimer slice;
    slice.start();
    const auto sink = [this](const TcpPayload &payload) { m_streams.add(payload); };
    bool more = true;
    while (more && slice.elapsed() < kSliceMs)
        more = m_reader.read(kFramesPerCheck, sink);
    emit progressed(progress());
    if (!more)
        end(false);
}

void CapturePlayback::cancel()
{
    if (playing())
        end(true);
}

void CapturePlayback::end(bool cancelled)
{
    m_slices.stop();
    CaptureSummary summary = m_trace.finish(std::max(m_lastCaptureUs, m_reader.report().lastTimeUs));
    summary.source = m_path;
    summary.cancelled = cancelled;
    summary.frames = m_reader.report().frames;
    if (const QString cut = m_reader.report().cutSentence(); !cut.isEmpty())
        summary.notes << cut;
    if (m_reader.report().damage)
        summary.notes << m_reader.report().damage->sentence;
    if (summary.connections == 0 && !cancelled)
        summary.notes << QStringLiteral("%1 holds no MQTT: no TCP stream on port 1883 or 8883, and none that starts with "
                                        "a CONNECT.").arg(m_path);
    emit finished(summary);
}

} // namespace mqs
