#include "live_capture.h"

#include <QSocketNotifier>

namespace mqs {
namespace {

// libpcap's handle may not signal readability for every frame (TPACKET_V3 hands over blocks),
// so it is also polled, as often as a person notices a delay.
constexpr int kPollIntervalMs = 100;
// Frames read per wakeup before the event loop gets its turn again.
constexpr quint64 kFramesPerWakeup = 4096;

} // namespace

LiveCapture::LiveCapture(CaptureStreams::Sink sink, QObject *parent)
    : QObject(parent)
    , m_sink(std::move(sink))
    , m_streams(std::make_unique<CaptureStreams>(std::vector<quint16>{}, m_sink))
{
    m_poll.setInterval(kPollIntervalMs);
    connect(&m_poll, &QTimer::timeout, this, &LiveCapture::readAvailable);
}

LiveCapture::~LiveCapture()
{
    stop();
}

Status LiveCapture::start(const Options &options)
{
    stop();
    const std::vector<quint16> ports = options.ports.empty()
        ? std::vector<quint16>{CaptureStreams::kMqttPort, CaptureStreams::kMqttTlsPort}
        : options.ports;
    auto source = CaptureSource::openLive(options.interfaceName, ports);
    if (!source)
        return source.problem();
    m_filter = captureFilter(ports);
    m_saving = !options.savePath.isEmpty();
    if (m_saving)
        if (Status opened = m_writer.open(options.savePath, (*source)->linkType(), (*source)->snapLength()); !opened)
            return opened.problem();
    const int handle = (*source)->selectableHandle();
    m_streams = std::make_unique<CaptureStreams>(ports, m_sink);
    m_reader = std::make_unique<TcpPayloadReader>(std::move(*source), [this](const SourceFrame &frame) {
        if (!m_saving || m_writeProblem)
            return;
        if (Status written = m_writer.write(frame); !written)
            m_writeProblem = written.problem();
    });
    if (handle >= 0) {
        m_notifier = std::make_unique<QSocketNotifier>(handle, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &LiveCapture::readAvailable);
    }
    m_poll.start();
    return {};
}

void LiveCapture::readAvailable()
{
    if (!m_reader)
        return;
    const bool more = m_reader->read(kFramesPerWakeup, [this](const TcpPayload &payload) { m_streams->add(payload); });
    if (m_writeProblem) {
        const Problem problem = *m_writeProblem;
        stop();
        emit failed(problem);
    } else if (!more) {
        const std::optional<Problem> damage = m_reader->report().damage;
        stop();
        if (damage)
            emit failed(*damage);
    }
}

void LiveCapture::stop()
{
    if (!m_reader)
        return;
    m_poll.stop();
    m_notifier.reset();
    // The frames already waiting, then the end; finish() follows whether or not more would come.
    static_cast<void>(m_reader->read(kFramesPerWakeup, [this](const TcpPayload &payload) { m_streams->add(payload); }));
    m_reader->finish([this](const TcpPayload &payload) { m_streams->add(payload); });
    m_framesBefore = m_reader->report().frames;
    m_reader.reset();
    if (m_saving && !m_writeProblem)
        if (Status closed = m_writer.close(); !closed)
            m_writeProblem = closed.problem();
}

quint64 LiveCapture::frames() const
{
    return m_reader ? m_reader->report().frames : m_framesBefore;
}

} // namespace mqs
