// Feeds a million trace events to the real SequenceDiagramView (offscreen) and measures what a
// user feels: trace memory per event, paint time per frame at many scroll positions, and the
// longest event-loop stall while 20,000 packets/s arrive live. Prints one `name value` line
// per figure. Usage: bench_trace_view [EVENTS] [LIVE_SECONDS]

#include "protocol/encoder.h"
#include "sequence_diagram_view.h"
#include "trace/flow_index.h"
#include "trace/trace_log.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace mqs;

namespace {

// Two hops of the demo, traced at both ends as the app traces them: sensor → broker →
// dashboard, QoS 2, 16 events per message (4 packets per hop, each seen by sender and receiver).
class DemoTraffic
{
public:
    explicit DemoTraffic(TraceLog &log)
        : m_log(log)
    {
        // Both ends of a hop carry the same client id, so the diagram draws each packet once.
        auto add = [&](ConnectionRole role, const QString &name, const QString &clientId, const QString &local,
                       const QString &remote) {
            return log.addConnection({0, role, name, clientId, local, remote, ProtocolVersion::V5});
        };
        const QString sensor = QStringLiteral("living-room sensor"), dashboard = QStringLiteral("dashboard"),
                      broker = QStringLiteral("sandbox broker");
        m_sensor = add(ConnectionRole::Client, sensor, sensor, sensor, broker);
        m_brokerSensor = add(ConnectionRole::BrokerSide, QStringLiteral("broker ⇄ ") + sensor, sensor, broker, sensor);
        m_dashboard = add(ConnectionRole::Client, dashboard, dashboard, dashboard, broker);
        m_brokerDashboard =
            add(ConnectionRole::BrokerSide, QStringLiteral("broker ⇄ ") + dashboard, dashboard, broker, dashboard);
    }

    // Appends at least `events` events, whole packets at a time, at trace time `timeUs`.
    void append(quint64 events, qint64 timeUs)
    {
        const quint64 end = m_log.endSequence() + events;
        while (m_log.endSequence() < end)
            packet(timeUs);
    }

private:
    void packet(qint64 timeUs)
    {
        // Step 0..3 on hop 1, then 0..3 on hop 2.
        const bool hop2 = m_step >= 4;
        const int step = m_step % 4;
        const PacketId id{quint16(m_message % 65535 + 1)};
        const ConnectionId client = hop2 ? m_brokerDashboard : m_sensor; // the PUBLISH's sender
        const ConnectionId server = hop2 ? m_dashboard : m_brokerSensor;
        static const PacketType types[] = {PacketType::Publish, PacketType::PubRec, PacketType::PubRel,
                                           PacketType::PubComp};
        static const FlowState senderState[] = {FlowState::AwaitingPubRec, FlowState::AwaitingPubRec,
                                                FlowState::AwaitingPubComp, FlowState::AwaitingPubComp};
        static const FlowState receiverState[] = {FlowState::AwaitingPubRel, FlowState::AwaitingPubRel,
                                                  FlowState::Complete, FlowState::Complete};
        QByteArray raw;
        switch (step) {
        case 0: {
            Publish p;
            p.qos = QoS::ExactlyOnce;
            p.packetId = id;
            p.topic = QStringLiteral("sensors/temperature/livingroom");
            p.payload = QByteArray(R"({"temperature": 21.5, "seq": )") + QByteArray::number(m_message) + '}';
            raw = encode(p, ProtocolVersion::V5);
            break;
        }
        case 1: raw = encode(PubRec{id}, ProtocolVersion::V5); break;
        case 2: raw = encode(PubRel{id}, ProtocolVersion::V5); break;
        default: raw = encode(PubComp{id}, ProtocolVersion::V5); break;
        }
        // PUBLISH and PUBREL go client → server; PUBREC and PUBCOMP come back.
        const bool forward = step == 0 || step == 2;
        const ConnectionId from = forward ? client : server;
        const ConnectionId to = forward ? server : client;
        const FlowState fromState = forward ? senderState[step] : receiverState[step];
        FlowState toState = forward ? receiverState[step] : senderState[step];
        if (step == 3)
            toState = FlowState::Complete;
        for (const auto &[connection, direction, state] :
             {std::tuple{from, TraceDirection::Sent, fromState}, std::tuple{to, TraceDirection::Received, toState}}) {
            TraceEvent e;
            e.timeUs = timeUs;
            e.connection = connection;
            e.direction = direction;
            e.type = types[step];
            e.packetId = id;
            e.flowState = state;
            e.raw = raw;
            m_log.append(std::move(e));
        }
        if (++m_step == 8) {
            m_step = 0;
            ++m_message;
        }
    }

    TraceLog &m_log;
    ConnectionId m_sensor = 0, m_brokerSensor = 0, m_dashboard = 0, m_brokerDashboard = 0;
    int m_step = 0;
    quint64 m_message = 0;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

void print(const char *name, double value)
{
    std::printf("%s %.2f\n", name, value);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    QApplication app(argc, argv);
    const quint64 events = argc > 1 ? QByteArray(argv[1]).toULongLong() : 1'000'000;
    const int liveSeconds = argc > 2 ? QByteArray(argv[2]).toInt() : 5;

    // Memory: a trace of 4-byte handshake packets alone (PUBREC, PUBREL, PUBCOMP), then the
    // demo's mix (a quarter are ~70-byte PUBLISHes).
    {
        TraceLog acks;
        const ConnectionId c = acks.addConnection({0, ConnectionRole::Client, QStringLiteral("c"), {}, {}, {}, {}});
        const QByteArray raw = encode(PubRec{PacketId{7}}, ProtocolVersion::V311);
        for (quint64 i = 0; i < events; ++i) {
            TraceEvent e;
            e.timeUs = qint64(i);
            e.connection = c;
            e.type = PacketType::PubRec;
            e.packetId = PacketId{quint16(i % 65535 + 1)};
            e.raw = raw;
            acks.append(std::move(e));
        }
        print("trace_bytes_per_event", double(acks.memoryBytes()) / double(acks.size()));
    }

    TraceLog log;
    DemoTraffic traffic(log);
    FlowIndex flows(log);
    SequenceDiagramView view(log, flows);
    view.resize(1400, 900);
    view.show();

    QElapsedTimer load;
    load.start();
    for (quint64 done = 0; done < events; done += 20)
        traffic.append(20, qint64(done) * 25); // 40,000 events (20,000 packets) per second of trace time
    const double appendMs = double(load.nsecsElapsed()) / 1e6;
    print("trace_bytes_per_event_demo_mix", double(log.memoryBytes()) / double(log.size()));
    print("trace_events", double(log.size()));
    print("append_ms_total", appendMs);
    load.restart();
    flows.update();
    view.refresh();
    print("index_and_layout_ms", double(load.nsecsElapsed()) / 1e6);
    print("flows", double(flows.flows().size()));
    print("diagram_rows", double(view.layout().rows().size()));

    // Paint: the viewport rendered whole (its paintEvent, into a pixmap) at 101 scroll positions
    // from top to bottom, after one warm-up frame that loads the fonts.
    view.setFollowing(false);
    QScrollBar *bar = view.verticalScrollBar();
    (void)view.viewport()->grab();
    std::vector<double> paintMs;
    for (int i = 0; i <= 100; ++i) {
        bar->setValue(int(qint64(bar->maximum()) * i / 100));
        QElapsedTimer t;
        t.start();
        const QPixmap frame = view.viewport()->grab();
        paintMs.push_back(double(t.nsecsElapsed()) / 1e6);
        if (frame.isNull())
            qFatal("the diagram rendered nothing");
    }
    print("paint_ms_median", median(paintMs));
    print("paint_ms_max", *std::max_element(paintMs.begin(), paintMs.end()));

    // Live: 20,000 packets/s (40,000 events: each packet is traced by its sender and its
    // receiver) appended every millisecond, the app's 30 Hz batch (flow index,
    // layout, follow the tail, repaint), and a zero timer that notes every gap in the loop.
    view.setFollowing(true);
    QElapsedTimer clock;
    clock.start();
    const qint64 traceStartUs = qint64(events) * 25 + 1'000'000;
    quint64 fed = 0;
    QTimer feed;
    feed.setTimerType(Qt::PreciseTimer);
    feed.setInterval(1);
    QObject::connect(&feed, &QTimer::timeout, [&] {
        const quint64 due = quint64(clock.nsecsElapsed() / 1000) * 40'000 / 1'000'000;
        if (due > fed) {
            traffic.append(due - fed, traceStartUs + clock.nsecsElapsed() / 1000);
            fed = due;
        }
    });
    QTimer batch;
    batch.setInterval(33);
    qint64 maxBatchNs = 0;
    QObject::connect(&batch, &QTimer::timeout, [&] {
        QElapsedTimer t;
        t.start();
        flows.update();
        view.refresh();
        maxBatchNs = std::max(maxBatchNs, t.nsecsElapsed());
        if (qEnvironmentVariableIsSet("BENCH_DEBUG"))
            std::printf("batch %.2f ms at %.0f ms\n", double(t.nsecsElapsed()) / 1e6, double(clock.nsecsElapsed()) / 1e6);
    });
    qint64 lastTick = 0;
    qint64 maxStallNs = 0;
    QTimer probe;
    probe.setInterval(0);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (qEnvironmentVariableIsSet("BENCH_DEBUG") && now - lastTick > 20'000'000)
            std::printf("stall %.2f ms at %.0f ms\n", double(now - lastTick) / 1e6, double(now) / 1e6);
        maxStallNs = std::max(maxStallNs, now - lastTick);
        lastTick = now;
    });
    QTimer::singleShot(liveSeconds * 1000, &app, &QApplication::quit);
    feed.start();
    batch.start();
    probe.start();
    lastTick = clock.nsecsElapsed();
    app.exec();
    print("live_packets_per_s", double(fed) / 2 * 1e9 / double(clock.nsecsElapsed()));
    print("max_stall_ms", double(maxStallNs) / 1e6);
    print("batch_ms_max", double(maxBatchNs) / 1e6);
    print("trace_events_after_live", double(log.size()));
    return 0;
}
