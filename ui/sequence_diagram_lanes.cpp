// The diagram's lanes as the user arranges them: hidden, shown alone, dragged by their name in
// the header (the order is handed on to be kept), retired with their connection; and the
// high-rate grouping, which rebuilds the rows like a lane filter does.

#include "sequence_diagram_view.h"

#include "lane_caption.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>

namespace mqs {

void SequenceDiagramView::setLaneHidden(int lane, bool hidden)
{
    const auto anchor = topSequence();
    m_layout.setLaneHidden(lane, hidden);
    afterRebuild(anchor);
}

void SequenceDiagramView::showOnlyLanes(const std::set<int> &lanes)
{
    const auto anchor = topSequence();
    m_layout.showOnly(lanes);
    afterRebuild(anchor);
}

void SequenceDiagramView::showAllLanes()
{
    const auto anchor = topSequence();
    m_layout.showAllLanes();
    afterRebuild(anchor);
}

void SequenceDiagramView::moveLane(int lane, int before)
{
    m_layout.moveLane(lane, before);
    emit laneOrderChanged(m_layout.savedOrder());
    viewport()->update();
}

void SequenceDiagramView::setSavedLaneOrder(const QStringList &names)
{
    m_layout.setSavedOrder(names);
    viewport()->update();
}

void SequenceDiagramView::retireConnection(ConnectionId id)
{
    const auto anchor = topSequence();
    m_layout.retireConnection(id);
    afterRebuild(anchor);
}

void SequenceDiagramView::setGroupBursts(bool group)
{
    const auto anchor = topSequence();
    m_layout.setGroupBursts(group);
    afterRebuild(anchor);
}

void SequenceDiagramView::fillLanesMenu(QMenu *menu)
{
    menu->clear();
    for (int lane : m_layout.allLanesInOrder()) {
        QAction *shown = menu->addAction(m_layout.lanes()[std::size_t(lane)].name);
        shown->setCheckable(true);
        shown->setChecked(!m_layout.lanes()[std::size_t(lane)].hidden);
        connect(shown, &QAction::toggled, this, [this, lane](bool on) { setLaneHidden(lane, !on); });
    }
    if (m_layout.allLanesInOrder().empty())
        menu->addAction(tr("No lanes yet"))->setEnabled(false);
    menu->addSeparator();
    menu->addAction(tr("Show all lanes"), this, &SequenceDiagramView::showAllLanes);
}

QRect SequenceDiagramView::headerRect(int lane) const
{
    const DiagramGeometry g = geometry(viewport()->width());
    if (g.x(lane) < 0)
        return {};
    const int w = g.laneWidth[std::size_t(lane)];
    return QRect(g.x(lane) - w / 2, 0, w, m_style.headerHeight);
}

QString SequenceDiagramView::headerText(int lane) const
{
    const DiagramGeometry g = geometry(viewport()->width());
    if (g.x(lane) < 0)
        return {};
    const int w = g.laneWidth[std::size_t(lane)] - 2 * m_style.laneMargin;
    return laneCaption(m_layout.lanes()[std::size_t(lane)].name, QFontMetrics(m_style.bold), w);
}

QString SequenceDiagramView::laneToolTip(int lane) const
{
    const DiagramLane &l = m_layout.lanes()[std::size_t(lane)];
    QString role;
    switch (l.role) {
    case LaneRole::Publisher: role = tr("publisher"); break;
    case LaneRole::Broker: role = tr("broker"); break;
    case LaneRole::Subscriber: role = tr("subscriber"); break;
    }
    return tr("%1 (%2)\nDrag to reorder; right-click to hide.").arg(l.name, role);
}

int SequenceDiagramView::laneAt(int x) const
{
    const DiagramGeometry g = geometry(viewport()->width());
    for (int lane : g.order)
        if (std::abs(x - g.x(lane)) <= g.laneWidth[std::size_t(lane)] / 2)
            return lane;
    return -1;
}

void SequenceDiagramView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragLane < 0)
        return QAbstractScrollArea::mouseReleaseEvent(event);
    viewport()->unsetCursor();
    const int lane = m_dragLane;
    m_dragLane = -1;
    const int target = laneAt(int(event->position().x()));
    if (target < 0 || target == lane)
        return;
    const DiagramGeometry g = geometry(viewport()->width());
    const bool after = event->position().x() > g.x(target);
    auto it = std::find(g.order.begin(), g.order.end(), target);
    if (after)
        ++it;
    if (it != g.order.end() && *it == lane)
        ++it;
    moveLane(lane, it == g.order.end() ? -1 : *it);
}

void SequenceDiagramView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    const QPoint pos = event->pos(); // the viewport's event, in its coordinates
    if (const int lane = pos.y() < rowsTop() ? laneAt(pos.x()) : -1; lane >= 0) {
        menu.addAction(tr("Hide lane “%1”").arg(m_layout.lanes()[std::size_t(lane)].name), this, [this, lane] { setLaneHidden(lane, true); });
        menu.addAction(tr("Show only “%1” and its brokers").arg(m_layout.lanes()[std::size_t(lane)].name), this, [this, lane] {
            std::set<int> keep{lane};
            for (std::size_t i = 0; i < m_layout.lanes().size(); ++i)
                if (m_layout.lanes()[i].role == LaneRole::Broker)
                    keep.insert(int(i));
            showOnlyLanes(keep);
        });
        menu.addSeparator();
    }
    QMenu *lanes = menu.addMenu(tr("Lanes"));
    fillLanesMenu(lanes);
    menu.exec(event->globalPos());
}

} // namespace mqs
