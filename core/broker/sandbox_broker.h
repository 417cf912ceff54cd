#pragma once
// The sandbox broker: BrokerCore on a loopback port, for zero-setup demos and for faults real
// brokers will not do on demand (withhold PUBCOMP from one client, restart with or without its
// state). Every connection it serves is traced as a lane of its own. It is a debugging
// sandbox, not a production broker.

#include "broker_core.h"

#include "faults/fault_gate.h"
#include "protocol/decoder.h"
#include "trace/trace_log.h"
#include "transport/transport_server.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <map>
#include <memory>

namespace mqs {

class SandboxBroker : public QObject, private GateEdge
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxBroker)
public:
    struct Options {
        BrokerOptions core{};
        quint16 port = 0; // 0: any free port (see port())
        std::optional<quint16> webSocketPort{}; // also serve ws:// here (0: any free port)
        QString storePath{}; // SQLite file for sessions and retained messages; empty: in memory
        // Given the store just opened, the one to use: tests wrap the real store to make a commit
        // fail or to stop the process at one. Nothing: the store as opened.
        std::function<std::unique_ptr<SessionStore>(std::unique_ptr<SessionStore> opened)> wrapStore{};
        // A connection that has not completed its CONNECT by then is closed: a silent or
        // byte-dribbling peer must not hold a connection open indefinitely.
        int connectTimeoutMs = kDefaultConnectTimeoutMs;
        static constexpr int kDefaultConnectTimeoutMs = 10000;
    };

    // `trace` may be null (no tracing); it must outlive the broker.
    SandboxBroker(Options options, TraceLog *trace, QObject *parent = nullptr);
    ~SandboxBroker() override;

    // Listens and restores what the store holds; a Store or Network problem says why it could not.
    Status start();
    // Closes every client (5.0 clients get DISCONNECT 0x8B when `graceful`) and stops listening.
    void stop(bool graceful = true);
    // Stop as a crash would (no DISCONNECT), then start on the same port, with the session state
    // it had (sessions, queued and unfinished flows, retained messages) or without any.
    Status restart(bool keepState);

    bool isRunning() const { return m_server.isListening(); }
    quint16 port() const { return m_port; }
    quint16 webSocketPort() const { return m_server.webSocketPort(); }
    QString url() const { return QStringLiteral("mqtt://127.0.0.1:%1").arg(m_port); }
    const BrokerCore &core() const { return m_core; }
    std::vector<BrokerClientInfo> clients() const;

    // Broker-side fault rules: the same model as a client's, scoped by client id where needed
    // ("hold out PUBCOMP client dashboard" withholds PUBCOMP from that client only).
    FaultRuleSet &faults() { return m_faults; }
    std::vector<HeldPacket> heldPackets() const { return m_gate.held(); }
    // Lets a held packet cross now (if its connection is still there); false when it is not held.
    bool release(quint64 heldId);
    // Traces a held packet as dropped; it never crosses. False when it is not held.
    bool drop(quint64 heldId);

signals:
    void clientConnected(const QString &clientId);
    void clientDisconnected(const QString &clientId);
    void note(const QString &text);
    void heldPacketsChanged();
    // One of the broker's fault rules acted on a packet (FaultRuleSet::hits grew).
    void faultRuleActed(quint32 ruleId);

private:
    struct Client;
    class Target;

    Millis now() const;
    void onAccepted(Transport *transport);
    void onReceived(ClientHandle handle, const QByteArray &bytes);
    void onClosed(ClientHandle handle, const TransportClosed &closed);
    void onConnectDeadlines();
    void process(ClientHandle handle, const Packet &packet, const QByteArray &raw, TraceMark mark, quint32 ruleId);
    // Commits the step's store changes in one transaction, then sends (core/edge/apply_step.h).
    void apply(BrokerStep step);
    void storeFailed(const Problem &error, const BrokerStep &step, const StoreBatch &batch);
    // Closes each (connection, CONNACK sent) as storeFailureClose() says.
    void closeAfterStoreFailure(const std::vector<std::pair<ClientHandle, bool>> &closing);
    Client *clientOf(ClientHandle handle) const;
    void send(Client &client, const Packet &packet, FlowState state);
    // A packet at the fault gate (either direction): carries out the gate's verdict on it
    // (sandbox_broker_gate.cpp).
    void pass(HeldPacket packet);
    // GateEdge: a packet's owner is the client's handle (sandbox_broker_gate.cpp).
    void cross(const HeldPacket &packet, TraceMark mark, quint32 ruleId) override;
    void record(const HeldPacket &packet, TraceMark mark, quint32 ruleId) override;
    bool isAlive(const HeldPacket &packet) const override;
    void cutConnection(const HeldPacket &packet, const QString &why) override;
    void later(int ms, std::function<void()> work) override;
    void heldChanged() override;
    void ruleActed(quint32 ruleId) override;
    void traceConnect(Client &client, const Connect &connect);
    void tracePacket(const Client &client, TraceDirection direction, const Packet &packet, const QByteArray &raw,
                     FlowState state, TraceMark mark, quint32 ruleId);
    void traceNote(const Client *client, TraceKind kind, const QString &text);
    FlowState flowStateOf(const Client &client, PacketType type, PacketId id, bool sent) const;
    void scheduleTick();
    Status openStore();
    std::unique_ptr<SessionStore> wrapped(std::unique_ptr<SessionStore> store) const;

    Options m_options;
    TraceLog *m_trace;
    ConnectionId m_brokerNotes = 0; // a lane for what is not about one client
    BrokerCore m_core;
    std::unique_ptr<SessionStore> m_store;
    TransportServer m_server;
    quint16 m_port = 0;
    FaultRuleSet m_faults;
    FaultGate m_gate{m_faults};
    std::map<ClientHandle, std::unique_ptr<Client>> m_clients;
    ClientHandle m_nextHandle = 1;
    QElapsedTimer m_clock;
    qint64 m_clockBase = 0;
    QTimer m_tick;
    QTimer m_connectDeadline; // for the front of m_connectDeadlines
    std::deque<std::pair<Millis, ClientHandle>> m_connectDeadlines; // in order of acceptance
};

} // namespace mqs
