#include "fault_rules_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace mqs {

void FaultRuleModel::setRules(FaultRuleSet *rules)
{
    beginResetModel();
    m_rules = rules;
    endResetModel();
}

void FaultRuleModel::reload()
{
    beginResetModel();
    endResetModel();
}

void FaultRuleModel::showHits()
{
    if (rowCount() > 0)
        emit dataChanged(index(0, Hits), index(rowCount() - 1, Hits), {Qt::DisplayRole});
}

int FaultRuleModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_rules ? 0 : int(m_rules->rules().size());
}

QVariant FaultRuleModel::data(const QModelIndex &index, int role) const
{
    if (!m_rules || !index.isValid())
        return {};
    const FaultRule &r = m_rules->rules()[std::size_t(index.row())];
    if (index.column() == Enabled && role == Qt::CheckStateRole)
        return r.enabled ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole)
        return r.describe();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Rule: return r.name == r.toText() ? r.name : QStringLiteral("%1 — %2").arg(r.name, r.toText());
    case Meaning: return r.describe();
    case Hits: return QVariant::fromValue(m_rules->hits(r.id));
    default: return {};
    }
}

bool FaultRuleModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!m_rules || index.column() != Enabled || role != Qt::CheckStateRole)
        return false;
    const quint32 id = m_rules->rules()[std::size_t(index.row())].id;
    const bool enabled = value.toInt() == Qt::Checked;
    m_rules->setEnabled(id, enabled);
    emit dataChanged(index, index);
    if (!enabled)
        emit ruleDisabled(id);
    return true;
}

Qt::ItemFlags FaultRuleModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == Enabled)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant FaultRuleModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"On", "Rule", "What it does", "Hits"};
    return tr(kNames[section]);
}

FaultRulesPanel::FaultRulesPanel(QWidget *parent)
    : QWidget(parent), m_model(this)
{
    m_target = new QComboBox(this);
    m_target->setAccessibleName(tr("Rules of"));
    m_text = new QLineEdit(this);
    m_text->setPlaceholderText(tr("hold out PUBREL · drop in PUBCOMP every 10 · delay 500ms out PUBLISH topic sensors/#"));
    auto *add = new QPushButton(tr("&Add rule"), this);
    auto *presets = new QToolButton(this);
    presets->setText(tr("Presets"));
    presets->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(presets);
    for (const FaultPreset &p : FaultRuleSet::presets()) {
        QAction *a = menu->addAction(p.name);
        a->setToolTip(p.explanation);
        connect(a, &QAction::triggered, this, [this, p] {
            if (const Status added = addRule(p.rule, p.name); !added)
                QMessageBox::warning(this, tr("Fault rule"), added.sentence());
        });
    }
    presets->setMenu(menu);
    auto *remove = new QPushButton(tr("Delete"), this);
    m_releaseOnRetire = new QCheckBox(tr("Release what a rule holds when it is turned off or deleted"), this);
    m_releaseOnRetire->setObjectName(QStringLiteral("releaseOnRetire"));
    m_releaseOnRetire->setChecked(true); // a held packet no rule holds any more would wait for nothing
    m_releaseOnRetire->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed); // never widens the window
    m_table = new QTableView(this);
    m_table->setModel(&m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(FaultRuleModel::Meaning, QHeaderView::Stretch);
    m_table->setColumnWidth(FaultRuleModel::Enabled, 40);
    m_table->setColumnWidth(FaultRuleModel::Rule, fontMetrics().averageCharWidth() * 36);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *row = new QHBoxLayout;
    row->addWidget(m_target);
    row->addWidget(m_text, 1);
    row->addWidget(add);
    row->addWidget(presets);
    row->addWidget(remove);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(row);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_releaseOnRetire);

    connect(m_target, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_model.setRules(i >= 0 && i < int(m_targets.size()) ? m_targets[std::size_t(i)].second : nullptr);
    });
    auto addTyped = [this] {
        if (const Status added = addRule(m_text->text()); !added)
            QMessageBox::warning(this, tr("Fault rule"), added.sentence());
        else
            m_text->clear();
    };
    connect(add, &QPushButton::clicked, this, addTyped);
    connect(m_text, &QLineEdit::returnPressed, this, addTyped);
    connect(remove, &QPushButton::clicked, this, [this] {
        if (const QModelIndex current = m_table->currentIndex(); current.isValid())
            removeRule(current.row());
    });
    connect(&m_model, &FaultRuleModel::ruleDisabled, this, [this](quint32 id) {
        if (m_releaseOnRetire->isChecked() && m_model.rules())
            emit ruleRetired(m_model.rules(), id);
    });
}

void FaultRulesPanel::removeRule(int row)
{
    FaultRuleSet *rules = m_model.rules();
    if (!rules || row < 0 || row >= int(rules->rules().size()))
        return;
    const quint32 id = rules->rules()[std::size_t(row)].id;
    rules->remove(id);
    m_model.reload();
    if (m_releaseOnRetire->isChecked())
        emit ruleRetired(rules, id);
    emit rulesChanged();
}

bool FaultRulesPanel::releasesOnRetire() const
{
    return m_releaseOnRetire->isChecked();
}

void FaultRulesPanel::setReleasesOnRetire(bool release)
{
    m_releaseOnRetire->setChecked(release);
}

void FaultRulesPanel::setTargets(const std::vector<std::pair<QString, FaultRuleSet *>> &targets)
{
    const QString previous = m_target->currentText();
    m_targets = targets;
    const QSignalBlocker block(m_target);
    m_target->clear();
    for (const auto &[name, rules] : targets)
        m_target->addItem(name);
    const int keep = m_target->findText(previous);
    m_target->setCurrentIndex(keep >= 0 ? keep : 0);
    m_model.setRules(m_target->currentIndex() >= 0 && !targets.empty() ? targets[std::size_t(m_target->currentIndex())].second : nullptr);
}

Status FaultRulesPanel::addRule(const QString &text, const QString &name)
{
    if (!m_model.rules())
        return Problem{ProblemKind::State, tr("Add a connection first: rules belong to a connection or to the sandbox broker.")};
    auto parsed = FaultRule::parse(text);
    if (!parsed)
        return parsed.problem();
    FaultRule rule = std::move(parsed).value();
    if (!name.isEmpty())
        rule.name = name;
    m_model.rules()->add(rule);
    m_model.reload();
    emit rulesChanged();
    return {};
}

} // namespace mqs
