#pragma once
// Everything the main window shows, without widgets: the trace and its flow index, the app's
// connections, the sandbox demo, the session store and the messages received. Deliveries are
// gathered and handed on in batches (about 30 per second) so no rate can freeze the window.

#include "capture_playback.h"
#include "decoder_setup.h"

#include "payload/sparkplug_monitor.h"
#include "message_store.h"
#include "window_proxy.h"

#include "broker/sandbox_demo.h"
#include "payload/payload_decoding.h"
#include "client/connection.h"
#include "store/sqlite_session_store.h"
#include "trace/flow_index.h"
#include "trace/live_capture.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace mqs {

class Workbench : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Workbench)
public:
    // `storePath` empty: the session store lives in the user's data folder.
    explicit Workbench(const QString &storePath = QString(), QObject *parent = nullptr);
    ~Workbench() override;

    TraceLog &trace() { return m_trace; }
    // The trace's memory bound; the flow index and the views (batch()) follow what it drops.
    void setTraceMemoryLimit(qint64 bytes);
    FlowIndex &flows() { return m_flows; }
    MessageStore &messages() { return m_messages; }
    SessionStore *store() { return m_store.get(); }
    QString storeProblem() const { return m_storeProblem; }

    // How payloads are shown: the "decode as" rules and the Protobuf schemas they use.
    const PayloadDecoders &decoders() const { return *m_decoders; }
    // The same, for work on another thread: a new setup replaces the object rather than changing
    // it, so what a search holds stays as it was.
    std::shared_ptr<const PayloadDecoders> sharedDecoders() const { return m_decoders; }
    const DecoderSetup &decoderSetup() const { return m_decoderSetup; }
    // Takes a new setup (the schemas are read again); decodersChanged() follows.
    void setDecoderSetup(const DecoderSetup &setup);
    // One sentence per .proto file of the setup that did not load ("file.proto:12:3: …").
    const QStringList &schemaProblems() const { return m_schemaProblems; }
    // Sparkplug B's own state over every Sparkplug message received: seq, bdSeq, BIRTH before
    // DATA, aliases; and the rules broken, per message.
    const SparkplugMonitor &sparkplug() const { return m_sparkplug; }

    Connection *addConnection(const ConnectionSettings &settings);
    void removeConnection(Connection *connection);
    const std::vector<Connection *> &connections() const { return m_connectionList; }
    Connection *connectionByTraceId(ConnectionId id) const;
    Connection *current() const { return m_current; }
    void setCurrent(Connection *connection);

    // The sandbox broker with its sensor and dashboard; their connections join the list, and the
    // dashboard (the one with subscriptions, so messages arrive there) becomes the current one.
    Status startDemo(int intervalMs = 2000, SandboxDemo::Options options = {});
    // Closes the demo's connections and its broker; their lanes' history stays in the trace.
    void stopDemo();
    SandboxDemo *demo() const { return m_demo.get(); }
    // Every held packet, of every connection and of the sandbox broker.
    struct Held {
        HeldPacket packet;
        Connection *connection = nullptr; // null: held by the sandbox broker or a proxy
        WindowProxy *proxy = nullptr; // held by this proxy (packet.owner: the device's trace connection)
    };
    std::vector<Held> heldPackets() const;
    bool release(const Held &held);
    bool drop(const Held &held);

    // A capture file played into the trace (File ▸ Open capture…): each MQTT stream becomes an
    // observed connection. captureProgress() and captureFinished() follow. One at a time: a new
    // one cancels the one still playing.
    [[nodiscard]] Status openCapture(const QString &path, std::vector<quint16> ports = {});
    void cancelCapture();
    CapturePlayback *capturePlayback() const { return m_playback.get(); }
    // Live capture on an interface, analysed into the trace as it arrives and saved to `savePath`.
    [[nodiscard]] Status startLiveCapture(const LiveCapture::Options &options);
    // Stops it; captureFinished() follows with its summary.
    void stopLiveCapture();
    LiveCapture *liveCapture() const { return m_live.get(); }
    // The summary of the last capture that finished (file or live).
    const std::optional<CaptureSummary> &captureSummary() const { return m_captureSummary; }

    // Proxies between devices the app does not own and their broker (workbench_proxies.cpp).
    WindowProxy *addProxy(const ProxyProfile &profile);
    void removeProxy(WindowProxy *proxy);
    const std::vector<WindowProxy *> &proxies() const { return m_proxyList; }
    // The proxy one of whose devices is trace connection `id`, or null.
    WindowProxy *proxyOf(ConnectionId id) const;

    // Packets per second over the last second, for the status bar.
    double packetRate() const { return m_packetRate; } // per second, over the last 3 s
    quint64 packetsSeen() const { return m_packetsSeen; } // on the wire, each once

    // A scenario run or the probe: it opens connections of its own into the trace and reads the
    // trace between its own event numbers, so one runs at a time. Starting one names it (e.g.
    // "probe"); while another runs, a problem (State) naming that one. scriptedRunChanged() follows.
    [[nodiscard]] Status startScriptedRun(const QString &name);
    void endScriptedRun();
    const QString &scriptedRun() const { return m_scriptedRun; } // its name; empty when none runs

signals:
    void connectionAdded(mqs::Connection *connection);
    void connectionRemoved(mqs::Connection *connection);
    void demoChanged(bool running);
    void proxyAdded(mqs::WindowProxy *proxy);
    void proxyRemoved(mqs::WindowProxy *proxy);
    // Started, stopped, a device came, changed or went.
    void proxyChanged(mqs::WindowProxy *proxy);
    void currentChanged(mqs::Connection *connection);
    // The messages of this batch, just before they join the store (which may drop some at once
    // under its caps): charts sample every message, whatever the store keeps.
    void messagesArriving(const std::vector<mqs::StoredMessage> &messages);
    // A batch: the trace grew and/or messages arrived since the last one.
    void batch();
    void heldPacketsChanged();
    // A fault rule of any connection or of the sandbox broker acted: its hit count grew.
    void faultRuleActed();
    void problem(const QString &text);
    void captureProgress(double fraction);
    void captureFinished(const mqs::CaptureSummary &summary);
    void decodersChanged();
    void scriptedRunChanged(const QString &running);

private:
    void adopt(Connection *connection, bool owned);
    void flush();
    void observeSparkplug(const StoredMessage &message);
    void countPackets();

    TraceLog m_trace;
    FlowIndex m_flows{m_trace};
    MessageStore m_messages;
    std::shared_ptr<const PayloadDecoders> m_decoders = std::make_shared<const PayloadDecoders>();
    DecoderSetup m_decoderSetup;
    QStringList m_schemaProblems;
    SparkplugMonitor m_sparkplug;
    std::unique_ptr<SqliteSessionStore> m_store;
    QString m_storeProblem;
    std::vector<std::unique_ptr<Connection>> m_owned;
    std::vector<Connection *> m_connectionList;
    Connection *m_current = nullptr;
    std::unique_ptr<SandboxDemo> m_demo;
    std::vector<std::unique_ptr<WindowProxy>> m_ownedProxies;
    std::vector<WindowProxy *> m_proxyList;
    std::vector<StoredMessage> m_pending;
    QTimer m_batchTimer;
    quint64 m_lastEnd = 0;
    double m_packetRate = 0;
    std::deque<std::pair<qint64, quint64>> m_rateWindow; // (ms, packets seen)
    quint64 m_packetsSeen = 0;
    QString m_scriptedRun;
    quint64 m_countedTo = 0; // trace sequence counted up to
    std::unique_ptr<CapturePlayback> m_playback;
    std::unique_ptr<CaptureTrace> m_liveTrace; // before m_live: its last frames land here as it goes
    std::unique_ptr<LiveCapture> m_live;
    QString m_liveSource;
    std::optional<CaptureSummary> m_captureSummary;
};

} // namespace mqs
