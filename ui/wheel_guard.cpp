#include "wheel_guard.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace mqs {

void WheelGuard::guardChildren(QWidget *root)
{
    auto *guard = new WheelGuard(root);
    auto guardOne = [guard](QWidget *w) {
        w->setFocusPolicy(Qt::StrongFocus); // not Qt::WheelFocus: the wheel must not focus it either
        w->installEventFilter(guard);
    };
    for (QAbstractSpinBox *box : root->findChildren<QAbstractSpinBox *>())
        guardOne(box);
    for (QComboBox *box : root->findChildren<QComboBox *>())
        guardOne(box);
}

bool WheelGuard::eventFilter(QObject *watched, QEvent *event)
{
    auto *widget = qobject_cast<QWidget *>(watched);
    if (event->type() != QEvent::Wheel || !widget || widget->hasFocus())
        return QObject::eventFilter(watched, event);
    // Not the widget's: ignored, so QApplication hands it on to the parents and the form scrolls.
    event->ignore();
    return true;
}

} // namespace mqs
