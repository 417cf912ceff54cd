// Tools ▸ Probe broker… in a real window (offscreen) against the sandbox broker: every built-in
// check conforms and says so in green, a row's packets show on the diagram and the Flows tab, and
// the saved report reads back as `mqttscope-cli probe --json` writes it.

#include "window_fixture.h"

#include "broker/sandbox_broker.h"
#include "probe_dialog.h"
#include "sequence_diagram_view.h"
#include "theme.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QSpinBox>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {
// The sandbox's queue is made small so that a short burst overflows it (see tst_cli_probe).
constexpr int kQueuePerClient = 5;
constexpr int kBurst = 20;
constexpr int kProbeTimeoutMs = 240000;
} // namespace

class TestProbeWindow : public QObject
{
    Q_OBJECT

    TestWindows m_windows;

private slots:
    void theSandboxConformsToEveryCheck()
    {
        SandboxBroker::Options options;
        options.core.maximumQueuedPerClient = kQueuePerClient;
        SandboxBroker broker(options, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        ProbeDialog *probe = w->openProbe();
        probe->show();
        probe->setBroker(broker.url(), ProtocolVersion::V5);
        probe->burst()->setValue(kBurst);
        QVERIFY(probe->start().ok());
        QVERIFY(probe->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!probe->isRunning(), kProbeTimeoutMs);

        const int checks = int(probeCheckFiles().size());
        QCOMPARE(probe->model().rowCount(), checks);
        for (int row = 0; row < checks; ++row) {
            const QModelIndex verdict = probe->model().index(row, ProbeCheckModel::Verdict);
            QVERIFY2(verdict.data().toString() == QStringLiteral("conforms"),
                     qPrintable(probe->model().index(row, ProbeCheckModel::Check).data().toString() + QStringLiteral(": ")
                                + probe->model().index(row, ProbeCheckModel::Evidence).data().toString()));
            QCOMPARE(verdict.data(Qt::ForegroundRole).value<QBrush>().color(), successColor());
        }
        QCOMPARE(probe->statusText(), QStringLiteral("%1 conform, 0 deviate, 0 not supported, 0 inconclusive.").arg(checks));

        // Its packets are the window's: the first check's flows are selected on the diagram.
        probe->showPacketsOf(0);
        const std::optional<FlowId> selected = w->inspector()->selectedFlow();
        QVERIFY(selected);
        QCOMPARE(w->diagram()->selectedFlow(), selected);
        QVERIFY(w->workbench().flows().at(*selected).topic.startsWith(QStringLiteral("mqttscope/probe/")));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.json"));
        QVERIFY(probe->saveReport(path).ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(report.value(QStringLiteral("broker")).toString(), broker.url());
        QCOMPARE(report.value(QStringLiteral("version")).toString(), versionName(ProtocolVersion::V5));
        const QJsonArray saved = report.value(QStringLiteral("checks")).toArray();
        QCOMPARE(saved.size(), checks);
        for (const QJsonValue check : saved)
            QCOMPARE(check.toObject().value(QStringLiteral("verdict")).toString(), QStringLiteral("conforms"));
    }

    void aBadUrlIsSaidAndNothingRuns()
    {
        auto w = m_windows.open();
        ProbeDialog *probe = w->openProbe();
        probe->setBroker(QStringLiteral("http://nowhere"), ProtocolVersion::V5);
        const Status started = probe->start();
        QVERIFY(!started.ok());
        QVERIFY(!probe->isRunning());
        QVERIFY2(probe->statusText().endsWith(QStringLiteral("Type the broker as mqtt://host:port (or mqtts://, ws://, wss://).")),
                 qPrintable(probe->statusText()));
    }

    void theCurrentConnectionsBrokerIsOffered()
    {
        auto w = m_windows.open();
        Profile profile = profileFor(QStringLiteral("mqtt://127.0.0.1:18830"), QStringLiteral("offered"));
        profile.settings.version = ProtocolVersion::V311;
        w->workbench().setCurrent(w->addConnection(profile, false));
        ProbeDialog *probe = w->openProbe();
        QCOMPARE(probe->broker()->currentText(), QStringLiteral("mqtt://127.0.0.1:18830"));
        QCOMPARE(probe->version()->currentText(), QStringLiteral("MQTT 3.1.1"));
    }
};

QTEST_MAIN(TestProbeWindow)
#include "tst_probe_window.moc"
