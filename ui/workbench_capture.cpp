// The Workbench's captures: a file played into the trace, or a live interface.

#include "workbench.h"

#include <QDateTime>

namespace mqs {

Status Workbench::openCapture(const QString &path, std::vector<quint16> ports)
{
    cancelCapture();
    auto playback = CapturePlayback::open(m_trace, path, std::move(ports));
    if (!playback)
        return playback.problem();
    m_playback = std::move(*playback);
    connect(m_playback.get(), &CapturePlayback::progressed, this, &Workbench::captureProgress);
    connect(m_playback.get(), &CapturePlayback::finished, this, [this](const CaptureSummary &summary) {
        m_captureSummary = summary;
        flush(); // the views read the whole capture before they hear it ended
        emit captureFinished(summary);
    });
    m_playback->start();
    return {};
}

void Workbench::cancelCapture()
{
    if (m_playback)
        m_playback->cancel();
}

Status Workbench::startLiveCapture(const LiveCapture::Options &options)
{
    stopLiveCapture();
    m_liveTrace = std::make_unique<CaptureTrace>(m_trace, CaptureTrace::Timing::Live);
    m_live = std::make_unique<LiveCapture>([this](CaptureItem item) { m_liveTrace->add(std::move(item), m_live->streams()); });
    connect(m_live.get(), &LiveCapture::failed, this, [this](const Problem &problem) {
        emit this->problem(problem.sentence);
        stopLiveCapture();
    });
    if (Status started = m_live->start(options); !started) {
        m_live.reset();
        m_liveTrace.reset();
        return started;
    }
    m_liveSource = QStringLiteral("interface %1 (%2)").arg(options.interfaceName, m_live->filter());
    return {};
}

void Workbench::stopLiveCapture()
{
    if (!m_live)
        return;
    m_live->stop();
    CaptureSummary summary = m_liveTrace->finish(QDateTime::currentMSecsSinceEpoch() * 1000);
    summary.source = m_liveSource;
    summary.frames = m_live->frames();
    m_live.release()->deleteLater(); // stop() may run inside one of its own signals
    m_liveTrace.reset();
    m_captureSummary = summary;
    flush();
    emit captureFinished(summary);
}

} // namespace mqs
