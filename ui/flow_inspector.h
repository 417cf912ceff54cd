#pragma once
// The flow inspector: the flows table with filters, the send quota and ids in flight per
// connection, and the actions on a flow (release or drop what is held, cut, reconnect).

#include "flow_table_model.h"
#include "workbench.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

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
    std::optional<FlowId> selectedFlow() const;

public slots:
    void selectFlow(std::optional<mqs::FlowId> flow);

signals:
    void flowSelected(mqs::FlowId flow);

private:
    void updateActions();
    void updateQuota();
    std::optional<Workbench::Held> heldPacketOfSelection() const;
    Connection *connectionOfSelection() const;

    Workbench &m_workbench;
    FlowTableModel m_model;
    FlowFilterModel m_filter;
    QComboBox *m_category = nullptr;
    QLineEdit *m_search = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_quota = nullptr;
    QLabel *m_sentence = nullptr;
    QPushButton *m_release = nullptr;
    QPushButton *m_drop = nullptr;
    QPushButton *m_cut = nullptr;
    QPushButton *m_reconnect = nullptr;
    bool m_selecting = false;
};

} // namespace mqs
