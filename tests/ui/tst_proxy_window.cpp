// The window's proxy as a user works it (offscreen, a real window, a real mosquitto, real
// mosquitto_pub and mosquitto_sub as the devices): the dialog checks what is typed, the proxy
// is listed with its devices and kept in the settings, a port in use is said, and a device's
// held PUBREL stalls in the Flows tab until Release completes it.

#include "connection_list_model.h"
#include "fault_rules_panel.h"
#include "flow_inspector.h"
#include "main_window.h"
#include "mosquitto_fixture.h"
#include "proxy_dialog.h"
#include "sequence_diagram_view.h"
#include "window_fixture.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QToolButton>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTcpServer>
#include <QTest>
#include <QTreeView>

using namespace mqs;
using namespace mqs::test;

namespace {

// A proxy on a free loopback port to `upstream`, with `rules` in their text form.
ProxyProfile proxyTo(const QString &upstream, const QStringList &rules = {}, quint16 port = freePort())
{
    ProxyProfile p = ProxyDialog::blankProfile();
    p.name = QStringLiteral("to mosquitto");
    p.settings.listenPort = port;
    p.settings.upstream = ServerUrl::parse(upstream).value();
    for (const QString &text : rules)
        p.faultRules.push_back(FaultRule::parse(text).value());
    return p;
}

// A device: mosquitto_pub or mosquitto_sub, started now, running on its own.
std::unique_ptr<QProcess> device(const QString &program, const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    process->start(program, arguments);
    return process;
}

QStringList laneNames(const SequenceDiagramView &view)
{
    QStringList names;
    for (int lane : view.layout().laneOrder())
        names << view.layout().lanes()[std::size_t(lane)].name;
    return names;
}

// The texts of the rows beneath `proxy` in the connections list.
QStringList deviceRows(MainWindow &w, WindowProxy *proxy)
{
    auto *list = w.findChild<ConnectionListModel *>();
    const QModelIndex parent = list->indexOf(proxy);
    QStringList rows;
    for (int r = 0; r < list->rowCount(parent); ++r)
        rows << list->index(r, 0, parent).data().toString();
    return rows;
}

MainWindow::Options optionsWith(const QString &settingsPath)
{
    MainWindow::Options options;
    options.settingsPath = settingsPath;
    return options;
}

const FlowRecord *flowOf(const FlowIndex &flows, const QString &clientId, const TraceLog &trace, Direction direction)
{
    for (const FlowRecord &f : flows.flows())
        if (f.key.direction == direction && trace.connection(f.key.connection)->clientId == clientId)
            return &f;
    return nullptr;
}

// The window's menu entry whose text (without its & marks) starts with `text`.
QAction *menuEntry(MainWindow &w, const QString &menu, const QString &text)
{
    for (QAction *m : w.menuBar()->actions())
        if (m->text().remove(QLatin1Char('&')) == menu)
            for (QAction *a : m->menu()->actions())
                if (a->text().remove(QLatin1Char('&')).startsWith(text))
                    return a;
    return nullptr;
}

QStringList devicePublish(quint16 port, const QString &clientId)
{
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port), QStringLiteral("-q"),
            QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("test/b"), QStringLiteral("-m"), QStringLiteral("x"),
            QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-i"), clientId};
}

} // namespace

class TestProxyWindow : public QObject
{
    Q_OBJECT

    TestWindows m_windows;
    QTemporaryDir m_dir;

private slots:
    void theDialogChecksEachFieldAsItIsTyped()
    {
        ProxyDialog dialog(ProxyDialog::blankProfile());
        QCOMPARE(dialog.listenField()->text(), QStringLiteral("127.0.0.1:1884"));
        QVERIFY(dialog.okButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->isHidden());

        dialog.listenField()->setText(QStringLiteral("127.0.0.1:70000"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(QStringLiteral("port")), qPrintable(dialog.problemLabel()->text()));
        dialog.listenField()->setText(QStringLiteral("127.0.0.1:1885"));
        QVERIFY(dialog.okButton()->isEnabled());

        dialog.upstreamField()->setText(QStringLiteral("ftp://broker"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().startsWith(QStringLiteral("Broker URL")));
        dialog.upstreamField()->setText(QStringLiteral("mqtts://broker.example:8883"));
        QCOMPARE(dialog.nameField()->placeholderText(), QStringLiteral("proxy to broker.example:8883"));

        dialog.rulesField()->setPlainText(QStringLiteral("hold out PUBREL client sensor-1\nhold sideways PUBREL"));
        QVERIFY(!dialog.okButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().startsWith(QStringLiteral("Fault rule on line 2")), qPrintable(dialog.problemLabel()->text()));
        dialog.rulesField()->setPlainText(QStringLiteral("hold out PUBREL client sensor-1"));
        QVERIFY(dialog.okButton()->isEnabled());

        // TLS toward the devices: both files, readable, and the sentence about trusting it
        dialog.listenTlsBox()->setChecked(true);
        QVERIFY(!dialog.okButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().contains(QStringLiteral("certificate")));
        bool trustSaid = false;
        for (const QLabel *label : dialog.listenTlsBox()->findChildren<QLabel *>())
            trustSaid = trustSaid || label->text().contains(QStringLiteral("The device must then trust this certificate"));
        QVERIFY(trustSaid);
        dialog.certificateField()->setText(m_dir.filePath(QStringLiteral("missing.pem")));
        QVERIFY(dialog.problemLabel()->text().contains(QStringLiteral("cannot be read")));
        dialog.listenTlsBox()->setChecked(false);

        const auto profile = dialog.profile();
        QVERIFY(profile.ok());
        QCOMPARE(profile->settings.listenPort, quint16(1885));
        QCOMPARE(profile->settings.upstream.toString(), QStringLiteral("mqtts://broker.example:8883"));
        QCOMPARE(profile->name, QStringLiteral("proxy to broker.example:8883"));
        QCOMPARE(profile->faultRules.size(), 1u);
        QCOMPARE(profile->faultRules.front().clientId, QStringLiteral("sensor-1"));
        QVERIFY(!profile->settings.listensWithTls());
    }

    void aProxyIsListedSavedAndBackRunningAfterARestart()
    {
        MosquittoBroker broker;
        QVERIFY2(broker.start().ok(), qPrintable(broker.logText()));
        const QString settings = m_dir.filePath(QStringLiteral("restart.ini"));
        const ProxyProfile profile = proxyTo(broker.url(), {QStringLiteral("hold out PUBREL")});
        {
            auto w = m_windows.open(optionsWith(settings));
            WindowProxy *proxy = w->addProxy(profile, true);
            QVERIFY2(proxy->isRunning(), qPrintable(proxy->lastProblem()));
            auto *list = w->findChild<ConnectionListModel *>();
            const QString row = list->data(list->indexOf(proxy), Qt::DisplayRole).toString();
            QVERIFY2(row.contains(QStringLiteral("to mosquitto")) && row.contains(QStringLiteral("listening")), qPrintable(row));
        }
        auto w = m_windows.open(optionsWith(settings));
        QCOMPARE(w->workbench().proxies().size(), 1u);
        WindowProxy *restored = w->workbench().proxies().front();
        QVERIFY2(restored->isRunning(), qPrintable(restored->lastProblem()));
        QCOMPARE(restored->profile().settings, profile.settings);
        QCOMPARE(restored->faults().rules().size(), 1u);
        QCOMPARE(restored->faults().rules().front().toText(), profile.faultRules.front().toText());

        // a rule added in the Fault rules tab, the proxy chosen as its target, is kept with the proxy
        auto *target = w->faultRules()->findChild<QComboBox *>();
        const int proxyTarget = target->findText(QStringLiteral("proxy to mosquitto (out: toward the broker)"));
        QVERIFY2(proxyTarget >= 0, qPrintable(target->itemText(0)));
        target->setCurrentIndex(proxyTarget);
        QVERIFY(w->faultRules()->addRule(QStringLiteral("drop in PUBCOMP client sensor-2")).ok());
        QCOMPARE(restored->faults().rules().size(), 2u);
        w.reset();
        w = m_windows.open(optionsWith(settings));
        restored = w->workbench().proxies().front();
        QCOMPARE(restored->faults().rules().size(), 2u);
        QCOMPARE(restored->faults().rules().back().clientId, QStringLiteral("sensor-2"));

        // stopped by the user, it stays stopped at the next start
        w->connectionView()->setCurrentIndex(w->findChild<ConnectionListModel *>()->indexOf(restored));
        w->toggleConnection();
        QVERIFY(!restored->isRunning());
        w.reset();
        auto again = m_windows.open(optionsWith(settings));
        QCOMPARE(again->workbench().proxies().size(), 1u);
        QVERIFY(!again->workbench().proxies().front()->isRunning());
    }

    void aPortInUseIsSaidWhenStarting()
    {
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        auto w = m_windows.open();
        WindowProxy *proxy = w->addProxy(proxyTo(QStringLiteral("mqtt://127.0.0.1:1883"), {}, taken.serverPort()), true);
        QVERIFY(!proxy->isRunning());
        QVERIFY(!proxy->lastProblem().isEmpty());
        QVERIFY2(w->lastProblem().contains(QString::number(taken.serverPort())) || w->lastProblem().contains(QStringLiteral("in use")),
                 qPrintable(w->lastProblem()));
        auto *list = w->findChild<ConnectionListModel *>();
        QCOMPARE(list->data(list->indexOf(proxy), Qt::ToolTipRole).toString(), proxy->lastProblem());
        QVERIFY(list->data(list->indexOf(proxy), Qt::DisplayRole).toString().contains(QStringLiteral("stopped")));
    }

    void devicesThroughTheProxyGetLanesAndFlowsAndAHeldPubRelStallsUntilReleased()
    {
        MosquittoBroker broker;
        QVERIFY2(broker.start().ok(), qPrintable(broker.logText()));
        auto w = m_windows.open();
        FlowInspector *inspector = w->inspector();
        inspector->model().setStallThresholdMs(300);
        WindowProxy *proxy = w->addProxy(proxyTo(broker.url(), {QStringLiteral("hold out PUBREL client pub-device")}), true);
        QVERIFY2(proxy->isRunning(), qPrintable(proxy->lastProblem()));
        const QString port = QString::number(proxy->proxy().port());

        auto subscriber = device(QStringLiteral("mosquitto_sub"), {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), port,
                                                                   QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("test/#"),
                                                                   QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-i"), QStringLiteral("sub-device"),
                                                                   QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-v")});
        QTRY_VERIFY_WITH_TIMEOUT(w->diagram()->layout().laneNamed(QStringLiteral("sub-device")) >= 0, 10000);
        // the SUBACK crossed: the subscription is in place before anything is published
        QTRY_VERIFY_WITH_TIMEOUT(deviceRows(*w, proxy).join(QLatin1Char('\n')).contains(QStringLiteral("2 ↓")), 10000);
        auto publisher = device(QStringLiteral("mosquitto_pub"), {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), port,
                                                                  QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("test/a"),
                                                                  QStringLiteral("-m"), QStringLiteral("hello"), QStringLiteral("-V"), QStringLiteral("mqttv5"),
                                                                  QStringLiteral("-i"), QStringLiteral("pub-device")});

        // the device's PUBREL is held: its flow stalls, in red, saying whose packet waits
        QTRY_COMPARE_WITH_TIMEOUT(proxy->proxy().heldPackets().size(), 1u, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->model().stalledCount() == 1, 5000);
        const FlowRecord *held = flowOf(w->workbench().flows(), QStringLiteral("pub-device"), w->workbench().trace(), Direction::Outbound);
        QVERIFY(held);
        const FlowId heldFlow = held->id;
        QCOMPARE(FlowIndex::stateText(*held), QStringLiteral("PUBREL held (the device's)"));
        QVERIFY(publisher->state() == QProcess::Running); // mosquitto_pub waits for its PUBCOMP

        // lanes: the publishing device left, the broker, the subscribing device right
        QCOMPARE(laneNames(*w->diagram()), (QStringList{QStringLiteral("pub-device"), QStringLiteral("broker %1").arg(broker.url()),
                                                        QStringLiteral("sub-device")}));
        // both devices beneath the proxy, by client id
        const QStringList rows = deviceRows(*w, proxy);
        QCOMPARE(rows.size(), 2);
        QVERIFY2(rows[0].startsWith(QStringLiteral("sub-device")) && rows[1].startsWith(QStringLiteral("pub-device")), qPrintable(rows.join(QLatin1Char('|'))));

        // Release in the Flows tab: the PUBREL crosses, the broker completes and delivers
        inspector->selectFlow(heldFlow);
        auto *release = inspector->findChild<QPushButton *>(QStringLiteral("releaseSelected"));
        QTRY_VERIFY(release->isEnabled());
        QTest::mouseClick(release, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(w->workbench().flows().find(heldFlow)->state, FlowState::Complete, 10000);
        // (the proxy lives in this event loop: wait with it running, never blocked in waitForFinished)
        QTRY_COMPARE_WITH_TIMEOUT(publisher->state(), QProcess::NotRunning, 10000);
        QCOMPARE(publisher->exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(subscriber->state(), QProcess::NotRunning, 10000);
        QCOMPARE(subscriber->readAllStandardOutput().trimmed(), QByteArray("test/a hello"));
        QTRY_COMPARE(inspector->model().stalledCount(), 0);
        QTRY_VERIFY(flowOf(w->workbench().flows(), QStringLiteral("sub-device"), w->workbench().trace(), Direction::Inbound));
        const FlowId delivered = flowOf(w->workbench().flows(), QStringLiteral("sub-device"), w->workbench().trace(), Direction::Inbound)->id;
        QTRY_COMPARE(w->workbench().flows().find(delivered)->state, FlowState::Complete);

        // the trace exports them like any connection's packets
        const QString jsonl = m_dir.filePath(QStringLiteral("proxied.jsonl"));
        QVERIFY(w->exportTrace(jsonl));
        QFile file(jsonl);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QVERIFY(text.contains(R"("connection_name":"pub-device")") && text.contains(R"("mark":"held")") && text.contains(R"("mark":"released")"));
    }

    void aTlsUpstreamTakesTheConnectionsTlsSettings()
    {
        MosquittoBroker::Options tls;
        tls.tls = true;
        MosquittoBroker broker(tls);
        QVERIFY2(broker.start().ok(), qPrintable(broker.logText()));
        auto w = m_windows.open();
        ProxyProfile profile = proxyTo(QStringLiteral("mqtts://localhost:%1").arg(broker.tlsPort()));
        WindowProxy *proxy = w->addProxy(profile, true);
        QVERIFY2(proxy->isRunning(), qPrintable(proxy->lastProblem()));
        // no CA given: the broker's certificate is not trusted, and the advice names the dialog's field
        const QStringList publish = devicePublish(proxy->proxy().port(), QStringLiteral("tls-device"));
        auto refused = device(QStringLiteral("mosquitto_pub"), publish);
        QTRY_VERIFY_WITH_TIMEOUT(!proxy->lastProblem().isEmpty(), 10000);
        QVERIFY2(proxy->lastProblem().contains(QStringLiteral("'CA file' in Connection ▸ Edit…")), qPrintable(proxy->lastProblem()));
        QTRY_COMPARE_WITH_TIMEOUT(refused->state(), QProcess::NotRunning, 10000);

        // its CA in the TLS fields: the device's QoS 2 publish goes through
        profile.settings.upstreamTls.caFile = broker.certificates().caFile;
        QVERIFY(proxy->setProfile(profile).ok());
        auto published = device(QStringLiteral("mosquitto_pub"), devicePublish(proxy->proxy().port(), QStringLiteral("tls-device")));
        QTRY_COMPARE_WITH_TIMEOUT(published->state(), QProcess::NotRunning, 10000);
        QCOMPARE(published->exitCode(), 0);
        // (the window reads the trace in batches: wait for the flow to be indexed)
        QTRY_VERIFY(flowOf(w->workbench().flows(), QStringLiteral("tls-device"), w->workbench().trace(), Direction::Outbound));
        const FlowId flow = flowOf(w->workbench().flows(), QStringLiteral("tls-device"), w->workbench().trace(), Direction::Outbound)->id;
        QTRY_COMPARE(w->workbench().flows().find(flow)->state, FlowState::Complete);
    }

    void aDevicesHeldPacketIsDroppedAndTheDeviceCutFromTheWindow()
    {
        MosquittoBroker broker;
        QVERIFY2(broker.start().ok(), qPrintable(broker.logText()));
        auto w = m_windows.open();
        WindowProxy *proxy = w->addProxy(proxyTo(broker.url(), {QStringLiteral("hold in PUBCOMP client dropped-device")}), true);
        QVERIFY2(proxy->isRunning(), qPrintable(proxy->lastProblem()));
        auto publisher = device(QStringLiteral("mosquitto_pub"), devicePublish(proxy->proxy().port(), QStringLiteral("dropped-device")));
        QTRY_COMPARE_WITH_TIMEOUT(proxy->proxy().heldPackets().size(), 1u, 10000);

        // Drop all held ▸ per connection: the broker's PUBCOMP never reaches the device
        FlowInspector *inspector = w->inspector();
        QVERIFY(triggerBulk(*inspector, QStringLiteral("dropAll"), QStringLiteral("Drop held on proxy to mosquitto ⇄ dropped-device")));
        QTRY_VERIFY(proxy->proxy().heldPackets().empty());
        QTRY_VERIFY(flowOf(w->workbench().flows(), QStringLiteral("dropped-device"), w->workbench().trace(), Direction::Outbound));
        const FlowRecord *flow = flowOf(w->workbench().flows(), QStringLiteral("dropped-device"), w->workbench().trace(), Direction::Outbound);
        // (the window reads the trace in batches) the device still waits for the PUBCOMP
        QTRY_COMPARE(w->workbench().flows().find(flow->id)->state, FlowState::AwaitingPubComp);
        QCOMPARE(publisher->state(), QProcess::Running);

        // the Flows tab offers Cut (not Reconnect: the device reconnects itself) for its flow
        inspector->selectFlow(flow->id);
        auto *cut = inspector->findChild<QPushButton *>(QStringLiteral("cutSelected"));
        auto *reconnect = inspector->findChild<QPushButton *>(QStringLiteral("reconnectSelected"));
        QTRY_VERIFY(cut->isEnabled());
        QVERIFY(!reconnect->isEnabled());

        // Connection ▸ Cut on the device's row in the connections list
        auto *list = w->findChild<ConnectionListModel *>();
        const ConnectionId id = flow->key.connection;
        w->connectionView()->setCurrentIndex(list->indexOfDevice(proxy, id));
        QCOMPARE(w->selectedDevice(), std::optional<ConnectionId>(id));
        QAction *cutAction = menuEntry(*w, QStringLiteral("Connection"), QStringLiteral("Cut"));
        QVERIFY(cutAction);
        cutAction->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(proxy->device(id)->state, ProxyDeviceState::Closed, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(publisher->state(), QProcess::NotRunning, 10000);
        bool cutTraced = false;
        const TraceLog &trace = w->workbench().trace();
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            cutTraced = cutTraced || (trace.connectionOf(s) == id && trace.kindOf(s) == TraceKind::Cut);
        QVERIFY(cutTraced);
        inspector->refresh();
        QVERIFY(!cut->isEnabled()); // nothing left to cut

        // the device comes back: still one row for it in the list, forwarding again
        auto again = device(QStringLiteral("mosquitto_pub"), devicePublish(proxy->proxy().port(), QStringLiteral("dropped-device")));
        QTRY_COMPARE_WITH_TIMEOUT(proxy->proxy().heldPackets().size(), 1u, 10000);
        QTRY_VERIFY(deviceRows(*w, proxy).size() == 1 && deviceRows(*w, proxy).front().contains(QStringLiteral("forwarding")));
        // new rules for a running proxy: its devices stay connected, what is held stays held
        ProxyProfile edited = proxy->profile();
        edited.faultRules.push_back(FaultRule::parse(QStringLiteral("delay 10ms in PUBACK")).value());
        const ConnectionId connected = proxy->proxy().devices().back().connection;
        QVERIFY(proxy->setProfile(edited).ok());
        QCOMPARE(proxy->faults().rules().size(), 2u);
        QCOMPARE(proxy->device(connected)->state, ProxyDeviceState::Forwarding);
        QCOMPARE(proxy->proxy().heldPackets().size(), 1u);
        again->kill();
        again->waitForFinished();
    }
};

QTEST_MAIN(TestProxyWindow)
#include "tst_proxy_window.moc"
