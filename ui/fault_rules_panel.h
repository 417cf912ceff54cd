#pragma once
// The fault rules of a connection (or of the sandbox broker): add from the text form or a
// preset, enable, disable, delete; each row shows how often the rule acted.

#include "faults/fault_rule_set.h"

#include <QAbstractTableModel>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;

namespace mqs {

class FaultRuleModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Enabled, Rule, Meaning, Hits, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setRules(FaultRuleSet *rules);
    FaultRuleSet *rules() const { return m_rules; }
    void reload();
    // The Hits column changed (a rule acted): the view repaints it now, not at its next repaint.
    void showHits();
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    // The user turned a rule off with its check box.
    void ruleDisabled(quint32 ruleId);

private:
    FaultRuleSet *m_rules = nullptr;
};

class FaultRulesPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultRulesPanel)
public:
    explicit FaultRulesPanel(QWidget *parent = nullptr);
    // The rule sets to choose from: "name" → rules (the app's connections, the sandbox broker).
    void setTargets(const std::vector<std::pair<QString, FaultRuleSet *>> &targets);
    FaultRuleModel &model() { return m_model; }
    // Adds a rule from its text form to the chosen target; a problem when it does not parse.
    Status addRule(const QString &text, const QString &name = QString());
    void refresh() { m_model.reload(); }
    // A rule acted somewhere: its Hits cell shows the new count.
    void showHits() { m_model.showHits(); }
    // Deletes the rule in `row` of the chosen target's table.
    void removeRule(int row);
    // Whether turning a rule off or deleting it lets what it holds cross (on by default).
    bool releasesOnRetire() const;
    void setReleasesOnRetire(bool release);

signals:
    void rulesChanged();
    // A rule of `rules` was turned off or deleted while "release what it holds" is on: the owner
    // of the held packets lets them cross.
    void ruleRetired(mqs::FaultRuleSet *rules, quint32 ruleId);

private:
    FaultRuleModel m_model;
    QComboBox *m_target = nullptr;
    QLineEdit *m_text = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_releaseOnRetire = nullptr;
    std::vector<std::pair<QString, FaultRuleSet *>> m_targets;
};

} // namespace mqs
