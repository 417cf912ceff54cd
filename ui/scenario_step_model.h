#pragma once
// The scenario panel's list: one row per step and expectation of the file, pending until the run
// reaches it, then ticked green (held) or red (failed, with the sentence saying why).

#include "scenario/scenario_runner.h"

#include <QAbstractTableModel>

namespace mqs {

class ScenarioStepModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScenarioStepModel)
public:
    enum Column { Mark, Step, ColumnCount };
    enum class Progress : quint8 { Pending, Running, Passed, Failed, NotRun };
    enum Role { ProgressRole = Qt::UserRole + 1 };

    explicit ScenarioStepModel(QObject *parent = nullptr);

    // A new run of `scenario`: every row pending, the first one running.
    void start(const Scenario &scenario);
    // The next step's outcome (in file order); the one after it is running.
    void advance(const StepOutcome &outcome);
    // The run ended: rows it never reached say so.
    void finish();
    Progress progressOf(int row) const;
    const StepOutcome *outcomeOf(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString description;
        bool expectation = false;
        Progress progress = Progress::Pending;
        std::optional<StepOutcome> outcome{};
    };
    void changed(int row);

    std::vector<Row> m_rows;
    int m_next = 0;
};

} // namespace mqs
