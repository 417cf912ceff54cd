// Tools ▸ Probe broker… in a real window (offscreen) against the sandbox broker: every built-in
// check conforms and says so in green, a row's packets show on the diagram and the Flows tab, and
// Save report… writes the HTML report (its CONNACK and table of checks) or the JSON document, as
// `mqttscope-cli probe --report` and `--json` do. Against a mosquitto TLS listener: the dialog's
// TLS fields (a saved connection's when picked) carry the CA; without it, or with a CA file that
// is not there, a sentence names the field to change. Against a mosquitto that refuses anonymous
// clients: a saved connection picked brings its user name and password. And the probe and a
// scenario never run at once.

#include "mosquitto_fixture.h"
#include "window_fixture.h"

#include "broker/sandbox_broker.h"
#include "probe_dialog.h"
#include "scenario_panel.h"
#include "sequence_diagram_view.h"
#include "theme.h"
#include "tls_fields.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QXmlStreamReader>

using namespace mqs;
using namespace mqs::test;

namespace {
// The sandbox's queue is made small so that a short burst overflows it (see tst_cli_probe).
constexpr int kQueuePerClient = 5;
constexpr int kBurst = 20;
constexpr int kProbeTimeoutMs = 240000;
constexpr int kReachTimeoutMs = 20000; // the broker's answer to the TCP and TLS handshakes, on a loaded machine
// The one user of the broker that refuses anonymous clients.
const MosquittoUser kUser{QStringLiteral("prober"), QStringLiteral("s3cret")};

// What a saved HTML report shows: the CONNACK sentence and the table of checks, row by row.
struct HtmlReport {
    QString connack;
    QList<QStringList> checkRows; // the cells of each row of the checks table, its heading first
    QString error;
};

HtmlReport readHtmlReport(const QByteArray &html)
{
    HtmlReport report;
    QXmlStreamReader xml(html);
    bool inChecks = false;
    while (!xml.atEnd()) {
        const QXmlStreamReader::TokenType token = xml.readNext();
        if (token == QXmlStreamReader::EndElement && xml.name() == QLatin1String("table"))
            inChecks = false;
        if (token != QXmlStreamReader::StartElement)
            continue;
        const QString id = xml.attributes().value(QStringLiteral("id")).toString();
        if (xml.name() == QLatin1String("p") && xml.attributes().value(QStringLiteral("class")) == QLatin1String("connack"))
            report.connack = xml.readElementText();
        else if (xml.name() == QLatin1String("table"))
            inChecks = id == QLatin1String("checks");
        else if (inChecks && xml.name() == QLatin1String("tr"))
            report.checkRows.append(QStringList());
        else if (inChecks && (xml.name() == QLatin1String("td") || xml.name() == QLatin1String("th")))
            report.checkRows.last() << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    if (xml.hasError())
        report.error = xml.errorString();
    return report;
}

// A scenario that waits a minute on the sandbox broker: long enough to try the probe meanwhile.
const QByteArray kLongScenario = R"({
  "name": "A long wait",
  "clients": { "waiter": { "url": "${BROKER_URL}", "clientId": "probe-window-waiter" } },
  "steps": [
    { "do": "connect", "client": "waiter" },
    { "do": "wait", "ms": 60000 }
  ]
})";

} // namespace

class TestProbeWindow : public QObject
{
    Q_OBJECT

    TestWindows m_windows;

    // Save report… as a person does it: the file dialog, a file type (the first one offered when
    // `typeStart` is empty), a name typed without a suffix.
    void saveThroughDialog(ProbeDialog *probe, const QString &name, const QString &typeStart, const QString &expectedPath)
    {
        QVERIFY(probe->saveButton()->isEnabled());
        QTest::mouseClick(probe->saveButton(), Qt::LeftButton);
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = probe->findChild<QFileDialog *>(QStringLiteral("probeSaveDialog"))) && dialog->isVisible());
        QCOMPARE(dialog->selectedNameFilter(), dialog->nameFilters().front());
        QVERIFY(dialog->nameFilters().front().startsWith(QStringLiteral("HTML")));
        if (!typeStart.isEmpty()) {
            const QStringList types = dialog->nameFilters().filter(QRegularExpression(QStringLiteral("^") + typeStart));
            QCOMPARE(types.size(), 1);
            dialog->selectNameFilter(types.front());
        }
        auto *typed = dialog->findChild<QLineEdit *>(QStringLiteral("fileNameEdit")); // Qt's own file dialog
        QVERIFY(typed);
        typed->setText(name);
        QVERIFY(QMetaObject::invokeMethod(dialog, "accept")); // as Save does
        QCOMPARE(probe->statusText(), QStringLiteral("Saved %1.").arg(expectedPath));
    }

    // Runs the probe until its first check has a verdict, then stops it.
    static void runFirstCheck(ProbeDialog *probe)
    {
        QVERIFY2(probe->start().ok(), qPrintable(probe->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(probe->model().rowCount() > 0 || !probe->isRunning(), kProbeTimeoutMs);
        probe->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!probe->isRunning(), kProbeTimeoutMs);
    }

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

        // Save report… offers the HTML report first: the CONNACK and a row per check.
        QTemporaryDir dir;
        saveThroughDialog(probe, dir.filePath(QStringLiteral("report")), QString(), dir.filePath(QStringLiteral("report.html")));
        QFile page(dir.filePath(QStringLiteral("report.html")));
        QVERIFY2(page.open(QIODevice::ReadOnly), qPrintable(probe->statusText()));
        const QByteArray html = page.readAll();
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        const HtmlReport shown = readHtmlReport(html);
        QVERIFY2(shown.error.isEmpty(), qPrintable(shown.error));
        QVERIFY2(shown.connack.startsWith(QStringLiteral("CONNACK")), qPrintable(shown.connack));
        QCOMPARE(shown.checkRows.size(), checks + 1);
        QCOMPARE(shown.checkRows.front(), (QStringList{"Check", "Verdict", "Rule", "What was seen"}));
        for (int row = 0; row < checks; ++row) {
            QCOMPARE(shown.checkRows[row + 1].value(0), probe->model().index(row, ProbeCheckModel::Check).data().toString());
            QCOMPARE(shown.checkRows[row + 1].value(1), QStringLiteral("conforms"));
        }

        // JSON, the second file type, as `mqttscope-cli probe --json` writes it.
        saveThroughDialog(probe, dir.filePath(QStringLiteral("report")), QStringLiteral("JSON"), dir.filePath(QStringLiteral("report.json")));
        QFile file(dir.filePath(QStringLiteral("report.json")));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(probe->statusText()));
        const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(report.value(QStringLiteral("broker")).toString(), broker.url());
        QCOMPARE(report.value(QStringLiteral("version")).toString(), versionName(ProtocolVersion::V5));
        const QJsonArray saved = report.value(QStringLiteral("checks")).toArray();
        QCOMPARE(saved.size(), checks);
        for (const QJsonValue check : saved)
            QCOMPARE(check.toObject().value(QStringLiteral("verdict")).toString(), QStringLiteral("conforms"));
    }

    // mqtts:// with the test CA in 'CA file': the first check connects over TLS and conforms.
    // Without the CA, the handshake fails once, before any check, and the sentence names the
    // TLS fields; a CA file that is not there is said before anything connects.
    void aTlsBrokerIsProbedWithItsCa()
    {
        MosquittoBroker broker({.tls = true});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        auto w = m_windows.open();
        ProbeDialog *probe = w->openProbe();
        probe->show();
        probe->setBroker(broker.tlsUrl(), ProtocolVersion::V5);

        QVERIFY(probe->start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(!probe->isRunning(), kReachTimeoutMs);
        QCOMPARE(probe->model().rowCount(), 0);
        QVERIFY2(probe->statusText().startsWith(QStringLiteral("The broker's certificate for 'localhost' is not trusted (")),
                 qPrintable(probe->statusText()));
        QVERIFY2(probe->statusText().contains(QStringLiteral("Give the broker's CA as 'CA file' under TLS")), qPrintable(probe->statusText()));
        QVERIFY(probe->runButton()->isEnabled());

        const QString missing = broker.dataDir() + QStringLiteral("/no-such-ca.pem");
        probe->tls()->caFile()->setText(missing);
        const Status refused = probe->start();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.problem().kind, ProblemKind::File);
        QVERIFY(!probe->isRunning());
        QCOMPARE(probe->statusText(), QStringLiteral("The CA certificate file '%1' does not exist. Correct 'CA file', 'Client "
                                                     "certificate' or 'Client key' under TLS, then run the checks again.").arg(missing));

        probe->tls()->caFile()->setText(broker.certificates().caFile);
        runFirstCheck(probe);
        QVERIFY2(probe->model().rowCount() >= 1, qPrintable(probe->statusText()));
        QVERIFY2(probe->model().index(0, ProbeCheckModel::Verdict).data().toString() == QStringLiteral("conforms"),
                 qPrintable(probe->model().index(0, ProbeCheckModel::Evidence).data().toString()));
        QVERIFY(probe->model().row(0).check.connack.startsWith(QStringLiteral("CONNACK")));

        // A start refused for its settings leaves the last run's rows to save, under their broker.
        probe->setBroker(QStringLiteral("mqtts://elsewhere.example:8883"), ProtocolVersion::V311);
        probe->tls()->caFile()->setText(missing);
        QVERIFY(!probe->start().ok());
        QTemporaryDir dir;
        saveThroughDialog(probe, dir.filePath(QStringLiteral("tls")), QStringLiteral("JSON"), dir.filePath(QStringLiteral("tls.json")));
        QFile file(dir.filePath(QStringLiteral("tls.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(report.value(QStringLiteral("broker")).toString(), broker.tlsUrl());
        QCOMPARE(report.value(QStringLiteral("version")).toString(), versionName(ProtocolVersion::V5));
        QCOMPARE(report.value(QStringLiteral("checks")).toArray().size(), probe->model().rowCount());
    }

    // Picking a saved connection in 'Broker' brings its TLS settings along with its URL and version.
    void aSavedConnectionBringsItsTls()
    {
        auto w = m_windows.open();
        Profile plain = profileFor(QStringLiteral("mqtt://127.0.0.1:18830"), QStringLiteral("plain"));
        Profile secured = profileFor(QStringLiteral("mqtts://broker.example:8883"), QStringLiteral("secured"));
        secured.settings.version = ProtocolVersion::V311;
        secured.settings.tls.caFile = QStringLiteral("/etc/ssl/example-ca.pem");
        secured.settings.tls.clientCertificateFile = QStringLiteral("/etc/ssl/me.crt");
        secured.settings.tls.clientKeyFile = QStringLiteral("/etc/ssl/me.key");
        secured.settings.tls.insecure = true;
        ProbeDialog probe(w->workbench(), {plain, secured}, w.get());
        probe.show();
        QVERIFY(QTest::qWaitForWindowExposed(&probe));
        probe.broker()->setFocus();
        QTest::keyClick(probe.broker(), Qt::Key_Down);
        QCOMPARE(probe.broker()->currentText(), QStringLiteral("mqtts://broker.example:8883"));
        QCOMPARE(probe.version()->currentText(), QStringLiteral("MQTT 3.1.1"));
        QCOMPARE(probe.tls()->caFile()->text(), QStringLiteral("/etc/ssl/example-ca.pem"));
        QCOMPARE(probe.tls()->clientCertificateFile()->text(), QStringLiteral("/etc/ssl/me.crt"));
        QCOMPARE(probe.tls()->clientKeyFile()->text(), QStringLiteral("/etc/ssl/me.key"));
        QVERIFY(probe.tls()->insecure()->isChecked());
        QTest::keyClick(probe.broker(), Qt::Key_Up);
        QCOMPARE(probe.broker()->currentText(), QStringLiteral("mqtt://127.0.0.1:18830"));
        QVERIFY(probe.tls()->caFile()->text().isEmpty());
        QVERIFY(!probe.tls()->insecure()->isChecked());
    }

    // A broker that lets only its users in. Without a user name the probe stops before the checks:
    // the broker refused, and the sentence says where the credentials go. Picking the saved
    // connection that logs in brings its user name and password, and the checks run.
    void aSavedConnectionBringsItsLogin()
    {
        MosquittoBroker broker({.users = {kUser}});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        auto w = m_windows.open();
        Profile login = profileFor(broker.url(), QStringLiteral("login"));
        login.settings.username = kUser.name;
        login.settings.password = kUser.password.toUtf8();
        w->addConnection(login, false);
        w->addConnection(profileFor(broker.url(), QStringLiteral("anonymous")), false); // the current one
        ProbeDialog *probe = w->openProbe();
        probe->show();
        QVERIFY(QTest::qWaitForWindowExposed(probe));
        QVERIFY(probe->username()->text().isEmpty());

        QVERIFY(probe->start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(!probe->isRunning(), kReachTimeoutMs);
        QCOMPARE(probe->model().rowCount(), 0);
        QVERIFY2(probe->statusText().startsWith(QStringLiteral("The broker refused the connection: Not authorized (CONNACK 0x87).")),
                 qPrintable(probe->statusText()));
        QVERIFY2(probe->statusText().contains(QStringLiteral("Enter them as 'User name' and 'Password'")), qPrintable(probe->statusText()));

        // The saved connections are offered in their order: "login" is just above "anonymous".
        const int loginRow = probe->broker()->findData(QStringLiteral("login"), Qt::ToolTipRole);
        QVERIFY(loginRow >= 0);
        probe->broker()->setCurrentIndex(loginRow + 1);
        probe->broker()->setFocus();
        QTest::keyClick(probe->broker(), Qt::Key_Up);
        QCOMPARE(probe->broker()->currentIndex(), loginRow);
        QCOMPARE(probe->username()->text(), kUser.name);
        QCOMPARE(probe->password()->text(), kUser.password);
        runFirstCheck(probe);
        QVERIFY2(probe->model().rowCount() >= 1, qPrintable(probe->statusText()));
        QVERIFY2(probe->model().index(0, ProbeCheckModel::Verdict).data().toString() == QStringLiteral("conforms"),
                 qPrintable(probe->model().index(0, ProbeCheckModel::Evidence).data().toString()));
    }

    // The dialog is made once per window; a connection saved after it was first opened is offered
    // the next time it opens, and what was typed in the broker box stays.
    void aConnectionSavedLaterIsOfferedNextTime()
    {
        auto w = m_windows.open();
        w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("first")), false);
        ProbeDialog *probe = w->openProbe();
        probe->show();
        QVERIFY(QTest::qWaitForWindowExposed(probe));
        QVERIFY(probe->broker()->findData(QStringLiteral("first"), Qt::ToolTipRole) >= 0);
        QCOMPARE(probe->broker()->findData(QStringLiteral("later"), Qt::ToolTipRole), -1);
        probe->broker()->setEditText(QStringLiteral("mqtt://typed.example:1883"));
        probe->hide();

        w->addConnection(profileFor(QStringLiteral("mqtt://127.0.0.1:2"), QStringLiteral("later")), false);
        QCOMPARE(w->openProbe(), probe);
        QVERIFY(probe->broker()->findData(QStringLiteral("first"), Qt::ToolTipRole) >= 0);
        QVERIFY(probe->broker()->findData(QStringLiteral("later"), Qt::ToolTipRole) >= 0);
        QCOMPARE(probe->broker()->currentText(), QStringLiteral("mqtt://typed.example:1883"));
    }

    // The probe and a scenario both open connections in the window's trace: while one runs the
    // other is refused with a sentence, its button or menu entry disabled with a tooltip saying
    // why, and offered again when the first ends.
    void aProbeAndAScenarioNeverRunAtOnce()
    {
        SandboxBroker broker(SandboxBroker::Options{}, nullptr);
        QVERIFY(broker.start().ok());
        auto w = m_windows.open();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("long.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write(kLongScenario) == kLongScenario.size());
        file.close();
        ProbeDialog *probe = w->openProbe();
        probe->show();
        probe->setBroker(broker.url(), ProtocolVersion::V5);
        auto *runScenario = w->findChild<QAction *>(QStringLiteral("runScenario"));
        QVERIFY(runScenario);
        auto *panel = w->findChild<ScenarioPanel *>();
        QVERIFY(panel);

        // A scenario runs: the probe is refused.
        QVERIFY(w->runScenario(path, {{QStringLiteral("BROKER_URL"), broker.url()}}).ok());
        QTRY_VERIFY(panel->isRunning());
        QVERIFY(!probe->runButton()->isEnabled());
        QCOMPARE(probe->runButton()->toolTip(), QStringLiteral("The scenario is running; the checks can run when it ends."));
        const Status refused = probe->start();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.problem().kind, ProblemKind::State);
        QVERIFY(!probe->isRunning());
        QCOMPARE(probe->statusText(), QStringLiteral("The scenario is running. The probe and a scenario both open connections in the "
                                                     "window's trace, so they run one at a time: stop the scenario (Stop in the "
                                                     "Scenario panel) or let it finish, then run the checks."));
        QTest::mouseClick(panel->stopButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), kReachTimeoutMs);
        QVERIFY(probe->runButton()->isEnabled());
        QVERIFY(probe->runButton()->toolTip().isEmpty());

        // The probe runs: no scenario starts, from the menu or from Run again.
        probe->burst()->setValue(kBurst);
        QVERIFY(probe->start().ok());
        QVERIFY(!runScenario->isEnabled());
        QCOMPARE(runScenario->toolTip(), QStringLiteral("The probe is running (Tools ▸ Probe broker…); a scenario can run when it ends."));
        QVERIFY(!panel->runAgainButton()->isEnabled());
        QCOMPARE(panel->runAgainButton()->toolTip(), QStringLiteral("The probe is running; a scenario can run again when it ends."));
        const Status scenarioRefused = w->runScenario(path, {{QStringLiteral("BROKER_URL"), broker.url()}});
        QVERIFY(!scenarioRefused.ok());
        QVERIFY(!panel->isRunning());
        QCOMPARE(panel->statusText(), QStringLiteral("The probe is running. A scenario and the probe both open connections in the "
                                                     "window's trace, so they run one at a time: stop the probe (Stop in Tools ▸ "
                                                     "Probe broker…) or let it finish, then run the scenario."));
        probe->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!probe->isRunning(), kProbeTimeoutMs);
        QVERIFY(runScenario->isEnabled());
        QVERIFY(!runScenario->toolTip().contains(QStringLiteral("running")));
        QVERIFY(panel->runAgainButton()->isEnabled());
        QVERIFY(w->runScenario(path, {{QStringLiteral("BROKER_URL"), broker.url()}}).ok());
        QTRY_VERIFY(panel->isRunning());
        panel->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), kReachTimeoutMs);
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
