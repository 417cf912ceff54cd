#include "scenario_step_model.h"

#include "theme.h"

#include <QBrush>
#include <QPalette>

namespace mqs {

ScenarioStepModel::ScenarioStepModel(QObject *parent) : QAbstractTableModel(parent) {}

void ScenarioStepModel::start(const Scenario &scenario)
{
    beginResetModel();
    m_rows.clear();
    for (const ScenarioStep &step : scenario.steps)
        m_rows.push_back(Row{.description = describeStep(step), .expectation = isExpectation(step)});
    m_next = 0;
    if (!m_rows.empty())
        m_rows.front().progress = Progress::Running;
    endResetModel();
}

void ScenarioStepModel::advance(const StepOutcome &outcome)
{
    if (m_next >= int(m_rows.size()))
        return;
    Row &row = m_rows[std::size_t(m_next)];
    row.progress = outcome.passed ? Progress::Passed : Progress::Failed;
    row.outcome = outcome;
    changed(m_next);
    if (++m_next < int(m_rows.size())) {
        m_rows[std::size_t(m_next)].progress = Progress::Running;
        changed(m_next);
    }
}

void ScenarioStepModel::finish()
{
    for (int r = m_next; r < int(m_rows.size()); ++r) {
        m_rows[std::size_t(r)].progress = Progress::NotRun;
        changed(r);
    }
    m_next = int(m_rows.size());
}

ScenarioStepModel::Progress ScenarioStepModel::progressOf(int row) const
{
    return m_rows.at(std::size_t(row)).progress;
}

const StepOutcome *ScenarioStepModel::outcomeOf(int row) const
{
    const auto &outcome = m_rows.at(std::size_t(row)).outcome;
    return outcome ? &*outcome : nullptr;
}

int ScenarioStepModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ScenarioStepModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScenarioStepModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row &row = m_rows[std::size_t(index.row())];
    if (role == ProgressRole)
        return int(row.progress);
    if (role == Qt::ForegroundRole && index.column() == Mark) {
        if (row.progress == Progress::Passed)
            return QBrush(successColor());
        if (row.progress == Progress::Failed)
            return QBrush(problemColor());
    }
    if (role == Qt::DisplayRole && index.column() == Mark) {
        switch (row.progress) {
        case Progress::Pending: return QString();
        case Progress::Running: return QStringLiteral("…");
        case Progress::Passed: return QStringLiteral("✓");
        case Progress::Failed: return QStringLiteral("✗");
        case Progress::NotRun: return QStringLiteral("–");
        }
    }
    if ((role == Qt::DisplayRole || role == Qt::ToolTipRole) && index.column() == Step) {
        const bool failed = row.progress == Progress::Failed && row.outcome && !row.outcome->detail.isEmpty();
        return failed ? row.description + QLatin1Char('\n') + row.outcome->detail : row.description;
    }
    if (role == Qt::ForegroundRole && index.column() == Step && row.progress == Progress::NotRun)
        return QBrush(QPalette().color(QPalette::Disabled, QPalette::Text));
    return {};
}

QVariant ScenarioStepModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == Mark ? QString() : tr("Step or expectation");
}

void ScenarioStepModel::changed(int row)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

} // namespace mqs
