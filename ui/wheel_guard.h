#pragma once
// Spin boxes and combo boxes in a scrolling form change their value when the wheel passes over
// them on its way down the form (Receive Maximum 65535 became 65530). The guard lets such a
// widget take the wheel only when it has the keyboard focus; otherwise the form scrolls.

#include <QObject>

class QWidget;

namespace mqs {

class WheelGuard : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WheelGuard)
public:
    explicit WheelGuard(QObject *parent) : QObject(parent) {}

    // Guards every spin box and combo box under `root` (those created later are not guarded).
    static void guardChildren(QWidget *root);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace mqs
