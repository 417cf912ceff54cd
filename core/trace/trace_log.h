#pragma once
// The append-only trace every view and export reads. Events are packed into fixed-size
// records with their raw bytes in a per-chunk arena (about 36 bytes for a 4-byte PUBREC),
// so a million events fit in a few tens of MiB. A memory bound drops the oldest chunks.

#include "trace_event.h"

#include "protocol/packets.h"

#include <QElapsedTimer>
#include <QHash>

#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace mqs {

// Monotonic microseconds since the trace began; everyone appending to one log uses its clock.
class TraceClock
{
public:
    TraceClock();
    qint64 nowUs() const { return m_timer.nsecsElapsed() / 1000; }
    qint64 epochWallUs() const { return m_epochWallUs; } // wall-clock time of nowUs() == 0

private:
    QElapsedTimer m_timer;
    qint64 m_epochWallUs;
};

class TraceLog
{
public:
    static constexpr qint64 kDefaultMemoryLimit = 512LL * 1024 * 1024;
    // For a log whose readers only look at each event as it is appended (observers, such as the
    // CLI's printer): it keeps no more than the chunk being filled.
    static constexpr qint64 kKeepOnlyNewest = 0;
    using Observer = std::function<void(quint64 firstNew, quint64 lastNew)>;

    explicit TraceLog(qint64 memoryLimitBytes = kDefaultMemoryLimit);
    ~TraceLog();
    TraceLog(const TraceLog &) = delete;
    TraceLog &operator=(const TraceLog &) = delete;

    const TraceClock &clock() const { return m_clock; }

    // Connections (lanes) are registered once; ids start at 1 and are never reused.
    ConnectionId addConnection(TraceConnection connection);
    // `id` will have no more events. Its events stay; once the last of them is evicted, what the
    // lane held (names, its place among its client id's lanes) is freed, so a broker that
    // accepts connection after connection does not grow by a lane each.
    void closeConnection(ConnectionId id);
    // Closed connections whose lanes were freed, their events all evicted.
    quint64 freedConnections() const { return m_freedConnections; }
    void updateConnection(const TraceConnection &connection);
    std::optional<TraceConnection> connection(ConnectionId id) const;
    const std::vector<TraceConnection> &connections() const { return m_connections; }
    // The now that `id`'s open flows are measured against: `nowUs`, or the end of its recording
    // once that ended (TraceConnection::recordingEndUs), so a capture's waits read as it saw them.
    qint64 nowFor(ConnectionId id, qint64 nowUs) const
    {
        const qint64 end = id >= 1 && id <= m_connections.size() ? m_connections[id - 1].recordingEndUs : -1;
        return end >= 0 ? end : nowUs;
    }
    bool recordingEnded(ConnectionId id) const { return nowFor(id, -1) >= 0; }
    // Both ends of `id` are traced in this log (an app connection to the sandbox broker, and
    // the broker's side of it): each packet on it is recorded twice, once Sent and once Received.
    bool bothEndsTraced(ConnectionId id) const { return id < m_bothEndsTraced.size() && m_bothEndsTraced[id]; }

    // Appends and returns the event's sequence number. Times never go backwards: an earlier
    // time is raised to the last one.
    quint64 append(TraceEvent event);
    // Appends `packet` (its bytes `raw`) as crossing `connection` now.
    quint64 appendPacket(ConnectionId connection, TraceDirection direction, const Packet &packet, const QByteArray &raw,
                         FlowState state, TraceMark mark, quint32 ruleId);

    // Sequence numbers in the log are [firstSequence(), endSequence()).
    quint64 firstSequence() const;
    quint64 endSequence() const { return m_nextSequence; }
    quint64 size() const { return endSequence() - firstSequence(); }
    bool contains(quint64 sequence) const { return sequence >= firstSequence() && sequence < m_nextSequence; }

    // The whole event (copies its bytes); `sequence` must be contained.
    TraceEvent event(quint64 sequence) const;
    // Cheap field reads for views that paint many rows.
    qint64 timeUs(quint64 sequence) const;
    ConnectionId connectionOf(quint64 sequence) const;
    TraceKind kindOf(quint64 sequence) const;
    TraceDirection directionOf(quint64 sequence) const;
    PacketType typeOf(quint64 sequence) const;
    PacketId packetIdOf(quint64 sequence) const;
    FlowState flowStateOf(quint64 sequence) const;
    TraceMark markOf(quint64 sequence) const;
    quint32 ruleOf(quint64 sequence) const;
    QByteArrayView rawView(quint64 sequence) const; // valid until the next append or clear
    QString noteOf(quint64 sequence) const;

    // The first sequence whose time is >= timeUs (endSequence() when none).
    quint64 lowerBoundByTime(qint64 timeUs) const;

    int addObserver(Observer observer);
    void removeObserver(int id);

    qint64 memoryBytes() const { return m_memoryBytes; }
    qint64 memoryLimit() const { return m_memoryLimit; }
    void setMemoryLimit(qint64 bytes);
    // Events from `sequence` on stay, past the limit if need be, until a later call moves this
    // on: a reader that works in batches (the window) says how far it has read, so that nothing
    // is dropped before it saw it. By default nothing is held.
    void holdUnreadFrom(quint64 sequence);
    // Events dropped to stay within the memory limit (not those forgotten by clear()).
    quint64 evictedEvents() const { return m_evictedEvents; }
    // Reads of a sequence number no longer (or not yet) in the log: a view that kept one past
    // its eviction. They answer an empty Note instead of touching freed memory.
    quint64 staleReads() const { return m_staleReads; }
    // Forgets every event; connections stay registered, sequence numbers keep counting.
    void clear();

private:
    struct Record;
    struct Chunk;

    const Record &record(quint64 sequence) const;
    const Chunk &chunkOf(quint64 sequence) const;
    void evict();
    void pairConnection(const TraceConnection &connection);
    void unpairConnection(const TraceConnection &connection);
    void freeClosedConnections();
    static qint64 chunkMemory(const Chunk &chunk);

    TraceClock m_clock;
    qint64 m_memoryLimit;
    qint64 m_memoryBytes = 0;
    std::deque<std::unique_ptr<Chunk>> m_chunks;
    mutable std::size_t m_chunkHint = 0; // the chunk of the last read
    mutable quint64 m_staleReads = 0;
    quint64 m_evictedEvents = 0;
    quint64 m_holdFrom = std::numeric_limits<quint64>::max();
    quint64 m_nextSequence = 0;
    qint64 m_lastTimeUs = 0;
    QHash<quint64, QString> m_notes;
    std::vector<TraceConnection> m_connections;
    std::vector<bool> m_bothEndsTraced; // by connection id, kept by pairConnection()
    struct LanesOfClient {
        std::vector<ConnectionId> lanes;
        quint8 roles = 0; // a bit per ConnectionRole among `lanes`
    };
    QHash<QString, LanesOfClient> m_lanesByClientId; // so pairing a lane costs O(1), not O(lanes)
    // Closed connections in the order they closed, with the end of their events.
    std::deque<std::pair<ConnectionId, quint64>> m_closed;
    quint64 m_freedConnections = 0;
    std::vector<std::pair<int, Observer>> m_observers;
    int m_nextObserver = 1;
};

} // namespace mqs
