#pragma once
// The rows of the sequence diagram, built incrementally from the trace: one lane per party,
// one row per packet arrow (each packet once: from its sender's record when both ends are
// traced here), rows for cuts, resumes and violations, and folded idle gaps. It also says what
// each row reads (its label) and in which order lanes stand, so the view only paints.

#include "trace/flow_index.h"

#include <QCache>
#include <QHash>
#include <QStringList>

#include <deque>
#include <set>
#include <vector>

namespace mqs {

struct DiagramRow {
    // Evicted: the first row once the trace has dropped its oldest events to stay within its
    // memory limit; it stands where they were.
    enum Kind : quint8 { Arrow, Note, Gap, Evicted };
    quint64 sequence = 0; // the trace event (Gap: the first event after the pause; Evicted: the first kept)
    qint64 gapUs = 0; // Gap only; a burst: from its first packet to its last
    qint16 from = 0; // lane of the sender (Note: the lane it is about)
    qint16 to = 0; // lane of the receiver (Note: the other end, for cuts)
    Kind kind = Arrow;
    quint32 count = 1; // Arrow: like packets grouped into this row by the high-rate mode
};

// Where a lane stands: publishers left, brokers in the middle, subscribers right, so that a
// message reads left to right across its hops. From the trace connection's role (a Client's
// peer is a broker, a BrokerSide's own end is one), never from a lane's name.
enum class LaneRole : quint8 { Publisher, Broker, Subscriber };

struct DiagramLane {
    QString name;
    LaneRole role = LaneRole::Subscriber;
    bool hidden = false; // by the user
    bool retired = false; // every connection of the app that drew it was removed
    bool subscribed = false; // it sent a SUBSCRIBE: a subscriber even if it also publishes
    bool hadClient = false;
    std::set<ConnectionId> clients; // the app's live connections with an end on this lane
    bool visible() const { return !hidden && !retired; }
};

class DiagramLayout
{
public:
    static constexpr qint64 kFoldGapUs = 1'000'000; // idle pauses longer than this fold into one row
    // High-rate mode: like packets within this window share a row ("1,237 × PUBLISH … in 100 ms").
    static constexpr qint64 kBurstWindowUs = 100'000;

    DiagramLayout(const TraceLog &log, const FlowIndex &flows) : m_log(log), m_flows(flows) {}

    // Reads events appended since the last call, and drops the rows of evicted events; true when
    // rows were added or dropped.
    bool update();
    // How far the rows have moved up since the layout began (rows dropped with evicted events,
    // less the Evicted row put in their place): views keep their place by it.
    qint64 rowsShifted() const { return m_rowsShifted; }
    // Rows are rebuilt from the trace when what they show changes; views re-anchor by sequence.
    quint64 generation() const { return m_generation; }
    void setShowConnectionNotes(bool show) { m_showConnectionNotes = show; }

    const TraceLog &log() const { return m_log; }
    const FlowIndex &flows() const { return m_flows; }
    const std::deque<DiagramRow> &rows() const { return m_rows; }
    std::optional<std::size_t> rowOf(quint64 sequence) const;

    // Lanes, by index (indices stay valid for the session; hidden and retired ones included).
    const std::vector<DiagramLane> &lanes() const { return m_lanes; }
    int laneNamed(const QString &name) const { return m_laneIndex.value(name, -1); }
    // The visible lanes in display order: by role, then as they appeared, unless the user moved them.
    std::vector<int> laneOrder() const;
    // Every lane (hidden ones too, not retired ones) in display order, for the lanes menu.
    std::vector<int> allLanesInOrder() const;
    void setLaneHidden(int lane, bool hidden);
    void showAllLanes();
    // Shows only `lanes` (the filter "only these connections").
    void showOnly(const std::set<int> &lanes);
    // Puts `lane` just before `before` in the display order (-1: at the end); the user's order wins over roles.
    void moveLane(int lane, int before);
    // The order to keep: names, left to right; lanes seen later take their place from it.
    QStringList savedOrder() const;
    void setSavedOrder(const QStringList &names);
    // The app removed this connection: its lanes go when no other live connection has them;
    // its events stay in the trace.
    void retireConnection(ConnectionId id);

    // High-rate mode: bursts of like packets share one row; a burst can be expanded again.
    void setGroupBursts(bool group);
    bool groupsBursts() const { return m_groupBursts; }
    void toggleBurst(quint64 firstSequence);
    bool isExpanded(quint64 firstSequence) const { return m_expanded.contains(firstSequence); }

    // When both ends of a connection are traced here, each end keeps its own record of one
    // handshake (the sensor's "out" flow, the broker's "in" flow) and each packet is drawn from
    // its sender's. The hop's flow: the same for both records (the smaller id), so a bracket,
    // a selection and an export take the whole handshake.
    FlowId hopFlow(FlowId flow) const;
    bool sameHop(std::optional<FlowId> a, FlowId b) const { return a && hopFlow(*a) == hopFlow(b); }

    // What a row reads. Packet: "PUBLISH id=3 q2 home/temperature (12 B) retained", with its fault
    // mark and, for a held one still waiting, how long it has waited at `nowUs`.
    QString arrowLabel(const DiagramRow &row, qint64 nowUs) const;
    QString packetText(quint64 sequence) const; // the packet alone, cached
    QString stateText(const DiagramRow &row) const; // "AwaitingPubComp", empty when none
    QString noteText(const DiagramRow &row) const; // "✂ connection cut: …"
    static QString gapText(const DiagramRow &row);

private:
    // One trace event's row, if the picture shows it.
    void place(quint64 sequence, const TraceConnection &connection);
    void placePacket(quint64 sequence, const TraceConnection &connection);
    void placeNote(quint64 sequence, const TraceConnection &connection);
    // The lanes of the two ends of `connection`: ours (where it was recorded) and the peer's.
    struct EventLanes {
        int local = 0;
        int remote = 0;
    };
    EventLanes lanesOf(const TraceConnection &connection);
    bool bothShown(int a, int b) const;
    int laneOf(const QString &party, LaneRole role);
    void placeLane(int lane);
    void noteClient(int lane, ConnectionId id);
    void addRow(DiagramRow row);
    void addArrow(quint64 sequence, int from, int to);
    bool joinBurst(quint64 sequence, int from, int to);
    void dropEvicted();
    void rebuild();
    void learnRole(quint64 sequence, int from, int to);
    // An observed device's lane is named by its address until its CONNECT names it by client id:
    // its rows so far move to the named lane, and the address lane goes.
    int followObservedLane(ConnectionId id, int lane);

    struct Burst {
        quint64 first = 0;
        qint64 startUs = 0;
        QString topic; // the topics' common levels, "sensors/load/#"
        int qos = 0;
    };

    const TraceLog &m_log;
    const FlowIndex &m_flows;
    quint64 m_next = 0;
    quint64 m_generation = 0;
    bool m_showConnectionNotes = true;
    std::deque<DiagramRow> m_rows; // a deque: evicted rows leave from the front
    qint64 m_rowsShifted = 0;
    std::vector<DiagramLane> m_lanes;
    QHash<QString, int> m_laneIndex;
    std::vector<int> m_order; // every lane, display order
    QStringList m_savedOrder;
    bool m_userOrdered = false;
    std::set<ConnectionId> m_retired;
    struct ObservedLane {
        int lane = -1;
        quint64 since = 0; // the connection's first row on it
    };
    QHash<ConnectionId, ObservedLane> m_observedLanes;
    qint64 m_lastRowUs = -1;
    bool m_groupBursts = false;
    std::set<quint64> m_expanded;
    QHash<quint64, Burst> m_openBursts; // by key: lanes, type and QoS
    QHash<quint64, QString> m_burstTopics; // by first sequence
    mutable QCache<quint64, QString> m_labels{20000};
    mutable QHash<FlowId, FlowId> m_hopFlows;
};

} // namespace mqs
