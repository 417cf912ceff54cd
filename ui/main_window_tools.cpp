// The Tools menu: a scenario file run in the window (the Scenario panel) and the broker probe.

#include "main_window.h"

#include "flow_inspector.h"
#include "probe_dialog.h"
#include "scenario_panel.h"
#include "sequence_diagram_view.h"

#include <QAction>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QLineEdit>
#include <QMenuBar>
#include <QTimer>

#include <map>

namespace mqs {
namespace {

// The values of a scenario's ${NAME}s, asked in a small form (prefilled from `defaults`);
// nothing when the user cancels.
std::optional<QMap<QString, QString>> askVariables(QWidget *parent, const QStringList &names, const QMap<QString, QString> &defaults)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Scenario variables"));
    auto *form = new QFormLayout(&dialog);
    std::map<QString, QLineEdit *> fields;
    for (const QString &name : names) {
        auto *field = new QLineEdit(defaults.value(name), &dialog);
        field->setObjectName(QStringLiteral("var_") + name);
        form->addRow(QStringLiteral("${%1}").arg(name), field);
        fields[name] = field;
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    QMap<QString, QString> values;
    for (const auto &[name, field] : fields)
        values.insert(name, field->text().trimmed());
    return values;
}

} // namespace

void MainWindow::buildToolsMenu()
{
    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->setToolTipsVisible(true); // a disabled entry says why
    QAction *scenario = tools->addAction(tr("Run &scenario…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this,
                                         &MainWindow::chooseScenario);
    scenario->setObjectName(QStringLiteral("runScenario"));
    tools->addAction(tr("&Probe broker…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B), this, [this] {
        ProbeDialog *probe = openProbe();
        probe->show();
        probe->raise();
    })->setObjectName(QStringLiteral("probeBroker"));
    // The probe and a scenario both drive the window's trace: while the probe runs, no scenario
    // starts. The probe's dialog still opens while a scenario runs (to read its last verdicts);
    // its Run checks button says why it waits.
    connect(m_workbench.get(), &Workbench::scriptedRunChanged, scenario, [scenario](const QString &running) {
        const bool probing = running == ProbeDialog::scriptedRunName();
        scenario->setEnabled(!probing);
        scenario->setToolTip(probing ? tr("The probe is running (Tools ▸ Probe broker…); a scenario can run when it ends.") : QString());
    });
}

void MainWindow::buildScenarioDock()
{
    m_scenarioPanel = new ScenarioPanel(*m_workbench, this);
    m_scenarioDock = new QDockWidget(tr("Scenario"), this);
    m_scenarioDock->setObjectName(QStringLiteral("scenario"));
    m_scenarioDock->setWidget(m_scenarioPanel);
    m_scenarioDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::RightDockWidgetArea, m_scenarioDock);
    tabifyDockWidget(m_publishDock, m_scenarioDock);
    m_scenarioDock->hide();
    connect(m_scenarioPanel, &ScenarioPanel::flowsConcerned, this, &MainWindow::selectFlows);
}

Status MainWindow::runScenario(const QString &path, const QMap<QString, QString> &variables)
{
    m_scenarioDock->show();
    m_scenarioDock->raise();
    return m_scenarioPanel->run(path, variables);
}

void MainWindow::chooseScenario()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Run scenario"), QString(), tr("Scenario files (*.json)"));
    if (path.isEmpty())
        return;
    QFile file(path);
    QStringList names;
    if (file.open(QIODevice::ReadOnly))
        names = scenarioVariables(file.readAll());
    QMap<QString, QString> values;
    if (!names.isEmpty()) {
        const QMap<QString, QString> defaults{{QStringLiteral("BROKER_URL"), offeredBrokerUrl()}, {QStringLiteral("VERSION"), QStringLiteral("5")}};
        const std::optional<QMap<QString, QString>> asked = askVariables(this, names, defaults);
        if (!asked)
            return;
        values = *asked;
    }
    (void)runScenario(path, values); // a problem shows in the panel
}

ProbeDialog *MainWindow::openProbe()
{
    if (!m_probe) {
        m_probe = new ProbeDialog(*m_workbench, profilesWithPasswords(), this);
        connect(m_probe, &ProbeDialog::flowsConcerned, this, &MainWindow::selectFlows);
        connect(m_probe, &ProbeDialog::packetConcerned, m_diagram, &SequenceDiagramView::selectPacket);
        if (const Connection *current = m_workbench->current())
            m_probe->setBroker(current->settings());
        else
            m_probe->setBroker(offeredBrokerUrl(), ProtocolVersion::V5);
    } else if (!m_probe->isVisible()) {
        m_probe->setProfiles(profilesWithPasswords()); // connections saved or edited since it was made
    }
    return m_probe;
}

void MainWindow::selectFlows(const std::vector<FlowId> &flows)
{
    if (flows.empty())
        return;
    m_inspector->refresh();
    m_tabs->setCurrentWidget(m_inspector);
    m_diagram->setFollowing(false); // new packets would scroll the selection away
    m_inspector->selectFlow(flows.front());
    m_diagram->selectFlow(flows.front());
    m_diagram->setHighlightedFlows({flows.begin() + 1, flows.end()});
}

QString MainWindow::offeredBrokerUrl() const
{
    if (const Connection *c = m_workbench->current())
        return c->settings().url.toString();
    if (SandboxDemo *demo = m_workbench->demo())
        return demo->broker().url();
    return QStringLiteral("mqtt://127.0.0.1:1883");
}

bool MainWindow::stopToolsBeforeClosing()
{
    const bool scenario = m_scenarioPanel && m_scenarioPanel->isRunning();
    const bool probe = m_probe && m_probe->isRunning();
    if (!scenario && !probe)
        return true;
    // Both run in a loop inside this window's call stack: ask them to stop, close once they have.
    if (scenario) {
        m_scenarioPanel->stop();
        connect(m_scenarioPanel, &ScenarioPanel::finished, this, &QWidget::close, Qt::QueuedConnection);
    }
    if (probe) {
        m_probe->stop();
        connect(m_probe, &ProbeDialog::checksFinished, this, &QWidget::close, Qt::QueuedConnection);
    }
    return false;
}

} // namespace mqs
