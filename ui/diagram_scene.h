#pragma once
// What the sequence diagram draws, as a list of items (texts with their exact boxes, lines,
// arrowheads, bracket dots), computed from the layout model and the style. The view, the
// exports and the overlap test all use the same items, so what is tested is what is painted.

#include "diagram_layout.h"
#include "diagram_style.h"

#include <QColor>
#include <QLineF>
#include <QPalette>
#include <QRectF>

#include <optional>
#include <set>
#include <vector>

class QPainter;

namespace mqs {

struct DiagramItem {
    enum Kind : quint8 { Text, Line, Arrowhead, Cross, Dot, Fill };
    enum FontRole : quint8 { Label, Small, Bold };
    Kind kind = Text;
    QRectF rect; // Text: the text's own box; Arrowhead, Cross, Dot: their bounds; Fill: the area
    QLineF line; // Line; Arrowhead: from the tip backwards (its direction)
    QString text;
    QColor color;
    FontRole font = Label;
    qreal width = 1; // of a line
    Qt::PenStyle style = Qt::SolidLine;
    // Texts and marks must never overlap one another; lines and fills may run under them.
    bool occupies() const { return kind == Text || kind == Arrowhead || kind == Cross || kind == Dot; }
};

// Where lanes stand for a given width.
struct DiagramGeometry {
    DiagramStyle style;
    std::vector<int> order; // visible lanes, left to right
    std::vector<int> laneX; // by lane index; -1: not shown
    std::vector<int> laneWidth; // by lane index
    int width = 0;
    int x(int lane) const { return lane >= 0 && std::size_t(lane) < laneX.size() ? laneX[std::size_t(lane)] : -1; }
};

struct DiagramPaintState {
    QPalette palette;
    std::optional<quint64> selectedPacket;
    std::optional<FlowId> selectedFlow;
    std::set<FlowId> highlightedFlows; // e.g. the other hop of the selected message
    qint64 nowUs = 0;
};

class DiagramScene
{
public:
    DiagramScene(const DiagramLayout &layout, const TraceLog &log, const FlowIndex &flows)
        : m_layout(layout), m_log(log), m_flows(flows) {}

    // Lanes sized to their names, the rest of `width` shared out; `lanes` in display order.
    DiagramGeometry geometry(const DiagramStyle &style, int width, const std::vector<int> &lanes) const;
    // The width at which no label of `rows` is cut (for exports), at least `minimum`.
    int widthForFullLabels(const DiagramStyle &style, const std::vector<int> &lanes, const std::vector<std::size_t> &rows,
                           int minimum, qint64 nowUs) const;

    void rowItems(const DiagramGeometry &g, const DiagramPaintState &state, std::size_t row, int top,
                  std::vector<DiagramItem> &out) const;
    // The brackets that tie the rows of each flow, in the gutter left of the lanes. `rows` with
    // their tops; rows of a flow outside them extend its bracket when `extend`.
    void bracketItems(const DiagramGeometry &g, const DiagramPaintState &state,
                      const std::vector<std::pair<std::size_t, int>> &rows, bool extend, std::vector<DiagramItem> &out) const;
    void headerItems(const DiagramGeometry &g, const DiagramPaintState &state, int top, std::vector<DiagramItem> &out) const;
    // The colour key, left to right up to `right` (-1: the whole width); what does not fit is left out whole.
    void legendItems(const DiagramGeometry &g, const DiagramPaintState &state, int top, std::vector<DiagramItem> &out,
                     int right = -1) const;
    // The lanes a set of rows uses, in display order (for "export selected flow").
    std::vector<int> lanesOf(const std::vector<std::size_t> &rows) const;

private:
    void arrowItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, int top,
                    std::vector<DiagramItem> &out) const;
    // Where an arrow runs, from the sender's lane (x1) to the receiver's, and how its packet fared.
    struct ArrowSpan {
        int x1 = 0;
        int x2 = 0;
        TraceMark mark = TraceMark::None;
        int direction() const { return x2 >= x1 ? 1 : -1; }
    };
    // Whether the row's flow is selected or highlighted: drawn thicker.
    bool emphasised(const DiagramPaintState &state, quint64 sequence) const;
    // The line on `y`, then its head, or the stub of a held packet, or the cross of a dropped one.
    void shaftItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, const ArrowSpan &span,
                    int y, std::vector<DiagramItem> &out) const;
    // The label over the arrow and, when it leaves room, the sender's flow state after the packet.
    void labelItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, const ArrowSpan &span,
                    int top, std::vector<DiagramItem> &out) const;
    void noteItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, int top,
                   std::vector<DiagramItem> &out) const;
    struct LabelPlace {
        QRectF box;
        QString shown; // the label, cut only when wider than the whole row
        bool reserveKept = false; // the sender's end kept `reserve` free for the state word
    };
    // Where a label goes on the row's text line: `centred` over its arrow when it fits, else over
    // the empty lanes beside it; not centred (held stubs, notes): from the sender (x1) on.
    // `reserve`: room kept at the sender's end for the state word, if the line has it.
    LabelPlace placeLabel(const DiagramGeometry &g, const QString &text, int x1, int x2, bool centred, int reserve, int top) const;

    const DiagramLayout &m_layout;
    const TraceLog &m_log;
    const FlowIndex &m_flows;
};

// Paints items as they are; `style` gives the fonts.
void paintItems(QPainter &p, const DiagramStyle &style, const std::vector<DiagramItem> &items);
// The first pair of occupying items whose boxes intersect, if any (tests, and a debug check).
std::optional<std::pair<DiagramItem, DiagramItem>> firstOverlap(const std::vector<DiagramItem> &items);

} // namespace mqs
