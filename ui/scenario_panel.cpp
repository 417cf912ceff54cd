#include "scenario_panel.h"

#include "theme.h"

#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <set>

namespace mqs {

QStringList scenarioVariables(const QByteArray &text)
{
    static const QRegularExpression variable(QStringLiteral(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})"));
    QStringList names;
    for (auto it = variable.globalMatch(QString::fromUtf8(text)); it.hasNext();)
        if (const QString name = it.next().captured(1); !names.contains(name))
            names << name;
    return names;
}

std::vector<FlowId> flowsConcerning(Workbench &workbench, const QStringList &clients, quint64 from, quint64 to)
{
    const TraceLog &trace = workbench.trace();
    workbench.flows().update();
    std::set<ConnectionId> lanes, others;
    for (quint64 s = std::max(from, trace.firstSequence()); s < to && s < trace.endSequence(); ++s) {
        const ConnectionId id = trace.connectionOf(s);
        if (lanes.count(id) || others.count(id))
            continue;
        const std::optional<TraceConnection> c = trace.connection(id);
        (c && (clients.isEmpty() || clients.contains(c->name)) ? lanes : others).insert(id);
    }
    std::vector<FlowId> unfinished, all;
    for (const FlowRecord &flow : workbench.flows().flows()) {
        if (!lanes.count(flow.key.connection) || flow.events.empty() || flow.events.back() < from || flow.events.front() >= to)
            continue;
        all.push_back(flow.id);
        if (flow.state != FlowState::Complete)
            unfinished.push_back(flow.id);
    }
    return unfinished.empty() ? all : unfinished;
}

ScenarioPanel::ScenarioPanel(Workbench &workbench, QWidget *parent)
    : QWidget(parent)
    , m_workbench(workbench)
{
    m_title = new QLabel(tr("No scenario yet: Tools ▸ Run scenario… (Ctrl+Shift+R)."), this);
    m_title->setWordWrap(true);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("scenarioStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("scenarioSteps"));
    m_table->setModel(&m_model);
    m_table->setWordWrap(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(ScenarioStepModel::Mark, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ScenarioStepModel::Step, QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopScenario"));
    m_stop->setEnabled(false);
    m_again = new QPushButton(tr("Run again"), this);
    m_again->setObjectName(QStringLiteral("runScenarioAgain"));
    m_again->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_stop);
    buttons->addWidget(m_again);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    connect(m_stop, &QPushButton::clicked, this, &ScenarioPanel::stop);
    connect(m_again, &QPushButton::clicked, this, [this] { (void)run(m_path, m_variables); });
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex &index) { showFlowsOf(index.row()); });
    connect(&m_workbench, &Workbench::scriptedRunChanged, this, &ScenarioPanel::offerRunAgain);
}

QString ScenarioPanel::scriptedRunName()
{
    return tr("scenario");
}

void ScenarioPanel::offerRunAgain()
{
    const QString other = m_workbench.scriptedRun();
    const bool blocked = !other.isEmpty() && other != scriptedRunName();
    m_again->setEnabled(!m_running && !blocked && !m_path.isEmpty());
    m_again->setToolTip(blocked ? tr("The %1 is running; a scenario can run again when it ends.").arg(other) : QString());
}

Status ScenarioPanel::run(const QString &path, const QMap<QString, QString> &variables)
{
    if (m_running)
        return Problem{ProblemKind::InvalidInput, tr("A scenario is running: stop it first.")};
    m_path = path;
    m_variables = variables;
    m_title->setText(tr("<b>%1</b>").arg(QFileInfo(path).fileName().toHtmlEscaped()));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        const Problem problem{ProblemKind::File, tr("Cannot read %1: %2").arg(path, file.errorString())};
        showStatus(problem.sentence, problemColor());
        return problem;
    }
    Result<Scenario> scenario = parseScenario(file.readAll(), variables);
    if (!scenario) {
        showStatus(tr("%1 Fix the file, then run it again.").arg(scenario.sentence()), problemColor());
        offerRunAgain();
        return scenario.problem();
    }
    if (const Status claimed = m_workbench.startScriptedRun(scriptedRunName()); !claimed) {
        const Problem problem{claimed.problem().kind,
                              tr("%1 A scenario and the probe both open connections in the window's trace, so they run one at a "
                                 "time: stop the probe (Stop in Tools ▸ Probe broker…) or let it finish, then run the scenario.")
                                  .arg(claimed.sentence())};
        showStatus(problem.sentence, problemColor());
        offerRunAgain();
        return problem;
    }
    m_scenario = std::move(*scenario);
    m_title->setText(tr("<b>%1</b> (%2)").arg(m_scenario->name.toHtmlEscaped(), QFileInfo(path).fileName().toHtmlEscaped()));
    m_model.start(*m_scenario);
    m_running = true;
    m_stopRequested = false;
    m_selectedAFailure = false;
    m_done = 0;
    m_stop->setEnabled(true);
    m_again->setEnabled(false);
    showStatus(tr("Running: 0 of %1 done.").arg(m_scenario->steps.size()), QColor());
    emit started();
    QTimer::singleShot(0, this, &ScenarioPanel::execute);
    return {};
}

void ScenarioPanel::execute()
{
    m_runStart = m_workbench.trace().endSequence();
    const ScenarioOutcome outcome = runScenario(*m_scenario, m_workbench.trace(), [this](const StepOutcome &s) { onStep(s); },
                                                [this] { return m_stopRequested; });
    m_model.finish();
    m_running = false;
    m_stop->setEnabled(false);
    m_workbench.endScriptedRun(); // offers Run again
    const int total = int(m_scenario->steps.size());
    const int held = int(outcome.steps.size()) - outcome.failures();
    if (m_stopRequested)
        showStatus(tr("Stopped: %1 of %2 held before the stop.").arg(held).arg(total), warningColor());
    else if (outcome.passed() && int(outcome.steps.size()) == total)
        showStatus(tr("Passed: all %1 steps and expectations held.").arg(total), successColor());
    else
        showStatus(tr("Failed: %1 of %2 held; the red rows say why (click one to see its flows).").arg(held).arg(total), problemColor());
    emit finished(outcome.passed() && int(outcome.steps.size()) == total);
}

void ScenarioPanel::onStep(const StepOutcome &outcome)
{
    const int row = m_done++;
    m_model.advance(outcome);
    m_table->scrollTo(m_model.index(row, 0));
    showStatus(tr("Running: %1 of %2 done.").arg(m_done).arg(m_scenario->steps.size()), QColor());
    if (!outcome.passed && outcome.expectation && !m_selectedAFailure) {
        m_selectedAFailure = true;
        m_table->selectRow(row);
        showFlowsOf(row);
    }
}

void ScenarioPanel::showFlowsOf(int row)
{
    const StepOutcome *outcome = m_model.outcomeOf(row);
    if (!m_scenario || !outcome || row >= int(m_scenario->steps.size()))
        return;
    const ScenarioAction &action = m_scenario->steps[std::size_t(row)].action;
    QStringList clients{clientOf(action)};
    if (const auto *expect = std::get_if<ExpectStep>(&action))
        if (const auto *audit = std::get_if<AuditExpectation>(&expect->what))
            clients << audit->publisher; // a lost message's first hop is the publisher's
    if (clients.first().isEmpty())
        for (const ScenarioClient &c : m_scenario->clients)
            clients << c.name;
    std::vector<FlowId> flows = flowsConcerning(m_workbench, clients, m_runStart, outcome->endEvent);
    if (flows.empty()) // a subscriber that received nothing has no flow: what its publishers left open shows why
        flows = flowsConcerning(m_workbench, {}, m_runStart, outcome->endEvent);
    if (!flows.empty())
        emit flowsConcerned(flows);
}

void ScenarioPanel::showStatus(const QString &text, const QColor &color)
{
    m_status->setText(text);
    m_status->setStyleSheet(color.isValid() ? QStringLiteral("color: %1;").arg(color.name()) : QString());
}

QString ScenarioPanel::statusText() const
{
    return m_status->text();
}

} // namespace mqs
