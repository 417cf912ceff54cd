// The GUI driven as a user drives it (offscreen): connect, subscribe, publish, read; the
// reading generator; bad input; profiles; the diagram, the flow inspector and exports.

#include "broker/sandbox_broker.h"
#include "connection_dialog.h"
#include "connection_list_model.h"
#include "fault_rules_panel.h"
#include "flow_inspector.h"
#include "main_window.h"
#include "messages_view.h"
#include "mosquitto_fixture.h"
#include "packet_detail_view.h"
#include "publish_panel.h"
#include "sequence_diagram_view.h"
#include "subscription_model.h"
#include "theme.h"
#include "window_fixture.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTreeView>
#include <QXmlStreamReader>

using namespace mqs;
using namespace mqs::test;

namespace {

QStringList payloadsIn(const MessagesView &view)
{
    QStringList list;
    auto &model = const_cast<MessagesView &>(view).list();
    for (int r = 0; r < model.rowCount(); ++r)
        list << QString::fromUtf8(model.message(r)->message.payload);
    return list;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    TestWindows m_windows;

    std::unique_ptr<MainWindow> window() { return m_windows.open(); }

    // Subscribes through the left panel's fields and button.
    void subscribeThroughUi(MainWindow &w, const QString &filter)
    {
        auto *edit = w.findChild<QLineEdit *>(QString(), Qt::FindChildrenRecursively);
        QLineEdit *filterEdit = nullptr;
        for (QLineEdit *e : w.findChildren<QLineEdit *>())
            if (e->placeholderText().startsWith(QStringLiteral("Topic filter")))
                filterEdit = e;
        Q_UNUSED(edit);
        QVERIFY(filterEdit);
        filterEdit->clear();
        QTest::keyClicks(filterEdit, filter);
        QTest::keyClick(filterEdit, Qt::Key_Return);
    }

    void publishThroughUi(MainWindow &w, const QString &topic, const QString &payload, int format = 0, bool templated = false)
    {
        PublishPanel *panel = w.publishPanel();
        panel->topic()->setCurrentText(QString());
        QTest::keyClicks(panel->topic()->lineEdit(), topic);
        panel->format()->setCurrentIndex(format);
        panel->templated()->setChecked(templated);
        panel->payload()->clear();
        QTest::keyClicks(panel->payload(), payload);
        QTest::mouseClick(panel->publishButton(), Qt::LeftButton);
    }

private slots:
    void connectSubscribePublishAndRead()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("gui-client")), true);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), ConnectionState::Connected, 5000);
        QVERIFY(w->statusText().contains(QStringLiteral("gui-client: connected")));
        subscribeThroughUi(*w, QStringLiteral("sensors/#"));
        QTRY_COMPARE(w->subscriptions()->rowCount(), 1);
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        publishThroughUi(*w, QStringLiteral("sensors/temperature/livingroom"), QStringLiteral("{\"t\": 21.5}"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(w->publishPanel()->outcome().contains(QStringLiteral("completed (PUBCOMP)")), 5000);
        // in the topic tree, and in the list
        MessagesView *messages = w->messages();
        QTRY_VERIFY(messages->tree().indexOf(QStringLiteral("sensors/temperature/livingroom")).isValid());
        const QModelIndex node = messages->tree().indexOf(QStringLiteral("sensors/temperature/livingroom"));
        QCOMPARE(node.siblingAtColumn(TopicTreeModel::Messages).data().toInt(), 1);
        QCOMPARE(node.siblingAtColumn(TopicTreeModel::LastValue).data().toString(), QStringLiteral("{\"t\": 21.5}"));
        messages->showTopic(QStringLiteral("sensors"));
        QTRY_COMPARE(payloadsIn(*messages), QStringList{QStringLiteral("{\"t\": 21.5}")});
        QCOMPARE(messages->jsonModel().rowCount(), 1); // the JSON tree shows it
    }

    void statusCountsEachPacketOnce()
    {
        // On the demo both ends of each hop are traced here; the status bar's packet rate must
        // count a packet once, as the diagram draws it once.
        MainWindow::Options o;
        o.demo = true;
        o.demoIntervalMs = 100;
        o.settingsPath = m_dir.filePath(QStringLiteral("settings-demo.ini"));
        o.storePath = m_dir.filePath(QStringLiteral("store-demo.db"));
        MainWindow w(o);
        w.show();
        auto completeFlows = [&] {
            int n = 0;
            for (const FlowRecord &f : w.workbench().flows().flows())
                n += f.state == FlowState::Complete ? 1 : 0;
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(completeFlows() >= 4 * 5, 10000); // five readings, two hops, both ends
        int arrows = 0;
        for (const DiagramRow &row : w.diagram()->layout().rows())
            arrows += row.kind == DiagramRow::Arrow ? 1 : 0;
        QVERIFY(arrows >= 8 * 5);
        QCOMPARE(w.workbench().packetsSeen(), quint64(arrows));
        QVERIFY(w.workbench().packetsSeen() < w.workbench().trace().size());
    }

    void messageCapsAreSetInTheMessagesTab()
    {
        auto w = window();
        QSpinBox *perTopic = nullptr;
        for (QSpinBox *box : w->messages()->findChildren<QSpinBox *>())
            if (box->toolTip().startsWith(QStringLiteral("Messages kept per topic")))
                perTopic = box;
        QVERIFY(perTopic);
        const MessageStore::Limits before = w->workbench().messages().limits();
        QCOMPARE(perTopic->value(), before.perTopic);
        perTopic->setValue(7);
        emit perTopic->editingFinished();
        QCOMPARE(w->workbench().messages().limits(), (MessageStore::Limits{7, before.total}));
        bool shown = false; // the line under the tree says what the caps are
        for (QLabel *label : w->messages()->findChildren<QLabel *>())
            shown = shown || label->text().contains(QStringLiteral("at most 7 per topic"));
        QVERIFY(shown);
        perTopic->setValue(before.perTopic); // the settings are the user's; leave them as found
        emit perTopic->editingFinished();
        QCOMPARE(w->workbench().messages().limits(), before);
    }

    void generatorPublishesExactlyNAndStops()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("generator")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        subscribeThroughUi(*w, QStringLiteral("gen/#"));
        QTRY_COMPARE(w->subscriptions()->index(0, SubscriptionModel::Granted).data().toString(), QStringLiteral("QoS 2"));
        PublishPanel *panel = w->publishPanel();
        panel->topic()->setCurrentText(QStringLiteral("gen/{{pick a,b}}"));
        panel->format()->setCurrentIndex(0);
        panel->payload()->setPlainText(QStringLiteral("{{seq}}:{{random 18..26 step 0.5}}"));
        panel->templated()->setChecked(true);
        panel->count()->setValue(25);
        panel->interval()->setValue(5);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(panel->generated(), 25, 10000);
        QTRY_VERIFY(!panel->isGenerating());
        QCOMPARE(panel->progress()->value(), 25);
        int received = 0;
        QTRY_VERIFY_WITH_TIMEOUT((received = int(w->workbench().messages().messages(QStringLiteral("gen/a")).size()
                                                 + w->workbench().messages().messages(QStringLiteral("gen/b")).size()))
                                     == 25,
                                 5000);
        std::set<int> seqs;
        for (const QString &topic : {QStringLiteral("gen/a"), QStringLiteral("gen/b")})
            for (const StoredMessage &m : w->workbench().messages().messages(topic)) {
                const QStringList parts = QString::fromUtf8(m.message.payload).split(QLatin1Char(':'));
                QCOMPARE(parts.size(), 2);
                seqs.insert(parts[0].toInt());
                const double value = parts[1].toDouble();
                QVERIFY(value >= 18 && value <= 26);
                QCOMPARE(std::fmod(value * 2, 1.0), 0.0); // on the 0.5 grid
            }
        QCOMPARE(int(seqs.size()), 25);
        QCOMPARE(*seqs.begin(), 1);
        QCOMPARE(*seqs.rbegin(), 25);

        // stops when asked
        panel->count()->setValue(100000);
        panel->interval()->setValue(20);
        QTest::mouseClick(panel->startButton(), Qt::LeftButton);
        QTRY_VERIFY(panel->generated() >= 3);
        QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
        const int stoppedAt = panel->generated();
        QTest::qWait(200);
        QCOMPARE(panel->generated(), stoppedAt);
        QVERIFY(stoppedAt < 100000);
    }

    void badInputGetsAVisibleSpecificMessage_data()
    {
        QTest::addColumn<QString>("topic");
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("payload");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty topic") << QString() << 0 << QStringLiteral("x") << QStringLiteral("Enter a topic");
        QTest::newRow("wildcard in topic") << QStringLiteral("sensors/+/t") << 0 << QStringLiteral("x") << QStringLiteral("wildcard");
        QTest::newRow("invalid JSON") << QStringLiteral("a") << 1 << QStringLiteral("{\"t\": 21.5,}") << QStringLiteral("Invalid JSON");
        QTest::newRow("bad hex") << QStringLiteral("a") << 2 << QStringLiteral("0a 1g") << QStringLiteral("Invalid hex");
        QTest::newRow("bad base64") << QStringLiteral("a") << 3 << QStringLiteral("!!!") << QStringLiteral("Invalid base64");
        QTest::newRow("bad template") << QStringLiteral("a") << 0 << QStringLiteral("{{wobble}}") << QStringLiteral("not a template field");
    }
    void badInputGetsAVisibleSpecificMessage()
    {
        QFETCH(QString, topic);
        QFETCH(int, format);
        QFETCH(QString, payload);
        QFETCH(QString, says);
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("bad-input")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        publishThroughUi(*w, topic, payload, format, QString(QTest::currentDataTag()) == QLatin1String("bad template"));
        QVERIFY2(w->publishPanel()->problem().contains(says), qPrintable(w->publishPanel()->problem()));
        QCOMPARE(c->session().outbound().inflight(), 0);
    }

    void connectionProblemsAreShown()
    {
        MosquittoBroker::Options options;
        options.tls = true;
        options.extraConfig << QStringLiteral("allow_zero_length_clientid false");
        MosquittoBroker mosquitto(options);
        QVERIFY2(mosquitto.start().ok(), qPrintable(mosquitto.logText()));
        auto w = window();
        // unreachable host
        Connection *nowhere = w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort()), QStringLiteral("nowhere")), true);
        QTRY_VERIFY_WITH_TIMEOUT(w->lastProblem().contains(QStringLiteral("Connection refused")), 5000);
        QVERIFY(!nowhere->lastError().isEmpty());
        // TLS verification failure
        Connection *tls = w->addConnection(profileFor(QStringLiteral("mqtts://localhost:%1").arg(mosquitto.tlsPort()), QStringLiteral("allowed-tls")), true);
        QTRY_VERIFY_WITH_TIMEOUT(tls->lastError().contains(QStringLiteral("not trusted")), 5000);
        QVERIFY(w->lastProblem().contains(QStringLiteral("not trusted")));
        // what to do, in the window's words: its fields, never a command-line option
        QVERIFY2(w->lastProblem().contains(QStringLiteral("'CA file' in Connection ▸ Edit…")), qPrintable(w->lastProblem()));
        QVERIFY2(!w->lastProblem().contains(QStringLiteral("--")), qPrintable(w->lastProblem()));
        // the broker refuses the client id (an empty one, which this broker will not assign)
        Profile anonymous = profileFor(mosquitto.url(), QString());
        anonymous.settings.name = QStringLiteral("anonymous");
        anonymous.settings.version = ProtocolVersion::V311;
        Connection *refused = w->addConnection(anonymous, true);
        QTRY_VERIFY_WITH_TIMEOUT(refused->lastError().contains(QStringLiteral("identifier rejected (CONNACK 0x02)")), 5000);
        QVERIFY2(w->lastProblem().contains(QStringLiteral("anonymous: The broker refused the connection")), qPrintable(w->lastProblem()));
        QVERIFY(w->lastProblem().contains(QStringLiteral("The broker does not assign client ids")));
    }

    void v311OnlyBrokerOffersTheSwitchTo311()
    {
        // Like aedes: a 5.0 CONNECT gets the 3.1.1 CONNACK 0x01, a 3.1.1 CONNECT is accepted.
        QTcpServer broker;
        QVERIFY(broker.listen(QHostAddress::LocalHost, 0));
        connect(&broker, &QTcpServer::newConnection, &broker, [&broker] {
            QTcpSocket *client = broker.nextPendingConnection();
            connect(client, &QTcpSocket::readyRead, client, [client] {
                const QByteArray connect = client->readAll();
                const qsizetype name = connect.indexOf("MQTT");
                const bool speaks311 = name >= 0 && connect.size() > name + 4 && connect[name + 4] == 4;
                client->write(QByteArray::fromHex(speaks311 ? "20020000" : "20020001"));
            });
        });
        auto w = window();
        Connection *c = w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.serverPort()),
                                                     QStringLiteral("modern")),
                                          true);
        auto *offer = w->findChild<QPushButton *>(QStringLiteral("switchToV311"));
        QVERIFY(offer);
        QTRY_VERIFY_WITH_TIMEOUT(offer->isVisible(), 5000);
        QVERIFY2(w->lastProblem().contains(QStringLiteral("speaks only MQTT 3.1.1")), qPrintable(w->lastProblem()));
        QTest::mouseClick(offer, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), ConnectionState::Connected, 5000);
        QCOMPARE(c->settings().version, ProtocolVersion::V311);
        QVERIFY(!offer->isVisible());
    }

    void connectionDialogValidates()
    {
        ConnectionDialog dialog(profileFor(QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("x")));
        dialog.urlField()->setText(QStringLiteral("mqtp://broker"));
        dialog.accept();
        QVERIFY(dialog.problemLabel()->text().contains(QStringLiteral("unknown scheme 'mqtp'")));
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        dialog.urlField()->setText(QStringLiteral("wss://broker.example:443/mqtt"));
        const auto profile = dialog.profile();
        QVERIFY(profile.ok());
        QCOMPARE(profile->settings.url.toString(), QStringLiteral("wss://broker.example:443/mqtt"));
    }

    void maximumPacketSizeIsAnnouncedOnlyWhenChosen()
    {
        // Profiles saved before format 2 hold the 262,144 the dialog offered unasked: that becomes "not announced".
        const QString path = m_dir.filePath(QStringLiteral("old-profiles.ini"));
        {
            QSettings old(path, QSettings::IniFormat);
            old.setValue(QStringLiteral("connections/profiles"),
                         QStringLiteral("[{\"name\":\"old default\",\"url\":\"mqtt://127.0.0.1:1883\",\"maximumPacketSize\":262144},"
                                        "{\"name\":\"old chosen\",\"url\":\"mqtt://127.0.0.1:1883\",\"maximumPacketSize\":1024}]"));
        }
        auto loaded = ProfileStore(path).load().value();
        QCOMPARE(loaded.at(0).settings.session.maximumPacketSize, 0u);
        QCOMPARE(loaded.at(1).settings.session.maximumPacketSize, 1024u);
        QCOMPARE(loaded.at(0).settings.receiveLimit, kDefaultReceiveLimit);
        // Chosen now, 262,144 stays; the receive limit is kept too.
        loaded.at(0).settings.session.maximumPacketSize = 262144;
        loaded.at(0).settings.receiveLimit = 1000000;
        QVERIFY(ProfileStore(path).save(loaded).ok());
        const auto again = ProfileStore(path).load().value();
        QCOMPARE(again.at(0).settings.session.maximumPacketSize, 262144u);
        QCOMPARE(again.at(0).settings.receiveLimit, 1000000u);

        // The dialog says what an announced size does, and only when one is set.
        ConnectionDialog dialog(profileFor(QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("x")));
        auto *size = dialog.findChild<QSpinBox *>(QStringLiteral("maximumPacketSize"));
        auto *note = dialog.findChild<QLabel *>(QStringLiteral("maximumPacketSizeNote"));
        QVERIFY(size && note);
        QCOMPARE(size->value(), 0);
        QVERIFY(note->isHidden());
        size->setValue(1024);
        QVERIFY(!note->isHidden());
        QVERIFY2(note->text().contains(QStringLiteral("drop messages larger than %1 bytes").arg(QLocale().toString(1024))) && note->text().contains(QStringLiteral("[MQTT-3.1.2-25]")),
                 qPrintable(note->text()));
        QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("receiveLimit"))->value(), int(kDefaultReceiveLimit));
        QCOMPARE(dialog.profile().value().settings.session.maximumPacketSize, 1024u);

        // The connection's line in the Connections panel says it too, and only then.
        auto w = window();
        Profile announcing = profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("announcing"));
        announcing.settings.session.maximumPacketSize = 1024;
        Connection *withLimit = w->addConnection(announcing, false);
        Connection *without = w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("plain")), false);
        auto *list = w->findChild<ConnectionListModel *>();
        QVERIFY(list);
        const QString tip = list->data(list->indexOf(withLimit), Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("without notice [MQTT-3.1.2-25]")), qPrintable(tip));
        QVERIFY(!list->data(list->indexOf(without), Qt::ToolTipRole).toString().contains(QStringLiteral("[MQTT-3.1.2-25]")));
    }

    void profilesRoundTripAndACorruptFileIsReported()
    {
        const QString path = m_dir.filePath(QStringLiteral("profiles.ini"));
        Profile p = profileFor(QStringLiteral("mqtts://broker.example:8883"), QStringLiteral("roundtrip"));
        p.settings.username = QStringLiteral("user");
        p.settings.password = QByteArray("secret");
        p.storePasswordInPlainText = true;
        p.settings.version = ProtocolVersion::V311;
        p.settings.cleanStart = false;
        p.settings.keepAlive = 17;
        p.settings.tls.insecure = true;
        p.settings.will = Will{QStringLiteral("status/x"), "gone", QoS::AtLeastOnce, true, {}};
        p.settings.connectProperties.addUserProperty(QStringLiteral("site"), QStringLiteral("lab"));
        Profile noPlain = profileFor(QStringLiteral("mqtt://127.0.0.1:1883"), QStringLiteral("keychain"));
        noPlain.settings.password = QByteArray("not in the file");
        QVERIFY(ProfileStore(path).save({p, noPlain}).ok());
        const auto loaded = ProfileStore(path).load();
        const auto &list = loaded.value();
        QCOMPARE(list.size(), 2u);
        QCOMPARE(list[0].settings.url, p.settings.url);
        QCOMPARE(list[0].settings.password, p.settings.password);
        QCOMPARE(list[0].settings.will, p.settings.will);
        QCOMPARE(list[0].settings.keepAlive, quint16(17));
        QCOMPARE(list[0].settings.version, ProtocolVersion::V311);
        QCOMPARE(list[0].settings.tls.insecure, true);
        QCOMPARE(list[0].settings.connectProperties.userProperties(), p.settings.connectProperties.userProperties());
        QVERIFY(!list[1].settings.password); // not stored unless plain text is allowed
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("not in the file"));
        file.close();
        // corrupt the file
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("[connections]\nprofiles=\"[{\\\"name\\\": \\\"broken\"\n");
        file.close();
        const auto broken = ProfileStore(path).load();
        QVERIFY(!broken.ok());
        QVERIFY2(broken.sentence().contains(QStringLiteral("damaged")), qPrintable(broken.sentence()));
    }

    void heldPubRelStallsAndReleasingCompletes()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        FlowInspector *inspector = w->inspector();
        inspector->model().setStallThresholdMs(300);
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("staller")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        w->faultRules()->setTargets({{QStringLiteral("staller"), &c->faults()}});
        QVERIFY(w->faultRules()->addRule(QStringLiteral("hold out PUBREL"), QStringLiteral("stall at PUBREL")).ok());
        publishThroughUi(*w, QStringLiteral("stall/x"), QStringLiteral("1"));
        QTRY_COMPARE(c->heldPackets().size(), 1u);
        // after the threshold: a stalled row, red, with the sentence
        QTRY_VERIFY_WITH_TIMEOUT(inspector->model().stalledCount() == 1, 5000);
        const QModelIndex row = inspector->model().index(0, FlowTableModel::Sentence);
        QVERIFY(row.data(FlowTableModel::StalledRole).toBool());
        QCOMPARE(row.data(Qt::ForegroundRole).value<QColor>(), problemColor()); // red
        const QString sentence = row.data().toString();
        QVERIFY2(sentence.contains(QStringLiteral("PUBREC received")) && sentence.contains(QStringLiteral("PUBREL (ours) held by rule 'stall at PUBREL'"))
                     && sentence.endsWith(QStringLiteral("— release?")),
                 qPrintable(sentence));
        QTRY_VERIFY(w->statusText().contains(QStringLiteral("1 stalled")));
        QVERIFY(w->publishPanel()->outcome().contains(QStringLiteral("held by rule 'stall at PUBREL'")));
        // release through the inspector's button
        inspector->selectFlow(0);
        auto *release = inspector->findChild<QPushButton *>(QString());
        for (QPushButton *b : inspector->findChildren<QPushButton *>())
            if (b->text().contains(QStringLiteral("Release")))
                release = b;
        QTRY_VERIFY(release->isEnabled());
        QTest::mouseClick(release, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(inspector->model().index(0, FlowTableModel::State).data().toString(), QStringLiteral("Complete"), 5000);
        QCOMPARE(inspector->model().stalledCount(), 0);
        QCOMPARE(inspector->model().index(0, FlowTableModel::State).data(Qt::ForegroundRole).value<QColor>(), successColor()); // green
        QTRY_VERIFY(w->publishPanel()->outcome().contains(QStringLiteral("completed (PUBCOMP)")));
    }

    void arrowAndRowSelectEachOther()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("clicker")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        for (int i = 0; i < 3; ++i)
            publishThroughUi(*w, QStringLiteral("click/%1").arg(i), QStringLiteral("v"));
        QTRY_COMPARE(w->inspector()->model().rowCount(), 3);
        SequenceDiagramView *diagram = w->diagram();
        // click the PUBREC arrow of the second flow, once it has arrived (the flows' rows come
        // with their PUBLISH)
        std::optional<std::size_t> target;
        auto findTarget = [&] {
            for (std::size_t r = 0; r < diagram->layout().rows().size(); ++r) {
                const DiagramRow &row = diagram->layout().rows()[r];
                if (row.kind == DiagramRow::Arrow && w->workbench().trace().typeOf(row.sequence) == PacketType::PubRec
                    && w->workbench().trace().packetIdOf(row.sequence) == PacketId(2))
                    target = r;
            }
            return target.has_value();
        };
        QTRY_VERIFY(findTarget());
        diagram->setFollowing(false);
        diagram->selectFlow(*w->workbench().flows().flowOf(diagram->layout().rows()[*target].sequence)); // scroll it into view
        const QRect rect = diagram->rowRect(*target);
        QTest::mouseClick(diagram->viewport(), Qt::LeftButton, {}, rect.center());
        QVERIFY(diagram->selectedFlow());
        const auto flow = *diagram->selectedFlow();
        QCOMPARE(w->workbench().flows().at(flow).key.packetId, PacketId(2));
        QCOMPARE(w->inspector()->selectedFlow(), std::optional<FlowId>(flow));
        QVERIFY(w->packetDetail()->fields().layout().front().value.startsWith(QStringLiteral("PUBREC")));
        // and the other way round: select the row of the third flow
        FlowId third = 0;
        for (const FlowRecord &f : w->workbench().flows().flows())
            if (f.key.packetId == PacketId(3))
                third = f.id;
        w->inspector()->selectFlow(third);
        emit w->inspector()->flowSelected(third);
        QCOMPARE(diagram->selectedFlow(), std::optional<FlowId>(third));
        const quint64 selected = *diagram->selectedPacket();
        QCOMPARE(w->workbench().trace().packetIdOf(selected), PacketId(3));
    }

    void exportsReadBack()
    {
        TraceLog brokerTrace;
        SandboxBroker broker({}, &brokerTrace);
        QVERIFY(broker.start().ok());
        auto w = window();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("exporter")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        publishThroughUi(*w, QStringLiteral("export/a"), QStringLiteral("1"));
        publishThroughUi(*w, QStringLiteral("export/b"), QStringLiteral("2"));
        QTRY_COMPARE(c->session().outbound().inflight(), 0);
        QTest::qWait(100);
        w->diagram()->refresh();
        // SVG: parses, one labelled arrow per packet row
        const QString svgPath = m_dir.filePath(QStringLiteral("diagram.svg"));
        w->diagram()->setFollowing(true);
        QVERIFY(w->exportDiagram(svgPath, false));
        QFile svgFile(svgPath);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QXmlStreamReader svg(&svgFile);
        QString root;
        QStringList texts;
        while (!svg.atEnd()) {
            if (svg.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (root.isEmpty())
                root = svg.name().toString();
            if (svg.name() == QLatin1String("text"))
                texts << svg.readElementText(QXmlStreamReader::IncludeChildElements);
        }
        QVERIFY2(!svg.hasError(), qPrintable(svg.errorString()));
        QCOMPARE(root, QStringLiteral("svg"));
        const auto [first, last] = w->diagram()->visibleRows();
        int arrows = 0;
        for (std::size_t r = first; r <= last; ++r)
            arrows += w->diagram()->layout().rows()[r].kind == DiagramRow::Arrow ? 1 : 0;
        int labels = 0;
        for (const QString &t : texts)
            for (const char *type : {"CONNECT", "CONNACK", "PUBLISH", "PUBREC", "PUBREL", "PUBCOMP", "SUBSCRIBE", "SUBACK"})
                if (t.trimmed().startsWith(QLatin1String(type))) {
                    ++labels;
                    break;
                }
        QVERIFY(arrows >= 8);
        QCOMPARE(labels, arrows);
        // PNG
        QVERIFY(w->exportDiagram(m_dir.filePath(QStringLiteral("diagram.png")), false));
        QVERIFY(QImage(m_dir.filePath(QStringLiteral("diagram.png"))).width() >= 640);
        // pcap: tshark dissects it with no malformed packets
        const QString pcap = m_dir.filePath(QStringLiteral("trace.pcap"));
        QVERIFY(w->exportTrace(pcap));
        auto run = runTshark(pcap, {QStringLiteral("-Y"), QStringLiteral("mqtt.msgtype == 5"), QStringLiteral("-T"),
                                    QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("mqtt.msgid")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.split('\n').contains("1") && run.out.split('\n').contains("2"), run.out.constData());
        run = runTshark(pcap, {QStringLiteral("-Y"), QStringLiteral("_ws.malformed")});
        QCOMPARE(run.out.trimmed(), QByteArray());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
