#include "trace_log.h"

#include <QDateTime>

#include <algorithm>

namespace mqs {

namespace {
constexpr quint64 kChunkRecords = 16384;
constexpr qsizetype kChunkArenaReserve = 64 * 1024;
// A chunk also ends when its raw bytes pass this, so that a few megabyte payloads make chunks of
// their own that eviction can drop, rather than one chunk that outgrows the memory limit.
constexpr qsizetype kChunkArenaMax = 4 * 1024 * 1024;
} // namespace

// 32 bytes per event; the raw bytes live in the chunk's arena.
struct TraceLog::Record {
    qint64 timeUs;
    quint32 connection;
    quint32 rawOffset;
    quint32 rawLength;
    quint32 ruleId;
    quint16 packetId;
    quint8 kind;
    quint8 directionAndType; // bit 7: direction, bits 0-3: packet type
    quint8 flowState;
    quint8 mark;
    quint8 padding[2];
};

struct TraceLog::Chunk {
    quint64 firstSequence = 0;
    std::vector<Record> records;
    QByteArray arena;
};

TraceClock::TraceClock()
    : m_epochWallUs(QDateTime::currentMSecsSinceEpoch() * 1000)
{
    m_timer.start();
}

TraceLog::TraceLog(qint64 memoryLimitBytes)
    : m_memoryLimit(memoryLimitBytes)
{
}

TraceLog::~TraceLog() = default;

ConnectionId TraceLog::addConnection(TraceConnection connection)
{
    connection.id = ConnectionId(m_connections.size() + 1);
    m_connections.push_back(std::move(connection));
    m_bothEndsTraced.resize(m_connections.size() + 1, false); // index 0 is no connection
    pairConnection(m_connections.back());
    return m_connections.back().id;
}

void TraceLog::updateConnection(const TraceConnection &connection)
{
    if (connection.id >= 1 && connection.id <= m_connections.size()) {
        TraceConnection &known = m_connections[connection.id - 1];
        const bool regroup = known.clientId != connection.clientId || known.role != connection.role;
        if (regroup)
            unpairConnection(known);
        known = connection;
        if (regroup)
            pairConnection(known); // a client id may have become known
    }
}

namespace {
quint8 roleBit(ConnectionRole role) { return quint8(1u << quint8(role)); }
// A client connection and a broker-side one: the two ends of one connection.
constexpr quint8 kBothEnds = (1u << quint8(ConnectionRole::Client)) | (1u << quint8(ConnectionRole::BrokerSide));
} // namespace

// A client connection and a broker-side one with the same client id are the two ends of one
// connection. Lanes are grouped by client id, so registering one costs O(1) however many there
// were before (the sandbox broker adds one per accepted connection).
void TraceLog::pairConnection(const TraceConnection &connection)
{
    if (connection.clientId.isEmpty())
        return;
    LanesOfClient &group = m_lanesByClientId[connection.clientId];
    const bool wasPaired = group.roles == kBothEnds;
    group.lanes.push_back(connection.id);
    group.roles |= roleBit(connection.role);
    if (group.roles != kBothEnds)
        return;
    if (wasPaired)
        m_bothEndsTraced[connection.id] = true;
    else
        for (ConnectionId id : group.lanes)
            m_bothEndsTraced[id] = true;
}

// The lane leaves its client id's group (its client id or role changed): rare, O(group).
void TraceLog::unpairConnection(const TraceConnection &connection)
{
    const auto group = m_lanesByClientId.find(connection.clientId);
    if (connection.clientId.isEmpty() || group == m_lanesByClientId.end())
        return;
    std::erase(group->lanes, connection.id);
    m_bothEndsTraced[connection.id] = false;
    group->roles = 0;
    for (ConnectionId id : group->lanes)
        group->roles |= roleBit(m_connections[id - 1].role);
    for (ConnectionId id : group->lanes)
        m_bothEndsTraced[id] = group->roles == kBothEnds;
    if (group->lanes.empty())
        m_lanesByClientId.erase(group);
}

void TraceLog::closeConnection(ConnectionId id)
{
    if (id >= 1 && id <= m_connections.size())
        m_closed.emplace_back(id, m_nextSequence);
    freeClosedConnections();
}

// A freed lane keeps its id and role (nothing refers to it any more, but ids index the vector);
// its strings go, and it leaves its client id's group. The group keeps its roles, so lanes still
// in the trace stay paired.
void TraceLog::freeClosedConnections()
{
    while (!m_closed.empty() && m_closed.front().second <= firstSequence()) {
        TraceConnection &lane = m_connections[m_closed.front().first - 1];
        m_closed.pop_front();
        const auto group = m_lanesByClientId.find(lane.clientId);
        if (!lane.clientId.isEmpty() && group != m_lanesByClientId.end()) {
            std::erase(group->lanes, lane.id);
            if (group->lanes.empty())
                m_lanesByClientId.erase(group);
        }
        lane = TraceConnection{.id = lane.id, .role = lane.role, .version = lane.version};
        ++m_freedConnections;
    }
}

std::optional<TraceConnection> TraceLog::connection(ConnectionId id) const
{
    if (id >= 1 && id <= m_connections.size())
        return m_connections[id - 1];
    return std::nullopt;
}

qint64 TraceLog::chunkMemory(const Chunk &chunk)
{
    return qint64(chunk.records.capacity() * sizeof(Record)) + chunk.arena.capacity() + qint64(sizeof(Chunk));
}

quint64 TraceLog::appendPacket(ConnectionId connection, TraceDirection direction, const Packet &packet,
                               const QByteArray &raw, FlowState state, TraceMark mark, quint32 ruleId)
{
    TraceEvent e;
    e.timeUs = m_clock.nowUs();
    e.connection = connection;
    e.kind = TraceKind::Packet;
    e.direction = direction;
    e.type = packetType(packet);
    e.packetId = mqs::packetIdOf(packet).value_or(PacketId()); // not the member of the same name
    e.flowState = state;
    e.mark = mark;
    e.ruleId = ruleId;
    e.raw = raw;
    return append(std::move(e));
}

quint64 TraceLog::append(TraceEvent event)
{
    static_assert(sizeof(Record) == 32, "a trace record is 32 bytes");
    if (m_chunks.empty() || m_chunks.back()->records.size() >= kChunkRecords
        || m_chunks.back()->arena.size() + event.raw.size() > kChunkArenaMax) {
        auto chunk = std::make_unique<Chunk>();
        chunk->firstSequence = m_nextSequence;
        chunk->records.reserve(kChunkRecords);
        chunk->arena.reserve(kChunkArenaReserve);
        m_memoryBytes += chunkMemory(*chunk);
        m_chunks.push_back(std::move(chunk));
    }
    Chunk &chunk = *m_chunks.back();
    const qint64 before = chunkMemory(chunk);
    m_lastTimeUs = std::max(m_lastTimeUs, event.timeUs);
    Record r{};
    r.timeUs = m_lastTimeUs;
    r.connection = event.connection;
    r.rawOffset = quint32(chunk.arena.size());
    r.rawLength = quint32(event.raw.size());
    r.ruleId = event.ruleId;
    r.packetId = event.packetId.value;
    r.kind = quint8(event.kind);
    r.directionAndType = quint8((event.direction == TraceDirection::Received ? 0x80 : 0) | (quint8(event.type) & 0x0F));
    r.flowState = quint8(event.flowState);
    r.mark = quint8(event.mark);
    chunk.arena.append(event.raw);
    chunk.records.push_back(r);
    m_memoryBytes += chunkMemory(chunk) - before;
    const quint64 sequence = m_nextSequence++;
    if (!event.note.isEmpty()) {
        m_memoryBytes += event.note.size() * 2 + 32;
        m_notes.insert(sequence, std::move(event.note));
    }
    evict();
    for (const auto &[id, observer] : m_observers)
        observer(sequence, sequence);
    return sequence;
}

void TraceLog::evict()
{
    while (m_memoryBytes > m_memoryLimit && m_chunks.size() > 1
           && m_chunks.front()->firstSequence + m_chunks.front()->records.size() <= m_holdFrom) {
        const Chunk &oldest = *m_chunks.front();
        for (quint64 s = oldest.firstSequence; s < oldest.firstSequence + oldest.records.size(); ++s) {
            const auto note = m_notes.constFind(s);
            if (note != m_notes.constEnd()) {
                m_memoryBytes -= note->size() * 2 + 32;
                m_notes.erase(note);
            }
        }
        m_memoryBytes -= chunkMemory(oldest);
        m_evictedEvents += oldest.records.size();
        m_chunks.pop_front();
        m_chunkHint = 0;
    }
    freeClosedConnections();
}

void TraceLog::setMemoryLimit(qint64 bytes)
{
    m_memoryLimit = bytes;
    evict();
}

void TraceLog::holdUnreadFrom(quint64 sequence)
{
    m_holdFrom = sequence;
    evict();
}

void TraceLog::clear()
{
    m_chunks.clear();
    m_chunkHint = 0;
    m_notes.clear();
    m_memoryBytes = 0;
    freeClosedConnections();
}

quint64 TraceLog::firstSequence() const
{
    return m_chunks.empty() ? m_nextSequence : m_chunks.front()->firstSequence;
}

const TraceLog::Chunk &TraceLog::chunkOf(quint64 sequence) const
{
    // Readers mostly walk forward: try the chunk of the last read before searching. Chunks hold
    // different numbers of records (a chunk of large payloads ends early), so search by sequence.
    if (m_chunkHint < m_chunks.size()) {
        const Chunk &hinted = *m_chunks[m_chunkHint];
        if (sequence >= hinted.firstSequence && sequence < hinted.firstSequence + hinted.records.size())
            return hinted;
    }
    const auto after = std::upper_bound(m_chunks.begin(), m_chunks.end(), sequence,
                                        [](quint64 s, const std::unique_ptr<Chunk> &c) { return s < c->firstSequence; });
    m_chunkHint = std::size_t(after - m_chunks.begin()) - 1;
    return *m_chunks[m_chunkHint];
}

const TraceLog::Record &TraceLog::record(quint64 sequence) const
{
    if (!contains(sequence)) {
        // A view kept a sequence number past its eviction. Answer with an empty note instead of
        // reading freed memory, and count it: tests hold this at zero.
        static const Record kGone{.timeUs = 0, .connection = 0, .rawOffset = 0, .rawLength = 0, .ruleId = 0,
                                  .packetId = 0, .kind = quint8(TraceKind::Note), .directionAndType = 0,
                                  .flowState = 0, .mark = 0, .padding = {}};
        ++m_staleReads;
        return kGone;
    }
    const Chunk &chunk = chunkOf(sequence);
    return chunk.records[std::size_t(sequence - chunk.firstSequence)];
}

TraceEvent TraceLog::event(quint64 sequence) const
{
    const Record &r = record(sequence);
    TraceEvent e;
    e.sequence = sequence;
    e.timeUs = r.timeUs;
    e.connection = r.connection;
    e.kind = TraceKind(r.kind);
    e.direction = (r.directionAndType & 0x80) ? TraceDirection::Received : TraceDirection::Sent;
    e.type = PacketType(r.directionAndType & 0x0F);
    e.packetId = PacketId(r.packetId);
    e.flowState = FlowState(r.flowState);
    e.mark = TraceMark(r.mark);
    e.ruleId = r.ruleId;
    e.raw = rawView(sequence).toByteArray();
    e.note = noteOf(sequence);
    return e;
}

qint64 TraceLog::timeUs(quint64 sequence) const { return record(sequence).timeUs; }
ConnectionId TraceLog::connectionOf(quint64 sequence) const { return record(sequence).connection; }
TraceKind TraceLog::kindOf(quint64 sequence) const { return TraceKind(record(sequence).kind); }
TraceDirection TraceLog::directionOf(quint64 sequence) const
{
    return (record(sequence).directionAndType & 0x80) ? TraceDirection::Received : TraceDirection::Sent;
}
PacketType TraceLog::typeOf(quint64 sequence) const { return PacketType(record(sequence).directionAndType & 0x0F); }
PacketId TraceLog::packetIdOf(quint64 sequence) const { return PacketId(record(sequence).packetId); }
FlowState TraceLog::flowStateOf(quint64 sequence) const { return FlowState(record(sequence).flowState); }
TraceMark TraceLog::markOf(quint64 sequence) const { return TraceMark(record(sequence).mark); }
quint32 TraceLog::ruleOf(quint64 sequence) const { return record(sequence).ruleId; }

QByteArrayView TraceLog::rawView(quint64 sequence) const
{
    if (!contains(sequence)) {
        ++m_staleReads;
        return {};
    }
    const Chunk &chunk = chunkOf(sequence);
    const Record &r = chunk.records[std::size_t(sequence - chunk.firstSequence)];
    return QByteArrayView(chunk.arena.constData() + r.rawOffset, r.rawLength);
}

QString TraceLog::noteOf(quint64 sequence) const
{
    return m_notes.value(sequence);
}

quint64 TraceLog::lowerBoundByTime(qint64 time) const
{
    quint64 lo = firstSequence();
    quint64 hi = m_nextSequence;
    while (lo < hi) {
        const quint64 mid = lo + (hi - lo) / 2;
        if (timeUs(mid) < time)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int TraceLog::addObserver(Observer observer)
{
    const int id = m_nextObserver++;
    m_observers.emplace_back(id, std::move(observer));
    return id;
}

void TraceLog::removeObserver(int id)
{
    std::erase_if(m_observers, [id](const auto &entry) { return entry.first == id; });
}

} // namespace mqs
