#pragma once
// The intercepting proxy: stands between devices the app does not own and their real broker.
// Each accepted device gets its own upstream connection; its bytes are framed packet by packet
// and forwarded unchanged unless a fault rule acts, and every packet is traced once on an
// Observed connection recorded from the device's end (Sent = device → broker).

#include "proxy_settings.h"

#include "faults/fault_gate.h"
#include "faults/fault_rule_set.h"
#include "observer/observed_sessions.h"
#include "protocol/result.h"
#include "trace/trace_log.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace mqs {

class Transport;
class ProxyListener;
struct TransportClosed;
struct ProxyDeviceLink;

// Where one device's pair of connections is.
enum class ProxyDeviceState : quint8 {
    ConnectingUpstream, // the device is accepted; its bytes wait for the broker connection
    Forwarding, // both sides open: packets cross
    Closed, // both sides are closed; devices() keeps the last 256 closed devices
};

// One accepted device as the proxy sees it.
struct ProxyDevice {
    ConnectionId connection = 0; // its connection in the TraceLog (role Observed): its lane and the broker's
    QString address{}; // the device's address as accepted: "127.0.0.1:53122"
    QString clientId{}; // from its CONNECT (or a 5.0 broker's Assigned Client Identifier); empty until then
    bool connectSeen = false; // its CONNECT crossed
    ProxyDeviceState state = ProxyDeviceState::ConnectingUpstream;
    ProtocolVersion version = ProtocolVersion::V311; // from its CONNECT
    quint64 packetsToBroker = 0; // packets that crossed toward the broker
    quint64 packetsToDevice = 0; // packets that crossed toward the device
    bool operator==(const ProxyDevice &) const = default;
};

// Fault rules on proxied packets: direction as seen from the device, the end each connection is
// recorded from. `out` = device → broker ("toward broker"), `in` = broker → device ("toward
// device"); `client ID` scopes a rule to one device by its CONNECT's client id.
class Proxy : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Proxy)
public:
    // `rules` and `trace` outlive the proxy; the proxy reads the rules as each packet crosses,
    // so rules added or disabled while it runs act on the next packet.
    Proxy(ProxySettings settings, FaultRuleSet &rules, TraceLog &trace, QObject *parent = nullptr);
    ~Proxy() override;

    // Starts listening (TCP, and WebSocket / TLS if the settings ask). Fails with InvalidInput
    // for settings that cannot work, File/Tls for an unusable certificate or key, Network when
    // the port is taken. Upstream is not tried here: each device's connection tries it.
    [[nodiscard]] Status start();
    // Stops listening and closes every device and its upstream connection.
    void stop();
    bool isRunning() const;
    // The ports actually listened on (useful when the settings asked for 0); 0 when not.
    quint16 port() const;
    quint16 webSocketPort() const;
    const ProxySettings &settings() const { return m_settings; }

    // Open devices and the last 256 closed ones, in the order they were accepted.
    std::vector<ProxyDevice> devices() const;
    std::optional<ProxyDevice> device(ConnectionId connection) const;
    // Packets fault rules hold now, on every device (HeldPacket::owner is the device's ConnectionId;
    // direction Sent = toward the broker).
    std::vector<HeldPacket> heldPackets() const;
    // Lets a held packet cross (traced Released). State when the id is not held, or its
    // device is gone (the packet is then traced Dropped).
    [[nodiscard]] Status release(quint64 heldId);
    // Forgets a held packet (traced Dropped). State when the id is not held.
    [[nodiscard]] Status drop(quint64 heldId);
    // Cuts a device as a network failure would: both its sides are aborted. State when the
    // device is not open.
    [[nodiscard]] Status cut(ConnectionId connection);

    // Packets forwarded on all devices since start(), both directions (the benchmark's count).
    quint64 forwardedPackets() const { return m_forwarded; }

signals:
    void deviceOpened(mqs::ConnectionId connection);
    // Its client id became known, or its state changed.
    void deviceChanged(mqs::ConnectionId connection);
    void deviceClosed(mqs::ConnectionId connection);
    // Something went wrong for one device (upstream unreachable or refused, TLS, garbage from
    // either side, a rule of the specification broken by either side); the sentence says what,
    // and other devices are not affected. `connection` is 0 for a device that never got a lane
    // (its TLS handshake with the proxy failed).
    void problem(mqs::ConnectionId connection, const mqs::Problem &problem);
    void heldChanged();
    void faultRuleActed(quint32 ruleId);

private:
    void accept(Transport *deviceSide);
    void openUpstream(ProxyDeviceLink &link);
    void onUpstreamOpened(ProxyDeviceLink &link);
    void upstreamNeverOpened(ProxyDeviceLink &link, const TransportClosed &closed);
    void synthesizeConnAck(ProxyDeviceLink &link);
    void onSideClosed(ProxyDeviceLink &link, bool deviceSide, const TransportClosed &closed);
    void closeLink(ProxyDeviceLink &link, TraceKind kind, const QString &why, bool abort);
    void closeDeviceAfterDrain(ProxyDeviceLink &link);
    void finishIfClosed(ProxyDeviceLink &link);
    void onDeviceBytes(ProxyDeviceLink &link, const QByteArray &bytes);
    void onUpstreamBytes(ProxyDeviceLink &link, const QByteArray &bytes);
    void frame(ProxyDeviceLink &link, TraceDirection direction);
    // Trace time for a packet: its chunk's read time while a chunk is framed, the clock's otherwise.
    qint64 nowUs() const;
    void framePackets(ProxyDeviceLink &link, TraceDirection direction);
    void send(ProxyDeviceLink &link, TraceDirection direction, const QByteArray &bytes);
    void sendGathered(ProxyDeviceLink &link);
    void learnFromDevice(ProxyDeviceLink &link, const Packet &packet);
    void learnFromConnAck(ProxyDeviceLink &link, const ConnAck &connAck);
    void nameLane(ProxyDeviceLink &link, const QString &clientId);
    static QString topicOf(ProxyDeviceLink &link, TraceDirection direction, const Packet &packet);
    void pass(ProxyDeviceLink &link, HeldPacket packet);
    void unforwardable(ProxyDeviceLink &link, const HeldPacket &packet);
    void cutAfterCrossing(ProxyDeviceLink &link, TraceDirection direction, const QString &why);
    void cross(ProxyDeviceLink &link, const HeldPacket &packet, TraceMark mark, quint32 ruleId);
    void record(ProxyDeviceLink &link, const HeldPacket &packet, TraceMark mark, quint32 ruleId);
    void breakFraming(ProxyDeviceLink &link, TraceDirection direction, const QString &why);
    void traceNote(ProxyDeviceLink &link, TraceKind kind, const QString &note);
    void reportProblem(ProxyDeviceLink &link, Problem problem);
    void reportFindings(ProxyDeviceLink &link);
    void tickObservers();
    static QString deviceName(const ProxyDeviceLink &link);
    ProxyDeviceLink *linkOf(ConnectionId connection) const;
    void forgetOldClosedDevices();
    bool isAlive(ConnectionId connection) const;

    ProxySettings m_settings;
    FaultRuleSet &m_rules;
    TraceLog &m_trace;
    FaultGate m_gate;
    std::unique_ptr<ProxyListener> m_server;
    std::vector<std::unique_ptr<ProxyDeviceLink>> m_links; // in the order they were accepted
    QHash<ConnectionId, ProxyDeviceLink *> m_linkOf;
    quint64 m_forwarded = 0;
    static constexpr qint64 kNoChunk = -1; // trace times are never negative
    qint64 m_chunkTimeUs = kNoChunk; // the read time of the chunk being framed
    ObservedSessions m_sessions; // what each client's session owed when its connection ended
    QTimer m_tick{this}; // a child, so it moves with the proxy to another thread
};

} // namespace mqs
