// The numbers people quote from the window agree with the trace (offscreen, on a real mosquitto):
// a publish's duration is its flow's own and stays put; a generator run says what was sent,
// completed and still queued; a packet's time is one number in the diagram, the Packet tab and
// the JSON Lines export; a fault rule's Hits follow its actions; {{seq}} counts on across
// clicks; a 3.1.1 CONNACK shows the return code that was on the wire.

#include "fault_rules_panel.h"
#include "main_window.h"
#include "mosquitto_fixture.h"
#include "packet_detail_view.h"
#include "publish_panel.h"
#include "sequence_diagram_view.h"
#include "window_fixture.h"

#include "trace/trace_text.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

struct ClientOptions {
    QString clientId;
    ProtocolVersion version = ProtocolVersion::V5;
    int maximumInflight = 65535; // our own send window
    bool autoReconnect = false;
};

Profile profileFor(const QString &url, const ClientOptions &options)
{
    Profile p = test::profileFor(url, options.clientId);
    p.settings.version = options.version;
    p.settings.session.maximumInflight = options.maximumInflight;
    p.settings.autoReconnect = options.autoReconnect;
    p.settings.reconnectMinimumMs = 100;
    p.settings.reconnectMaximumMs = 500; // back soon after a broker restart
    return p;
}

// The newest traced packet of `type` on `connection`.
std::optional<quint64> lastPacket(const TraceLog &trace, ConnectionId connection, PacketType type)
{
    for (quint64 s = trace.endSequence(); s-- > trace.firstSequence();)
        if (trace.kindOf(s) == TraceKind::Packet && trace.connectionOf(s) == connection && trace.typeOf(s) == type)
            return s;
    return std::nullopt;
}

std::optional<std::size_t> diagramRowOf(const SequenceDiagramView &diagram, quint64 sequence)
{
    const auto &rows = diagram.layout().rows();
    for (std::size_t r = 0; r < rows.size(); ++r)
        if (rows[r].kind == DiagramRow::Arrow && rows[r].sequence == sequence)
            return r;
    return std::nullopt;
}

} // namespace

class TestWindowNumbers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    TestWindows m_windows;

    std::unique_ptr<MainWindow> window() { return m_windows.open(); }

    // The window's connection to `broker`, connected.
    Connection *connected(MainWindow &w, const MosquittoBroker &broker, const ClientOptions &options)
    {
        Connection *c = w.addConnection(profileFor(broker.url(), options), true);
        if (!QTest::qWaitFor([c] { return c->state() == ConnectionState::Connected; }, 5000))
            qWarning("%s did not connect: %s", qPrintable(options.clientId), qPrintable(c->lastError()));
        return c;
    }

    void typePayload(PublishPanel &panel, const QString &topic, const QString &payload, bool templated)
    {
        panel.topic()->setCurrentText(topic);
        panel.format()->setCurrentIndex(0);
        panel.templated()->setChecked(templated);
        panel.payload()->setPlainText(payload);
    }

    // The Packet tab's time and the diagram's for the packet `sequence`, after selecting it.
    void checkOneTime(MainWindow &w, quint64 sequence)
    {
        SequenceDiagramView *diagram = w.diagram();
        diagram->refresh();
        const auto row = diagramRowOf(*diagram, sequence);
        QVERIFY(row);
        diagram->setFollowing(true);
        QTest::mouseClick(diagram->viewport(), Qt::LeftButton, {}, diagram->rowRect(*row).center()); // as a user picks it
        QCOMPARE(diagram->selectedPacket(), std::optional<quint64>(sequence));
        const QString packetTab = w.packetDetail()->heading();
        const QString diagramTime = diagram->timeText(*row);
        // The diagram shows milliseconds, the Packet tab microseconds: the same time, cut shorter.
        QVERIFY2(packetTab.startsWith(diagramTime) && packetTab.at(diagramTime.size()).isDigit(),
                 qPrintable(QStringLiteral("diagram %1, Packet tab %2").arg(diagramTime, packetTab)));
        QVERIFY2(packetTab.startsWith(traceSeconds(w.workbench().trace().timeUs(sequence), TimeResolution::Microseconds) + QLatin1Char(' ')),
                 qPrintable(packetTab));
    }

private slots:
    void publishResultIsTheFlowsOwnDurationAndStaysPut()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        Connection *c = connected(*w, mosquitto, {.clientId = QStringLiteral("timed")});
        PublishPanel *panel = w->publishPanel();
        typePayload(*panel, QStringLiteral("numbers/timed"), QStringLiteral("21.5"), false);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->outcome().contains(QStringLiteral("completed (PUBCOMP)")), 5000);
        const QString completed = panel->outcome();
        // The Flows tab's number: the client's flow from its PUBLISH to its PUBCOMP.
        w->workbench().flows().update();
        const FlowRecord *flow = nullptr;
        for (const FlowRecord &f : w->workbench().flows().flows())
            if (f.key.connection == c->traceId() && f.state == FlowState::Complete)
                flow = &f;
        QVERIFY(flow);
        const QString took = durationText(flow->completeUs - flow->publishUs);
        QVERIFY2(completed.endsWith(QStringLiteral(" in %1.").arg(took)), qPrintable(completed + QStringLiteral(" vs ") + took));
        QVERIFY(w->workbench().flows().sentence(*flow, 0).contains(took));
        // Later events (a subscription, its SUBACK) and time passing leave it as it was.
        QTest::qWait(300);
        const quint64 before = w->workbench().trace().endSequence();
        c->subscribe({Subscription{QStringLiteral("numbers/#"), {}}});
        QTRY_VERIFY(w->workbench().trace().endSequence() > before + 1);
        QTest::qWait(100); // a batch or two
        QCOMPARE(panel->outcome(), completed);
    }

    void generatorRunSaysWhatIsSentCompletedAndStillQueued()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        constexpr int kWindow = 16;
        constexpr int kReadings = 20;
        Connection *c = connected(*w, mosquitto, {.clientId = QStringLiteral("windowed"), .maximumInflight = kWindow});
        // Held PUBRECs keep the send window full: the last four readings wait behind it.
        w->faultRules()->setTargets({{QStringLiteral("windowed"), &c->faults()}});
        QVERIFY(w->faultRules()->addRule(QStringLiteral("hold in PUBREC")).ok());
        PublishPanel *panel = w->publishPanel();
        typePayload(*panel, QStringLiteral("numbers/run"), QStringLiteral("{{seq}}"), true);
        panel->qos()->setCurrentIndex(2);
        panel->count()->setValue(kReadings);
        panel->interval()->setValue(0);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QTRY_VERIFY(!panel->isGenerating());
        QTRY_COMPARE_WITH_TIMEOUT(int(c->heldPackets().size()), kWindow, 5000);
        QVERIFY2(panel->runText().contains(QStringLiteral("20 of 20 readings")), qPrintable(panel->runText()));
        QVERIFY2(panel->runText().contains(QStringLiteral("16 sent, 0 completed, 4 still queued")), qPrintable(panel->runText()));
        // The window opens: the queued four go out and everything completes; the line follows.
        c->faults().clear();
        for (const Workbench::Held &held : w->workbench().heldPackets())
            QVERIFY(w->workbench().release(held));
        QTRY_VERIFY2_WITH_TIMEOUT(panel->runText().contains(QStringLiteral("20 sent, 20 completed, 0 still queued")),
                                  qPrintable(panel->runText()), 5000);
        QCOMPARE(panel->tally().handed(), kReadings);
    }

    void aPacketHasOneTimeInEveryView()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        QTest::qWait(50); // the trace's first event comes well after its clock's zero
        Connection *c = connected(*w, mosquitto, {.clientId = QStringLiteral("clocked"), .autoReconnect = true});
        PublishPanel *panel = w->publishPanel();
        typePayload(*panel, QStringLiteral("numbers/clock"), QStringLiteral("1"), false);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTRY_VERIFY(panel->outcome().contains(QStringLiteral("completed")));
        const auto first = lastPacket(w->workbench().trace(), c->traceId(), PacketType::Publish);
        QVERIFY(first);
        checkOneTime(*w, *first);
        if (QTest::currentTestFailed())
            return;
        // After the broker restarts and the client reconnects: still one time per packet.
        QVERIFY2(mosquitto.restart().ok(), qPrintable(mosquitto.logText()));
        QTRY_VERIFY_WITH_TIMEOUT(c->state() != ConnectionState::Connected, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), ConnectionState::Connected, 15000);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTRY_VERIFY(panel->outcome().contains(QStringLiteral("completed")));
        const auto second = lastPacket(w->workbench().trace(), c->traceId(), PacketType::Publish);
        QVERIFY(second && *second > *first);
        checkOneTime(*w, *second);
        if (QTest::currentTestFailed())
            return;
        // The JSON Lines export counts from the same zero.
        const QString path = m_dir.filePath(QStringLiteral("clock.jsonl"));
        QVERIFY(w->exportTrace(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        bool found = false;
        while (!file.atEnd()) {
            const QJsonObject o = QJsonDocument::fromJson(file.readLine()).object();
            if (o.value(QStringLiteral("sequence")).toInteger() != qint64(*second))
                continue;
            found = true;
            const QString exported = traceSeconds(o.value(QStringLiteral("time_us")).toInteger(), TimeResolution::Microseconds);
            QVERIFY2(w->packetDetail()->heading().startsWith(exported + QLatin1Char(' ')), qPrintable(exported));
        }
        QVERIFY(found);
    }

    void faultRuleHitsShowWhenTheRuleActs()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        Connection *c = connected(*w, mosquitto, {.clientId = QStringLiteral("hit")});
        FaultRulesPanel *rules = w->faultRules();
        rules->setTargets({{QStringLiteral("hit"), &c->faults()}});
        QVERIFY(rules->addRule(QStringLiteral("hold out PUBREL"), QStringLiteral("stall at PUBREL")).ok());
        const QModelIndex hits = rules->model().index(0, FaultRuleModel::Hits);
        QCOMPARE(hits.data().toULongLong(), 0u);
        // The table repaints a cell when its model says the cell changed: it must say so as
        // the rule acts, not at some later reset or repaint.
        QSignalSpy told(&rules->model(), &QAbstractItemModel::dataChanged);
        PublishPanel *panel = w->publishPanel();
        typePayload(*panel, QStringLiteral("numbers/hits"), QStringLiteral("1"), false);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(int(c->heldPackets().size()), 1, 5000);
        bool hitsCellTold = false;
        for (const QList<QVariant> &change : told) {
            const QModelIndex from = change[0].toModelIndex();
            const QModelIndex to = change[1].toModelIndex();
            hitsCellTold = hitsCellTold
                || (from.row() <= hits.row() && to.row() >= hits.row() && from.column() <= hits.column() && to.column() >= hits.column());
        }
        QVERIFY(hitsCellTold);
        QCOMPARE(hits.data().toULongLong(), 1u);
    }

    void seqCountsOnAcrossPublishClicks()
    {
        MosquittoBroker mosquitto;
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        Connection *c = connected(*w, mosquitto, {.clientId = QStringLiteral("counting")});
        c->subscribe({Subscription{QStringLiteral("numbers/seq"), {}}});
        QTRY_VERIFY(lastPacket(w->workbench().trace(), c->traceId(), PacketType::SubAck));
        PublishPanel *panel = w->publishPanel();
        typePayload(*panel, QStringLiteral("numbers/seq"), QStringLiteral("reading {{seq}}"), true);
        for (int click = 0; click < 3; ++click)
            QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        auto received = [&] {
            QStringList payloads;
            for (const StoredMessage &m : w->workbench().messages().messages(QStringLiteral("numbers/seq")))
                payloads << QString::fromUtf8(m.message.payload);
            payloads.sort();
            return payloads;
        };
        QTRY_COMPARE_WITH_TIMEOUT(received(), (QStringList{QStringLiteral("reading 1"), QStringLiteral("reading 2"), QStringLiteral("reading 3")}), 5000);
        // A changed template starts again at 1; so does the Restart button.
        panel->payload()->setPlainText(QStringLiteral("again {{seq}}"));
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTest::mouseClick(panel->restartSeqButton(), Qt::LeftButton);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(int(received().size()), 6, 5000);
        QCOMPARE(received().filter(QStringLiteral("again")),
                 (QStringList{QStringLiteral("again 1"), QStringLiteral("again 1"), QStringLiteral("again 2")}));
    }

    void v311RefusalShowsTheReturnCodeOnTheWire()
    {
        MosquittoBroker::Options options;
        options.extraConfig << QStringLiteral("allow_anonymous false");
        MosquittoBroker strict(options);
        QVERIFY2(strict.start().ok(), qPrintable(strict.logText()));
        auto w = window();
        Connection *c = w->addConnection(profileFor(strict.url(), {.clientId = QStringLiteral("legacy"), .version = ProtocolVersion::V311}), true);
        const QString meaning = QStringLiteral("0x05 Connection Refused, not authorized");
        // the connection's sentence
        QTRY_VERIFY_WITH_TIMEOUT(c->lastError().contains(QStringLiteral("Connection Refused, not authorized (CONNACK 0x05)")), 5000);
        QVERIFY2(w->lastProblem().contains(QStringLiteral("(CONNACK 0x05)")), qPrintable(w->lastProblem()));
        // the diagram's arrow, the Packet tab's line and its field
        const auto connAck = lastPacket(w->workbench().trace(), c->traceId(), PacketType::ConnAck);
        QVERIFY(connAck);
        QCOMPARE(w->diagram()->label(*connAck), QStringLiteral("CONNACK session-present=0 ") + meaning);
        w->diagram()->refresh();
        const auto row = diagramRowOf(*w->diagram(), *connAck);
        QVERIFY(row);
        QTest::mouseClick(w->diagram()->viewport(), Qt::LeftButton, {}, w->diagram()->rowRect(*row).center());
        QVERIFY2(w->packetDetail()->heading().endsWith(QStringLiteral("CONNACK session-present=0 ") + meaning), qPrintable(w->packetDetail()->heading()));
        bool fieldShown = false;
        for (const PacketField &f : w->packetDetail()->fields().layout())
            fieldShown = fieldShown || (f.name == QStringLiteral("Connect Return Code") && f.value == meaning);
        QVERIFY(fieldShown);
    }
};

QTEST_MAIN(TestWindowNumbers)
#include "tst_window_numbers.moc"
