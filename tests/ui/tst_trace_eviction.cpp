// The trace drops its oldest events to stay within its memory limit; every view that reads it
// (FlowIndex, the diagram's layout and painter, the flow table, the packet view) must follow
// without reading an evicted event. The window died in TraceLog::chunkOf after minutes at
// 10,000 messages/s, when eviction began; run this under ASan too.

#include "flow_inspector.h"
#include "flow_table_model.h"
#include "packet_detail_view.h"
#include "sequence_diagram_view.h"
#include "trace_memory.h"
#include "window_fixture.h"

#include "protocol/encoder.h"
#include "trace/flow_index.h"
#include "trace/trace_log.h"

#include <QAbstractItemModelTester>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;

namespace {

constexpr qint64 kLimit = 2 * 1024 * 1024; // small, so a few seconds of traffic evict many times

QByteArray bytes(const Packet &packet)
{
    return encode(packet, ProtocolVersion::V5);
}

// One client to one broker, 5.0, traced at the client: QoS 2 readings whose handshakes
// complete, QoS 0 readings, now and then a large one, and one flow held for good.
class Traffic
{
public:
    explicit Traffic(TraceLog &log)
        : m_log(log)
    {
        m_client = log.addConnection({0, ConnectionRole::Client, QStringLiteral("sensor"), QStringLiteral("sensor"),
                                      QStringLiteral("sensor"), QStringLiteral("broker"), ProtocolVersion::V5});
    }

    // The flow that never completes: PUBLISH and PUBREC crossed, our PUBREL held by a rule.
    void stallOne()
    {
        const PacketId id{kStalledId};
        Publish publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("home/stalled"), .packetId = id, .payload = "1"};
        packet(TraceDirection::Sent, publish, FlowState::AwaitingPubRec);
        packet(TraceDirection::Received, PubRec{.packetId = id}, FlowState::AwaitingPubComp);
        m_log.appendPacket(m_client, TraceDirection::Sent, PubRel{.packetId = id}, bytes(PubRel{.packetId = id}),
                           FlowState::AwaitingPubComp, TraceMark::Held, 7);
    }

    void qos2Reading(QByteArray payload = "{\"t\":21.5}") { finishQos2(beginQos2(std::move(payload))); }

    // A handshake in two halves, as a batch of the window may fall between them.
    PacketId beginQos2(QByteArray payload = "{\"t\":21.5}")
    {
        const PacketId id{quint16(m_next++ % 60000 + 1)};
        Publish publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("home/temperature"), .packetId = id,
                        .payload = std::move(payload)};
        packet(TraceDirection::Sent, publish, FlowState::AwaitingPubRec);
        packet(TraceDirection::Received, PubRec{.packetId = id}, FlowState::AwaitingPubComp);
        return id;
    }

    void finishQos2(PacketId id)
    {
        packet(TraceDirection::Sent, PubRel{.packetId = id}, FlowState::AwaitingPubComp);
        packet(TraceDirection::Received, PubComp{.packetId = id}, FlowState::Complete);
    }

    void qos0Reading()
    {
        packet(TraceDirection::Received, Publish{.topic = QStringLiteral("sensors/load"), .payload = "{\"load\":0.42}"},
               FlowState::None);
    }

    void violation()
    {
        TraceEvent e;
        e.connection = m_client;
        e.kind = TraceKind::Violation;
        e.timeUs = m_log.clock().nowUs();
        e.note = QStringLiteral("PUBCOMP for an id not in flight [MQTT-2.2.1-5]");
        m_log.append(std::move(e));
    }

    static constexpr quint16 kStalledId = 65000;

private:
    void packet(TraceDirection direction, const Packet &packet, FlowState state)
    {
        m_log.appendPacket(m_client, direction, packet, bytes(packet), state, TraceMark::None, 0);
    }

    TraceLog &m_log;
    ConnectionId m_client = 0;
    quint32 m_next = 0;
};

// Everything the window builds on the trace, as it builds it.
struct Views {
    explicit Views(TraceLog &log)
        : flows(log), diagram(log, flows), table(log, flows), packet(log)
    {
        diagram.resize(900, 500);
        packet.resize(600, 400);
    }

    // One batch of the window: index, lay out, paint, read the table's first and last rows (where
    // its views look: oldest flows first, or newest first).
    void batch()
    {
        flows.update();
        diagram.refresh();
        table.refresh();
        const int rows = table.rowCount();
        for (int row = 0; row < rows; row = row == 50 && rows > 100 ? rows - 50 : row + 1)
            for (int column = 0; column < FlowTableModel::ColumnCount; ++column)
                table.data(table.index(row, column), Qt::DisplayRole);
        table.stalledCount();
        diagram.grab();
        packet.grab();
    }

    FlowIndex flows;
    SequenceDiagramView diagram;
    FlowTableModel table;
    PacketDetailView packet;
};

} // namespace

class TestTraceEviction : public QObject
{
    Q_OBJECT
private slots:
    void viewsFollowManyEvictionsWithoutReadingEvictedEvents()
    {
        TraceLog log(kLimit);
        Traffic traffic(log);
        Views views(log);
        traffic.stallOne();
        views.batch();
        views.packet.showPacket(log.firstSequence()); // the user looks at the oldest packet

        for (int batch = 0; batch < 200; ++batch) {
            for (int i = 0; i < 400; ++i) {
                traffic.qos2Reading();
                traffic.qos0Reading();
            }
            if (batch % 20 == 0)
                traffic.violation();
            views.batch();
        }

        QVERIFY2(log.evictedEvents() > 20 * 16384, "the traffic must outgrow the limit many times over");
        QCOMPARE(log.staleReads(), quint64(0));
        QVERIFY(log.memoryBytes() <= kLimit + 1024 * 1024);
        // The layout keeps only the rows of events still in the trace, behind one Evicted row.
        const auto &rows = views.diagram.layout().rows();
        QCOMPARE(rows.front().kind, DiagramRow::Evicted);
        QCOMPARE(rows.front().sequence, log.firstSequence());
        QVERIFY(rows[1].sequence >= log.firstSequence());
        QVERIFY(rows.size() <= log.size() + 1);
        // Finished flows left with their packets; the table has the flows the index keeps.
        QVERIFY(views.flows.forgottenFlows() > 10000);
        QCOMPARE(std::size_t(views.table.rowCount()), views.flows.flows().size());
        QVERIFY(views.flows.flows().size() <= log.size() / 4 + 2);
    }

    void aStalledFlowOutlivesTheEvictionOfItsPackets()
    {
        TraceLog log(kLimit);
        Traffic traffic(log);
        Views views(log);
        traffic.stallOne();
        for (int batch = 0; batch < 40; ++batch) {
            for (int i = 0; i < 500; ++i)
                traffic.qos2Reading();
            views.batch();
        }
        QVERIFY(log.evictedEvents() > 0);
        const FlowRecord &stalled = views.flows.flows().front();
        QCOMPARE(stalled.key.packetId, PacketId(Traffic::kStalledId));
        QCOMPARE(stalled.state, FlowState::AwaitingPubComp);
        QVERIFY(stalled.events.empty()); // its packets are gone from the trace...
        const QString sentence = views.flows.sentence(stalled, log.clock().nowUs());
        QVERIFY2(sentence.contains(QLatin1String("PUBREL (ours) held")), qPrintable(sentence)); // ...what holds it is not
        QCOMPARE(views.table.data(views.table.index(0, FlowTableModel::Held), Qt::DisplayRole).toString(), QStringLiteral("held"));
        QCOMPARE(log.staleReads(), quint64(0));
    }

    void theRowsOnScreenStayPutWhileOlderOnesAreEvicted()
    {
        TraceLog log(kLimit);
        Traffic traffic(log);
        Views views(log);
        for (int i = 0; i < 20000; ++i)
            traffic.qos2Reading();
        views.batch();
        // Stop following, halfway down, as a user reading a handshake does.
        views.diagram.setFollowing(false);
        QScrollBar *bar = views.diagram.verticalScrollBar();
        bar->setValue(bar->maximum() * 3 / 4);
        const std::size_t row = views.diagram.visibleRows().first;
        const quint64 watched = views.diagram.layout().rows()[row].sequence;
        const quint64 evicted = log.evictedEvents();
        while (log.evictedEvents() == evicted) // until the next chunk goes
            traffic.qos2Reading();
        views.batch();
        QVERIFY(views.diagram.layout().rowsShifted() > 0);
        QVERIFY(log.contains(watched));
        QCOMPARE(views.diagram.layout().rows()[views.diagram.visibleRows().first].sequence, watched);
        QVERIFY(!views.diagram.isFollowing());
    }

    void aPaintBetweenBatchesShowsEvictedRowsAsGone()
    {
        // Packets arrive between two batches of the window, and the trace may drop the events
        // of rows on screen before the layout hears of it (seen in bench_soak, scrolled to the top).
        TraceLog log(kLimit);
        Traffic traffic(log);
        Views views(log);
        for (int i = 0; i < 20000; ++i)
            traffic.qos2Reading();
        views.batch();
        views.diagram.setFollowing(false);
        views.diagram.verticalScrollBar()->setValue(0);
        const quint64 firstShown = views.diagram.layout().rows()[1].sequence;
        while (log.contains(firstShown))
            traffic.qos2Reading();
        views.diagram.grab(); // paint and a tooltip's worth of reads, no batch in between
        QCOMPARE(log.staleReads(), quint64(0));
    }

    void theTableFollowsFlowsForgottenBetweenItsRefreshes()
    {
        // The table refreshes twice a second, the index at every batch: flows can begin and be
        // forgotten in between, and were never rows of the table.
        TraceLog log(kLimit);
        Traffic traffic(log);
        FlowIndex flows(log);
        FlowTableModel table(log, flows);
        FlowFilterModel filter;
        filter.setSourceModel(&table);
        filter.setNewestFirst(true); // as the Flows tab shows them
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int batch = 0; batch < 300; ++batch) {
            for (int i = 0; i < 300; ++i)
                traffic.qos2Reading();
            flows.update();
            if (batch % 60 == 0) // 72,000 events apart: more than the trace keeps
                table.refresh();
        }
        table.refresh();
        QVERIFY(flows.forgottenFlows() > 0);
        QCOMPARE(std::size_t(table.rowCount()), flows.flows().size());
        QCOMPARE(std::size_t(filter.rowCount()), flows.flows().size());
    }

    void nothingIsDroppedBeforeTheWindowHasReadIt()
    {
        // With a limit of a chunk or two, the oldest chunk can hold packets that arrived since the
        // window's last batch: dropped unread, their flows stayed open for good (false stalls).
        test::TestWindows windows;
        const auto w = windows.open();
        w->setTraceMemoryLimit(1024 * 1024);
        TraceLog &log = w->workbench().trace();
        Traffic traffic(log);
        for (int burst = 0; burst < 12; ++burst) {
            const PacketId halfDone = traffic.beginQos2();
            QTest::qWait(50); // a batch runs: it sees the PUBLISH and the PUBREC
            traffic.finishQos2(halfDone);
            for (int i = 0; i < 3000; ++i) // 12,000 events until the next batch
                traffic.qos2Reading();
        }
        QTest::qWait(50);
        QVERIFY(log.evictedEvents() > 0);
        int open = 0;
        for (const FlowRecord &f : w->workbench().flows().flows())
            open += f.isOpen() ? 1 : 0;
        QCOMPARE(open, 0);
        // The Flows tab has the index's rows after every batch, not only at its next refresh.
        for (int burst = 0; burst < 5; ++burst) {
            for (int i = 0; i < 3000; ++i)
                traffic.qos2Reading();
            QTest::qWait(50);
            QCOMPARE(std::size_t(w->inspector()->model().rowCount()), w->workbench().flows().flows().size());
        }
        QCOMPARE(log.staleReads(), quint64(0));
    }

    void megabytePayloadsAreEvictedLikeAnyOther()
    {
        // A 16,384-record chunk of 1 MiB payloads would be 16 GiB: large events end their chunk
        // early, so the memory limit holds.
        TraceLog log(8 * kLimit);
        Traffic traffic(log);
        Views views(log);
        const QByteArray megabyte(1024 * 1024, 'x');
        for (int i = 0; i < 60; ++i) {
            traffic.qos2Reading(megabyte);
            views.batch();
        }
        QVERIFY(log.evictedEvents() > 0);
        QVERIFY2(log.memoryBytes() <= 8 * kLimit + 5 * 1024 * 1024, qPrintable(QString::number(log.memoryBytes())));
        const Publish last{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("home/temperature"), .packetId = PacketId(60), .payload = megabyte};
        QCOMPARE(log.rawView(log.endSequence() - 4).size(), bytes(last).size());
        QCOMPARE(log.staleReads(), quint64(0));
    }

    void theWindowShowsTheTracesMemoryAndOffersToSaveItBeforeDropping()
    {
        QTemporaryDir dir;
        test::TestWindows windows;
        MainWindow::Options options;
        options.settingsPath = dir.filePath(QStringLiteral("settings.ini"));
        const auto window = windows.open(options);
        MainWindow &w = *window;
        QCOMPARE(w.workbench().trace().memoryLimit(), TraceLog::kDefaultMemoryLimit); // the default, until set
        w.setTraceMemoryLimit(16 * 1024 * 1024);
        QCOMPARE(windows.open(options)->workbench().trace().memoryLimit(), qint64(16 * 1024 * 1024)); // kept for the next start
        QTRY_VERIFY(w.statusText().contains(QLatin1String("trace ")) && w.statusText().contains(QLatin1String("of 16 MiB")));

        TraceLog &log = w.workbench().trace();
        Traffic traffic(log);
        while (double(log.memoryBytes()) < TraceFullBar::kOfferAt * double(log.memoryLimit()))
            traffic.qos2Reading();
        QVERIFY(log.evictedEvents() == 0);
        QTRY_VERIFY(w.traceFullBar()->isVisible()); // offered while nothing is lost yet
        QVERIFY(w.traceFullBar()->findChild<QWidget *>(QStringLiteral("saveTrace")));

        while (log.evictedEvents() == 0)
            traffic.qos2Reading();
        QTRY_VERIFY(w.statusText().contains(QLatin1String("oldest events dropped")));
        QVERIFY(!w.traceFullBar()->isVisible());
        QTRY_COMPARE(w.diagram()->layout().rows().front().kind, DiagramRow::Evicted);
        QCOMPARE(log.staleReads(), quint64(0));
    }
};

QTEST_MAIN(TestTraceEviction)
#include "tst_trace_eviction.moc"
