// Proxy: listening, accepting devices, opening their upstream connections and closing both
// sides together. Framing, tracing and fault rules are in proxy_forward.cpp.

#include "proxy.h"
#include "proxy_link.h"
#include "proxy_listener.h"

#include "protocol/encoder.h"
#include "transport/transport.h"

#include <QTimer>

namespace mqs {

namespace {
// How long the device's side is still read after the broker closed: packets already on their way
// arrive within a round trip on loopback and LAN links; longer would hold the device's view of
// the close back noticeably.
constexpr int kDeviceDrainMs = 100;
// How often the observers are told the time, for keep-alive: a second is the unit keep-alive counts in.
constexpr int kObserverTickMs = 1000;
// Closed devices kept in devices(): enough for a window's list and a session's reconnects.
constexpr std::size_t kClosedDevicesListed = 256;
} // namespace

Proxy::Proxy(ProxySettings settings, FaultRuleSet &rules, TraceLog &trace, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_rules(rules), m_trace(trace), m_gate(rules)
{
    connect(&m_tick, &QTimer::timeout, this, &Proxy::tickObservers);
}

Proxy::~Proxy()
{
    stop();
    // The transports are children of this object: gone before ~QObject reaches them, so that
    // none reports to a proxy already half destroyed.
    for (const auto &link : m_links)
        for (Transport *side : {link->deviceSide.data(), link->upstream.data()})
            if (side) {
                side->disconnect(this);
                delete side;
            }
}

// The observer checks keep-alive only when told that time passed.
void Proxy::tickObservers()
{
    const qint64 now = m_trace.clock().nowUs();
    for (const auto &link : m_links)
        if (link->device.state != ProxyDeviceState::Closed) {
            link->observed->tick(now);
            reportFindings(*link);
        }
}

Status Proxy::start()
{
    if (isRunning())
        return mqs::problem(ProblemKind::State, QStringLiteral("The proxy is already listening on port %1.").arg(port()));
    auto listener = std::make_unique<ProxyListener>(this);
    if (Status listening = listener->listen(m_settings); !listening)
        return listening;
    connect(listener.get(), &ProxyListener::accepted, this, &Proxy::accept);
    connect(listener.get(), &ProxyListener::refused, this,
            [this](const QString &sentence) { emit problem(0, mqs::problem(ProblemKind::Tls, sentence)); });
    m_server = std::move(listener);
    m_forwarded = 0;
    m_tick.start(kObserverTickMs);
    return {};
}

void Proxy::stop()
{
    if (m_server)
        m_server->stop();
    m_server.reset();
    m_tick.stop();
    // By id: closing a device may forget older closed ones (forgetOldClosedDevices).
    std::vector<ConnectionId> open;
    for (const auto &link : m_links)
        open.push_back(link->device.connection);
    for (ConnectionId id : open)
        if (ProxyDeviceLink *link = linkOf(id))
            closeLink(*link, TraceKind::Closed, QStringLiteral("the proxy stopped"), false);
}

bool Proxy::isRunning() const
{
    return m_server != nullptr;
}

quint16 Proxy::port() const
{
    return m_server ? m_server->port() : 0;
}

quint16 Proxy::webSocketPort() const
{
    return m_server ? m_server->webSocketPort() : 0;
}

std::vector<ProxyDevice> Proxy::devices() const
{
    std::vector<ProxyDevice> list;
    list.reserve(m_links.size());
    for (const auto &link : m_links)
        list.push_back(link->device);
    return list;
}

std::optional<ProxyDevice> Proxy::device(ConnectionId connection) const
{
    if (const ProxyDeviceLink *link = linkOf(connection))
        return link->device;
    return std::nullopt;
}

ProxyDeviceLink *Proxy::linkOf(ConnectionId connection) const
{
    return m_linkOf.value(connection, nullptr);
}

// Closed devices stay listed for the window and the CLI to name, up to a bound, so a proxy that
// serves devices reconnecting for days does not grow by one each time.
void Proxy::forgetOldClosedDevices()
{
    std::size_t closed = std::count_if(m_links.begin(), m_links.end(),
                                       [](const auto &l) { return l->device.state == ProxyDeviceState::Closed; });
    for (auto it = m_links.begin(); it != m_links.end() && closed > kClosedDevicesListed;) {
        if ((*it)->device.state != ProxyDeviceState::Closed) {
            ++it;
            continue;
        }
        m_linkOf.remove((*it)->device.connection);
        it = m_links.erase(it);
        --closed;
    }
}

bool Proxy::isAlive(ConnectionId connection) const
{
    const ProxyDeviceLink *link = linkOf(connection);
    return link && !link->closing;
}

// "tcp 127.0.0.1:53122" -> "127.0.0.1:53122"
static QString addressOf(const Transport &device)
{
    const QString description = device.peerDescription();
    const qsizetype space = description.indexOf(QLatin1Char(' '));
    return space < 0 ? description : description.mid(space + 1);
}

void Proxy::accept(Transport *deviceSide)
{
    deviceSide->setParent(this);
    auto owned = std::make_unique<ProxyDeviceLink>();
    ProxyDeviceLink &link = *owned;
    link.deviceSide = deviceSide;
    link.deviceOpen = deviceSide->isOpen();
    link.device.address = addressOf(*deviceSide);
    // The observer traces the lane (named by address until CONNECT) and holds both sides to the spec.
    link.observed = std::make_unique<ObservedTrace>(
        m_trace, ObservedEndpoints{.client = link.device.address, .broker = m_settings.upstream.toString()},
        ObserverOptions{.start = StreamStart::Beginning, .assumedVersion = ProtocolVersion::V311, .sessions = &m_sessions});
    // Findings a fault rule may have caused name it as the rules list shows it.
    link.observed->setRuleNames([this](quint32 ruleId) {
        const FaultRule *rule = m_rules.rule(ruleId);
        return !rule ? QString() : rule->name.isEmpty() ? rule->toText() : rule->name;
    });
    link.device.connection = link.observed->connection();
    m_linkOf.insert(link.device.connection, owned.get());
    m_links.push_back(std::move(owned));
    const ConnectionId id = link.device.connection;
    connect(deviceSide, &Transport::received, this, [this, id](const QByteArray &bytes) {
        if (ProxyDeviceLink *l = linkOf(id))
            onDeviceBytes(*l, bytes);
    });
    connect(deviceSide, &Transport::closed, this, [this, id](const TransportClosed &closed) {
        if (ProxyDeviceLink *l = linkOf(id))
            onSideClosed(*l, true, closed);
    });
    traceNote(link, TraceKind::Opened, QStringLiteral("device %1 → proxy → %2").arg(link.device.address, m_settings.upstream.toString()));
    emit deviceOpened(id);
    openUpstream(link);
}

void Proxy::openUpstream(ProxyDeviceLink &link)
{
    const ConnectionId id = link.device.connection;
    auto created = createTransport(m_settings.upstream, m_settings.upstreamTls, this);
    if (!created) {
        reportProblem(link, created.problem());
        closeLink(link, TraceKind::Cut, created.sentence(), true);
        return;
    }
    Transport *upstream = *created;
    link.upstream = upstream;
    upstream->setConnectTimeout(m_settings.upstreamConnectTimeoutMs);
    connect(upstream, &Transport::opened, this, [this, id] {
        if (ProxyDeviceLink *l = linkOf(id))
            onUpstreamOpened(*l);
    });
    connect(upstream, &Transport::received, this, [this, id](const QByteArray &bytes) {
        if (ProxyDeviceLink *l = linkOf(id))
            onUpstreamBytes(*l, bytes);
    });
    connect(upstream, &Transport::closed, this, [this, id](const TransportClosed &closed) {
        if (ProxyDeviceLink *l = linkOf(id))
            onSideClosed(*l, false, closed);
    });
    upstream->open();
}

void Proxy::onUpstreamOpened(ProxyDeviceLink &link)
{
    link.upstreamOpen = true;
    link.upstreamEverOpened = true;
    traceNote(link, TraceKind::Note, QStringLiteral("connected to the broker: %1").arg(link.upstream->peerDescription()));
    if (!link.upstreamBacklog.isEmpty())
        link.upstream->writeNow(std::exchange(link.upstreamBacklog, {}));
    if (link.device.state == ProxyDeviceState::ConnectingUpstream) {
        link.device.state = ProxyDeviceState::Forwarding;
        emit deviceChanged(link.device.connection);
    }
}

// The broker side failed before it ever opened: the device learns it the way it would without
// the proxy (its connection closes), unless the settings ask for a CONNACK first.
void Proxy::upstreamNeverOpened(ProxyDeviceLink &link, const TransportClosed &closed)
{
    reportProblem(link, mqs::problem(closed.kind,
                                     QStringLiteral("The broker %1 could not be reached for device %2: %3")
                                         .arg(m_settings.upstream.toString(), deviceName(link), closed.message)));
    if (!m_settings.synthesizeConnAckOnUpstreamFailure)
        return;
    link.answerConnect = true;
    if (link.sawConnect)
        synthesizeConnAck(link);
    // Otherwise the CONNECT is answered when it comes (learnFromDevice), or the device is closed
    // after the time a broker gives a new connection to send it.
    const ConnectionId id = link.device.connection;
    QTimer::singleShot(m_settings.upstreamConnectTimeoutMs, this, [this, id] {
        if (ProxyDeviceLink *l = linkOf(id); l && !l->closing)
            closeLink(*l, TraceKind::Closed, QStringLiteral("no CONNECT from the device to answer"), false);
    });
}

void Proxy::synthesizeConnAck(ProxyDeviceLink &link)
{
    link.answerConnect = false;
    const ConnAck refusal{.reason = ReasonCode::ServerUnavailable};
    const QByteArray raw = encode(refusal, link.device.version);
    link.deviceSide->write(raw);
    m_trace.appendPacket(link.device.connection, TraceDirection::Received, refusal, raw, FlowState::None,
                         TraceMark::None, 0);
    traceNote(link, TraceKind::Note,
              QStringLiteral("the proxy answered the CONNECT itself (Server unavailable): the broker was not reached"));
    closeLink(link, TraceKind::Closed, QStringLiteral("the broker was not reached"), false);
}

void Proxy::onSideClosed(ProxyDeviceLink &link, bool deviceSide, const TransportClosed &closed)
{
    if (Transport *side = deviceSide ? link.deviceSide.data() : link.upstream.data())
        side->deleteLater();
    (deviceSide ? link.deviceClosed : link.upstreamClosed) = true;
    (deviceSide ? link.deviceOpen : link.upstreamOpen) = false;
    if (!link.closing) {
        if (!deviceSide && !link.upstreamEverOpened)
            upstreamNeverOpened(link, closed);
        else if (!deviceSide && closed.error)
            reportProblem(link, mqs::problem(closed.kind, QStringLiteral("The broker's connection for device %1 failed: %2")
                                                                       .arg(deviceName(link), closed.message)));
        const QString who = deviceSide ? QStringLiteral("device") : QStringLiteral("broker");
        const QString why = closed.byPeer ? QStringLiteral("the %1 closed its side: %2").arg(who, closed.message) : closed.message;
        if (!link.answerConnect && !link.closing) // not while a CONNECT is to be answered, or was
            closeLink(link, closed.error ? TraceKind::Cut : TraceKind::Closed, why, closed.error);
    }
    finishIfClosed(link);
}

// Ends both sides of a device: gracefully (what was forwarded is flushed, and what the other
// side still sends meanwhile is traced) or, for a cut, a reset or broken framing, at once.
void Proxy::closeLink(ProxyDeviceLink &link, TraceKind kind, const QString &why, bool abort)
{
    if (link.device.state == ProxyDeviceState::Closed)
        return;
    if (!link.closing) {
        link.closing = true;
        link.closeWhy = why;
        // What crossed in the chunk being framed goes out before a graceful close, and is lost
        // with the socket's other unsent bytes in an abort.
        if (abort) {
            link.gatheredToBroker.clear();
            link.gatheredToDevice.clear();
        } else {
            sendGathered(link);
        }
        if (kind != TraceKind::Closed) // the Closed event is the observer's, when both sides are gone
            traceNote(link, kind, why);
    }
    if (!link.upstreamClosed && link.upstream)
        abort ? link.upstream->abort() : link.upstream->close();
    if (!link.deviceClosed && link.deviceSide) {
        if (abort || !link.upstreamClosed)
            abort ? link.deviceSide->abort() : link.deviceSide->close();
        else
            closeDeviceAfterDrain(link);
    }
    finishIfClosed(link);
}

// The broker closed first. A socket stops reading once it is closed, so the device's side stays
// open a little longer: what the device had already sent (e.g. a packet after its DISCONNECT)
// still reaches the trace, as it would reach a broker that only half-closed.
void Proxy::closeDeviceAfterDrain(ProxyDeviceLink &link)
{
    const ConnectionId id = link.device.connection;
    QTimer::singleShot(kDeviceDrainMs, this, [this, id] {
        if (ProxyDeviceLink *l = linkOf(id); l && !l->deviceClosed && l->deviceSide)
            l->deviceSide->close();
    });
}

// Both transports reported closed(): the device's lane is complete.
void Proxy::finishIfClosed(ProxyDeviceLink &link)
{
    const bool upstreamGone = link.upstreamClosed || !link.upstream;
    if (link.device.state == ProxyDeviceState::Closed || !link.deviceClosed || !upstreamGone)
        return;
    link.device.state = ProxyDeviceState::Closed;
    link.observed->closed(m_trace.clock().nowUs(), link.closeWhy);
    reportFindings(link);
    if (!m_gate.discard(link.device.connection).empty())
        emit heldChanged();
    emit deviceClosed(link.device.connection);
    forgetOldClosedDevices();
}

Status Proxy::cut(ConnectionId connection)
{
    ProxyDeviceLink *link = linkOf(connection);
    if (!link || link->device.state == ProxyDeviceState::Closed)
        return mqs::problem(ProblemKind::State, QStringLiteral("Device %1 is not connected through the proxy.").arg(connection));
    closeLink(*link, TraceKind::Cut, QStringLiteral("cut by the user"), true);
    return {};
}

void Proxy::traceNote(ProxyDeviceLink &link, TraceKind kind, const QString &note)
{
    TraceEvent event;
    event.timeUs = m_trace.clock().nowUs();
    event.connection = link.device.connection;
    event.kind = kind;
    event.note = note;
    m_trace.append(std::move(event));
}

// What the observer found either side doing wrong, as problems of the device (already traced).
void Proxy::reportFindings(ProxyDeviceLink &link)
{
    for (const ObservedFinding &finding : link.observed->takeFindings())
        emit problem(link.device.connection, mqs::problem(ProblemKind::Protocol, finding.text()));
}

void Proxy::reportProblem(ProxyDeviceLink &link, Problem problem)
{
    emit this->problem(link.device.connection, problem);
}

QString Proxy::deviceName(const ProxyDeviceLink &link)
{
    return link.device.clientId.isEmpty() ? link.device.address
                                          : QStringLiteral("'%1' (%2)").arg(link.device.clientId, link.device.address);
}

} // namespace mqs
