#include "diagram_toolbar.h"

#include "sequence_diagram_view.h"
#include "settings.h"
#include "workbench.h"

#include <QLabel>
#include <QMenu>
#include <QToolButton>

namespace mqs {
namespace {

QAction *checkable(QToolBar *bar, const QString &text, const QString &tip, bool checked)
{
    QAction *action = bar->addAction(text);
    action->setCheckable(true);
    action->setChecked(checked);
    action->setToolTip(tip);
    return action;
}

} // namespace

QToolBar *buildDiagramToolBar(SequenceDiagramView *view, Workbench &workbench, Settings &settings, QWidget *parent)
{
    auto *bar = new QToolBar(parent);
    bar->setObjectName(QStringLiteral("diagramToolBar"));
    bar->setIconSize(QSize(16, 16));
    auto *title = new QLabel(QObject::tr("  <b>Sequence diagram</b>  "), bar);
    title->setToolTip(QObject::tr("Every packet, per hop; colour = packet type (key under the diagram); a bracket ties one flow."));
    bar->addWidget(title);
    QAction *follow = checkable(bar, QObject::tr("Follow"), QObject::tr("Follow new packets (End)"), true);
    QObject::connect(follow, &QAction::toggled, view, &SequenceDiagramView::setFollowing);
    QObject::connect(view, &SequenceDiagramView::followingChanged, follow, [follow](bool on) {
        const QSignalBlocker b(follow);
        follow->setChecked(on);
    });
    QAction *freeze = checkable(bar, QObject::tr("Freeze"), QObject::tr("Hold the picture still while traffic goes on (the trace keeps everything)"), false);
    freeze->setObjectName(QStringLiteral("freezeDiagram"));
    QObject::connect(freeze, &QAction::toggled, view, &SequenceDiagramView::setFrozen);
    QObject::connect(view, &SequenceDiagramView::frozenChanged, freeze, [freeze](bool on) {
        const QSignalBlocker b(freeze);
        freeze->setChecked(on);
    });
    QObject::connect(checkable(bar, QObject::tr("Compact"), QObject::tr("Rows without state words"), false), &QAction::toggled, view,
                     &SequenceDiagramView::setCompact);
    QAction *bursts = checkable(bar, QObject::tr("High rate"),
                                QObject::tr("Group bursts of like packets into one row (click a burst to list it)"), false);
    bursts->setObjectName(QStringLiteral("groupBursts"));
    QObject::connect(bursts, &QAction::toggled, view, &SequenceDiagramView::setGroupBursts);
    QObject::connect(bar->addAction(QObject::tr("Zoom +")), &QAction::triggered, view, [view] { view->zoomBy(1); });
    QObject::connect(bar->addAction(QObject::tr("Zoom −")), &QAction::triggered, view, [view] { view->zoomBy(-1); });
    auto *lanes = new QToolButton(bar);
    lanes->setText(QObject::tr("Lanes"));
    lanes->setToolTip(QObject::tr("Show or hide lanes; drag a lane's name to move it"));
    lanes->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(lanes);
    lanes->setMenu(menu);
    QObject::connect(menu, &QMenu::aboutToShow, view, [view, menu] { view->fillLanesMenu(menu); });
    bar->addWidget(lanes);

    view->setSavedLaneOrder(settings.diagramLaneOrder());
    QObject::connect(view, &SequenceDiagramView::laneOrderChanged, view, [&settings](const QStringList &names) {
        settings.setDiagramLaneOrder(names);
        (void)settings.flush(); // kept at once: a crash must not lose the user's arrangement
    });
    QObject::connect(&workbench, &Workbench::connectionRemoved, view, [view](Connection *c) { view->retireConnection(c->traceId()); });
    return bar;
}

} // namespace mqs
