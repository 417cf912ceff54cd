#pragma once
// The Inspector pane beside the flows table: everything about the selected flow in sentences
// (its hop and ids, state, what holds it, its other hop, what the wait means) and its steps
// with their times. It reads a FlowStory; refresh() follows the flow as it moves on.

#include "flow_story.h"

#include <QAbstractTableModel>
#include <QGroupBox>

class QLabel;
class QTableView;

namespace mqs {

// The steps of one flow: packet, what happened to it, when.
class FlowStepsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Packet, What, Since, At, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setSteps(std::vector<FlowStep> steps);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<FlowStep> m_steps;
};

class InspectorPane : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InspectorPane)
public:
    explicit InspectorPane(Workbench &workbench, QWidget *parent = nullptr);

    void showFlow(std::optional<FlowId> flow);
    void refresh();
    std::optional<FlowId> flow() const { return m_flow; }
    // All the pane's sentences, one a line, as a reader would copy them.
    QString text() const;
    // What the state line says: the state word and what holds the flow.
    QString stateLine() const;
    QString meaningLine() const;
    QString hopsLine() const;
    QString waitingLine() const; // "Now:": what the flow waits for, and since when
    int stepCount() const;

private:
    Workbench &m_workbench;
    std::optional<FlowId> m_flow;
    QLabel *m_title = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_meaning = nullptr;
    QLabel *m_hops = nullptr;
    QLabel *m_held = nullptr;
    QLabel *m_waiting = nullptr;
    FlowStepsModel m_stepsModel;
    QTableView *m_steps = nullptr;
};

} // namespace mqs
