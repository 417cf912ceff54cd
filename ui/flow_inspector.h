#pragma once
// The Flows tab: the flows table with filters, the Inspector pane for the selected flow, the
// send quota and ids in flight per connection, and the actions on flows (release or drop what
// is held, for the selected rows or in bulk per rule and per connection; cut, reconnect).

#include "flow_table_model.h"
#include "inspector_pane.h"
#include "workbench.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTableView;
class QToolButton;

namespace mqs {

class FlowInspector : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlowInspector)
public:
    FlowInspector(Workbench &workbench, QWidget *parent = nullptr);

    void refresh();
    FlowTableModel &model() { return m_model; }
    QTableView *table() const { return m_table; }
    InspectorPane *pane() const { return m_pane; }
    // The current row's flow (the one the Inspector shows), and every selected row's.
    std::optional<FlowId> selectedFlow() const;
    std::vector<FlowId> selectedFlows() const;
    // The line under the table, as plain text: whose send quota, how much is in use, ids in flight.
    QString quotaLine() const;

    enum class HeldAction { Release, Drop };
    // Releases or drops every held packet `which` accepts; returns how many.
    int actOnHeld(HeldAction action, const std::function<bool(const Workbench::Held &)> &which);
    // A rule was turned off or deleted: what it holds crosses now.
    int releaseHeldBy(const FaultRuleSet *rules, quint32 ruleId);
    // The held packets of the selected rows.
    std::vector<Workbench::Held> heldOfSelection() const;

public slots:
    void selectFlow(std::optional<mqs::FlowId> flow);

signals:
    void flowSelected(mqs::FlowId flow);
    // The other hops of the current flow's message (empty when none or nothing is selected).
    void linkedFlowsChanged(std::vector<mqs::FlowId> flows);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    QWidget *buildTable();
    QWidget *buildActions();
    void updateActions();
    // The pane beside the table when both fit, below it otherwise, so every column stays in view.
    void placePane();
    void updateQuota();
    void showCurrent();
    // Fills a "… all held" menu: everything, then per rule, then per connection.
    void fillBulkMenu(QMenu *menu, HeldAction action);
    std::optional<Workbench::Held> heldPacketOf(const FlowRecord &flow) const;
    const FaultRuleSet *rulesOf(const Workbench::Held &held) const;
    Connection *connectionOfSelection() const;
    // The proxy and device of the current flow, when it is a proxied device's.
    std::optional<std::pair<WindowProxy *, ConnectionId>> proxiedDeviceOfSelection() const;

    Workbench &m_workbench;
    FlowTableModel m_model;
    FlowFilterModel m_filter;
    QComboBox *m_category = nullptr;
    QSpinBox *m_threshold = nullptr;
    QLineEdit *m_search = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_quota = nullptr;
    InspectorPane *m_pane = nullptr;
    QSplitter *m_split = nullptr;
    bool m_paneMoved = false; // the user dragged the split: placePane() keeps it
    QPushButton *m_release = nullptr;
    QPushButton *m_drop = nullptr;
    QToolButton *m_releaseAll = nullptr;
    QToolButton *m_dropAll = nullptr;
    QPushButton *m_cut = nullptr;
    QPushButton *m_reconnect = nullptr;
    bool m_selecting = false;
};

} // namespace mqs
