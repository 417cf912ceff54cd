// Screenshots of payload decoding for the README (resources/take-decoder-screenshots.sh runs it
// under Xvfb): the Messages view with a CBOR payload decoded by a rule, a Sparkplug B NDATA named
// from its NBIRTH, the NBIRTH with a Template's parameters and members, and the decoder table.
//   shot_decoders OUT_DIR WIDTH HEIGHT
// Not a test: it only lays the window out as a user would see it and saves what the screen shows.

#include "decoded_payload_view.h"
#include "decoder_table_dialog.h"
#include "main_window.h"
#include "messages_view.h"
#include "sparkplug_metrics_model.h"
#include "window_fixture.h"

#include "payload/sparkplug.h"

#include <QApplication>
#include <QCborArray>
#include <QCborMap>
#include <QDateTime>
#include <QDir>
#include <QScreen>
#include <QTableView>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

using namespace mqs;

namespace {

void receive(MainWindow &w, const QString &topic, const QByteArray &payload)
{
    StoredMessage m;
    m.connectionName = QStringLiteral("plant-gateway");
    m.timeMs = QDateTime::currentMSecsSinceEpoch();
    m.message = ApplicationMessage{topic, payload, QoS::AtLeastOnce, false, {}};
    w.workbench().messages().add(std::move(m));
}

QByteArray reading(double temperature, qint64 seq)
{
    QCborMap r;
    r.insert(QStringLiteral("machine"), QStringLiteral("press-7"));
    r.insert(QStringLiteral("temperature"), temperature);
    r.insert(QStringLiteral("unit"), QStringLiteral("°C"));
    r.insert(QStringLiteral("seq"), seq);
    r.insert(QStringLiteral("alarms"), QCborArray{QStringLiteral("door"), QStringLiteral("oil-low")});
    return QCborValue(r).toCbor();
}

QByteArray sparkplug(const char *json)
{
    const auto bytes = encodeSparkplugPayload(QByteArray(json));
    if (!bytes)
        qFatal("%s", qPrintable(bytes.sentence()));
    return *bytes;
}

void save(const QString &path)
{
    QApplication::processEvents();
    QGuiApplication::primaryScreen()->grabWindow(0).save(path);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4)
        qFatal("usage: shot_decoders OUT_DIR WIDTH HEIGHT");
    const QDir out(args[1]);
    const QString size = QStringLiteral("%1x%2").arg(args[2], args[3]);
    test::TestWindows windows;
    auto w = windows.open();
    w->setGeometry(QGuiApplication::primaryScreen()->availableGeometry());
    w->showMaximized();
    w->workbench().setDecoderSetup({.rules = {{QStringLiteral("plant/+/reading"), {DecoderKind::Cbor, {}}},
                                              {QStringLiteral("spBv1.0/#"), {DecoderKind::SparkplugB, {}}},
                                              {QStringLiteral("legacy/#"), {DecoderKind::Hex, {}}}}});
    receive(*w, QStringLiteral("plant/press-7/reading"), reading(64.5, 41));
    receive(*w, QStringLiteral("plant/press-7/reading"), reading(65.25, 42));
    receive(*w, QStringLiteral("plant/status"), R"({"line": 1, "state": "running", "shift": "B"})");
    receive(*w, QStringLiteral("legacy/panel"), QByteArray("\x02\x10\x7f\x00\x41", 5));
    // The press's own metrics, and a motor: a Template definition with default parameters and an
    // instance with its own (Sparkplug 3.0, "Template").
    receive(*w, QStringLiteral("spBv1.0/plant/NBIRTH/press-7"),
            sparkplug(R"({"timestamp":"1700000000000","seq":"0","metrics":[)"
                      R"({"name":"bdSeq","datatype":8,"longValue":"3"},)"
                      R"({"name":"Press/Temperature","alias":"1","datatype":10,"doubleValue":64.5},)"
                      R"({"name":"Press/Running","alias":"2","datatype":11,"booleanValue":true},)"
                      R"({"name":"Press/Cycles","alias":"3","datatype":8,"longValue":"18211"},)"
                      R"({"name":"Motor","datatype":19,"templateValue":{"version":"2","isDefinition":true,)"
                      R"("metrics":[{"name":"Speed","datatype":10,"doubleValue":0},{"name":"Running","datatype":11,"booleanValue":false}],)"
                      R"("parameters":[{"name":"rpmLimit","type":7,"intValue":3000},{"name":"site","type":12,"stringValue":""}]}},)"
                      R"({"name":"Press/Motor1","alias":"4","datatype":19,"templateValue":{"version":"2","templateRef":"Motor",)"
                      R"("metrics":[{"name":"Speed","alias":"5","datatype":10,"doubleValue":1450.5},)"
                      R"({"name":"Running","alias":"6","datatype":11,"booleanValue":true}],)"
                      R"("parameters":[{"name":"rpmLimit","type":7,"intValue":2800},{"name":"site","type":12,"stringValue":"Hall 2"}]}}]})"));
    receive(*w, QStringLiteral("spBv1.0/plant/NDATA/press-7"),
            sparkplug(R"({"timestamp":"1700000060000","seq":"1","metrics":[)"
                      R"({"alias":"1","timestamp":"1700000059800","datatype":10,"doubleValue":65.25},)"
                      R"({"alias":"3","timestamp":"1700000059900","datatype":8,"longValue":"18212"},)"
                      R"({"alias":"4","datatype":19,"templateValue":{"templateRef":"Motor","metrics":[{"alias":"5","doubleValue":1502.75}]}}]})"));
    w->messages()->refresh();
    w->tabs()->setCurrentWidget(w->messages());
    w->messages()->showTopic(QStringLiteral("spBv1.0/plant/NDATA/press-7"));
    QTest::qWait(500);
    save(out.filePath(QStringLiteral("sparkplug-%1.png").arg(size)));
    w->messages()->showTopic(QStringLiteral("spBv1.0/plant/NBIRTH/press-7"));
    QTest::qWait(300);
    // The instance at the top of the table, its parameters and members under it.
    const SparkplugMetricsModel &metrics = w->messages()->decodedView()->metrics();
    for (int row = 0; row < metrics.rowCount(); ++row)
        if (metrics.metric(row)->name == u"Press/Motor1")
            w->messages()->decodedView()->metricsView()->scrollTo(metrics.index(row, 0), QAbstractItemView::PositionAtTop);
    QTest::qWait(200);
    save(out.filePath(QStringLiteral("sparkplug-template-%1.png").arg(size)));
    w->messages()->showTopic(QStringLiteral("plant/press-7/reading"));
    QTest::qWait(500);
    save(out.filePath(QStringLiteral("decoded-message-%1.png").arg(size)));

    QTimer::singleShot(300, [&] {
        auto *dialog = qobject_cast<DecoderTableDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            qFatal("the decoder table did not open");
        dialog->addImportPath(QStringLiteral("/usr/include"));
        dialog->addProtoFile(QStringLiteral("/srv/schemas/factory/reading.proto"));
        QTest::qWait(300);
        save(out.filePath(QStringLiteral("decoder-table-%1.png").arg(size)));
        dialog->reject();
    });
    w->chooseDecoders(QStringLiteral("plant/press-7/reading"), {DecoderKind::Cbor, {}});
    return 0;
}
