#pragma once
// Tools ▸ Run scenario…: a scenario file run inside the window. Its clients' packets go to the
// window's trace (so the diagram and the Flows tab show them like any connection's), its steps and
// expectations tick green or red in a list as they complete, and a failed expectation selects the
// flows it concerns. Stop ends the run at once.

#include "scenario_step_model.h"
#include "workbench.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace mqs {

// The ${NAME}s a scenario's text uses, each once, in the order they first appear.
QStringList scenarioVariables(const QByteArray &text);

// The flows of `clients`' connections (every connection's when empty) between trace events `from`
// and `to`: the unfinished and failed ones, or when all completed, every one of them.
std::vector<FlowId> flowsConcerning(Workbench &workbench, const QStringList &clients, quint64 from, quint64 to);

class ScenarioPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioPanel)
public:
    explicit ScenarioPanel(Workbench &workbench, QWidget *parent = nullptr);

    // Reads `path` with `variables` and runs it once the event loop turns again. A file that cannot
    // be read or parsed is not run: the problem (its line and field) shows in the panel and returns.
    [[nodiscard]] Status run(const QString &path, const QMap<QString, QString> &variables);
    bool isRunning() const { return m_running; }
    QString statusText() const;
    ScenarioStepModel &model() { return m_model; }
    QTableView *table() const { return m_table; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *runAgainButton() const { return m_again; }
    // What Workbench::scriptedRun() says while a scenario runs.
    static QString scriptedRunName();

public slots:
    void stop() { m_stopRequested = true; }

signals:
    void started();
    // The run ended (passed: every step and expectation held).
    void finished(bool passed);
    // A failed expectation (or the row the user picked) concerns these flows.
    void flowsConcerned(std::vector<mqs::FlowId> flows);

private:
    void execute();
    void onStep(const StepOutcome &outcome);
    void showStatus(const QString &text, const QColor &color);
    void showFlowsOf(int row);
    // Run again is offered when nothing runs, with a tooltip saying what runs when not.
    void offerRunAgain();

    Workbench &m_workbench;
    ScenarioStepModel m_model;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_again = nullptr;
    std::optional<Scenario> m_scenario;
    QString m_path;
    QMap<QString, QString> m_variables;
    quint64 m_runStart = 0; // the trace's end when the run began
    int m_done = 0;
    bool m_running = false;
    bool m_stopRequested = false;
    bool m_selectedAFailure = false; // the first failed expectation selected its flows already
};

} // namespace mqs
