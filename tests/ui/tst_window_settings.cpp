// The window as a user sets it up and comes back to it, on a 1366×768 screen (offscreen):
// connection edits that apply at the next connect, what a saved connection keeps across a
// restart, the connection dialog and the publish form checking as the user types, the demo's
// banner, docks, and the window's place on the screen. Every window here has its own settings
// file in a temporary folder.

#include "broker/sandbox_broker.h"
#include "connection_dialog.h"
#include "fault_rules_panel.h"
#include "flow_inspector.h"
#include "main_window.h"
#include "message_payload.h"
#include "messages_view.h"
#include "proxy_dialog.h"
#include "publish_panel.h"
#include "sequence_diagram_view.h"
#include "subscription_model.h"
#include "window_fixture.h"
#include "window_wording.h"

#include "protocol/decoder.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QScrollBar>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QWheelEvent>

using namespace mqs;
using namespace mqs::test;

namespace {

// The CONNECT packets `connection` sent, oldest first, as the trace holds their bytes.
std::vector<Connect> connectsSent(const TraceLog &trace, ConnectionId connection)
{
    std::vector<Connect> sent;
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.connectionOf(s) != connection || trace.typeOf(s) != PacketType::Connect
            || trace.directionOf(s) != TraceDirection::Sent)
            continue;
        const auto packet = decodePacket(trace.rawView(s), ProtocolVersion::V5);
        if (const auto *p = std::get_if<Packet>(&packet))
            if (const auto *c = std::get_if<Connect>(p))
                sent.push_back(*c);
    }
    return sent;
}

// Runs `fill` on the connection dialog once it is open, then lets the caller's exec() return.
void whenDialogOpens(const std::function<void(ConnectionDialog &)> &fill)
{
    QTimer::singleShot(0, [fill] {
        auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        fill(*dialog);
    });
}

bool isMarked(const QWidget *field)
{
    return field->property("invalid").toBool();
}

} // namespace

class TestWindowSettings : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    TestWindows m_windows;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
    void editedLimitsApplyAtTheNextConnect()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("limits")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        const TraceLog &trace = w->workbench().trace();
        QCOMPARE(connectsSent(trace, c->traceId()).size(), 1u);

        // "Save for the next connect": the live connection goes on; the next CONNECT carries the edit.
        whenDialogOpens([](ConnectionDialog &d) {
            QVERIFY(d.reconnectButton()); // offered: the connection is live
            d.findChild<QSpinBox *>(QStringLiteral("receiveMaximum"))->setValue(30);
            d.findChild<QSpinBox *>(QStringLiteral("maximumPacketSize"))->setValue(4096);
            d.accept();
        });
        w->editConnection();
        QCOMPARE(c->state(), ConnectionState::Connected);
        w->toggleConnection();
        QTRY_COMPARE(c->state(), ConnectionState::Disconnected);
        w->toggleConnection();
        QTRY_COMPARE(connectsSent(trace, c->traceId()).size(), 2u);
        Connect second = connectsSent(trace, c->traceId()).back();
        QCOMPARE(second.properties.integer(PropertyId::ReceiveMaximum), std::optional<quint32>(30));
        QCOMPARE(second.properties.integer(PropertyId::MaximumPacketSize), std::optional<quint32>(4096));

        // "Save and reconnect now".
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        whenDialogOpens([](ConnectionDialog &d) {
            d.findChild<QSpinBox *>(QStringLiteral("receiveMaximum"))->setValue(20);
            QTest::mouseClick(d.reconnectButton(), Qt::LeftButton);
        });
        w->editConnection();
        QTRY_COMPARE(connectsSent(trace, c->traceId()).size(), 3u);
        QCOMPARE(connectsSent(trace, c->traceId()).back().properties.integer(PropertyId::ReceiveMaximum), std::optional<quint32>(20));
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
    }

    void aSavedConnectionComesBackWithItsWork()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        MainWindow::Options options{.settingsPath = path(QStringLiteral("restart.ini")), .storePath = path(QStringLiteral("restart-1.db"))};
        {
            auto w = m_windows.open(options);
            Profile profile = profileFor(broker.url(), QStringLiteral("keeper"));
            profile.connectAtStart = true;
            Connection *c = w->addConnection(profile, true);
            QTRY_COMPARE(c->state(), ConnectionState::Connected);
            auto *filter = w->findChild<QLineEdit *>(QStringLiteral("subscribeFilter"));
            QVERIFY(filter);
            QTest::keyClicks(filter, QStringLiteral("sensors/#"));
            QTest::keyClick(filter, Qt::Key_Return);
            QTRY_COMPARE(w->subscriptions()->rowCount(), 1);
            w->faultRules()->setTargets({{QStringLiteral("keeper"), &c->faults()}});
            QVERIFY(w->faultRules()->addRule(QStringLiteral("hold out PUBREL limit 1"), QStringLiteral("stall once")).ok());
            PublishPanel *panel = w->publishPanel();
            panel->topic()->setCurrentText(QStringLiteral("gen/{{seq}}"));
            panel->count()->setValue(3);
            panel->interval()->setValue(40);
            QTest::mouseClick(panel->startButton(), Qt::LeftButton);
            QTRY_VERIFY(!panel->isGenerating());
        }
        // A new window on the same settings, with a new session store: the broker must be told again.
        options.storePath = path(QStringLiteral("restart-2.db"));
        MainWindow w(options);
        w.show();
        Connection *c = nullptr;
        for (Connection *each : w.workbench().connections())
            if (each->settings().name == QLatin1String("keeper"))
                c = each;
        QVERIFY(c);
        QTRY_COMPARE(c->state(), ConnectionState::Connected); // "connect at start"
        w.workbench().setCurrent(c);
        QCOMPARE(w.subscriptions()->rowCount(), 1);
        QCOMPARE(w.subscriptions()->index(0, SubscriptionModel::Filter).data().toString(), QStringLiteral("sensors/#"));
        QTRY_COMPARE(w.subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        QCOMPARE(c->faults().rules().size(), 1u);
        QCOMPARE(c->faults().rules().front().name, QStringLiteral("stall once"));
        QCOMPARE(c->faults().rules().front().limit, std::optional<quint32>(1));
        const GeneratorSettings generator = w.publishPanel()->generatorSettings();
        QCOMPARE(generator.topic, QStringLiteral("gen/{{seq}}"));
        QCOMPARE(generator.count, 3);
        QCOMPARE(generator.intervalMs, 40);
    }

    // The generator's settings are kept as the user edits them, per connection: a restart brings
    // back what was set up even when no run was started.
    void generatorSettingsAreKeptAsEdited()
    {
        MainWindow::Options options{.settingsPath = path(QStringLiteral("generator.ini")), .storePath = path(QStringLiteral("generator-1.db"))};
        {
            auto w = m_windows.open(options);
            Connection *kitchen = w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("kitchen")), false);
            PublishPanel *panel = w->publishPanel();
            panel->topic()->setCurrentText(QString());
            QTest::keyClicks(panel->topic()->lineEdit(), QStringLiteral("kitchen/{{seq}}"));
            panel->count()->setValue(7);
            panel->interval()->setValue(250);
            QCOMPARE(w->workbench().current(), kitchen);
            Connection *hall = w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("hall")), false);
            QCOMPARE(w->workbench().current(), hall);
            panel->topic()->setCurrentText(QStringLiteral("hall/temperature"));
            panel->count()->setValue(3);
            QVERIFY(!panel->isGenerating()); // never started
        }
        options.storePath = path(QStringLiteral("generator-2.db"));
        MainWindow w(options);
        w.show();
        auto connectionNamed = [&w](const QString &name) -> Connection * {
            for (Connection *each : w.workbench().connections())
                if (each->settings().name == name)
                    return each;
            return nullptr;
        };
        QVERIFY(connectionNamed(QStringLiteral("kitchen")) && connectionNamed(QStringLiteral("hall")));
        w.workbench().setCurrent(connectionNamed(QStringLiteral("kitchen")));
        GeneratorSettings generator = w.publishPanel()->generatorSettings();
        QCOMPARE(generator.topic, QStringLiteral("kitchen/{{seq}}"));
        QCOMPARE(generator.count, 7);
        QCOMPARE(generator.intervalMs, 250);
        QCOMPARE(w.publishPanel()->topic()->currentText(), QStringLiteral("kitchen/{{seq}}")); // on show, not only kept
        w.workbench().setCurrent(connectionNamed(QStringLiteral("hall")));
        generator = w.publishPanel()->generatorSettings();
        QCOMPARE(generator.topic, QStringLiteral("hall/temperature"));
        QCOMPARE(generator.count, 3);
        QCOMPARE(generator.intervalMs, 250); // as it was on show when this connection was first edited
    }

    void connectionDialogReadsWellAndFitsTheScreen()
    {
        ConnectionDialog dialog(profileFor(QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("x")));
        dialog.show();
        // A label with '&' must have a buddy, or the '&' shows as it is ("&Client id").
        for (const QLabel *label : dialog.findChildren<QLabel *>())
            if (label->textFormat() != Qt::RichText && label->text().contains(QLatin1Char('&')) && !label->text().contains(QLatin1String("&&")))
                QVERIFY2(label->buddy(), qPrintable(label->text()));
        for (const char *name : {"receiveMaximum", "maximumPacketSize", "receiveLimit"})
            QVERIFY2(!dialog.findChild<QSpinBox *>(QLatin1String(name))->toolTip().isEmpty(), name);
        const QSize available = dialog.screen()->availableSize();
        QVERIFY2(dialog.frameGeometry().width() <= available.width() && dialog.frameGeometry().height() <= available.height(),
                 qPrintable(QStringLiteral("%1x%2").arg(dialog.frameGeometry().width()).arg(dialog.frameGeometry().height())));
        // The URL's problem next to it, as typed, and gone once fixed.
        QTest::keyClicks(dialog.urlField(), QStringLiteral("x")); // "mqtt://127.0.0.1:1883x"
        dialog.urlField()->setText(QStringLiteral("mqtt//host:1883"));
        QVERIFY(dialog.urlProblem()->isVisible());
        QVERIFY2(dialog.urlProblem()->text().contains(QStringLiteral("missing the ':' after 'mqtt'")), qPrintable(dialog.urlProblem()->text()));
        QVERIFY(!dialog.urlProblem()->text().contains(QStringLiteral("ws://")));
        dialog.urlField()->setText(QStringLiteral("mqtt://host:1883"));
        QVERIFY(!dialog.urlProblem()->isVisible());
        QVERIFY(!dialog.reconnectButton()); // a new or closed connection: nothing to reconnect
    }

    void proxyDialogReadsWellAndFitsTheScreen()
    {
        ProxyDialog dialog(ProxyDialog::blankProfile());
        dialog.show();
        for (const QLabel *label : dialog.findChildren<QLabel *>())
            if (label->textFormat() != Qt::RichText && label->text().contains(QLatin1Char('&')) && !label->text().contains(QLatin1String("&&")))
                QVERIFY2(label->buddy(), qPrintable(label->text()));
        const QSize available = dialog.screen()->availableSize();
        QVERIFY2(dialog.frameGeometry().width() <= available.width() && dialog.frameGeometry().height() <= available.height(),
                 qPrintable(QStringLiteral("%1x%2").arg(dialog.frameGeometry().width()).arg(dialog.frameGeometry().height())));
        QVERIFY(dialog.okButton()->isEnabled()); // the defaults work as they are
    }

    void tlsAdviceNamesTheWindowsControls()
    {
        const QString untrusted = QStringLiteral("The broker's certificate for 'localhost' is not trusted (self-signed).");
        const QString advice = withWindowAdvice(problem(ProblemKind::Tls, untrusted));
        QVERIFY2(advice.startsWith(untrusted), qPrintable(advice));
        QVERIFY2(!advice.contains(QStringLiteral("--")), qPrintable(advice));
        QVERIFY(advice.contains(QStringLiteral("'CA file' in Connection ▸ Edit…")));
        QVERIFY(advice.contains(QStringLiteral("'Client certificate' and 'Client key'")));
        // the check box as the dialog labels it
        ConnectionDialog dialog(profileFor(QStringLiteral("mqtts://localhost:8883"), QStringLiteral("x")));
        const auto *insecure = dialog.findChild<QCheckBox *>(QStringLiteral("insecure"));
        QVERIFY(insecure);
        QVERIFY2(advice.contains(QStringLiteral("tick '%1'").arg(insecure->text())), qPrintable(advice));
        // other problems are not TLS's to advise on
        const QString refused = QStringLiteral("Connection refused by 127.0.0.1:1: nothing is listening there.");
        QCOMPARE(withWindowAdvice(problem(ProblemKind::Network, refused)), refused);
    }

    void wheelChangesASpinBoxOnlyWhenFocused()
    {
        ConnectionDialog dialog(profileFor(QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("x")));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *receiveMaximum = dialog.findChild<QSpinBox *>(QStringLiteral("receiveMaximum"));
        QCOMPARE(receiveMaximum->value(), 65535);
        auto wheelDown = [receiveMaximum] {
            const QPointF at = receiveMaximum->rect().center();
            QWheelEvent wheel(at, receiveMaximum->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                              Qt::NoScrollPhase, false);
            QApplication::sendEvent(receiveMaximum, &wheel);
        };
        dialog.urlField()->setFocus();
        wheelDown();
        QCOMPARE(receiveMaximum->value(), 65535); // the form scrolled; the value stayed
        QVERIFY(receiveMaximum->focusPolicy() != Qt::WheelFocus);
        receiveMaximum->setFocus();
        QTRY_VERIFY(receiveMaximum->hasFocus());
        wheelDown();
        QCOMPARE(receiveMaximum->value(), 65534); // focused: the wheel is the user's intent
    }

    void publishFieldsAreCheckedAsTyped()
    {
        auto w = m_windows.open(); // its one connection (the placeholder) is not connected
        PublishPanel *panel = w->publishPanel();
        panel->templated()->setChecked(false);
        panel->format()->setCurrentIndex(0);
        panel->payload()->setPlainText(QStringLiteral("21.5"));
        QComboBox *topic = panel->topic();
        topic->setCurrentText(QString());
        QTest::keyClicks(topic->lineEdit(), QStringLiteral("sensors/+/t"));
        QVERIFY(isMarked(topic));
        QVERIFY2(panel->problem().contains(QStringLiteral("wildcard")), qPrintable(panel->problem()));
        topic->setCurrentText(QString());
        QTest::keyClicks(topic->lineEdit(), QStringLiteral("sensors/a/t"));
        QVERIFY(!isMarked(topic));
        QVERIFY(panel->problem().isEmpty());

        panel->format()->setCurrentIndex(1); // JSON
        panel->payload()->clear();
        QTest::keyClicks(panel->payload(), QStringLiteral("{\"t\": 21.5,}"));
        QVERIFY(isMarked(panel->payload()));
        QVERIFY2(panel->problem().contains(QStringLiteral("Invalid JSON")), qPrintable(panel->problem()));
        QTest::keyClick(panel->payload(), Qt::Key_End);
        QTest::keyClick(panel->payload(), Qt::Key_Backspace);
        QTest::keyClick(panel->payload(), Qt::Key_Backspace);
        QTest::keyClicks(panel->payload(), QStringLiteral("}"));
        QVERIFY(!isMarked(panel->payload()));
        QVERIFY(panel->problem().isEmpty());

        // The template's next reading, before anything is published.
        panel->format()->setCurrentIndex(0);
        panel->payload()->setPlainText(QStringLiteral("reading {{seq}}"));
        panel->templated()->setChecked(true);
        QCOMPARE(panel->form()->preview(), QStringLiteral("Next: sensors/a/t  ←  reading 1"));

        // Publishing on a closed connection says so; the button stays where it was.
        panel->qos()->setCurrentIndex(1);
        QApplication::processEvents(); // the layout settles
        const QPoint button = panel->publishButton()->mapTo(panel, QPoint());
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QVERIFY2(panel->outcome().contains(QStringLiteral("not connected")), qPrintable(panel->outcome()));
        QVERIFY(!panel->outcome().contains(QStringLiteral("queued")));
        QCOMPARE(panel->form()->preview(), QStringLiteral("Next: sensors/a/t  ←  reading 2"));
        QApplication::processEvents();
        QCOMPARE(panel->publishButton()->mapTo(panel, QPoint()), button);
        topic->setCurrentText(QString()); // an empty topic refused at Publish: a sentence appears
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
        QVERIFY(panel->problem().contains(QStringLiteral("Enter a topic")));
        QApplication::processEvents();
        QCOMPARE(panel->publishButton()->mapTo(panel, QPoint()), button);
    }

    void windowOpensOnTheScreenAndComesBackWhereItWas()
    {
        MainWindow::Options options{.settingsPath = path(QStringLiteral("geometry.ini")), .storePath = path(QStringLiteral("geometry.db"))};
        const QRect available = QApplication::primaryScreen()->availableGeometry();
        QCOMPARE(available.size(), QSize(1366, 768)); // the screen this test sets up
        {
            auto w = m_windows.open(options);
            QVERIFY(QTest::qWaitForWindowExposed(w.get()));
            QVERIFY2(available.contains(w->frameGeometry()), qPrintable(QStringLiteral("%1,%2 %3x%4").arg(w->frameGeometry().x())
                                                                        .arg(w->frameGeometry().y()).arg(w->frameGeometry().width())
                                                                        .arg(w->frameGeometry().height())));
            const QPoint statusBottom = w->statusBar()->mapToGlobal(QPoint(0, w->statusBar()->height()));
            QVERIFY(statusBottom.y() <= available.bottom() + 1);
            w->setGeometry(QRect(QPoint(100, 80), QSize(1250, 650)));
            w->close();
        }
        {
            MainWindow w(options);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QCOMPARE(w.size(), QSize(1250, 650));
            QCOMPARE(w.geometry().topLeft(), QPoint(100, 80));
            w.setGeometry(QRect(QPoint(0, 0), QSize(1600, 1000))); // as on a larger screen
            w.close();
        }
        MainWindow w(options);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(available.contains(w.frameGeometry()));
    }

    // On a 1366×768 screen the Flows table shows every column, none scrolled out of view; cut
    // texts are whole in the row's tooltip.
    void flowsTableShowsEveryColumnWithoutScrolling()
    {
        MainWindow::Options options{.demo = true,
                                    .settingsPath = path(QStringLiteral("flows-width.ini")),
                                    .storePath = path(QStringLiteral("flows-width.db")),
                                    .demoIntervalMs = 100};
        auto w = m_windows.open(options);
        w->showMaximized();
        FlowInspector *inspector = w->inspector();
        w->tabs()->setCurrentWidget(inspector);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->table()->model()->rowCount() >= 8, 10000);
        QTableView *table = inspector->table();
        QTRY_VERIFY(table->isVisible());
        QVERIFY2(w->width() <= 1366, qPrintable(QString::number(w->width())));
        const int room = table->viewport()->width();
        QTRY_VERIFY2(table->horizontalScrollBar()->maximum() == 0,
                     qPrintable(QStringLiteral("%1 px of columns in %2 px").arg(table->horizontalHeader()->length()).arg(room)));
        const int readable = 3 * table->fontMetrics().averageCharWidth();
        for (int column = 0; column < FlowTableModel::ColumnCount; ++column) {
            const QString name = table->model()->headerData(column, Qt::Horizontal).toString();
            QVERIFY2(!table->isColumnHidden(column), qPrintable(name));
            const int left = table->columnViewportPosition(column);
            const int width = table->columnWidth(column);
            QVERIFY2(left >= 0 && left + width <= room && width >= readable,
                     qPrintable(QStringLiteral("%1 at %2, %3 px wide, in %4 px").arg(name).arg(left).arg(width).arg(room)));
            // Its header label whole, not cut to "Resen" over a column of small numbers.
            QVERIFY2(width >= table->horizontalHeader()->sectionSizeHint(column),
                     qPrintable(QStringLiteral("%1: %2 px for a %3 px label").arg(name).arg(width).arg(table->horizontalHeader()->sectionSizeHint(column))));
        }
        const QModelIndex state = table->model()->index(0, FlowTableModel::State);
        QVERIFY(state.data(Qt::ToolTipRole).toString().startsWith(state.data().toString()));
        const QModelIndex connection = table->model()->index(0, FlowTableModel::Connection);
        QVERIFY(connection.data(Qt::ToolTipRole).toString().startsWith(connection.data().toString()));
    }

    void theDemoSaysItRunsAndStops()
    {
        MainWindow::Options options{.demo = true,
                                    .settingsPath = path(QStringLiteral("demo.ini")),
                                    .storePath = path(QStringLiteral("demo.db")),
                                    .demoIntervalMs = 100};
        auto w = m_windows.open(options);
        QTRY_VERIFY(w->workbench().demo());
        QTRY_VERIFY(w->demoBanner()->isVisible());
        QVERIFY(!w->startDemoAction()->isEnabled());
        SandboxDemo *demo = w->workbench().demo();
        QCOMPARE(w->workbench().current(), &demo->dashboard()); // the one that receives
        QTRY_COMPARE(w->subscriptions()->rowCount(), 1);

        // Two readings on the dashboard: the connection column, the changed field, the JSON tree open.
        MessagesView *messages = w->messages();
        QTRY_VERIFY_WITH_TIMEOUT(messages->tree().indexOf(QString::fromLatin1(SandboxDemo::kTopic)).siblingAtColumn(TopicTreeModel::Messages).data().toInt() >= 2, 10000);
        messages->showTopic(QString::fromLatin1(SandboxDemo::kTopic));
        QTRY_VERIFY(messages->list().rowCount() >= 2);
        QCOMPARE(messages->list().index(0, MessageListModel::Connection).data().toString(), QStringLiteral("dashboard"));
        QVERIFY2(messages->diffText().contains(QStringLiteral("→")), qPrintable(messages->diffText()));
        QVERIFY(messages->jsonView()->isExpanded(messages->jsonModel().index(0, 0)));
        QVERIFY(messages->suggestedFileName().startsWith(QStringLiteral("sensors_temperature_livingroom-")));

        auto *stop = w->demoBanner()->findChild<QPushButton *>(QStringLiteral("stopDemo"));
        QVERIFY(stop);
        QTest::mouseClick(stop, Qt::LeftButton);
        QVERIFY(!w->workbench().demo());
        QVERIFY(!w->demoBanner()->isVisible());
        QVERIFY(w->startDemoAction()->isEnabled());
        for (Connection *c : w->workbench().connections())
            QVERIFY(c->settings().name != QLatin1String("dashboard"));
        // The demo's lanes are gone but its flows stay in the Flows tab: the empty diagram says
        // so rather than "no packets yet".
        QTRY_VERIFY(w->diagram()->layout().rows().empty());
        QVERIFY(w->inspector()->table()->model()->rowCount() > 0);
        QVERIFY2(w->diagram()->emptyText().contains(QStringLiteral("stay in the Flows tab")), qPrintable(w->diagram()->emptyText()));
    }

    void docksCloseAndComeBackFromView()
    {
        auto w = m_windows.open();
        QDockWidget *dock = w->publishDock();
        QVERIFY(dock->features() & QDockWidget::DockWidgetClosable);
        dock->close();
        QVERIFY(!dock->isVisible());
        dock->toggleViewAction()->trigger();
        QVERIFY(dock->isVisible());
        QVERIFY(w->connectionsDock()->toggleViewAction()->isEnabled());
    }

    void payloadsReadInTheirOwnOrder()
    {
        QStandardItemModel model;
        appendJsonTree(model.invisibleRootItem(), QByteArray(R"({"zone": "b", "a": {"y": 2, "b": [1, "x"]}})"), QStringLiteral("payload"));
        const QStandardItem *root = model.item(0);
        QCOMPARE(root->child(0)->text(), QStringLiteral("zone")); // not sorted
        QCOMPARE(root->child(1)->text(), QStringLiteral("a"));
        QCOMPARE(root->child(1)->child(0)->text(), QStringLiteral("y"));
        QCOMPARE(root->child(1)->child(1)->child(1, 1)->text(), QStringLiteral("\"x\""));

        QCOMPARE(hexDump(QByteArray("{\"t\": 21.5}\n")),
                 QStringLiteral("00000000  7b 22 74 22 3a 20 32 31  2e 35 7d 0a              |{\"t\": 21.5}.|\n"));
        const QString twoLines = hexDump(QByteArray(20, 'a'));
        QCOMPARE(twoLines.split(QLatin1Char('\n')).at(1).indexOf(QLatin1Char('|')), twoLines.indexOf(QLatin1Char('|')));

        const auto changes = jsonFieldChanges(R"({"temperature": 22.5, "unit": "C", "old": 1})", R"({"temperature": 23.5, "unit": "C", "new": 2})");
        QVERIFY(changes);
        QCOMPARE(changes->size(), 3u);
        QCOMPARE(changes->at(0).kind, FieldChange::Changed);
        QCOMPARE(changes->at(0).path, QStringLiteral("temperature"));
        QCOMPARE(changes->at(0).before, QStringLiteral("22.5"));
        QCOMPARE(changes->at(0).after, QStringLiteral("23.5"));
        QCOMPARE(changes->at(1).kind, FieldChange::Added);
        QCOMPARE(changes->at(2).kind, FieldChange::Removed);
        const QString html = differenceHtml(R"({"temperature": 22.5})", R"({"temperature": 23.5})");
        QVERIFY2(html.contains(QStringLiteral("temperature")) && html.contains(QStringLiteral("→")) && html.contains(QStringLiteral("color:")),
                 qPrintable(html));
        QVERIFY(!jsonFieldChanges("21.5", "22.5")); // not JSON objects: lines are compared
    }
};

QTEST_MAIN(TestWindowSettings)
#include "tst_window_settings.moc"
