#include "sandbox_broker.h"
#include "sandbox_broker_client.h"

#include "edge/apply_step.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"
#include "store/memory_session_store.h"
#include "store/sqlite_session_store.h"

#include <QDateTime>
#include <QFile>

#include <set>

namespace mqs {


SandboxBroker::SandboxBroker(Options options, TraceLog *trace, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_trace(trace)
    , m_core(m_options.core)
{
    m_clock.start();
    m_clockBase = QDateTime::currentMSecsSinceEpoch();
    m_tick.setSingleShot(true);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        apply(m_core.tick(now()));
        scheduleTick();
    });
    connect(&m_server, &TransportServer::accepted, this, &SandboxBroker::onAccepted);
    m_connectDeadline.setSingleShot(true);
    connect(&m_connectDeadline, &QTimer::timeout, this, &SandboxBroker::onConnectDeadlines);
    if (m_trace) {
        TraceConnection lane;
        lane.role = ConnectionRole::BrokerSide;
        lane.name = QStringLiteral("sandbox broker");
        lane.localParty = QStringLiteral("sandbox broker");
        lane.remoteParty = QStringLiteral("sandbox broker");
        m_brokerNotes = m_trace->addConnection(lane);
    }
}

SandboxBroker::~SandboxBroker()
{
    for (auto &[handle, client] : m_clients)
        if (client->transport) {
            client->transport->disconnect(this);
            client->transport->abort();
        }
}

Millis SandboxBroker::now() const
{
    return Millis(m_clockBase + m_clock.elapsed());
}

Status SandboxBroker::openStore()
{
    if (m_options.storePath.isEmpty()) {
        if (!m_store)
            m_store = wrapped(std::make_unique<MemorySessionStore>());
        return {};
    }
    auto store = std::make_unique<SqliteSessionStore>(m_options.storePath);
    if (!store->error())
        return store->error();
    m_store = wrapped(std::move(store));
    return {};
}

std::unique_ptr<SessionStore> SandboxBroker::wrapped(std::unique_ptr<SessionStore> store) const
{
    return m_options.wrapStore ? m_options.wrapStore(std::move(store)) : std::move(store);
}

Status SandboxBroker::start()
{
    if (Status opened = openStore(); !opened)
        return opened;
    if (Status restored = m_core.restore(*m_store, now()); !restored)
        return restored;
    if (Status listening = m_server.listen(m_port ? m_port : m_options.port); !listening)
        return listening;
    m_port = m_server.port();
    if (m_options.webSocketPort)
        if (Status listening = m_server.listenWebSocket(*m_options.webSocketPort); !listening)
            return listening;
    traceNote(nullptr, TraceKind::Note,
              QStringLiteral("Sandbox broker listening on 127.0.0.1:%1%2 (sessions %3).")
                  .arg(m_port)
                  .arg(m_options.webSocketPort ? QStringLiteral(", WebSocket on %1").arg(webSocketPort()) : QString())
                  .arg(m_store->location()));
    scheduleTick();
    return {};
}

void SandboxBroker::stop(bool graceful)
{
    m_server.stop();
    m_tick.stop();
    m_connectDeadline.stop();
    m_connectDeadlines.clear();
    auto clients = std::move(m_clients);
    m_clients.clear();
    for (auto &[handle, client] : clients) {
        if (!m_gate.discard(handle).empty())
            emit heldPacketsChanged();
        if (!client->transport)
            continue;
        client->transport->disconnect(this);
        if (graceful && m_core.client(handle) && m_core.client(handle)->version == ProtocolVersion::V5)
            client->transport->write(encode(Disconnect{ReasonCode::ServerShuttingDown, {}}, ProtocolVersion::V5));
        if (graceful)
            client->transport->close();
        else
            client->transport->abort();
        traceNote(client.get(), graceful ? TraceKind::Closed : TraceKind::Cut,
                  graceful ? QStringLiteral("the sandbox broker stopped") : QStringLiteral("the sandbox broker went down"));
        client->transport->deleteLater();
    }
}

Status SandboxBroker::restart(bool keepState)
{
    stop(false);
    if (!keepState) {
        m_core.clear();
        if (m_options.storePath.isEmpty()) {
            m_store = wrapped(std::make_unique<MemorySessionStore>());
        } else {
            m_store.reset();
            for (const char *suffix : {"", "-wal", "-shm"})
                QFile::remove(m_options.storePath + QLatin1String(suffix));
        }
    }
    traceNote(nullptr, TraceKind::Note,
              keepState ? QStringLiteral("Sandbox broker restarting with its session state.")
                        : QStringLiteral("Sandbox broker restarting without any state: every session, queued message and "
                                         "unfinished flow is gone."));
    return start();
}

std::vector<BrokerClientInfo> SandboxBroker::clients() const
{
    std::vector<BrokerClientInfo> list;
    for (const auto &[handle, client] : m_clients)
        if (auto info = m_core.client(handle))
            list.push_back(*info);
    return list;
}

void SandboxBroker::onAccepted(Transport *transport)
{
    auto client = std::make_unique<Client>();
    client->handle = m_nextHandle++;
    client->transport = transport;
    client->peer = transport->peerDescription();
    const quint32 maximumPacketSize = m_options.core.maximumPacketSize;
    client->decoder.setMaximumPacketSize(maximumPacketSize ? maximumPacketSize : kMaximumPossiblePacketSize);
    transport->setParent(this);
    const ClientHandle handle = client->handle;
    // One timer for all: a timer per connection would cost O(connections) to stop (Qt keeps
    // timers in a list), and deadlines come due in the order connections were accepted.
    m_connectDeadlines.push_back({now() + Millis(m_options.connectTimeoutMs), handle});
    if (!m_connectDeadline.isActive())
        m_connectDeadline.start(m_options.connectTimeoutMs);
    connect(transport, &Transport::received, this, [this, handle](const QByteArray &bytes) { onReceived(handle, bytes); });
    connect(transport, &Transport::closed, this, [this, handle](const TransportClosed &closed) { onClosed(handle, closed); });
    if (m_trace) {
        TraceConnection lane;
        lane.role = ConnectionRole::BrokerSide;
        lane.name = QStringLiteral("broker ⇄ %1").arg(client->peer);
        lane.localParty = QStringLiteral("sandbox broker");
        lane.remoteParty = client->peer;
        client->traceId = m_trace->addConnection(lane);
    }
    traceNote(client.get(), TraceKind::Opened, client->peer);
    m_clients.emplace(handle, std::move(client));
}

void SandboxBroker::traceConnect(Client &client, const Connect &connect)
{
    client.clientId = connect.clientId;
    if (!m_trace)
        return;
    if (auto lane = m_trace->connection(client.traceId)) {
        lane->clientId = connect.clientId;
        lane->remoteParty = connect.clientId.isEmpty() ? client.peer : connect.clientId;
        lane->name = QStringLiteral("broker ⇄ %1").arg(lane->remoteParty);
        lane->version = connect.version;
        m_trace->updateConnection(*lane);
    }
}

void SandboxBroker::onReceived(ClientHandle handle, const QByteArray &bytes)
{
    const auto it = m_clients.find(handle);
    if (it == m_clients.end())
        return;
    Client &client = *it->second;
    if (m_core.isClosing(handle))
        return; // decided to close: the rest of what it sends is not read
    client.decoder.feed(bytes);
    while (m_clients.count(handle) && client.transport && client.transport->isOpen() && !m_core.isClosing(handle)) {
        auto result = client.decoder.next();
        if (std::holds_alternative<NeedMoreBytes>(result))
            return;
        if (const auto *error = std::get_if<ProtocolError>(&result)) {
            traceNote(&client, TraceKind::Violation,
                      QStringLiteral("Client '%1' sent bytes that are not valid MQTT: %2").arg(client.clientId, error->toString()));
            apply(m_core.protocolError(handle, *error, now()));
            return;
        }
        const DecodedPacket &decoded = std::get<DecodedPacket>(result);
        if (const auto *c = std::get_if<Connect>(&decoded.packet); c && client.clientId.isEmpty())
            traceConnect(client, *c);
        const auto *publish = std::get_if<Publish>(&decoded.packet);
        pass(HeldPacket::of(handle, TraceDirection::Received, decoded.packet, decoded.raw,
                            publish ? publish->topic : QString(), client.clientId));
    }
}

FlowState SandboxBroker::flowStateOf(const Client &client, PacketType type, PacketId id, bool sent) const
{
    if (!belongsToFlow(type))
        return FlowState::None;
    const Session *session = m_core.session(client.clientId);
    return session ? session->flowState(flowDirectionOf(type, sent), id) : FlowState::None;
}

void SandboxBroker::process(ClientHandle handle, const Packet &packet, const QByteArray &raw, TraceMark mark, quint32 ruleId)
{
    BrokerStep step = m_core.received(handle, packet, now());
    const auto it = m_clients.find(handle);
    if (it != m_clients.end()) {
        Client &client = *it->second;
        if (const auto info = m_core.client(handle); info && client.clientId != info->clientId) {
            client.clientId = info->clientId; // assigned by the broker
            Connect named;
            named.clientId = info->clientId;
            named.version = info->version;
            traceConnect(client, named);
        }
        FlowState state = FlowState::None;
        const PacketType type = packetType(packet);
        if (belongsToFlow(type)) {
            const Direction direction = flowDirectionOf(type, false);
            const PacketId id = packetIdOf(packet).value_or(PacketId());
            state = flowStateOf(client, type, id, false);
            for (const ClientOutput &co : step.clients)
                if (co.client == handle)
                    state = stateAfter(co.output, direction, id, state);
        }
        tracePacket(client, TraceDirection::Received, packet, raw, state, mark, ruleId);
    }
    apply(std::move(step));
}

// What a committed step does to one client's connection (see core/edge/apply_step.h). Looks
// its client up at each use: a close may remove it while the step is carried out.
class SandboxBroker::Target final : public StepTarget
{
public:
    Target(SandboxBroker &broker, ClientHandle handle) : m_broker(broker), m_handle(handle) {}
    FlowState currentFlowState(Direction direction, PacketId id) const override
    {
        const Client *c = m_broker.clientOf(m_handle);
        const Session *session = c ? m_broker.m_core.session(c->clientId) : nullptr;
        return session ? session->flowState(direction, id) : FlowState::None;
    }
    void send(const Packet &packet, FlowState flowState) override
    {
        Client *c = m_broker.clientOf(m_handle);
        if (!c)
            return;
        m_broker.send(*c, packet, flowState);
        if (const auto *ack = std::get_if<ConnAck>(&packet); ack && !isFailure(ack->reason))
            emit m_broker.clientConnected(c->clientId);
    }
    void deliver(const Delivery &) override {} // BrokerCore routed it to the subscribers' sessions
    void report(const SessionOutput &output) override
    {
        const Client *c = m_broker.clientOf(m_handle);
        for (const SessionEvent &event : output.events)
            if (const auto *violation = std::get_if<PeerViolation>(&event))
                m_broker.traceNote(c, TraceKind::Violation, violation->message);
    }
    void close() override
    {
        if (Client *c = m_broker.clientOf(m_handle); c && c->transport)
            c->transport->close();
    }

private:
    SandboxBroker &m_broker;
    ClientHandle m_handle;
};

SandboxBroker::Client *SandboxBroker::clientOf(ClientHandle handle) const
{
    const auto it = m_clients.find(handle);
    return it == m_clients.end() ? nullptr : it->second.get();
}

void SandboxBroker::apply(BrokerStep step)
{
    for (const QString &text : step.notes) {
        traceNote(nullptr, TraceKind::Note, text);
        emit note(text);
    }
    // Write-ahead, one transaction for the whole step: a publisher's flow and its subscribers'
    // queued copies are kept together or not at all, before PUBREC (method B) or PUBCOMP
    // (method A) tells the publisher the message is safe.
    StoreBatch batch = std::move(step.store);
    for (ClientOutput &co : step.clients)
        if (!co.output.store.empty())
            batch.push_back(SessionChanges{co.key, std::move(co.output.store)});
    std::vector<std::unique_ptr<Target>> targets;
    std::vector<StepPart> parts;
    for (const ClientOutput &co : step.clients) {
        Target *target = nullptr;
        if (co.client != 0 && m_clients.count(co.client)) // else offline: its messages wait in its session
            target = targets.emplace_back(std::make_unique<Target>(*this, co.client)).get();
        parts.push_back(StepPart{target, &co.output});
    }
    if (Status applied = applyStep(m_store.get(), batch, parts); !applied)
        storeFailed(applied.problem(), step, batch);
    scheduleTick();
}

// Nothing of the step went out. The sessions it changed are read back from the store (which
// holds what was acknowledged), and every connection it would have sent to closes, so each
// client resends what it has not seen acknowledged.
void SandboxBroker::storeFailed(const Problem &error, const BrokerStep &step, const StoreBatch &batch)
{
    const QString text = error.sentence
                         + QStringLiteral(" Nothing of this step was sent: the connections it concerned are closed "
                                          "(5.0: DISCONNECT 0x80) so that their clients send it again.");
    traceNote(nullptr, TraceKind::Note, text);
    emit note(text);
    std::vector<QString> touched;
    auto touch = [&](const SessionKey &key) {
        if (!key.clientId.isEmpty() && std::find(touched.begin(), touched.end(), key.clientId) == touched.end())
            touched.push_back(key.clientId);
    };
    for (const SessionChanges &changes : batch)
        touch(changes.key);
    for (const ClientOutput &co : step.clients)
        touch(co.key);
    std::vector<std::pair<ClientHandle, bool>> closing; // handle, whether its CONNACK went out before
    for (const ClientOutput &co : step.clients) {
        const bool acknowledgesNow = std::any_of(co.output.sent.begin(), co.output.sent.end(),
                                                 [](const Packet &p) { return std::holds_alternative<ConnAck>(p); });
        if (co.client != 0 && m_clients.count(co.client))
            closing.emplace_back(co.client, !acknowledgesNow && m_core.client(co.client).has_value());
    }
    for (const ClientHandle handle : m_core.revert(*m_store, touched, now()))
        closing.emplace_back(handle, true);
    closeAfterStoreFailure(closing);
}

void SandboxBroker::closeAfterStoreFailure(const std::vector<std::pair<ClientHandle, bool>> &closing)
{
    std::set<ClientHandle> done;
    for (const auto &[handle, accepted] : closing) {
        Client *c = clientOf(handle);
        if (!c || !done.insert(handle).second)
            continue;
        const Session *session = m_core.session(c->clientId);
        const ProtocolVersion version = session ? session->link().version : c->decoder.version();
        Target target(*this, handle);
        carryOut(target, storeFailureClose(version, accepted));
    }
}

void SandboxBroker::send(Client &client, const Packet &packet, FlowState state)
{
    const Session *session = m_core.session(client.clientId);
    const ProtocolVersion version = session ? session->link().version : client.decoder.version();
    const auto *publish = std::get_if<Publish>(&packet);
    HeldPacket p = HeldPacket::of(client.handle, TraceDirection::Sent, packet, encode(packet, version),
                                  session ? session->topicOf(packet, true) : publish ? publish->topic : QString(),
                                  client.clientId);
    p.flowState = state;
    pass(std::move(p));
}

void SandboxBroker::onClosed(ClientHandle handle, const TransportClosed &closed)
{
    const auto it = m_clients.find(handle);
    if (it == m_clients.end())
        return;
    std::unique_ptr<Client> client = std::move(it->second);
    m_clients.erase(it);
    traceNote(client.get(), closed.error ? TraceKind::Cut : TraceKind::Closed, closed.message);
    const std::vector<HeldPacket> discarded = m_gate.discard(handle);
    for (const HeldPacket &h : discarded)
        traceNote(client.get(), TraceKind::Note, QStringLiteral("Held %1 id %2 discarded: the connection closed.")
                                                     .arg(packetTypeName(h.type))
                                                     .arg(h.packetId.value));
    if (!discarded.empty())
        emit heldPacketsChanged();
    apply(m_core.disconnected(handle, now()));
    if (m_trace)
        m_trace->closeConnection(client->traceId);
    if (client->transport)
        client->transport->deleteLater();
    if (!client->clientId.isEmpty())
        emit clientDisconnected(client->clientId);
}

void SandboxBroker::onConnectDeadlines()
{
    const Millis at = now();
    while (!m_connectDeadlines.empty() && m_connectDeadlines.front().first <= at) {
        const ClientHandle handle = m_connectDeadlines.front().second;
        m_connectDeadlines.pop_front();
        const auto it = m_clients.find(handle);
        if (it == m_clients.end() || m_core.client(handle) || m_core.isClosing(handle) || !it->second->transport)
            continue; // gone, connected or closing
        traceNote(it->second.get(), TraceKind::Cut,
                  QStringLiteral("No complete CONNECT within %1 ms of connecting; closed.").arg(m_options.connectTimeoutMs));
        it->second->transport->abort();
    }
    if (!m_connectDeadlines.empty())
        m_connectDeadline.start(int(std::max<qint64>(0, (m_connectDeadlines.front().first - at).count())));
}

void SandboxBroker::tracePacket(const Client &client, TraceDirection direction, const Packet &packet, const QByteArray &raw,
                                FlowState state, TraceMark mark, quint32 ruleId)
{
    if (!m_trace)
        return;
    m_trace->appendPacket(client.traceId, direction, packet, raw, state, mark, ruleId);
}

void SandboxBroker::traceNote(const Client *client, TraceKind kind, const QString &text)
{
    if (!m_trace)
        return;
    TraceEvent e;
    e.timeUs = m_trace->clock().nowUs();
    e.connection = client ? client->traceId : m_brokerNotes;
    e.kind = kind;
    e.note = text;
    m_trace->append(e);
}

void SandboxBroker::scheduleTick()
{
    if (!isRunning())
        return;
    const auto deadline = m_core.nextDeadline();
    if (!deadline) {
        m_tick.stop();
        return;
    }
    m_tick.start(int(std::clamp<qint64>((*deadline - now()).count(), 0, 24LL * 3600 * 1000)));
}

} // namespace mqs
