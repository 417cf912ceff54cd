#include "workbench.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>

namespace mqs {

Workbench::Workbench(const QString &storePath, QObject *parent)
    : QObject(parent)
{
    QString path = storePath;
    if (path.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        path = QDir(dir).filePath(QStringLiteral("sessions.db"));
    }
    m_store = std::make_unique<SqliteSessionStore>(path);
    if (!m_store->error()) {
        m_storeProblem = m_store->error().sentence() + QStringLiteral(" Sessions are kept in memory only.");
        m_store.reset();
    }
    m_flows.setRuleNamer([this](ConnectionId id, quint32 rule) -> QString {
        const FaultRuleSet *rules = nullptr;
        if (Connection *c = connectionByTraceId(id))
            rules = &c->faults();
        else if (WindowProxy *proxy = proxyOf(id))
            rules = &proxy->faults();
        else if (m_demo)
            rules = &m_demo->broker().faults(); // the sandbox broker's lanes
        const FaultRule *r = rules ? rules->rule(rule) : nullptr;
        return r ? r->name : QString();
    });
    m_trace.holdUnreadFrom(0); // nothing is dropped before the views have read it
    m_batchTimer.setInterval(33); // about 30 batches a second
    connect(&m_batchTimer, &QTimer::timeout, this, &Workbench::flush);
    m_batchTimer.start();
}

Workbench::~Workbench()
{
    m_demo.reset();
    m_owned.clear();
    m_proxyList.clear();
    for (const auto &proxy : m_ownedProxies)
        proxy->disconnect(); // stopping, they close their devices: nobody is left to be told
    m_ownedProxies.clear();
}

Connection *Workbench::addConnection(const ConnectionSettings &settings)
{
    auto connection = std::make_unique<Connection>(settings, m_trace, m_store.get());
    Connection *raw = connection.get();
    m_owned.push_back(std::move(connection));
    adopt(raw, true);
    return raw;
}

void Workbench::adopt(Connection *connection, bool)
{
    m_connectionList.push_back(connection);
    connect(connection, &Connection::messageReceived, this, [this, connection](const Delivery &d) {
        StoredMessage m;
        m.connection = connection->traceId();
        m.connectionName = connection->settings().name;
        m.message = d.message;
        m.packetId = d.packetId;
        m.timeMs = QDateTime::currentMSecsSinceEpoch();
        m_pending.push_back(std::move(m));
    });
    connect(connection, &Connection::heldPacketsChanged, this, &Workbench::heldPacketsChanged);
    connect(connection, &Connection::faultRuleActed, this, &Workbench::faultRuleActed);
    emit connectionAdded(connection);
    if (!m_current)
        setCurrent(connection);
}

void Workbench::removeConnection(Connection *connection)
{
    const auto it = std::find(m_connectionList.begin(), m_connectionList.end(), connection);
    if (it == m_connectionList.end())
        return;
    m_connectionList.erase(it);
    emit connectionRemoved(connection);
    if (m_current == connection)
        setCurrent(m_connectionList.empty() ? nullptr : m_connectionList.front());
    connection->close();
    const auto owned = std::find_if(m_owned.begin(), m_owned.end(), [connection](const auto &p) { return p.get() == connection; });
    if (owned != m_owned.end()) {
        owned->release()->deleteLater();
        m_owned.erase(owned);
    }
}

Connection *Workbench::connectionByTraceId(ConnectionId id) const
{
    for (Connection *c : m_connectionList)
        if (c->traceId() == id)
            return c;
    return nullptr;
}

void Workbench::setDecoderSetup(const DecoderSetup &setup)
{
    // A PayloadDecoders cannot forget a schema: a fresh one reads the files the setup names now.
    auto decoders = std::make_shared<PayloadDecoders>();
    m_schemaProblems = loadDecoderSetup(*decoders, setup);
    m_decoders = std::move(decoders);
    m_decoderSetup = setup;
    emit decodersChanged();
}

Status Workbench::startScriptedRun(const QString &name)
{
    if (!m_scriptedRun.isEmpty())
        return Problem{ProblemKind::State, QStringLiteral("The %1 is running.").arg(m_scriptedRun)};
    m_scriptedRun = name;
    emit scriptedRunChanged(m_scriptedRun);
    return {};
}

void Workbench::endScriptedRun()
{
    m_scriptedRun.clear();
    emit scriptedRunChanged(m_scriptedRun);
}

void Workbench::setCurrent(Connection *connection)
{
    if (m_current == connection)
        return;
    m_current = connection;
    emit currentChanged(connection);
}

Status Workbench::startDemo(int intervalMs, SandboxDemo::Options options)
{
    if (m_demo)
        return {};
    options.intervalMs = intervalMs;
    m_demo = std::make_unique<SandboxDemo>(options, m_trace);
    connect(m_demo.get(), &SandboxDemo::problem, this, &Workbench::problem);
    connect(&m_demo->broker(), &SandboxBroker::heldPacketsChanged, this, &Workbench::heldPacketsChanged);
    connect(&m_demo->broker(), &SandboxBroker::faultRuleActed, this, &Workbench::faultRuleActed);
    if (Status started = m_demo->start(); !started) {
        m_demo.reset();
        return started;
    }
    adopt(&m_demo->dashboard(), false);
    adopt(&m_demo->sensor(), false);
    setCurrent(&m_demo->dashboard());
    emit demoChanged(true);
    return {};
}

void Workbench::stopDemo()
{
    if (!m_demo)
        return;
    removeConnection(&m_demo->sensor());
    removeConnection(&m_demo->dashboard());
    m_demo.reset();
    emit heldPacketsChanged();
    emit demoChanged(false);
}

std::vector<Workbench::Held> Workbench::heldPackets() const
{
    std::vector<Held> all;
    for (Connection *c : m_connectionList)
        for (const HeldPacket &p : c->heldPackets())
            all.push_back(Held{p, c});
    if (m_demo)
        for (const HeldPacket &p : m_demo->broker().heldPackets())
            all.push_back(Held{p, nullptr});
    for (WindowProxy *proxy : m_proxyList)
        for (const HeldPacket &p : proxy->proxy().heldPackets())
            all.push_back(Held{p, nullptr, proxy});
    return all;
}

bool Workbench::release(const Held &held)
{
    if (held.connection)
        return held.connection->release(held.packet.id);
    if (held.proxy)
        return held.proxy->proxy().release(held.packet.id).ok();
    return m_demo && m_demo->broker().release(held.packet.id);
}

bool Workbench::drop(const Held &held)
{
    if (held.connection)
        return held.connection->drop(held.packet.id);
    if (held.proxy)
        return held.proxy->proxy().drop(held.packet.id).ok();
    return m_demo && m_demo->broker().drop(held.packet.id);
}

void Workbench::setTraceMemoryLimit(qint64 bytes)
{
    m_trace.setMemoryLimit(bytes);
    m_flows.update();
    emit batch();
}

void Workbench::countPackets()
{
    // Packets on the wire: a packet between an app connection and the sandbox broker is traced
    // at both ends, and counts once.
    for (quint64 s = std::max(m_countedTo, m_trace.firstSequence()); s < m_trace.endSequence(); ++s) {
        if (m_trace.kindOf(s) == TraceKind::Packet
            && (m_trace.directionOf(s) == TraceDirection::Sent || !m_trace.bothEndsTraced(m_trace.connectionOf(s))))
            ++m_packetsSeen;
    }
    m_countedTo = m_trace.endSequence();
}

void Workbench::observeSparkplug(const StoredMessage &m)
{
    const auto topic = parseSparkplugTopic(m.message.topic);
    if (!topic || topic->type == SparkplugMessageType::STATE) // STATE is JSON from a host, not a Payload
        return;
    if (const auto payload = decodeSparkplugPayload(m.message.payload))
        (void)m_sparkplug.observe(m.message.topic, *payload, m.timeMs); // kept in findings()
}

void Workbench::flush()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    countPackets();
    m_rateWindow.emplace_back(now, m_packetsSeen);
    while (m_rateWindow.size() > 2 && m_rateWindow.front().first < now - 3000) // over the last 3 s: readings every 2 s never show 0
        m_rateWindow.pop_front();
    const auto &[t0, n0] = m_rateWindow.front();
    m_packetRate = now > t0 ? double(m_packetsSeen - n0) * 1000.0 / double(now - t0) : 0;
    for (const Connection *c : m_connectionList)
        m_flows.setBacklog(c->traceId(), c->backlogPackets()); // a wait for a packet we have not read is not the peer's
    if (m_pending.empty() && m_trace.endSequence() == m_lastEnd)
        return;
    // Sparkplug state first: a chart of an NDATA sent by alias names it from an NBIRTH of the same batch.
    for (const StoredMessage &m : m_pending)
        observeSparkplug(m);
    if (!m_pending.empty())
        emit messagesArriving(m_pending);
    for (StoredMessage &m : m_pending)
        m_messages.add(std::move(m));
    m_pending.clear();
    m_lastEnd = m_trace.endSequence();
    m_flows.update();
    emit batch();
    // The flow index and the views (in batch()) have read everything so far; what arrives
    // before the next batch stays in the trace until they have read it too.
    m_trace.holdUnreadFrom(m_lastEnd);
}

} // namespace mqs
