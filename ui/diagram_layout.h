#pragma once
// The rows of the sequence diagram, built incrementally from the trace: one lane per party,
// one row per packet arrow (each packet once: from its sender's record when both ends are
// traced here), rows for cuts, resumes and violations, and folded idle gaps.

#include "trace/flow_index.h"

#include <QHash>
#include <QStringList>

#include <deque>
#include <vector>

namespace mqs {

struct DiagramRow {
    // Evicted: the first row once the trace has dropped its oldest events to stay within its
    // memory limit; it stands where they were.
    enum Kind : quint8 { Arrow, Note, Gap, Evicted };
    quint64 sequence = 0; // the trace event (Gap: the first event after the pause; Evicted: the first kept)
    qint64 gapUs = 0; // Gap only
    qint16 from = 0; // lane of the sender (Note: the lane it is about)
    qint16 to = 0; // lane of the receiver (Note: the other end, for cuts)
    Kind kind = Arrow;
};

class DiagramLayout
{
public:
    static constexpr qint64 kFoldGapUs = 1'000'000; // idle pauses longer than this fold into one row

    explicit DiagramLayout(const TraceLog &log) : m_log(log) {}

    // Reads events appended since the last call, and drops the rows of evicted events; true when
    // rows were added or dropped.
    bool update();
    // How far the rows have moved up since the layout began (rows dropped with evicted events,
    // less the Evicted row put in their place): views keep their place by it.
    qint64 rowsShifted() const { return m_rowsShifted; }
    void setShowConnectionNotes(bool show) { m_showConnectionNotes = show; }

    const std::deque<DiagramRow> &rows() const { return m_rows; }
    const QStringList &lanes() const { return m_lanes; }
    // Lanes in display order: publishing clients on the left, brokers in the middle, the other
    // clients (subscribers) on the right, so a message reads left to right across its hops.
    std::vector<int> laneOrder() const;
    std::optional<std::size_t> rowOf(quint64 sequence) const;

private:
    int laneOf(const QString &party);
    void addRow(DiagramRow row);
    void dropEvicted();

    const TraceLog &m_log;
    quint64 m_next = 0;
    bool m_showConnectionNotes = true;
    std::deque<DiagramRow> m_rows; // a deque: evicted rows leave from the front
    qint64 m_rowsShifted = 0;
    QStringList m_lanes;
    QHash<QString, int> m_laneIndex;
    std::vector<bool> m_publishes; // by lane: it sent a PUBLISH to a broker (drawn on the left)
    qint64 m_lastRowUs = -1;
};

} // namespace mqs
