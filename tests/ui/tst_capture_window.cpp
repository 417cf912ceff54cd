// A capture opened in the window, offscreen: every MQTT stream becomes lanes named by client id
// and address, the Flows tab lists every flow, flows open at the capture's end are stalls in the
// Capture tab, violations carry their spec id and side; by menu path, command line and drop.

#include "capture_builder.h"
#include "mosquitto_fixture.h"
#include "window_fixture.h"

#include "capture_interface_dialog.h"
#include "capture_summary_view.h"
#include "flow_inspector.h"
#include "flow_table_model.h"
#include "inspector_pane.h"
#include "sequence_diagram_view.h"
#include "protocol/encoder.h"
#include "trace/capture_decoder.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QLocale>
#include <QMimeData>
#include <QRegularExpression>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <set>
#include <tuple>

#include <unistd.h>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr int kLoadTimeoutMs = 30000;

// The flows a capture holds: each QoS 1 or 2 PUBLISH that is not a resend on its own connection.
std::size_t flowsIn(const QString &path)
{
    const auto result = decodeCapture(path, std::vector<quint16>{});
    if (!result)
        return 0; // the caller's comparison of flow counts then fails
    std::set<std::tuple<quint32, bool, quint16>> seen;
    std::size_t flows = 0;
    for (const CapturedPacket &p : result->packets) {
        const auto *publish = std::get_if<Publish>(&p.packet);
        if (!publish || publish->qos == QoS::AtMostOnce)
            continue;
        const bool fresh = seen.insert({p.stream, p.fromClient, publish->packetId.value_or(PacketId{}).value}).second;
        if (!publish->dup || fresh)
            ++flows;
    }
    return flows;
}

QByteArray v311(const Packet &packet) { return encode(packet, ProtocolVersion::V311); }

// A boiler's QoS 2 PUBLISH that got its PUBREC and then nothing, and a PUBREL for an id that
// never had a PUBLISH: one unfinished flow and one violation by the client.
QString craftedCapture(const QString &path)
{
    CaptureBuilder capture;
    TcpConversation c(capture, {ipv4(192, 168, 1, 20), 50100}, {ipv4(192, 168, 1, 2), 1883});
    c.fromClient(v311(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("boiler")}));
    c.fromBroker(v311(ConnAck{}));
    c.fromClient(v311(Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 3, .payload = "71.5"}));
    c.fromBroker(v311(PubRec{.packetId = 3}));
    c.fromClient(v311(PubRel{.packetId = 9}));
    return capture.save(path);
}

// The boiler's PUBLISH got its PUBREC, then the capture saw only a PINGREQ 12 s later, where it ends.
constexpr qint64 kWaitedAtEndUs = 12'000'000;
QString captureEndingWhileAFlowWaits(const QString &path)
{
    CaptureBuilder capture;
    TcpConversation c(capture, {ipv4(192, 168, 1, 20), 50100}, {ipv4(192, 168, 1, 2), 1883});
    c.fromClient(v311(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("boiler")}));
    c.fromBroker(v311(ConnAck{}));
    c.fromClient(v311(Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("plant/boiler"), .packetId = 3, .payload = "71.5"}));
    c.fromBroker(v311(PubRec{.packetId = 3}));
    capture.pause(kWaitedAtEndUs);
    c.fromClient(v311(PingReq{}));
    return capture.save(path);
}

// CaptureBuilder's clock starts here (2023-11-14 22:13:20 UTC): the captures are of another day.
constexpr qint64 kCaptureStartMs = 1'700'000'000'000;

// A device that reconnected six times with one client id, from ports 50120 to 50125, each time
// publishing one QoS 1 reading that the broker acknowledged.
constexpr int kReconnects = 6;
constexpr quint16 kFirstPort = 50120;
QString captureOfOneClientIdReconnecting(const QString &path)
{
    CaptureBuilder capture;
    for (int i = 0; i < kReconnects; ++i) {
        TcpConversation c(capture, {ipv4(127, 0, 0, 1), quint16(kFirstPort + i)}, {ipv4(127, 0, 0, 1), 1883});
        c.fromClient(v311(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("sensor-livingroom-1")}));
        c.fromBroker(v311(ConnAck{}));
        c.fromClient(v311(Publish{.qos = QoS::AtLeastOnce, .topic = QStringLiteral("sensors/t"), .packetId = 1, .payload = "21"}));
        c.fromBroker(v311(PubAck{.packetId = 1}));
    }
    return capture.save(path);
}

// Many QoS 0 readings within a second: counts past a thousand in the summary and the status bar.
constexpr int kManyReadings = 12'000;
QString captureOfManyReadings(const QString &path)
{
    CaptureBuilder capture;
    TcpConversation c(capture, {ipv4(192, 168, 1, 20), 50100}, {ipv4(192, 168, 1, 2), 1883});
    c.fromClient(v311(Connect{.version = ProtocolVersion::V311, .clientId = QStringLiteral("meter")}));
    c.fromBroker(v311(ConnAck{}));
    for (int i = 0; i < kManyReadings; ++i)
        c.fromClient(v311(Publish{.qos = QoS::AtMostOnce, .topic = QStringLiteral("meter/load"), .payload = "1"}));
    return capture.save(path);
}

} // namespace

class TestCaptureWindow : public QObject
{
    Q_OBJECT
    TestWindows m_windows;
    QTemporaryDir m_dir;

    static void waitForSummary(MainWindow &w)
    {
        QTRY_VERIFY_WITH_TIMEOUT(w.workbench().captureSummary().has_value(), kLoadTimeoutMs);
        QTRY_VERIFY(w.findChild<QTableView *>(QStringLiteral("flowTable"))->model()->rowCount()
                    == int(w.workbench().flows().flows().size()));
    }

private slots:
    void opensEachCaptureOfTestDataAndListsItsFlows_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"mosquitto-qos-v311", "mosquitto-qos-v5", "mosquitto-resume-v311", "mosquitto-resume-v5"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void opensEachCaptureOfTestDataAndListsItsFlows()
    {
        QFETCH(QString, name);
        const QString path = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/") + name + QStringLiteral(".pcap");
        auto w = m_windows.open();
        QVERIFY(w->openCapture(path));
        waitForSummary(*w);
        const CaptureSummary &summary = *w->workbench().captureSummary();
        QVERIFY(summary.connections >= 2);
        const auto *table = w->findChild<QTableView *>(QStringLiteral("flowTable"));
        QCOMPARE(std::size_t(table->model()->rowCount()), flowsIn(path));
        QVERIFY(w->captureSummary()->text().contains(QStringLiteral("MQTT connections")));
    }

    void lanesAreNamedByClientIdAndAddress()
    {
        auto w = m_windows.open();
        QVERIFY(w->openCapture(craftedCapture(m_dir.filePath(QStringLiteral("boiler.pcap")))));
        waitForSummary(*w);
        QStringList names;
        for (const TraceConnection &c : w->workbench().trace().connections())
            if (c.role == ConnectionRole::Observed)
                names << c.localParty + QStringLiteral(" | ") + c.remoteParty;
        QCOMPARE(names, QStringList{QStringLiteral("boiler (192.168.1.20:50100) | broker 192.168.1.2:1883")});
    }

    // Six lanes of one client id were all "sens…120)": each header now keeps the port that tells
    // them apart and as much of the client id as fits; the tooltip has the full name.
    void lanesOfOneClientIdAreToldApartByTheirPort()
    {
        auto w = m_windows.open();
        w->resize(1600, 1000);
        QVERIFY(w->openCapture(captureOfOneClientIdReconnecting(m_dir.filePath(QStringLiteral("reconnects.pcap")))));
        waitForSummary(*w);
        SequenceDiagramView *diagram = w->diagram();
        diagram->refresh();
        QStringList headers;
        for (int i = 0; i < kReconnects; ++i) {
            const QString full = QStringLiteral("sensor-livingroom-1 (127.0.0.1:%1)").arg(kFirstPort + i);
            const int lane = diagram->layout().laneNamed(full);
            QVERIFY2(lane >= 0, qPrintable(full));
            const QString header = diagram->headerText(lane);
            QVERIFY2(header.endsWith(QStringLiteral(":%1").arg(kFirstPort + i)) || header.endsWith(QStringLiteral(":%1)").arg(kFirstPort + i)),
                     qPrintable(header));
            QVERIFY2(header.startsWith(QStringLiteral("se")), qPrintable(header)); // readable: the client id leads
            QVERIFY(diagram->laneToolTip(lane).startsWith(full));
            headers << header;
        }
        QCOMPARE(QSet<QString>(headers.begin(), headers.end()).size(), kReconnects);

        // No subscriber is in this capture: a finished flow's other hop is not "not forwarded yet".
        w->inspector()->selectFlow(w->workbench().flows().flows().front().id);
        w->inspector()->pane()->refresh();
        QCOMPARE(w->inspector()->pane()->hopsLine(), QStringLiteral("no delivery of it to a subscriber is in the trace"));
    }

    // The Inspector's "At" column shows when the capture saw each step, not when the file was opened.
    void theInspectorShowsTheCapturesOwnTime()
    {
        const QString path = craftedCapture(m_dir.filePath(QStringLiteral("clock.pcap")));
        const auto decoded = decodeCapture(path, std::vector<quint16>{});
        QVERIFY(decoded.ok());
        qint64 publishUs = -1; // as the capture recorded it
        for (const CapturedPacket &p : decoded->packets)
            if (std::holds_alternative<Publish>(p.packet))
                publishUs = p.timeUs;
        QVERIFY(publishUs > kCaptureStartMs * 1000);
        auto w = m_windows.open();
        QVERIFY(w->openCapture(path));
        waitForSummary(*w);
        const FlowRecord *boiler = nullptr;
        for (const FlowRecord &f : w->workbench().flows().flows())
            if (f.topic == QStringLiteral("plant/boiler"))
                boiler = &f;
        QVERIFY(boiler);
        w->inspector()->selectFlow(boiler->id);
        w->inspector()->pane()->refresh();
        const QAbstractItemModel *steps = w->inspector()->pane()->findChild<QTableView *>(QStringLiteral("inspectorSteps"))->model();
        int at = -1;
        for (int column = 0; column < steps->columnCount(); ++column)
            if (steps->headerData(column, Qt::Horizontal).toString() == QStringLiteral("At"))
                at = column;
        QVERIFY(at >= 0);
        // A capture of another day: its steps show their date too.
        const QString expected = QDateTime::fromMSecsSinceEpoch(publishUs / 1000).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        QCOMPARE(steps->index(0, at).data().toString(), expected);

        // Saved again as pcap (File ▸ Export trace as pcap…), the PUBLISH keeps the capture's time.
        const QString again = m_dir.filePath(QStringLiteral("clock-again.pcap"));
        QVERIFY(w->exportTrace(again));
        const auto reread = decodeCapture(again, std::vector<quint16>{});
        QVERIFY(reread.ok());
        qint64 againUs = -1;
        for (const CapturedPacket &p : reread->packets)
            if (std::holds_alternative<Publish>(p.packet))
                againUs = p.timeUs;
        QCOMPARE(againUs, publishUs);
    }

    // "10013.1 packets/s" beside the diagram's "1,237 ×": every large number is grouped alike.
    void largeNumbersAreGroupedAsTheDiagramGroupsThem()
    {
        auto w = m_windows.open();
        QVERIFY(w->openCapture(captureOfManyReadings(m_dir.filePath(QStringLiteral("many.pcap")))));
        waitForSummary(*w);
        const QString grouped = QLocale().toString(kManyReadings);
        QVERIFY2(grouped.size() > QString::number(kManyReadings).size(), qPrintable(grouped)); // the window groups digits
        QVERIFY2(w->captureSummary()->text().contains(grouped), qPrintable(w->captureSummary()->text())); // QoS 0 messages
        // The whole capture arrived within the status bar's 3-second window: its rate is in the thousands.
        const QRegularExpression thousands(QStringLiteral("^\\d{1,3}(%1\\d{3})+\\.\\d packets/s$").arg(QRegularExpression::escape(QLocale().groupSeparator())));
        QTRY_VERIFY_WITH_TIMEOUT(thousands.match(w->statusText().section(QStringLiteral(" | "), 1, 1)).hasMatch(), kLoadTimeoutMs);
    }

    void anOpenFlowAtTheEndIsAStallAndAViolationNamesRuleAndSide()
    {
        auto w = m_windows.open();
        QVERIFY(w->openCapture(craftedCapture(m_dir.filePath(QStringLiteral("stall.pcap")))));
        waitForSummary(*w);
        const CaptureSummary &summary = *w->workbench().captureSummary();
        QVERIFY(summary.unfinished >= 1);
        const QStringList ofBoiler = summary.stalls.filter(QStringLiteral("At the capture's end, QoS 2 id 3 on plant/boiler"));
        QVERIFY2(ofBoiler.size() == 1, qPrintable(summary.stalls.join(QLatin1Char('\n'))));
        QVERIFY2(ofBoiler.front().contains(QStringLiteral("waits for PUBREL")), qPrintable(ofBoiler.front()));
        QCOMPARE(summary.violations, 1u);
        const TraceLog &trace = w->workbench().trace();
        QString violation;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.kindOf(s) == TraceKind::Violation)
                violation = trace.noteOf(s);
        QVERIFY2(violation.contains(QStringLiteral("[MQTT-")) && violation.contains(QStringLiteral("client broke it")),
                 qPrintable(violation));
        QVERIFY(w->captureSummary()->text().contains(QStringLiteral("Still open when the capture ends")));
    }

    // What the user reads about a flow still open at the capture's end is how long it had waited
    // by the capture's own clock (12 s), in the Flows tab, the Inspector and the stall sentence,
    // not the time since the file was opened.
    void anOpenFlowSaysHowLongItWaitedAsOfTheCapturesEnd()
    {
        auto w = m_windows.open();
        QVERIFY(w->openCapture(captureEndingWhileAFlowWaits(m_dir.filePath(QStringLiteral("waited.pcap")))));
        waitForSummary(*w);
        const FlowRecord *boiler = nullptr;
        for (const FlowRecord &f : w->workbench().flows().flows())
            if (f.topic == QStringLiteral("plant/boiler"))
                boiler = &f;
        QVERIFY(boiler);
        FlowInspector *inspector = w->inspector();
        inspector->refresh();
        const int row = int(*w->workbench().flows().rowOf(boiler->id));
        QCOMPARE(inspector->model().index(row, FlowTableModel::Age).data().toString(), QStringLiteral("12.0 s"));
        const QString sentence = inspector->model().index(row, FlowTableModel::Sentence).data().toString();
        QVERIFY2(sentence.startsWith(QStringLiteral("PUBREC received 12 s before the capture ended; waiting for PUBREL")),
                 qPrintable(sentence));
        inspector->selectFlow(boiler->id);
        inspector->pane()->refresh();
        QCOMPARE(inspector->pane()->waitingLine(), sentence);
        const QStringList stalls = w->workbench().captureSummary()->stalls;
        QVERIFY2(stalls.size() == 1 && stalls.front().contains(QStringLiteral("waits for PUBREL"))
                     && stalls.front().endsWith(QStringLiteral(" for 12.0 s")),
                 qPrintable(stalls.join(QLatin1Char('\n'))));
        QVERIFY2(w->captureSummary()->text().contains(QStringLiteral("for 12.0 s")), qPrintable(w->captureSummary()->text()));
    }

    void theCommandLineOpensACaptureInsteadOfTheDemo()
    {
        MainWindow::Options options;
        options.capturePath = craftedCapture(m_dir.filePath(QStringLiteral("cli.pcap")));
        auto w = m_windows.open(options);
        waitForSummary(*w);
        QCOMPARE(w->workbench().captureSummary()->connections, 1);
        QVERIFY(w->workbench().demo() == nullptr);
    }

    void aDroppedCaptureIsOpened()
    {
        auto w = m_windows.open();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(craftedCapture(m_dir.filePath(QStringLiteral("dropped.pcapng.pcap"))))});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.get(), &drop);
        waitForSummary(*w);
        QCOMPARE(w->workbench().captureSummary()->connections, 1);
    }

    // File ▸ Capture on interface… on lo while mosquitto_pub sends a QoS 2 message through a real
    // mosquitto: its flow completes in the Flows tab, and the capture is saved on request.
    void aLiveCaptureOnLoopbackShowsTheFlowAndIsSaved()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (CI runs as root)");
        MosquittoBroker broker;
        if (const Status started = broker.start(); !started)
            QFAIL(qPrintable(started.sentence()));
        auto w = m_windows.open();
        QVERIFY2(w->startLiveCapture(QStringLiteral("lo"), {broker.port()}), qPrintable(w->lastProblem()));
        const auto publish = runProgram(QStringLiteral("mosquitto_pub"),
                                        {QStringLiteral("-p"), QString::number(broker.port()), QStringLiteral("-q"),
                                         QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("plant/boiler"),
                                         QStringLiteral("-m"), QStringLiteral("71.5"), QStringLiteral("-i"), QStringLiteral("boiler")});
        QCOMPARE(publish.exitCode, 0);
        const auto completed = [&] {
            for (const FlowRecord &f : w->workbench().flows().flows())
                if (f.topic == QStringLiteral("plant/boiler") && f.state == FlowState::Complete)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(completed(), kLoadTimeoutMs);
        const QString saved = m_dir.filePath(QStringLiteral("live.pcapng"));
        QVERIFY(w->stopLiveCapture(saved));
        QVERIFY(w->workbench().captureSummary()->completed >= 1);
        const auto decoded = decodeCapture(saved, broker.port());
        QVERIFY2(decoded.ok(), qPrintable(decoded.sentence()));
        QCOMPARE(decoded->packets.empty(), false);
    }

    // File ▸ Capture on interface… once watched only 1883 and 8883, so a broker on a port of its own
    // (mosquitto here) showed nothing: the dialog takes the ports, and says when they do not read.
    void theCaptureDialogWatchesThePortsTyped()
    {
        if (geteuid() != 0)
            QSKIP("capturing on lo needs root (CI runs as root)");
        MosquittoBroker broker;
        if (const Status started = broker.start(); !started)
            QFAIL(qPrintable(started.sentence()));
        auto w = m_windows.open();
        QString problem;
        QTimer::singleShot(0, this, [&] {
            auto *dialog = qobject_cast<CaptureInterfaceDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            dialog->findChild<QComboBox *>(QStringLiteral("captureInterface"))->setCurrentText(QStringLiteral("lo"));
            dialog->setPortsText(QStringLiteral("%1, x").arg(broker.port()));
            problem = dialog->portsProblem();
            dialog->setPortsText(QStringLiteral("%1").arg(broker.port()));
            dialog->accept();
        });
        w->findChild<QAction *>(QStringLiteral("captureOnInterface"))->trigger();
        QVERIFY2(problem.contains(QStringLiteral("numbers from 1 to 65535")), qPrintable(problem));
        QVERIFY2(w->workbench().liveCapture(), qPrintable(w->lastProblem()));
        const auto publish = runProgram(QStringLiteral("mosquitto_pub"),
                                        {QStringLiteral("-p"), QString::number(broker.port()), QStringLiteral("-q"),
                                         QStringLiteral("1"), QStringLiteral("-t"), QStringLiteral("plant/pump"),
                                         QStringLiteral("-m"), QStringLiteral("on"), QStringLiteral("-i"), QStringLiteral("pump")});
        QCOMPARE(publish.exitCode, 0);
        const auto completed = [&] {
            for (const FlowRecord &f : w->workbench().flows().flows())
                if (f.topic == QStringLiteral("plant/pump") && f.state == FlowState::Complete)
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(completed(), kLoadTimeoutMs);
        QVERIFY(w->stopLiveCapture(QString()));
    }

    void aFileThatIsNotACaptureIsSaid()
    {
        auto w = m_windows.open();
        QFile text(m_dir.filePath(QStringLiteral("notes.pcap")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("not packets\n");
        text.close();
        QVERIFY(!w->openCapture(text.fileName()));
        QVERIFY2(w->lastProblem().contains(QStringLiteral("is not a packet capture")), qPrintable(w->lastProblem()));
    }
};

QTEST_MAIN(TestCaptureWindow)
#include "tst_capture_window.moc"
