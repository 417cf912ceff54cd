#include "connection.h"

#include "edge/apply_step.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"
#include "protocol/overloaded.h"

#include <QDateTime>
#include <QRandomGenerator>

namespace mqs {

QString connectionStateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected: return QStringLiteral("disconnected");
    case ConnectionState::Connecting: return QStringLiteral("connecting");
    case ConnectionState::Connected: return QStringLiteral("connected");
    case ConnectionState::WaitingToReconnect: return QStringLiteral("waiting to reconnect");
    }
    return {};
}

Connection::Connection(ConnectionSettings settings, TraceLog &trace, SessionStore *store, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_trace(trace)
    , m_store(store)
    , m_session(newSession())
{
    m_clock.start();
    m_clockBase = QDateTime::currentMSecsSinceEpoch();
    m_storeKey = SessionKey{m_settings.storeScope(), m_settings.clientId};
    m_traceId = m_trace.addConnection(traceRecord());

    m_keepAliveTimer.setSingleShot(true);
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, [this] { execute(m_session->tick(now())); scheduleKeepAlive(); });
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        fail(problem(ProblemKind::Network,
                     QStringLiteral("No answer from %1 within %2 s (%3). Check the address and that the broker is running.")
                         .arg(m_settings.url.hostAndPort())
                         .arg(m_settings.connectTimeoutMs / 1000.0)
                         .arg(m_transport && m_transport->isOpen() ? QStringLiteral("no CONNACK after CONNECT")
                                                                   : QStringLiteral("the connection did not open"))));
        cut(QStringLiteral("connect timeout"));
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &Connection::open);
}

Connection::~Connection()
{
    m_closing = true;
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->abort();
        delete m_transport;
    }
}

std::unique_ptr<Session> Connection::newSession() const
{
    auto session = std::make_unique<Session>(m_settings.session);
    if (m_acceptance)
        session->inbound().setAcceptance(m_acceptance);
    return session;
}

void Connection::setInboundAcceptance(InboundFlows::Acceptance acceptance)
{
    m_acceptance = std::move(acceptance);
    m_session->inbound().setAcceptance(m_acceptance);
}

Millis Connection::now() const
{
    return Millis(m_clockBase + m_clock.elapsed());
}

QString Connection::peerDescription() const
{
    return m_transport ? m_transport->peerDescription() : m_settings.url.toString();
}

void Connection::setSettings(ConnectionSettings settings)
{
    const SessionKey key{settings.storeScope(), settings.clientId};
    const bool sameSession = key == m_storeKey && settings.version == m_settings.version;
    m_settings = std::move(settings);
    if (!sameSession) {
        m_storeKey = key;
        m_session = newSession();
        m_sessionLoaded = false;
    }
    m_trace.updateConnection(traceRecord());
}

TraceConnection Connection::traceRecord() const
{
    TraceConnection record;
    record.id = m_traceId; // 0 before the trace has registered it
    record.role = ConnectionRole::Client;
    record.name = m_settings.name.isEmpty() ? m_settings.clientId : m_settings.name;
    record.clientId = m_settings.clientId;
    record.localParty = record.name;
    record.remoteParty = m_settings.peerName.isEmpty() ? QStringLiteral("broker %1").arg(m_settings.url.hostAndPort())
                                                       : m_settings.peerName;
    record.version = m_settings.version;
    return record;
}

void Connection::setState(ConnectionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void Connection::fail(Problem problem)
{
    m_lastError = std::move(problem);
    traceNote(TraceKind::Note, m_lastError->sentence);
    emit errorOccurred(*m_lastError);
}

bool Connection::loadSession()
{
    if (m_sessionLoaded || !m_store)
        return true;
    auto loaded = m_store->load(m_storeKey);
    if (!loaded) {
        fail(loaded.problem());
        return false;
    }
    if (const std::optional<StoredSession> &stored = *loaded) {
        m_session->restore(stored->meta, stored->outbound, stored->inbound);
        traceNote(TraceKind::Note, QStringLiteral("Session restored from %1: %2 outbound and %3 inbound flows unfinished.")
                                       .arg(m_store->location())
                                       .arg(stored->outbound.size())
                                       .arg(stored->inbound.size()));
    }
    m_sessionLoaded = true;
    return true;
}

void Connection::adoptSessionOptions()
{
    if (m_session->options() == m_settings.session || m_session->state() != SessionState::Disconnected)
        return;
    auto session = newSession();
    session->restore(m_session->meta(), m_session->outbound().flows(), m_session->inbound().flows());
    m_session = std::move(session);
}

void Connection::open()
{
    if (m_state == ConnectionState::Connecting || m_state == ConnectionState::Connected)
        return;
    m_reconnectTimer.stop();
    m_closing = false;
    m_closeAfterSteps = false;
    m_refusedForGood = false;
    m_storeFailed = false;
    if (const Status settings = m_settings.check(); !settings) {
        fail(settings.problem());
        return;
    }
    if (!loadSession())
        return;
    adoptSessionOptions();
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->deleteLater();
    }
    auto created = createTransport(m_settings.url, m_settings.tls, this);
    if (!created) {
        fail(created.problem());
        setState(ConnectionState::Disconnected);
        return;
    }
    m_transport = *created;
    ++m_transportGeneration;
    connect(m_transport, &Transport::opened, this, &Connection::onOpened);
    connect(m_transport, &Transport::received, this, &Connection::onReceived);
    connect(m_transport, &Transport::closed, this, &Connection::onClosed);
    m_decoder = Decoder(m_settings.version, m_settings.incomingPacketLimit());
    setState(ConnectionState::Connecting);
    m_connectTimer.start(m_settings.connectTimeoutMs);
    m_transport->open();
}

void Connection::onOpened()
{
    traceNote(TraceKind::Opened, m_transport->peerDescription());
    execute(m_session->connect(m_settings.connectPacket(), now()));
}

QString Connection::describeIncomingError(const ProtocolError &error) const
{
    if (error.code != ReasonCode::PacketTooLarge)
        return QStringLiteral("The broker sent bytes that are not valid MQTT: %1. Closing the connection.").arg(error.toString());
    if (m_settings.announcesMaximumPacketSize())
        return QStringLiteral("The broker broke the Maximum Packet Size of %1 bytes we announced [MQTT-3.1.2-24]: %2. "
                              "Closing the connection with DISCONNECT 0x95.")
            .arg(m_settings.session.maximumPacketSize)
            .arg(error.message);
    return QStringLiteral("The broker sent a packet larger than this client's receive limit: %1. The limit protects "
                          "memory and is not announced to the broker. Closing the connection.")
        .arg(error.message);
}

// What a committed step does to this connection (see core/edge/apply_step.h).
class Connection::Target final : public StepTarget
{
public:
    explicit Target(Connection &connection) : m_c(connection) {}
    FlowState currentFlowState(Direction direction, PacketId id) const override
    {
        return m_c.m_session->flowState(direction, id);
    }
    void send(const Packet &packet, FlowState flowState) override { m_c.send(packet, flowState); }
    void deliver(const Delivery &delivery) override { emit m_c.messageReceived(delivery); }
    void report(const SessionOutput &output) override { m_c.report(output); }
    void close() override
    {
        if (m_c.m_transport)
            m_c.m_transport->close();
    }

private:
    Connection &m_c;
};

void Connection::execute(SessionOutput out)
{
    flushReceived(); // what was read before this step goes out before it
    std::vector<StoreChange> changes = std::move(out.store);
    out.store.clear();
    applySteps(std::move(changes), {&out});
}

void Connection::applySteps(std::vector<StoreChange> changes, const std::vector<const SessionOutput *> &steps)
{
    Target target(*this);
    std::vector<StepPart> parts;
    parts.reserve(steps.size());
    for (const SessionOutput *step : steps)
        parts.push_back(StepPart{&target, step});
    StoreBatch batch;
    if (!changes.empty())
        batch.push_back(SessionChanges{m_storeKey, std::move(changes)});
    ++m_carryingOut;
    const Status applied = applyStep(batch.empty() ? nullptr : m_store, batch, parts);
    --m_carryingOut;
    if (!applied)
        storeFailed(applied.problem());
    if (m_carryingOut == 0 && std::exchange(m_closeAfterSteps, false))
        disconnectNow();
}

void Connection::storeFailed(const Problem &error)
{
    fail(problem(error.kind, error.sentence + QStringLiteral(" The connection is closed so nothing unrecorded is sent; "
                                                            "Reconnect resumes the session from what the store holds.")));
    const SessionOutput farewell = storeFailureClose(m_session->link().version, m_session->link().connected);
    // The session in memory is ahead of the store now: it may hold an inbound id that was
    // never recorded or delivered, which a resent PUBLISH would be acknowledged against. The
    // store holds exactly what was acknowledged, so the next open() rebuilds the session from it.
    m_session = newSession();
    m_sessionLoaded = false;
    m_closing = true;
    m_storeFailed = true; // what the broker sends until the close is not read
    Target target(*this);
    carryOut(target, farewell);
}

void Connection::report(const SessionOutput &out)
{
    for (const FlowUpdate &update : out.flows)
        emit flowUpdated(update);
    // The trace hears of events before anyone reacts to them (a reaction may send packets).
    bool connected = false;
    for (const SessionEvent &event : out.events)
        connected = traceEvent(event) || connected;
    if (connected) {
        m_connectTimer.stop();
        m_reconnectAttempt = 0;
        m_lastError.reset();
        setState(ConnectionState::Connected);
    }
    for (const SessionEvent &event : out.events)
        emit sessionEvent(event);
    scheduleKeepAlive();
}

bool Connection::traceEvent(const SessionEvent &event)
{
    bool connected = false;
    std::visit(overloaded{
                   [&](const Connected &) { connected = true; },
                   [&](const ConnectionRefused &e) {
                       m_refusedForGood = true;
                       fail(problem(ProblemKind::Refused, e.message));
                   },
                   [&](const SessionResumed &e) { traceNote(TraceKind::SessionResumed, e.message); },
                   [&](const FlowsAbandoned &e) { traceNote(TraceKind::FlowsAbandoned, e.message); },
                   [&](const PeerViolation &e) {
                       traceNote(TraceKind::Violation, e.message);
                       if (!e.closes)
                           return;
                       m_lastError = problem(ProblemKind::Protocol, QStringLiteral("Protocol error, connection closed: %1").arg(e.message));
                       emit errorOccurred(*m_lastError);
                   },
                   [&](const PeerDisconnected &e) {
                       traceNote(TraceKind::Note, e.message);
                       if (isFailure(e.reason)) {
                           m_lastError = problem(ProblemKind::Refused, e.message);
                           emit errorOccurred(*m_lastError);
                       }
                   },
                   [&](const KeepAliveExpired &e) { fail(problem(ProblemKind::Network, e.message)); },
                   [&](const RequestUnanswered &e) { traceNote(TraceKind::Note, e.message); },
                   [&](const LocalMisuse &e) { traceNote(TraceKind::Note, e.message); },
                   [&](const SessionNote &e) { traceNote(TraceKind::Note, e.message); },
                   // Answers to our requests and the server role's requests: for the front end (sessionEvent).
                   [](const SubscribeAcknowledged &) {},
                   [](const UnsubscribeAcknowledged &) {},
                   [](const SubscribeRequested &) {},
                   [](const UnsubscribeRequested &) {},
               },
               event);
    return connected;
}

void Connection::send(const Packet &packet, FlowState flowState)
{
    HeldPacket p = HeldPacket::of(m_transportGeneration, TraceDirection::Sent, packet, encode(packet, m_session->link().version),
                                  m_session->topicOf(packet, true), m_session->meta().clientId);
    p.flowState = flowState;
    pass(std::move(p));
}

void Connection::write(const QByteArray &raw)
{
    if (m_transport && m_transport->isOpen())
        m_transport->write(raw);
}

void Connection::trace(TraceDirection direction, const Packet &packet, const QByteArray &raw, FlowState state,
                       TraceMark mark, quint32 ruleId)
{
    m_trace.appendPacket(m_traceId, direction, packet, raw, state, mark, ruleId);
}

void Connection::traceNote(TraceKind kind, const QString &note)
{
    TraceEvent event;
    event.timeUs = m_trace.clock().nowUs();
    event.connection = m_traceId;
    event.kind = kind;
    event.note = note;
    m_trace.append(event);
}

PublishResult Connection::publish(const ApplicationMessage &message, const PublishOverrides &overrides)
{
    PublishResult result = m_session->publish(message, now(), overrides);
    SessionOutput out = std::move(result.output);
    result.output = {};
    execute(std::move(out));
    return result;
}

void Connection::subscribe(std::vector<Subscription> subscriptions, Properties properties)
{
    execute(m_session->subscribe(std::move(subscriptions), now(), std::move(properties)));
}

void Connection::unsubscribe(std::vector<QString> filters, Properties properties)
{
    execute(m_session->unsubscribe(std::move(filters), now(), std::move(properties)));
}

void Connection::close()
{
    close(ReasonCode::Success, {});
}

void Connection::close(ReasonCode reason, Properties properties)
{
    m_disconnectReason = reason;
    m_disconnectProperties = std::move(properties);
    m_closing = true;
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    // Asked from a reaction to a step (a delivery, a flow update): the answers the session has
    // already decided on (PUBRECs, PUBCOMPs of the packets read in this turn) go out first, since
    // nothing may follow DISCONNECT [MQTT-3.14.4-1] (3.1.1: [MQTT-3.14.4-2]).
    if (m_carryingOut > 0) {
        m_closeAfterSteps = true;
        return;
    }
    disconnectNow();
}

void Connection::disconnectNow()
{
    if (!m_closing)
        return; // open() came in between: the close is off
    if (m_session->state() != SessionState::Disconnected && m_transport && m_transport->isOpen()) {
        execute(m_session->disconnect(now(), m_disconnectReason, m_disconnectProperties));
    } else if (m_transport) {
        m_transport->abort();
    }
    if (!m_transport || !m_transport->isOpen())
        setState(ConnectionState::Disconnected);
}

void Connection::cut(const QString &why)
{
    if (!m_transport || m_state == ConnectionState::Disconnected)
        return;
    flushReceived(); // a fault rule cutting after a packet: that packet's answer goes first, as it always did
    traceNote(TraceKind::Cut, why.isEmpty() ? QStringLiteral("connection cut by the user") : why);
    m_cutRequested = true; // on purpose: not an error to report
    m_transport->abort();
}

void Connection::reconnect()
{
    if (m_transport && m_transport->isOpen()) {
        m_reconnectAttempt = 0;
        cut(QStringLiteral("reconnect requested"));
        // onClosed() reconnects when automatic reconnect is on; otherwise do it here.
        if (!m_settings.autoReconnect)
            QTimer::singleShot(0, this, &Connection::open);
        return;
    }
    open();
}

void Connection::onClosed(const TransportClosed &closed)
{
    m_connectTimer.stop();
    m_keepAliveTimer.stop();
    flushReceived(); // steps taken are recorded and delivered even though their answers cannot go out
    m_inboundInMemory = false;
    ++m_transportGeneration;
    traceNote(closed.error ? TraceKind::Cut : TraceKind::Closed, closed.message);
    // Unexpected: a failure, or the peer closing while the session still thought it was connected.
    const bool unexpected = closed.error || (closed.byPeer && m_session->state() != SessionState::Disconnected);
    execute(m_session->connectionLost(now()));
    discardHeld(m_transportGeneration - 1);
    if (unexpected && !m_closing && !m_cutRequested && !m_lastError)
        fail(problem(closed.kind, closed.message));
    m_cutRequested = false;
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->deleteLater();
        m_transport = nullptr;
    }
    if (!m_closing && !m_refusedForGood && m_settings.autoReconnect) {
        scheduleReconnect();
        return;
    }
    setState(ConnectionState::Disconnected);
}

void Connection::scheduleKeepAlive()
{
    const auto deadline = m_session->nextDeadline();
    if (!deadline) {
        m_keepAliveTimer.stop();
        return;
    }
    const auto wait = std::max<qint64>(0, (*deadline - now()).count());
    m_keepAliveTimer.start(int(std::min<qint64>(wait, 24LL * 3600 * 1000)));
}

// Reconnect back-off: the minimum delay doubles per attempt, up to the maximum. The doubling stops
// after this many attempts, so the shift cannot overflow (2^16 times an int of ms fits in qint64).
constexpr int kMaximumBackoffDoublings = 16;
// Jitter: the delay falls in the last 1/kJitterShare below its cap, so clients cut off together
// do not all come back at the same instant.
constexpr qint64 kJitterShare = 8;

void Connection::scheduleReconnect()
{
    const qint64 doubled = qint64(m_settings.reconnectMinimumMs) << std::min(m_reconnectAttempt, kMaximumBackoffDoublings);
    const qint64 capped = std::min<qint64>(doubled, m_settings.reconnectMaximumMs);
    const qint64 jitterShare = capped / kJitterShare;
    // A draw from [0, 2·share], halved: the delay lands in [capped - share, capped].
    const qint64 jitter = QRandomGenerator::global()->bounded(qint64(capped / (kJitterShare / 2) + 1)) / 2;
    ++m_reconnectAttempt;
    m_reconnectTimer.start(int(capped - jitterShare + jitter));
    traceNote(TraceKind::Note, QStringLiteral("Reconnecting in %1 s (attempt %2).")
                                   .arg(double(m_reconnectTimer.interval()) / 1000.0, 0, 'f', 1)
                                   .arg(m_reconnectAttempt));
    setState(ConnectionState::WaitingToReconnect);
}

} // namespace mqs
