// Payloads in the window as their decoders give them (issue 17, "Decoders, chosen per topic"):
// the decoder table edited and kept across a restart, a CBOR payload decoded by a rule in the
// Messages view, the topic tree and the Packet tab, the automatic choice, a broken payload's
// sentence and hex, the raw bytes one click away, Sparkplug metrics with a Template's members and
// parameters, and JSON → Protobuf in the publish form. A real window (offscreen), real traffic
// through the sandbox broker.

#include "broker/sandbox_broker.h"
#include "chart_panel.h"
#include "decoded_payload_view.h"
#include "decoder_table_dialog.h"
#include "main_window.h"
#include "message_payload.h"
#include "messages_view.h"
#include "packet_detail_view.h"
#include "publish_panel.h"
#include "sparkplug_metrics_model.h"
#include "window_fixture.h"

#include "payload/sparkplug.h"

#include <QAction>
#include <QApplication>
#include <QCborArray>
#include <QCborMap>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

using namespace mqs;
using namespace mqs::test;

namespace {

// Runs `fill` on the decoder table once it is open (it is modal), then lets exec() return.
void whenDecoderTableOpens(const std::function<void(DecoderTableDialog &)> &fill)
{
    QTimer::singleShot(0, [fill] {
        auto *dialog = qobject_cast<DecoderTableDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        fill(*dialog);
        if (dialog->isVisible())
            dialog->reject();
    });
}

QAction *decodeMenuAction(MainWindow &w)
{
    return w.findChild<QAction *>(QStringLiteral("decodePayloadsAs"));
}

// A message as a subscription would have stored it.
void receive(MainWindow &w, const QString &topic, const QByteArray &payload)
{
    StoredMessage m;
    m.connectionName = QStringLiteral("placeholder");
    m.message = ApplicationMessage{topic, payload, QoS::AtLeastOnce, false, {}};
    w.workbench().messages().add(std::move(m));
    w.messages()->refresh();
}

// The topic's newest message, on show in the Messages view.
DecodedPayloadView &showNewest(MainWindow &w, const QString &topic)
{
    w.tabs()->setCurrentWidget(w.messages());
    w.messages()->showTopic(topic);
    return *w.messages()->decodedView();
}

bool hasPacket(const TraceLog &trace, PacketType type)
{
    for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
        if (trace.kindOf(s) == TraceKind::Packet && trace.typeOf(s) == type)
            return true;
    return false;
}

QByteArray sparkplug(const QString &json)
{
    const auto bytes = encodeSparkplugPayload(json.toUtf8());
    return bytes.ok() ? *bytes : QByteArray("encode failed: ") + bytes.sentence().toUtf8();
}

// The decoder table of the CBOR cases: one rule, cbor/# as CBOR.
DecoderSetup cborByRule()
{
    return {.rules = {{QStringLiteral("cbor/#"), {DecoderKind::Cbor, {}}}}};
}

QByteArray readingAsCbor()
{
    QCborMap reading; // not in sorted order: the view must keep it
    reading.insert(QStringLiteral("temperature"), 21.5);
    reading.insert(QStringLiteral("unit"), QStringLiteral("°C"));
    reading.insert(QStringLiteral("at"), 1700000000);
    return QCborValue(reading).toCbor();
}

QStringList childNames(const QStandardItem *item)
{
    QStringList names;
    for (int r = 0; item && r < item->rowCount(); ++r)
        names << item->child(r, 0)->text();
    return names;
}

} // namespace

class TestWindowDecoders : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    TestWindows m_windows;

private slots:
    void theRuleFieldsStayPutAsAProblemComesAndGoes()
    {
        DecoderTableDialog d(DecoderSetup{});
        d.resize(900, 600);
        d.show();
        QTest::mouseClick(d.addButton(), Qt::LeftButton); // a new rule has no filter yet: a problem
        QVERIFY(!d.ruleProblem().isEmpty());
        const QPoint decoderWithProblem = d.decoderBox()->mapTo(&d, QPoint());
        const QPoint addWithProblem = d.addButton()->mapTo(&d, QPoint());
        QTest::keyClicks(d.filterField(), QStringLiteral("factory/#"));
        QVERIFY(d.ruleProblem().isEmpty());
        QCOMPARE(d.decoderBox()->mapTo(&d, QPoint()), decoderWithProblem);
        QCOMPARE(d.addButton()->mapTo(&d, QPoint()), addWithProblem);
    }

    void rulesAreEditedThenKeptAcrossARestart()
    {
        const MainWindow::Options options{.settingsPath = m_dir.filePath(QStringLiteral("decoders.ini")),
                                          .storePath = m_dir.filePath(QStringLiteral("decoders.db"))};
        const QString proto = m_dir.filePath(QStringLiteral("missing.proto"));
        {
            auto w = m_windows.open(options);
            QVERIFY(decodeMenuAction(*w));
            QCOMPARE(decodeMenuAction(*w)->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
            whenDecoderTableOpens([&](DecoderTableDialog &d) {
                QTest::mouseClick(d.addButton(), Qt::LeftButton);
                QTest::keyClicks(d.filterField(), QStringLiteral("raw/#/x")); // '#' must be last
                QVERIFY(d.filterField()->property("invalid").toBool()); // marked as typed
                QVERIFY2(d.ruleProblem().contains(QStringLiteral("#")), qPrintable(d.ruleProblem()));
                QVERIFY(!d.okButton()->isEnabled());
                d.filterField()->clear();
                QTest::keyClicks(d.filterField(), QStringLiteral("raw/+"));
                QVERIFY(!d.filterField()->property("invalid").toBool());
                QVERIFY(d.okButton()->isEnabled());
                d.decoderBox()->setCurrentIndex(d.decoderBox()->findText(QStringLiteral("Hex")));
                QTest::mouseClick(d.addButton(), Qt::LeftButton);
                QTest::keyClicks(d.filterField(), QStringLiteral("cbor/#"));
                d.decoderBox()->setCurrentIndex(d.decoderBox()->findText(QStringLiteral("CBOR")));
                QTest::mouseClick(d.upButton(), Qt::LeftButton); // cbor/# first
                d.addProtoFile(proto);
                QVERIFY2(d.schemaProblems().contains(QStringLiteral("missing.proto")), qPrintable(d.schemaProblems()));
                QVERIFY(d.findChild<QLabel *>(QStringLiteral("schemaProblem"))->isVisibleTo(&d));
                // A schema with a mistake: the table says which line.
                QFile broken(m_dir.filePath(QStringLiteral("broken.proto")));
                QVERIFY(broken.open(QIODevice::WriteOnly));
                broken.write("syntax = \"proto3\";\nmessage Reading {\n  double temperature = ;\n}\n");
                broken.close();
                d.addProtoFile(broken.fileName());
                QVERIFY2(d.schemaProblems().contains(QStringLiteral("broken.proto:3:")), qPrintable(d.schemaProblems()));
                QTest::mouseClick(d.removeButton(), Qt::LeftButton); // the selected rule, not a file
                QCOMPARE(d.rules().rowCount(), 1);
                QTest::mouseClick(d.addButton(), Qt::LeftButton);
                QTest::keyClicks(d.filterField(), QStringLiteral("cbor/#"));
                d.decoderBox()->setCurrentIndex(d.decoderBox()->findText(QStringLiteral("CBOR")));
                QTest::mouseClick(d.upButton(), Qt::LeftButton);
                QTest::mouseClick(d.okButton(), Qt::LeftButton);
            });
            decodeMenuAction(*w)->trigger();
            QCOMPARE(w->workbench().decoderSetup().rules.size(), 2u);
            w->close();
        }
        auto again = m_windows.open(options);
        const DecoderSetup kept = again->workbench().decoderSetup();
        const std::vector<DecodeRule> expected{{QStringLiteral("cbor/#"), {DecoderKind::Cbor, {}}}, {QStringLiteral("raw/+"), {DecoderKind::Hex, {}}}};
        QCOMPARE(kept.rules, expected);
        QCOMPARE(kept.protoFiles, (QStringList{proto, m_dir.filePath(QStringLiteral("broken.proto"))}));
        QCOMPARE(again->workbench().decoders().rules(), expected); // in force, not only saved
        whenDecoderTableOpens([&](DecoderTableDialog &d) {
            QCOMPARE(d.rules().rowCount(), 2);
            QCOMPARE(d.rules().index(0, DecoderRulesModel::Filter).data().toString(), QStringLiteral("cbor/#"));
            QCOMPARE(d.rules().index(1, DecoderRulesModel::Decoder).data().toString(), QStringLiteral("Hex"));
        });
        again->chooseDecoders();
    }

    void cborIsDecodedByARuleEverywhere()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        w->workbench().setDecoderSetup(cborByRule());
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("cbor-reader")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        c->subscribe({Subscription{QStringLiteral("cbor/#"), {QoS::AtLeastOnce}}});
        QTRY_VERIFY(hasPacket(w->workbench().trace(), PacketType::SubAck)); // subscribed: what follows comes back
        QVERIFY(bool(c->publish(ApplicationMessage{QStringLiteral("cbor/livingroom"), readingAsCbor(), QoS::AtLeastOnce, false, {}}).ticket));
        MessagesView *messages = w->messages();
        QTRY_VERIFY(messages->tree().indexOf(QStringLiteral("cbor/livingroom")).isValid());

        // The Messages view: a field tree in the payload's order, naming the decoder and its rule.
        DecodedPayloadView &view = showNewest(*w, QStringLiteral("cbor/livingroom"));
        QTRY_VERIFY(view.showsTree());
        QVERIFY2(view.decoderText().contains(QStringLiteral("CBOR")) && view.decoderText().contains(QStringLiteral("cbor/#")),
                 qPrintable(view.decoderText()));
        QVERIFY(view.problemText().isEmpty());
        const QStandardItem *root = view.treeModel().item(0);
        QCOMPARE(childNames(root), (QStringList{QStringLiteral("temperature"), QStringLiteral("unit"), QStringLiteral("at")}));
        QCOMPARE(root->child(0, 1)->text(), QStringLiteral("21.5"));

        // The topic tree's last value: the decoded form, in order.
        const QModelIndex node = messages->tree().indexOf(QStringLiteral("cbor/livingroom"));
        QCOMPARE(node.siblingAtColumn(TopicTreeModel::LastValue).data().toString(),
                 QStringLiteral("{\"temperature\":21.5,\"unit\":\"°C\",\"at\":1700000000}"));

        // The diff against the previous message: fields, not bytes.
        QCborMap warmer = QCborValue::fromCbor(readingAsCbor()).toMap();
        warmer.insert(QStringLiteral("temperature"), 22.0);
        QVERIFY(bool(c->publish(ApplicationMessage{QStringLiteral("cbor/livingroom"), QCborValue(warmer).toCbor(), QoS::AtLeastOnce, false, {}}).ticket));
        QTRY_COMPARE(w->workbench().messages().messages(QStringLiteral("cbor/livingroom")).size(), 2u);
        messages->refresh();
        messages->showTopic(QStringLiteral("cbor")); // and back: the newest message on show
        messages->showTopic(QStringLiteral("cbor/livingroom"));
        QTRY_VERIFY2(messages->diffText().contains(QStringLiteral("temperature 21.5 → 22")), qPrintable(messages->diffText()));

        // The Packet tab: the PUBLISH's payload decoded the same way.
        const TraceLog &trace = w->workbench().trace();
        std::optional<quint64> publish;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.kindOf(s) == TraceKind::Packet && trace.typeOf(s) == PacketType::Publish)
                publish = s;
        QVERIFY(publish);
        w->packetDetail()->showPacket(*publish);
        DecodedPayloadView *packetPayload = w->packetDetail()->payloadView();
        QVERIFY(packetPayload->isVisibleTo(w->packetDetail()));
        QVERIFY2(packetPayload->decoderText().contains(QStringLiteral("CBOR")), qPrintable(packetPayload->decoderText()));
        QVERIFY(packetPayload->showsTree());
    }

    void withoutARuleTheChoiceIsAutomatic()
    {
        auto w = m_windows.open();
        receive(*w, QStringLiteral("auto/json"), R"({"zone": "b", "t": 21.5})");
        receive(*w, QStringLiteral("auto/text"), "door opened");
        const QByteArray binary("\x00\xff\x10\x80", 4);
        receive(*w, QStringLiteral("auto/binary"), binary);

        DecodedPayloadView &json = showNewest(*w, QStringLiteral("auto/json"));
        QVERIFY2(json.decoderText().contains(QStringLiteral("JSON")) && json.decoderText().contains(QStringLiteral("(auto)")),
                 qPrintable(json.decoderText()));
        QVERIFY(json.showsTree());
        QCOMPARE(childNames(json.treeModel().item(0)), (QStringList{QStringLiteral("zone"), QStringLiteral("t")}));

        DecodedPayloadView &text = showNewest(*w, QStringLiteral("auto/text"));
        QVERIFY2(text.decoderText().contains(QStringLiteral("Text")), qPrintable(text.decoderText()));
        QVERIFY(!text.showsTree());
        QCOMPARE(text.shownText(), QStringLiteral("door opened"));

        DecodedPayloadView &hex = showNewest(*w, QStringLiteral("auto/binary"));
        QVERIFY2(hex.decoderText().contains(QStringLiteral("Hex")), qPrintable(hex.decoderText()));
        QCOMPARE(hex.shownText(), hexDump(binary));
    }

    void aBrokenPayloadSaysWhyAndShowsItsHex()
    {
        auto w = m_windows.open();
        w->workbench().setDecoderSetup(cborByRule());
        const QByteArray broken("\x9f\x01\x02", 3); // an array of unknown length that never ends
        receive(*w, QStringLiteral("cbor/broken"), broken);
        DecodedPayloadView &view = showNewest(*w, QStringLiteral("cbor/broken"));
        QVERIFY2(view.problemText().contains(QStringLiteral("CBOR")), qPrintable(view.problemText()));
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("decodeProblem"))->isVisibleTo(&view));
        QVERIFY(!view.showsTree());
        QCOMPARE(view.shownText(), hexDump(broken));
        const QModelIndex node = w->messages()->tree().indexOf(QStringLiteral("cbor/broken"));
        QVERIFY2(node.siblingAtColumn(TopicTreeModel::LastValue).data().toString().startsWith(QStringLiteral("⚠ 9f 01 02")),
                 qPrintable(node.siblingAtColumn(TopicTreeModel::LastValue).data().toString()));
    }

    void theRawBytesAreOneClickAway()
    {
        auto w = m_windows.open();
        const QByteArray payload(R"({"t": 21.5})");
        receive(*w, QStringLiteral("raw/json"), payload);
        DecodedPayloadView &view = showNewest(*w, QStringLiteral("raw/json"));
        QVERIFY(view.showsTree());
        QTest::mouseClick(view.rawBytesButton(), Qt::LeftButton);
        QVERIFY(view.showsRawBytes());
        QCOMPARE(view.shownText(), hexDump(payload));
        QTest::mouseClick(view.rawBytesButton(), Qt::LeftButton);
        QVERIFY(view.showsTree());
    }

    void decodeTopicAsStartsARuleForTheTopic()
    {
        auto w = m_windows.open();
        receive(*w, QStringLiteral("plant/7/reading"), readingAsCbor());
        DecodedPayloadView &view = showNewest(*w, QStringLiteral("plant/7/reading"));
        QVERIFY2(view.decoderText().contains(QStringLiteral("Hex")), qPrintable(view.decoderText())); // CBOR is binary
        whenDecoderTableOpens([](DecoderTableDialog &d) {
            QCOMPARE(d.filterField()->text(), QStringLiteral("plant/7/reading"));
            d.filterField()->clear();
            QTest::keyClicks(d.filterField(), QStringLiteral("plant/+/reading"));
            d.decoderBox()->setCurrentIndex(d.decoderBox()->findText(QStringLiteral("CBOR")));
            QTest::mouseClick(d.okButton(), Qt::LeftButton);
        });
        QTest::mouseClick(view.decodeAsButton(), Qt::LeftButton);
        QVERIFY2(view.decoderText().contains(QStringLiteral("CBOR")) && view.decoderText().contains(QStringLiteral("plant/+/reading")),
                 qPrintable(view.decoderText()));
        QVERIFY(view.showsTree());
    }

    void sparkplugMetricsAreNamedFromTheBirth()
    {
        // A decoded NBIRTH and NDATA as sparkplug_b.proto names their fields.
        QCborMap temperature{{QStringLiteral("name"), QStringLiteral("Temperature")}, {QStringLiteral("alias"), 7},
                             {QStringLiteral("timestamp"), 1700000000000LL}, {QStringLiteral("datatype"), 10},
                             {QStringLiteral("double_value"), 21.5}};
        const QCborMap birth{{QStringLiteral("timestamp"), 1700000000000LL}, {QStringLiteral("metrics"), QCborArray{temperature}},
                             {QStringLiteral("seq"), 0}};
        const QCborMap byAlias{{QStringLiteral("alias"), 7}, {QStringLiteral("timestamp"), 1700000001000LL},
                               {QStringLiteral("datatype"), 10}, {QStringLiteral("double_value"), 22.0}};
        const QCborMap data{{QStringLiteral("metrics"), QCborArray{byAlias}}, {QStringLiteral("seq"), 1}};
        QCOMPARE(sparkplugBirthTopic(QStringLiteral("spBv1.0/plant/NDATA/edge1")), QStringLiteral("spBv1.0/plant/NBIRTH/edge1"));
        QCOMPARE(sparkplugBirthTopic(QStringLiteral("spBv1.0/plant/DDATA/edge1/pump")), QStringLiteral("spBv1.0/plant/DBIRTH/edge1/pump"));
        QVERIFY(sparkplugBirthTopic(QStringLiteral("plant/NDATA/edge1")).isEmpty());

        SparkplugMetricsModel model;
        model.setPayload(data, sparkplugAliases(birth));
        QCOMPARE(model.rowCount(), 1);
        const auto row = [&](int column) { return model.index(0, column).data().toString(); };
        QCOMPARE(row(SparkplugMetricsModel::Name), QStringLiteral("Temperature"));
        QVERIFY(model.index(0, SparkplugMetricsModel::Name).data(Qt::ToolTipRole).toString().contains(QStringLiteral("BIRTH")));
        QCOMPARE(row(SparkplugMetricsModel::Alias), QStringLiteral("7"));
        QCOMPARE(row(SparkplugMetricsModel::Datatype), QStringLiteral("Double"));
        QCOMPARE(row(SparkplugMetricsModel::Value), QStringLiteral("22"));
        QCOMPARE(row(SparkplugMetricsModel::Timestamp), QStringLiteral("2023-11-14T22:13:21.000Z"));

        // The view shows the table for a Sparkplug payload, above its whole tree.
        DecodedPayloadView view;
        view.showPayload({.decoder = {DecoderKind::SparkplugB, {}}, .automatic = true, .value = birth, .text = {}, .problem = {}}, QByteArray("\x08\x01", 2));
        QVERIFY(view.metricsView()->isVisibleTo(&view));
        QCOMPARE(view.metrics().rowCount(), 1);
        QVERIFY(view.showsTree());
    }

    void aSparkplugNodeShowsItsMetricsAndTheRulesItBreaks()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("scada")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        c->subscribe({Subscription{QStringLiteral("spBv1.0/#"), {QoS::AtLeastOnce}}});
        QTRY_VERIFY(hasPacket(w->workbench().trace(), PacketType::SubAck));
        const auto publish = [&](const QString &topic, const QByteArray &payload) {
            QVERIFY(bool(c->publish(ApplicationMessage{topic, payload, QoS::AtLeastOnce, false, {}}).ticket));
        };
        publish(QStringLiteral("spBv1.0/plant/NBIRTH/edge1"),
                sparkplug(QStringLiteral("{\"timestamp\":\"1700000000000\",\"seq\":\"0\",\"metrics\":["
                                         "{\"name\":\"bdSeq\",\"datatype\":8,\"longValue\":\"3\"},"
                                         "{\"name\":\"Line/Temperature\",\"alias\":\"2\",\"datatype\":10,\"doubleValue\":21.5}]}")));
        publish(QStringLiteral("spBv1.0/plant/NDATA/edge1"),
                sparkplug(QStringLiteral("{\"timestamp\":\"1700000001000\",\"seq\":\"5\",\"metrics\":["
                                         "{\"alias\":\"2\",\"timestamp\":\"1700000000900\",\"datatype\":10,\"doubleValue\":22.25}]}")));
        QTRY_COMPARE(w->workbench().messages().messages(QStringLiteral("spBv1.0/plant/NDATA/edge1")).size(), 1u);

        DecodedPayloadView &view = showNewest(*w, QStringLiteral("spBv1.0/plant/NDATA/edge1"));
        QVERIFY2(view.decoderText().contains(QStringLiteral("Sparkplug B")) && view.decoderText().contains(QStringLiteral("(auto)")),
                 qPrintable(view.decoderText()));
        QVERIFY(view.metricsView()->isVisibleTo(&view));
        QCOMPARE(view.metrics().rowCount(), 1);
        const auto cell = [&](int column) { return view.metrics().index(0, column).data().toString(); };
        QCOMPARE(cell(SparkplugMetricsModel::Name), QStringLiteral("Line/Temperature")); // by alias, from the NBIRTH
        QCOMPARE(cell(SparkplugMetricsModel::Alias), QStringLiteral("2"));
        QCOMPARE(cell(SparkplugMetricsModel::Datatype), QStringLiteral("Double"));
        QCOMPARE(cell(SparkplugMetricsModel::Value), QStringLiteral("22.25"));
        QCOMPARE(cell(SparkplugMetricsModel::Timestamp), QStringLiteral("2023-11-14T22:13:20.900Z"));
        // seq jumped from 0 to 5: the monitor's finding, with its Sparkplug rule.
        QVERIFY2(view.findingsText().contains(QStringLiteral("seq")), qPrintable(view.findingsText()));
        QVERIFY(view.findChild<QLabel *>(QStringLiteral("sparkplugFindings"))->isVisibleTo(&view));
        QVERIFY(!w->workbench().sparkplug().findings().empty());
    }

    void aSparkplugNodeShowsSeveralMetricsOnA1366Screen()
    {
        auto w = m_windows.open();
        w->resize(1366, 768); // the smallest screen the window is made for
        QString metrics;
        for (int i = 0; i < 8; ++i)
            metrics += QStringLiteral(R"(%1{"name":"Press/Metric %2","alias":"%2","datatype":10,"doubleValue":%2.5})").arg(i ? "," : "").arg(i);
        const QString topic = QStringLiteral("spBv1.0/plant/NBIRTH/press-7");
        receive(*w, topic, sparkplug(QStringLiteral(R"({"timestamp":"1700000000000","seq":"0","metrics":[%1]})").arg(metrics)));
        DecodedPayloadView &birth = showNewest(*w, topic);
        QCOMPARE(birth.metrics().rowCount(), 8);
        QTableView *table = birth.metricsView();
        const int rowHeight = table->verticalHeader()->defaultSectionSize();
        QTRY_VERIFY(table->isVisible() && table->viewport()->height() > 0);
        QVERIFY2(table->viewport()->height() >= 4 * rowHeight,
                 qPrintable(QStringLiteral("%1 px for rows of %2 px").arg(table->viewport()->height()).arg(rowHeight)));
        QVERIFY2(w->height() <= 768, qPrintable(QString::number(w->height()))); // and the window still fits the screen
    }

    void aSparkplugTemplateShowsItsMembersAndChartsOne()
    {
        SandboxBroker broker({}, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        Connection *c = w->addConnection(profileFor(broker.url(), QStringLiteral("scada")), true);
        QTRY_COMPARE(c->state(), ConnectionState::Connected);
        c->subscribe({Subscription{QStringLiteral("spBv1.0/#"), {QoS::AtLeastOnce}}});
        QTRY_VERIFY(hasPacket(w->workbench().trace(), PacketType::SubAck));
        const auto publish = [&](const QString &topic, const QByteArray &payload) {
            QVERIFY(bool(c->publish(ApplicationMessage{topic, payload, QoS::AtLeastOnce, false, {}}).ticket));
        };
        // A definition "Motor" and an instance "Motor1" whose members have aliases; then an NDATA
        // with the instance and its changed member by alias only.
        publish(QStringLiteral("spBv1.0/plant/NBIRTH/edge1"),
                sparkplug(QStringLiteral(R"({"timestamp":"1700000000000","seq":"0","metrics":[{"name":"bdSeq","datatype":8,"longValue":"3"},)"
                                         R"({"name":"Motor","datatype":19,"templateValue":{"isDefinition":true,"metrics":[)"
                                         R"({"name":"Speed","datatype":10,"doubleValue":0}]}},)"
                                         R"({"name":"Motor1","alias":"10","datatype":19,"templateValue":{"templateRef":"Motor","metrics":[)"
                                         R"({"name":"Speed","alias":"11","datatype":10,"doubleValue":1450.5}]}}]})")));
        publish(QStringLiteral("spBv1.0/plant/NDATA/edge1"),
                sparkplug(QStringLiteral(R"({"timestamp":"1700000001000","seq":"1","metrics":[{"alias":"10","datatype":19,)"
                                         R"("templateValue":{"templateRef":"Motor","metrics":[{"alias":"11","doubleValue":1500.25}]}}]})")));
        QTRY_COMPARE(w->workbench().messages().messages(QStringLiteral("spBv1.0/plant/NDATA/edge1")).size(), 1u);

        w->resize(1366, 768); // the smallest screen the window is made for
        DecodedPayloadView &birth = showNewest(*w, QStringLiteral("spBv1.0/plant/NBIRTH/edge1"));
        QStringList names;
        for (const SparkplugMetricsModel::Metric &m : birth.metrics().metrics())
            names << m.name + u' ' + m.datatype;
        QCOMPARE(names, (QStringList{"bdSeq UInt64", "Motor Template", "Motor/Speed Double", "Motor1 Template", "Motor1/Speed Double"}));
        // The name and the value are in sight at 1366 px, the timestamp whole a scroll away.
        QTableView *table = birth.metricsView();
        const auto rightEdge = [table](int column) { return table->columnViewportPosition(column) + table->columnWidth(column); };
        QTRY_VERIFY(table->viewport()->width() > 0);
        QVERIFY2(rightEdge(SparkplugMetricsModel::Name) <= table->viewport()->width()
                     && rightEdge(SparkplugMetricsModel::Value) <= table->viewport()->width(),
                 qPrintable(QStringLiteral("%1, %2 > %3").arg(rightEdge(SparkplugMetricsModel::Name)).arg(rightEdge(SparkplugMetricsModel::Value))
                                .arg(table->viewport()->width())));
        const QString time = birth.metrics().index(0, SparkplugMetricsModel::Timestamp).data().toString();
        QVERIFY(table->columnWidth(SparkplugMetricsModel::Timestamp) >= table->fontMetrics().horizontalAdvance(time));

        DecodedPayloadView &data = showNewest(*w, QStringLiteral("spBv1.0/plant/NDATA/edge1"));
        QCOMPARE(data.metrics().rowCount(), 2);
        const SparkplugMetricsModel::Metric *speed = data.metrics().metric(1);
        QCOMPARE(speed->name, QStringLiteral("Motor1/Speed")); // by alias, from the NBIRTH
        QVERIFY(speed->nameFromBirth);
        QCOMPARE(speed->value, QStringLiteral("1500.25"));
        QCOMPARE(speed->datatype, QStringLiteral("Double")); // not sent: the BIRTH's
        QCOMPARE(speed->timestamp, QStringLiteral("2023-11-14T22:13:21.000Z")); // none of its own: the payload's
        QCOMPARE(data.metrics().index(0, SparkplugMetricsModel::Name).data().toString(), QStringLiteral("Motor1"));
        QVERIFY(speed->numeric);
        QVERIFY(!data.metrics().metric(0)->numeric); // the Template itself: nothing to chart

        // Charted by the member's path: the BIRTH's value and the DATA's by alias, one series.
        QVERIFY(w->charts()->addField(QStringLiteral("spBv1.0/plant/NDATA/edge1"), speed->chartPath).ok());
        QVERIFY(w->charts()->addField(QStringLiteral("spBv1.0/plant/NBIRTH/edge1"), speed->chartPath).ok());
        const auto &fields = w->charts()->feed().fields();
        QCOMPARE(fields[0].history.samples(), quint64(1));
        QCOMPARE(fields[0].history.points().front().value, 1500.25);
        QCOMPARE(fields[1].history.points().front().value, 1450.5);
    }

    void aSparkplugTemplateShowsItsParameters()
    {
        auto w = m_windows.open();
        w->resize(1366, 768); // the smallest screen the window is made for
        // An instance "Motor1" with a member and two parameters (Sparkplug 3.0, "Template").
        const QString topic = QStringLiteral("spBv1.0/plant/NBIRTH/edge1");
        receive(*w, topic,
                sparkplug(QStringLiteral(R"({"timestamp":"1700000000000","seq":"0","metrics":[)"
                                         R"({"name":"Motor1","alias":"10","datatype":19,"templateValue":{"templateRef":"Motor",)"
                                         R"("metrics":[{"name":"Speed","alias":"11","datatype":10,"doubleValue":1450.5}],)"
                                         R"("parameters":[{"name":"rpmLimit","type":7,"intValue":2800},)"
                                         R"({"name":"site","type":12,"stringValue":"Hall 2"}]}}]})")));
        DecodedPayloadView &birth = showNewest(*w, topic);
        const SparkplugMetricsModel &model = birth.metrics();
        const auto cell = [&](int row, int column) { return model.index(row, column).data().toString(); };
        QStringList rows;
        for (int r = 0; r < model.rowCount(); ++r)
            rows << QStringLiteral("%1 | %2 | %3").arg(cell(r, SparkplugMetricsModel::Name), cell(r, SparkplugMetricsModel::Datatype),
                                                       cell(r, SparkplugMetricsModel::Value));
        // Under the Template, before its members: its parameters, named apart from member paths.
        QCOMPARE(rows, (QStringList{QStringLiteral("Motor1 | Template | instance of Motor, 1 member, 2 parameters"),
                                    QStringLiteral("Motor1 ▸ parameter rpmLimit | UInt32 | 2800"),
                                    QStringLiteral("Motor1 ▸ parameter site | String | Hall 2"),
                                    QStringLiteral("Motor1/Speed | Double | 1450.5")}));
        QVERIFY(model.metric(1)->parameter && !model.metric(3)->parameter);
        QCOMPARE(model.metric(1)->depth, 1);
        QVERIFY(cell(1, SparkplugMetricsModel::Alias).isEmpty() && cell(1, SparkplugMetricsModel::Timestamp).isEmpty()); // none of its own

        // In sight in the table, the name whole.
        QTableView *table = birth.metricsView();
        QTRY_VERIFY(table->isVisible() && table->viewport()->height() > 0);
        const QRect limit = table->visualRect(model.index(1, SparkplugMetricsModel::Name));
        QVERIFY2(table->viewport()->rect().contains(limit), qPrintable(QStringLiteral("row at y %1").arg(limit.y())));
        QVERIFY(limit.width() >= table->fontMetrics().horizontalAdvance(cell(1, SparkplugMetricsModel::Name)));
        // The Template's long summary is elided (whole in its tooltip) rather than pushing the
        // datatype out of the narrow pane.
        const QRect type = table->visualRect(model.index(0, SparkplugMetricsModel::Datatype));
        QVERIFY2(type.left() < table->viewport()->width(), qPrintable(QStringLiteral("datatype at x %1 of %2").arg(type.left()).arg(table->viewport()->width())));
        QCOMPARE(model.index(0, SparkplugMetricsModel::Value).data(Qt::ToolTipRole).toString(), cell(0, SparkplugMetricsModel::Value));

        // A number parameter is charted like a metric; a text one is not offered.
        QVERIFY(model.metric(1)->numeric && !model.metric(2)->numeric);
        QVERIFY(w->charts()->addField(topic, model.metric(1)->chartPath).ok());
        QCOMPARE(w->charts()->feed().fields()[0].history.points().front().value, 2800.0);
    }

    void publishingEncodesJsonAsTheChosenProtobufType()
    {
        auto w = m_windows.open();
        PublishPanel *panel = w->publishPanel();
        panel->topic()->setCurrentText(QStringLiteral("factory/line1/reading"));
        panel->templated()->setChecked(false);
        panel->payload()->setPlainText(QStringLiteral("{\"temperature\": 21.5}"));
        panel->format()->setCurrentIndex(MessageForm::kProtobufFormat);
        QVERIFY(panel->form()->messageType()->isVisibleTo(panel));
        // No schema defines the type: the field says so as it is typed, and nothing is published.
        panel->form()->messageType()->setCurrentText(QStringLiteral("factory.Reading"));
        QVERIFY2(panel->form()->fieldProblem().contains(QStringLiteral("factory.Reading")), qPrintable(panel->form()->fieldProblem()));
        QVERIFY(!panel->buildMessage());

        // A schema that defines it: its type is offered, a wrong field is named as it is typed,
        // and the JSON goes out as the type's bytes.
        QFile proto(m_dir.filePath(QStringLiteral("reading.proto")));
        QVERIFY(proto.open(QIODevice::WriteOnly));
        proto.write("syntax = \"proto3\";\npackage factory;\nmessage Reading { double temperature = 1; string unit = 2; }\n");
        proto.close();
        w->workbench().setDecoderSetup({.protoFiles = {proto.fileName()}, .importPaths = {m_dir.path()}});
        QVERIFY2(w->workbench().schemaProblems().isEmpty(), qPrintable(w->workbench().schemaProblems().join(QLatin1Char('\n'))));
        QVERIFY(panel->form()->messageType()->findText(QStringLiteral("factory.Reading")) >= 0);
        panel->form()->messageType()->setCurrentText(QStringLiteral("factory.Reading"));
        panel->payload()->setPlainText(QStringLiteral("{\"temperature\": 21.5, \"colour\": \"red\"}"));
        QVERIFY2(panel->form()->fieldProblem().contains(QStringLiteral("colour")), qPrintable(panel->form()->fieldProblem()));
        panel->payload()->setPlainText(QStringLiteral("{\"temperature\": 21.5, \"unit\": \"C\"}"));
        QVERIFY2(panel->form()->fieldProblem().isEmpty(), qPrintable(panel->form()->fieldProblem()));
        const auto message = panel->buildMessage();
        QVERIFY(message);
        const DecodedPayload back = w->workbench().decoders().decodeAs({DecoderKind::Protobuf, QStringLiteral("factory.Reading")}, message->payload);
        QVERIFY2(!back.problem, qPrintable(back.problem ? back.problem->sentence : QString()));
        QCOMPARE(back.value.toMap().value(QStringLiteral("temperature")).toDouble(), 21.5);

        panel->format()->setCurrentIndex(int(PayloadFormat::Json));
        QVERIFY(!panel->form()->messageType()->isVisibleTo(panel));
        QVERIFY(panel->form()->fieldProblem().isEmpty());
    }
};

QTEST_MAIN(TestWindowDecoders)
#include "tst_window_decoders.moc"
