#pragma once
// The chart itself: a QChartView with time on x, a rubber band and the wheel to zoom, and the
// value under the mouse in a tooltip. Zooming stops following the newest points; resetZoom()
// follows again.

#include <QChartView>

namespace mqs {

class LiveChartView : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveChartView)
public:
    explicit LiveChartView(QWidget *parent = nullptr);

    bool following() const { return m_following; }
    void resetZoom();

signals:
    // The user zoomed or dragged a rubber band: the axes stay where they put them.
    void zoomedByUser();

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    bool m_following = true;
};

} // namespace mqs
