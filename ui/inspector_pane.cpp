#include "inspector_pane.h"

#include "theme.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace mqs {

void FlowStepsModel::setSteps(std::vector<FlowStep> steps)
{
    if (steps.size() == m_steps.size()) { // the same flow moved on in place: no reset, no flicker
        m_steps = std::move(steps);
        if (!m_steps.empty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_steps = std::move(steps);
    endResetModel();
}

int FlowStepsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_steps.size());
}

QVariant FlowStepsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole || index.row() >= rowCount())
        return {};
    const FlowStep &step = m_steps[std::size_t(index.row())];
    switch (Column(index.column())) {
    case Packet: return step.packet;
    case What: return step.what;
    case At: return step.at;
    case Since: return step.since;
    case ColumnCount: break;
    }
    return {};
}

QVariant FlowStepsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"Packet", "What happened", "Since first", "At"};
    return tr(kNames[section]);
}

namespace {

QLabel *sentenceLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true); // full sentences, never cut: the pane grows downwards and scrolls
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return label;
}

} // namespace

InspectorPane::InspectorPane(Workbench &workbench, QWidget *parent)
    : QGroupBox(tr("Inspector"), parent), m_workbench(workbench), m_stepsModel(this)
{
    setObjectName(QStringLiteral("inspectorPane"));
    m_title = sentenceLabel(this);
    m_state = sentenceLabel(this);
    m_meaning = sentenceLabel(this);
    m_hops = sentenceLabel(this);
    m_held = sentenceLabel(this);
    m_waiting = sentenceLabel(this);
    m_steps = new QTableView(this);
    m_steps->setObjectName(QStringLiteral("inspectorSteps"));
    m_steps->setModel(&m_stepsModel);
    m_steps->verticalHeader()->hide();
    m_steps->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_steps->horizontalHeader()->setStretchLastSection(true);
    m_steps->setSelectionMode(QAbstractItemView::NoSelection);
    m_steps->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_steps->setWordWrap(false);
    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("State:"), m_state);
    form->addRow(tr("Now:"), m_waiting);
    form->addRow(tr("Held by:"), m_held);
    form->addRow(tr("Other hop:"), m_hops);
    form->addRow(tr("What it means:"), m_meaning);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(form);
    layout->addWidget(m_steps, 1);
    showFlow(std::nullopt);
}

void InspectorPane::showFlow(std::optional<FlowId> flow)
{
    m_flow = flow;
    refresh();
}

void InspectorPane::refresh()
{
    const FlowRecord *f = m_flow ? m_workbench.flows().find(*m_flow) : nullptr;
    if (!f) {
        m_title->setText(tr("Select a flow to see its steps, what holds it and where its message went."));
        for (QLabel *l : {m_state, m_waiting, m_held, m_hops, m_meaning})
            l->clear();
        m_stepsModel.setSteps({});
        return;
    }
    const FlowStory story = tellFlow(m_workbench, *f, m_workbench.trace().clock().nowUs());
    m_title->setText(QStringLiteral("<b>%1</b>").arg(story.title.toHtmlEscaped()));
    m_state->setText(QStringLiteral("<b>%1</b>").arg(story.state.toHtmlEscaped()));
    m_waiting->setText(story.waiting);
    m_held->setText(story.heldBy.isEmpty() ? tr("nothing") : story.heldBy);
    m_hops->setText(story.hops);
    m_meaning->setText(story.meaning.isEmpty() ? tr("the flow is finished") : story.meaning);
    const bool stalled = f->heldEvent || f->state == FlowState::Queued;
    m_meaning->setStyleSheet(stalled ? QStringLiteral("color: %1;").arg(problemColor().name()) : QString());
    m_stepsModel.setSteps(story.steps);
}

QString InspectorPane::stateLine() const
{
    return QStringList{m_state->text(), m_held->text()}.join(QStringLiteral(" · "));
}

QString InspectorPane::meaningLine() const
{
    return m_meaning->text();
}

QString InspectorPane::waitingLine() const
{
    return m_waiting->text();
}

QString InspectorPane::hopsLine() const
{
    return m_hops->text();
}

int InspectorPane::stepCount() const
{
    return m_stepsModel.rowCount();
}

QString InspectorPane::text() const
{
    return QStringList{m_title->text(), m_state->text(), m_waiting->text(), m_held->text(), m_hops->text(), m_meaning->text()}
        .join(QLatin1Char('\n'));
}

} // namespace mqs
