#pragma once
// One client connection: wires transport, sans-IO session, session store, trace and fault
// rules with Qt timers and signals. The one API the GUI and the CLI use.

#include "connection_settings.h"

#include "faults/fault_gate.h"
#include "protocol/decoder.h"
#include "session/session.h"
#include "store/session_store.h"
#include "trace/trace_log.h"
#include "transport/transport.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace mqs {

enum class ConnectionState : quint8 {
    Disconnected,
    Connecting, // transport opening or CONNECT sent
    Connected, // CONNACK accepted
    WaitingToReconnect, // lost; automatic reconnect scheduled
};

QString connectionStateName(ConnectionState state);

class Connection : public QObject, private GateEdge
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    // `trace` must outlive the connection; `store` may be null (nothing persists then).
    Connection(ConnectionSettings settings, TraceLog &trace, SessionStore *store, QObject *parent = nullptr);
    ~Connection() override;

    const ConnectionSettings &settings() const { return m_settings; }
    // Takes effect at the next open(), limits (Receive Maximum, Maximum Packet Size, ...) included;
    // the session (flows) is kept unless the client id or server changes.
    void setSettings(ConnectionSettings settings);
    ConnectionState state() const { return m_state; }
    ConnectionId traceId() const { return m_traceId; }
    const Session &session() const { return *m_session; }
    // Messages waiting for send quota or for a connection.
    int queuedMessages() const { return m_session->outbound().queued(); }
    FaultRuleSet &faults() { return m_faults; }
    const FaultRuleSet &faults() const { return m_faults; }
    // The sentence of the last failure; empty since the last Connected.
    QString lastError() const { return m_lastError ? m_lastError->sentence : QString(); }
    // The last failure with its kind, which the front ends choose their advice by.
    const std::optional<Problem> &lastProblem() const { return m_lastError; }
    QString peerDescription() const;

    void open();
    // DISCONNECT, then close. No automatic reconnect.
    void close();
    // The same with this DISCONNECT's reason and properties (5.0: 0x04 Disconnect with Will
    // Message, a new Session Expiry Interval); 3.1.1's DISCONNECT carries neither.
    void close(ReasonCode reason, Properties properties);
    // Drop the connection without DISCONNECT, as a network failure would (automatic reconnect applies).
    void cut(const QString &why = QString());
    // Close (or cut) and open again.
    void reconnect();

    // `overrides` are the scenario runner's: a chosen packet id, or a QoS 0 PUBLISH sent over the
    // broker's Maximum Packet Size on purpose (see PublishOverrides).
    [[nodiscard]] PublishResult publish(const ApplicationMessage &message, const PublishOverrides &overrides = {});
    void subscribe(std::vector<Subscription> subscriptions, Properties properties = {});
    void unsubscribe(std::vector<QString> filters, Properties properties = {});

    // Decides the reason of our PUBACK/PUBREC for each new PUBLISH from the broker (5.0; 3.1.1
    // cannot refuse): a failure (>= 0x80) refuses the message, which is not delivered. The
    // scenario runner's "refuse" step; by default every message is accepted.
    void setInboundAcceptance(InboundFlows::Acceptance acceptance);

    std::vector<HeldPacket> heldPackets() const { return m_gate.held(); }
    // Lets a held packet cross now (if its connection is still there); false when it is not held.
    bool release(quint64 heldId);
    // Traces a held packet as dropped; it never crosses. False when it is not held.
    bool drop(quint64 heldId);

    // Packets the broker sent that we have not read yet, estimated from the unread bytes waiting
    // in the socket and the mean size of the packets received so far: how far behind we are.
    int backlogPackets() const;

    // Session time: monotonic milliseconds that also read as wall-clock time.
    Millis now() const;

signals:
    void stateChanged(mqs::ConnectionState state);
    void messageReceived(const mqs::Delivery &delivery);
    void flowUpdated(const mqs::FlowUpdate &update);
    void sessionEvent(const mqs::SessionEvent &event);
    // What went wrong: refused connection (Refused), TLS failure (Tls), store failure (Store),
    // protocol error (Protocol), unreachable or lost broker (Network). Core says what; the front
    // end adds what to do, by the kind.
    void errorOccurred(const mqs::Problem &problem);
    void heldPacketsChanged();
    // One of this connection's fault rules acted on a packet (FaultRuleSet::hits grew).
    void faultRuleActed(quint32 ruleId);

private:
    void setState(ConnectionState state);
    void fail(Problem problem);
    void onOpened();
    void onReceived(const QByteArray &bytes);
    // The sentence for bytes from the broker that did not decode, naming whose limit a too-large packet broke.
    QString describeIncomingError(const ProtocolError &error) const;
    void onClosed(const TransportClosed &closed);
    void handleIncoming(const DecodedPacket &decoded);
    void process(const Packet &packet, const QByteArray &raw, TraceMark mark, quint32 ruleId);
    class Target;
    // Runs a step now: the steps read before it first, then its store changes, then the rest.
    void execute(SessionOutput out);
    // Commits `changes` in one transaction, then carries out `steps` (core/edge/apply_step.h).
    void applySteps(std::vector<StoreChange> changes, const std::vector<const SessionOutput *> &steps);
    // The DISCONNECT of close(), once no step is half carried out.
    void disconnectNow();
    // A step's commit failed: close (DISCONNECT 0x80 on 5.0) and rebuild the session from the store.
    void storeFailed(const Problem &error);
    // Flow updates and events of a committed step: to the trace and the signals.
    void report(const SessionOutput &out);
    // Traces (and reports) one event; whether it is Connected.
    bool traceEvent(const SessionEvent &event);
    // Group commit: the steps of every packet read in one turn, in one transaction, then their packets.
    void flushReceived();
    void decodeReceived();
    // A session that cannot be resumed keeps its inbound QoS 2 ids in memory only.
    void keepInboundFlowsInMemory(SessionOutput &out);
    void send(const Packet &packet, FlowState flowState);
    // A packet at the fault gate (either direction): carries out the gate's verdict on it.
    void pass(HeldPacket packet);
    // GateEdge: received packets are fed to the session (connection_gate.cpp).
    void cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId) override;
    void record(const HeldPacket &packet, TraceMark mark, quint32 ruleId) override;
    bool isAlive(const HeldPacket &packet) const override;
    void cutConnection(const HeldPacket &packet, const QString &why) override;
    void later(int ms, std::function<void()> work) override;
    void heldChanged() override;
    void ruleActed(quint32 ruleId) override;
    // Whether the connection `generation` is still the open one (checked before delayed work).
    bool isAlive(quint64 generation) const;
    void discardHeld(quint64 generation);
    // How the trace names this connection, from its settings.
    TraceConnection traceRecord() const;
    void write(const QByteArray &raw);
    void trace(TraceDirection direction, const Packet &packet, const QByteArray &raw, FlowState state,
               TraceMark mark = TraceMark::None, quint32 ruleId = 0);
    void traceNote(TraceKind kind, const QString &note);
    void scheduleKeepAlive();
    void scheduleReconnect();
    bool loadSession();
    // A disconnected session takes the settings' options, keeping its flows, before it connects.
    void adoptSessionOptions();
    // A session built from the settings, with the inbound acceptance set.
    std::unique_ptr<Session> newSession() const;

    ConnectionSettings m_settings;
    TraceLog &m_trace;
    SessionStore *m_store;
    SessionKey m_storeKey;
    ConnectionId m_traceId = 0;
    InboundFlows::Acceptance m_acceptance; // before m_session, which the constructor builds with it
    std::unique_ptr<Session> m_session;
    bool m_sessionLoaded = false;
    FaultRuleSet m_faults;
    FaultGate m_gate{m_faults};
    Decoder m_decoder;
    // The steps of the packets read in the current turn, not yet committed (see flushReceived()).
    struct ReceivedSteps {
        std::vector<StoreChange> store;
        std::vector<SessionOutput> steps;
        bool closing = false; // a step asked to close: what follows it is not read
    };
    std::optional<ReceivedSteps> m_received;
    // Set while connected to a session that ends with the connection (Clean Start, expiry 0):
    // its inbound flows cannot outlive the connection, so the store does not hear of them.
    bool m_inboundInMemory = false;
    qint64 m_bytesReceived = 0; // on all connections so far: for the mean packet size
    qint64 m_packetsReceived = 0;
    QPointer<Transport> m_transport;
    quint64 m_transportGeneration = 0; // tells delayed work which connection it belonged to
    ConnectionState m_state = ConnectionState::Disconnected;
    bool m_closing = false; // the user asked to close: no reconnect
    ReasonCode m_disconnectReason = ReasonCode::Success; // of the DISCONNECT close() sends
    Properties m_disconnectProperties;
    bool m_refusedForGood = false; // CONNACK refused: reconnecting would not help
    bool m_cutRequested = false; // cut() or a fault rule: the close that follows is no error
    bool m_storeFailed = false; // a step's commit failed: closing, nothing more is read
    // Steps being carried out (applySteps), nested when a reaction to one (a delivery, a flow
    // update) takes another: a close() asked for meanwhile waits until they are all out.
    int m_carryingOut = 0;
    bool m_closeAfterSteps = false;
    int m_reconnectAttempt = 0;
    std::optional<Problem> m_lastError;
    QElapsedTimer m_clock;
    qint64 m_clockBase = 0; // wall-clock ms at m_clock's start
    QTimer m_keepAliveTimer;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
};

} // namespace mqs

Q_DECLARE_METATYPE(mqs::ConnectionState)
Q_DECLARE_METATYPE(mqs::Delivery)
Q_DECLARE_METATYPE(mqs::FlowUpdate)
Q_DECLARE_METATYPE(mqs::SessionEvent)
Q_DECLARE_METATYPE(mqs::Problem)
