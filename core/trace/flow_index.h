#pragma once
// The flows of a trace, per message id: every QoS 1 and 2 handshake as one record, keyed by
// (connection, direction, packet id, generation), with the time of each step, resends, what
// holds it, the peer's violations, and a sentence saying what it waits for. Built incrementally
// from the TraceLog, so the inspector and the diagram read the same truth.

#include "trace_log.h"

#include "protocol/reason_code.h"
#include "session/flow.h"

#include <QHash>

#include <deque>
#include <functional>
#include <optional>
#include <vector>

namespace mqs {

struct FlowKey {
    ConnectionId connection = 0;
    Direction direction = Direction::Outbound; // from the recording connection's side
    PacketId packetId{};
    int generation = 0; // the same id used again later is a new flow
    bool operator==(const FlowKey &) const = default;
};

// Names a flow for as long as the index keeps it: flows are numbered in the order they began.
using FlowId = quint32;

// Which hop of an application message a flow carries: publisher to broker, or broker to a
// subscriber. A hop traced at both ends (the sandbox broker's) gives two flows of one hop.
enum class FlowHop : quint8 { ToBroker, FromBroker };

struct FlowRecord {
    FlowId id = 0;
    FlowKey key{};
    QString topic{};
    QoS qos = QoS::AtLeastOnce;
    FlowState state = FlowState::None;
    std::vector<quint64> events{}; // the packets of this flow still in the trace, in order (sequence numbers)
    qint64 publishUs = -1; // first PUBLISH
    qint64 ackUs = -1; // PUBACK or PUBREC
    qint64 pubRelUs = -1; // first PUBREL
    qint64 completeUs = -1; // PUBCOMP (or PUBACK for QoS 1)
    qint64 lastStepUs = 0;
    int resends = 0; // PUBLISH with DUP = 1, and PUBREL sent again
    std::optional<quint64> heldEvent{}; // a packet of it held by a fault rule and not released yet
    PacketType heldType = PacketType::Publish; // that packet's type and rule, kept past the
    quint32 heldRule = 0; // event's eviction from the trace
    bool heldSent = false;
    qint64 heldUs = -1;
    std::vector<QString> violations{}; // what the peer did wrong in this flow
    // On an observed connection, findings a fault rule of the proxy may have caused: named, not
    // held against either side.
    std::vector<QString> ruleEffects{};
    ReasonCode reason = ReasonCode::Success;
    FlowHop hop = FlowHop::ToBroker;
    size_t content = 0; // hash of its PUBLISH's topic and payload: what links the hops of a message
    quint32 message = 0; // the application message it carries one hop of; 0 when not known
    bool observed = false; // on a connection the app does not own (ConnectionRole::Observed)

    bool isOpen() const { return !isFinished(state) && state != FlowState::None; }
};

class FlowIndex
{
public:
    explicit FlowIndex(const TraceLog &log) : m_log(log) {}

    // Reads the events appended since the last call. Cheap when nothing is new. A finished flow
    // whose packets have all been evicted from the trace is forgotten; open flows stay.
    void update();

    // The flows kept, in the order they began (by id); a row is a position in this list.
    const std::deque<FlowRecord> &flows() const { return m_flows; }
    // Null once the flow is forgotten.
    const FlowRecord *find(FlowId id) const;
    const FlowRecord &at(FlowId id) const { return *find(id); }
    std::optional<std::size_t> rowOf(FlowId id) const;
    // Rows forgotten by update(), as runs (first row, count) to be removed in order: each run's
    // rows are numbered as they were after the runs before it were removed. A reader keeps a
    // cursor (start at 0) and gets the runs since it; nothing when it fell too far behind (the
    // journal keeps the last kForgottenJournal runs) and must start again from flows().
    using RowRun = std::pair<std::size_t, std::size_t>;
    std::optional<std::vector<RowRun>> forgottenRowsSince(quint64 &cursor) const;
    quint64 forgottenFlows() const { return m_forgottenCount; }

    // The flow a trace event belongs to, if any.
    std::optional<FlowId> flowOf(quint64 sequence) const;
    const FlowRecord *flow(const FlowKey &key) const;

    // The now `flow`'s waits are measured against: `nowUs`, or its recording's end (a capture).
    qint64 nowFor(const FlowRecord &flow, qint64 nowUs) const { return m_log.nowFor(flow.key.connection, nowUs); }
    // Open and waiting longer than `thresholdUs` for its next step (at trace time `nowUs`).
    static bool isStalled(const FlowRecord &flow, qint64 nowUs, qint64 thresholdUs);
    // The state as a word that names what blocks the flow: "PUBREL held (ours)" rather than
    // AwaitingPubComp while a fault rule holds our own PUBREL.
    static QString stateText(const FlowRecord &flow);
    // The other flows of the same application message, by topic, payload and order: the other end
    // of its hop (when both are traced) and the hops before or after the broker.
    std::vector<FlowId> hopsOf(FlowId flow) const;

    // What the flow waits for, e.g. "PUBREC received 8.2 s ago; PUBREL held by rule 'stall at
    // PUBREL' — release?"
    QString sentence(const FlowRecord &flow, qint64 nowUs) const;

    // How many packets the connection's peer sent that we have not read yet (Connection::
    // backlogPackets()); the owner sets it as often as it paints.
    void setBacklog(ConnectionId connection, int packets);
    int backlog(ConnectionId connection) const { return m_backlog.value(connection); }
    // The next step is the peer's packet (not ours, nor one a fault rule holds).
    static bool waitsForPeer(const FlowRecord &flow);
    // isStalled(), but a wait for the peer does not count while we are behind: its packet may be
    // among those we have not read.
    bool isStalledBeyondBacklog(const FlowRecord &flow, qint64 nowUs, qint64 thresholdUs) const;

    // The peer's violation committed by this packet (traced right after it), or empty.
    QString violationAt(quint64 sequence) const;

    // Per connection: the ids in flight each way, for the quota view.
    std::vector<PacketId> inFlight(ConnectionId connection, Direction direction) const;

private:
    struct OpenKey {
        ConnectionId connection;
        Direction direction;
        quint16 id;
        bool operator==(const OpenKey &) const = default;
    };
    friend size_t qHash(const OpenKey &k, size_t seed) { return qHashMulti(seed, k.connection, int(k.direction), k.id); }

    void addPacket(quint64 sequence);
    FlowRecord &flowOfPacket(quint64 sequence, PacketType type, const OpenKey &key, bool sent);
    FlowRecord &startFlow(quint64 sequence, const OpenKey &key, bool sent, int generation);
    void applyStep(FlowRecord &flow, quint64 sequence, PacketType type, bool sent);
    static void recordStepTime(FlowRecord &flow, PacketType type, qint64 timeUs, bool dup);
    void linkHop(FlowRecord &flow, const QByteArray &payload, bool sent);
    QString sharedTopic(const QString &topic);
    void forgetFlow(const FlowRecord &flow);
    QString openSentence(const FlowRecord &flow, qint64 nowUs) const;
    QString lastStepText(const FlowRecord &flow, qint64 nowUs) const;
    QString heldText(const FlowRecord &flow, qint64 nowUs) const;
    static QString finishedSentence(const FlowRecord &flow);
    void addNote(quint64 sequence);
    void followEviction();
    void forgetEvicted();
    FlowRecord *findMutable(FlowId id) { return const_cast<FlowRecord *>(find(id)); }

    const TraceLog &m_log;
    quint64 m_next = 0;
    quint64 m_evictedUpTo = 0; // the trace's first sequence when flows were last forgotten
    // Deques: growing never moves what is there, so a batch never stalls on a reallocation.
    std::deque<FlowRecord> m_flows; // by id, ascending
    FlowId m_nextId = 0;
    static constexpr std::size_t kForgottenJournal = 4096;
    std::deque<RowRun> m_forgottenRows; // the newest runs, the last of them number m_forgottenRunsEnd - 1
    quint64 m_forgottenRunsEnd = 0;
    quint64 m_forgottenCount = 0;
    struct Latest {
        FlowId flow = 0;
        int generation = 0;
    };
    QHash<OpenKey, Latest> m_latest; // the newest flow per (connection, direction, id)
    std::deque<quint32> m_flowOfEvent; // by sequence - m_flowOfEventBase: flow id + 1, or 0
    quint64 m_flowOfEventBase = 0;
    QHash<quint64, QString> m_violationOfEvent;
    static constexpr qsizetype kSharedTopics = 4096; // topics remembered for sharing; past it, start again
    QHash<QString, QString> m_topics;
    // Hop linking: the newest publisher-to-broker flow per content, and the flows per message.
    struct ToBroker {
        quint32 message = 0;
        FlowId flow = 0;
        quint16 packetId = 0;
        bool sent = false; // traced by the sending end (false: by the broker's end)
        bool bothEnds = false; // the other end of this hop joined the message already
    };
    QHash<size_t, ToBroker> m_toBroker;
    QHash<quint32, std::vector<FlowId>> m_messageFlows; // only messages with two flows or more
    quint32 m_lastMessage = 0;
    QHash<ConnectionId, quint64> m_lastReceived;
    QHash<ConnectionId, quint64> m_lastPacket; // either way
    QHash<ConnectionId, int> m_backlog;
    std::function<QString(ConnectionId, quint32)> m_ruleNamer;

public:
    // Names fault rules in sentences (rule ids belong to the connection that holds the packet).
    void setRuleNamer(std::function<QString(ConnectionId, quint32)> namer) { m_ruleNamer = std::move(namer); }
};

} // namespace mqs
