#pragma once
// Every size of the sequence diagram, derived from the font at the current zoom (as Wireshark's
// flow graph sizes itself from its font): zoom scales text, rows and lanes alike. A row is a
// text line (state word at the sender's end, then the label) above the arrow's band, both
// sized from the font's own heights, so they cannot overlap at any zoom.

#include <QFont>
#include <QFontMetrics>

#include <array>

namespace mqs {

struct DiagramStyle {
    static constexpr double kMinZoom = 0.5;
    static constexpr double kMaxZoom = 3.0;
    // The levels Zoom +, Zoom − and Ctrl+wheel step through (1 is the widget's own font): fine
    // steps near 1, coarser ones far from it. The overlap test checks every one of them.
    static constexpr std::array<double, 12> kZoomSteps{kMinZoom, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.7, 2.0, 2.5, kMaxZoom};
    // The level `steps` steps up (or down, when negative) from `zoom`, which may lie between levels.
    static double zoomStep(double zoom, int steps);

    // `base`: the widget's font at zoom 1. `compact`: no state words, tighter rows.
    static DiagramStyle make(const QFont &base, double zoom, bool compact);

    QFont font; // labels
    QFont small; // times, state words, gaps, legend
    QFont bold; // lane names
    bool compact = false; // labels in the small font, no state words
    int pad = 2; // between stacked zones and around texts
    int labelHeight = 0; // one line of `font`
    int smallHeight = 0; // one line of `small`
    int headHalf = 0; // half the height of an arrowhead (its length is twice that)
    int rowHeight = 0;
    int lineOffset = 0; // the arrow's line, from the top of its row
    int headerHeight = 0; // the lane names
    int legendHeight = 0; // the colour key under the rows
    int timeColumn = 0; // "12.345" at the left
    int bracketStep = 0; // between the brackets of flows that overlap in time
    int bracketSlots = 3;
    int bracketGutter = 0; // between the time column and the first lane, for flow brackets
    int dotRadius = 0; // the ends of a bracket
    int laneMargin = 0; // around a lane's name in its header cell
    int heldStub = 0; // how far a held packet's arrow gets before it waits

    int contentLeft() const { return timeColumn + bracketGutter; }
    int lineY(int rowTop) const { return rowTop + lineOffset; }
};

} // namespace mqs
