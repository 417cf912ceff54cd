#include "live_chart_view.h"

#include <QChart>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace mqs {
namespace {

// One wheel notch (120 eighths of a degree) zooms by a quarter: fine enough to aim, quick enough
// to go from a day to a minute in a few notches.
constexpr double kZoomPerNotch = 1.25;
constexpr double kEighthsPerNotch = 120.0;

} // namespace

LiveChartView::LiveChartView(QWidget *parent) : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing, false); // thousands of segments ten times a second
    setRubberBand(QChartView::RectangleRubberBand);
}

void LiveChartView::resetZoom()
{
    chart()->zoomReset();
    m_following = true;
}

void LiveChartView::wheelEvent(QWheelEvent *event)
{
    const double notches = event->angleDelta().y() / kEighthsPerNotch;
    if (notches == 0)
        return;
    m_following = false;
    chart()->zoom(std::pow(kZoomPerNotch, notches));
    emit zoomedByUser();
    event->accept();
}

void LiveChartView::mouseReleaseEvent(QMouseEvent *event)
{
    // The rubber band zooms inside QChartView; whether it did shows in what the corners map to.
    const QRectF area = chart()->plotArea();
    const QPointF before[] = {chart()->mapToValue(area.topLeft()), chart()->mapToValue(area.bottomRight())};
    QChartView::mouseReleaseEvent(event);
    const QPointF after[] = {chart()->mapToValue(area.topLeft()), chart()->mapToValue(area.bottomRight())};
    if (before[0] != after[0] || before[1] != after[1]) {
        m_following = false;
        emit zoomedByUser();
    }
}

} // namespace mqs
