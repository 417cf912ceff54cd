#pragma once
// A capture played into the trace: each MQTT stream of it becomes an observed connection (a
// device lane and a broker lane, named by client id and address) whose packets, violations and
// notes are appended with the capture's own timestamps, and whose totals make the summary.

#include "observer/observed_trace.h"
#include "trace/capture_streams.h"

#include <map>
#include <memory>

namespace mqs {

// What the summary pane shows about a capture.
struct CaptureSummary {
    QString source{}; // the file, or "interface lo"
    quint64 frames = 0;
    int connections = 0;
    std::array<quint64, 3> messages{}; // by QoS
    quint64 completed = 0;
    quint64 failed = 0;
    quint64 unfinished = 0;
    quint64 resends = 0;
    quint64 violations = 0;
    QStringList stalls{}; // flows still open at the capture's end: for what, for how long
    QStringList notes{}; // mid-session, encrypted, gaps, cut frames, a truncated file
    bool cancelled = false;
};

class CaptureTrace
{
public:
    // How capture timestamps become trace times. Replay: the first frame lands at the trace's now
    // when it is read and the rest keep their spacing. Live: the capture's clock is the wall clock.
    enum class Timing : quint8 { Replay, Live };

    CaptureTrace(TraceLog &log, Timing timing);

    void add(CaptureItem item, const CaptureStreams &streams);
    // The capture ended at `endCaptureUs` (capture clock): totals, and each flow still open as a
    // stall sentence, also traced as a note on its lane.
    CaptureSummary finish(qint64 endCaptureUs);
    // Trace time of a capture timestamp.
    qint64 traceTimeOf(qint64 captureUs);
    int connections() const { return int(m_traces.size()); }

private:
    ObservedTrace &traceOf(const CaptureStream &stream);
    void addPacket(CapturedPacket &packet, const CaptureStreams &streams);
    void addNote(const CaptureStreamNote &note);
    void nameLanes(ObservedTrace &trace, const CaptureStream &stream);
    void keepCaptureClock(ConnectionId id);

    TraceLog &m_log;
    Timing m_timing;
    std::optional<qint64> m_offsetUs; // trace time = capture time + offset
    std::map<quint32, std::unique_ptr<ObservedTrace>> m_traces; // by TCP stream
    std::map<quint32, bool> m_named;
    QStringList m_notes;
};

} // namespace mqs
