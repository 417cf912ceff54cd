#include "diagram_style.h"

#include <algorithm>

namespace mqs {
namespace {

constexpr double kSmallScale = 0.85; // times and state words: secondary, still readable
constexpr int kMinPointSize = 5; // below this, text stops being text

QFont scaled(const QFont &base, double factor)
{
    QFont f = base;
    const double points = base.pointSizeF() > 0 ? base.pointSizeF() : 9.0;
    f.setPointSizeF(std::max<double>(kMinPointSize, points * factor));
    return f;
}

} // namespace

double DiagramStyle::zoomStep(double zoom, int steps)
{
    constexpr double kSame = 1e-6; // a level reached by arithmetic is that level
    // The nearest level at or below `zoom`, then `steps` from it; between levels, a step down
    // lands on that nearest level below.
    const auto above = std::upper_bound(kZoomSteps.begin(), kZoomSteps.end(), zoom + kSame);
    int index = std::max(0, int(above - kZoomSteps.begin()) - 1);
    if (steps < 0 && zoom > kZoomSteps[std::size_t(index)] + kSame)
        ++steps;
    index = std::clamp(index + steps, 0, int(kZoomSteps.size()) - 1);
    return kZoomSteps[std::size_t(index)];
}

DiagramStyle DiagramStyle::make(const QFont &base, double zoom, bool compact)
{
    DiagramStyle s;
    zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    s.compact = compact;
    s.font = scaled(base, compact ? zoom * kSmallScale : zoom);
    s.small = scaled(base, zoom * kSmallScale);
    s.bold = s.font;
    s.bold.setBold(true);
    const QFontMetrics fm(s.font);
    const QFontMetrics sm(s.small);
    s.labelHeight = fm.height();
    s.smallHeight = sm.height();
    s.pad = std::max(1, fm.height() / (compact ? 12 : 8));
    s.headHalf = std::max(3, fm.height() / 4);
    // pad | text line | pad | the arrow's band (its head's height) | pad
    s.lineOffset = s.pad + s.labelHeight + s.pad + s.headHalf;
    s.rowHeight = s.lineOffset + s.headHalf + s.pad;
    s.headerHeight = QFontMetrics(s.bold).height() + 4 * s.pad;
    s.legendHeight = sm.height() + 4 * s.pad;
    s.timeColumn = sm.horizontalAdvance(QStringLiteral("00000.000")) + 2 * s.pad;
    s.dotRadius = std::max(2, s.headHalf - 1);
    s.bracketStep = 2 * s.dotRadius + 2;
    s.bracketGutter = s.bracketSlots * s.bracketStep + 2 * s.pad;
    s.laneMargin = fm.averageCharWidth();
    s.heldStub = 4 * fm.averageCharWidth();
    return s;
}

} // namespace mqs
