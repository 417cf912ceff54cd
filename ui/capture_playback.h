#pragma once
// Plays a capture file into the trace a slice at a time, so the window paints and answers
// (and a Cancel button works) while a big file loads: each slice reads frames for a few
// milliseconds, decodes their MQTT and appends it through a CaptureTrace.

#include "capture_trace.h"

#include "trace/pcap_reader.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace mqs {

class CapturePlayback : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CapturePlayback)
public:
    // Opens `path` (pcap or pcapng) for playing into `log`, with MQTT on `ports` (empty: 1883,
    // 8883 and streams that start with a CONNECT). A Problem when it is not a readable capture.
    [[nodiscard]] static Result<std::unique_ptr<CapturePlayback>> open(TraceLog &log, const QString &path,
                                                                       std::vector<quint16> ports = {});

    // Starts playing; finished() follows, after progress() now and then.
    void start();
    // Stops where it is; what was read stays in the trace, and finished() says it was cancelled.
    void cancel();
    bool playing() const { return m_slices.isActive(); }
    double progress() const; // 0 to 1, by bytes of the file read
    QString path() const { return m_path; }

signals:
    void progressed(double fraction);
    void finished(const mqs::CaptureSummary &summary);

private:
    CapturePlayback(TraceLog &log, const QString &path, std::vector<quint16> ports, std::unique_ptr<CaptureSource> source);
    void playSlice();
    void end(bool cancelled);

    QString m_path;
    CaptureStreams m_streams;
    CaptureTrace m_trace;
    TcpPayloadReader m_reader;
    QTimer m_slices;
    qint64 m_lastCaptureUs = 0; // of the last MQTT packet
};

} // namespace mqs
