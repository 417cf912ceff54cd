#include "diagram_scene.h"

#include "lane_caption.h"
#include "theme.h"
#include "trace/trace_text.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <limits>
#include <map>

namespace mqs {
namespace {

const QFont &fontOf(const DiagramStyle &style, DiagramItem::FontRole role)
{
    switch (role) {
    case DiagramItem::Small: return style.small;
    case DiagramItem::Bold: return style.bold;
    case DiagramItem::Label: break;
    }
    return style.font;
}

DiagramItem text(const QRectF &box, const QString &s, const QColor &color, DiagramItem::FontRole font)
{
    DiagramItem item;
    item.kind = DiagramItem::Text;
    item.rect = box;
    item.text = s;
    item.color = color;
    item.font = font;
    return item;
}

DiagramItem line(const QLineF &l, const QColor &color, qreal width, Qt::PenStyle style = Qt::SolidLine)
{
    DiagramItem item;
    item.kind = DiagramItem::Line;
    item.line = l;
    item.color = color;
    item.width = width;
    item.style = style;
    return item;
}

DiagramItem fill(const QRectF &area, const QColor &color)
{
    DiagramItem item;
    item.kind = DiagramItem::Fill;
    item.rect = area;
    item.color = color;
    return item;
}

// A text box of `s` at `x` (left edge) on the line band starting at `top`.
QRectF textBox(const QFontMetrics &fm, const QString &s, qreal x, qreal top)
{
    return QRectF(x, top, fm.horizontalAdvance(s), fm.height());
}

QColor noteColor(TraceKind kind, const QPalette &palette)
{
    switch (kind) {
    case TraceKind::Cut:
    case TraceKind::Violation:
    case TraceKind::FlowsAbandoned: return problemColor();
    case TraceKind::SessionResumed: return packetColor(PacketType::Publish, palette);
    default: return palette.color(QPalette::PlaceholderText);
    }
}

// Each lane's width out of `usable` px, from what its name needs (`total` of them all). When every
// name fits, the room left is shared evenly. Squeezed, a lane that needs less than an even share
// keeps its need and the rest share what remains, so short names never take room a long one
// could use (a long one is then shortened by laneCaption, never an empty "b…" next to space).
std::vector<int> shareWidth(const std::vector<int> &need, int total, int usable)
{
    const int n = int(need.size());
    if (total <= usable) {
        std::vector<int> widths = need;
        for (int &w : widths)
            w += (usable - total) / n;
        return widths;
    }
    std::vector<int> widths(need.size(), 0);
    std::vector<bool> settled(need.size(), false);
    int left = usable;
    int open = n;
    for (bool changed = true; changed && open > 0;) { // settle the lanes below the even share, then share again
        changed = false;
        const int share = left / open;
        for (std::size_t i = 0; i < need.size(); ++i)
            if (!settled[i] && need[i] <= share) {
                widths[i] = need[i];
                settled[i] = true;
                left -= need[i];
                --open;
                changed = true;
            }
    }
    for (std::size_t i = 0; i < need.size(); ++i)
        if (!settled[i])
            widths[i] = left / std::max(1, open);
    return widths;
}

} // namespace

DiagramGeometry DiagramScene::geometry(const DiagramStyle &style, int width, const std::vector<int> &lanes) const
{
    DiagramGeometry g;
    g.style = style;
    g.order = lanes;
    g.width = width;
    g.laneX.assign(m_layout.lanes().size(), -1);
    g.laneWidth.assign(m_layout.lanes().size(), 0);
    if (lanes.empty())
        return g;
    const QFontMetrics bold(style.bold);
    std::vector<int> need;
    int total = 0;
    for (int lane : lanes) {
        need.push_back(bold.horizontalAdvance(m_layout.lanes()[std::size_t(lane)].name) + 2 * style.laneMargin);
        total += need.back();
    }
    const int usable = std::max(1, width - style.contentLeft() - style.pad);
    const std::vector<int> widths = shareWidth(need, total, usable);
    int x = style.contentLeft();
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const int w = widths[i];
        g.laneX[std::size_t(lanes[i])] = x + w / 2;
        g.laneWidth[std::size_t(lanes[i])] = w;
        x += w;
    }
    return g;
}

int DiagramScene::widthForFullLabels(const DiagramStyle &style, const std::vector<int> &lanes,
                                     const std::vector<std::size_t> &rows, int minimum, qint64 nowUs) const
{
    const QFontMetrics fm(style.font);
    int width = minimum;
    for (int round = 0; round < 4; ++round) { // lane places scale with the width: a few rounds settle it
        const DiagramGeometry g = geometry(style, width, lanes);
        int needed = width;
        for (std::size_t r : rows) {
            const DiagramRow &row = m_layout.rows()[r];
            if (row.kind == DiagramRow::Gap || row.kind == DiagramRow::Evicted || row.sequence < m_log.firstSequence())
                continue; // an evicted event has no label to read any more
            const QString s = row.kind == DiagramRow::Arrow ? m_layout.arrowLabel(row, nowUs) : m_layout.noteText(row);
            const int left = std::min(g.x(row.from), g.x(row.to));
            needed = std::max(needed, left + 2 * style.pad + fm.horizontalAdvance(s) + style.pad);
        }
        if (needed <= width)
            break;
        width = needed;
    }
    return width;
}

DiagramScene::LabelPlace DiagramScene::placeLabel(const DiagramGeometry &g, const QString &s, int x1, int x2, bool centred,
                                                 int reserve, int top) const
{
    const DiagramStyle &st = g.style;
    const QFontMetrics fm(st.font);
    const qreal y = top + st.pad;
    const int minX = st.contentLeft() + st.pad;
    const int maxX = g.width - st.pad;
    const int tw = fm.horizontalAdvance(s);
    const int dir = x2 >= x1 ? 1 : -1;
    auto at = [&](qreal x, bool kept) { return LabelPlace{textBox(fm, s, x, y), s, kept}; };
    if (reserve > 0) { // the state word at the sender's end, the label beyond it on the same line
        const int gap = fm.averageCharWidth();
        const int a = dir > 0 ? x1 + st.pad + reserve + gap : x2 + st.pad;
        const int b = dir > 0 ? x2 - st.pad : x1 - st.pad - reserve - gap;
        const bool wordFits = dir > 0 ? x1 + st.pad + reserve <= maxX : x1 - st.pad - reserve >= minX;
        if (wordFits && centred && tw <= b - a)
            return at(a + (b - a - tw) / 2.0, true);
        if (wordFits && dir > 0 && a + tw <= maxX)
            return at(a, true);
        if (wordFits && dir < 0 && b - tw >= minX)
            return at(b - tw, true);
        return placeLabel(g, s, x1, x2, centred, 0, top); // no room for both: the label wins
    }
    const int left = std::min(x1, x2);
    const int right = std::max(x1, x2);
    if (centred && tw <= right - left - 2 * st.pad)
        return at(left + (right - left - tw) / 2.0, false); // over its arrow
    // Wider than its arrow: over the empty lanes beside it, whole, rather than cut.
    const std::array<int, 4> candidates = !centred && dir < 0
        ? std::array<int, 4>{x1 - st.pad - tw, minX, maxX - tw, minX}
        : std::array<int, 4>{(centred ? left : x1) + st.pad, right - st.pad - tw, maxX - tw, minX};
    for (int x : candidates)
        if (x >= minX && x + tw <= maxX)
            return at(x, false);
    const QString shown = fm.elidedText(s, Qt::ElideRight, maxX - minX); // wider than the whole row: cut, once
    return LabelPlace{textBox(fm, shown, minX, y), shown, false};
}

void DiagramScene::arrowItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, int top,
                              std::vector<DiagramItem> &out) const
{
    const ArrowSpan span{g.x(row.from), g.x(row.to), row.count > 1 ? TraceMark::None : m_log.markOf(row.sequence)};
    if (span.x1 < 0 || span.x2 < 0)
        return;
    shaftItems(g, state, row, span, g.style.lineY(top), out);
    labelItems(g, state, row, span, top, out);
}

bool DiagramScene::emphasised(const DiagramPaintState &state, quint64 sequence) const
{
    const auto flow = m_flows.flowOf(sequence);
    if (!flow)
        return false;
    bool shown = m_layout.sameHop(state.selectedFlow, *flow);
    for (FlowId f : state.highlightedFlows)
        shown = shown || m_layout.sameHop(f, *flow);
    return shown;
}

void DiagramScene::shaftItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row,
                              const ArrowSpan &span, int y, std::vector<DiagramItem> &out) const
{
    const DiagramStyle &st = g.style;
    const int dir = span.direction();
    const QColor color = packetColor(m_log.typeOf(row.sequence), state.palette);
    const int headLength = 2 * st.headHalf;
    int end = span.x2;
    if (span.mark == TraceMark::Held)
        end = span.x1 + dir * std::min(st.heldStub, std::abs(span.x2 - span.x1) / 3);
    else if (span.mark == TraceMark::Dropped)
        end = (span.x1 + span.x2) / 2;
    const qreal width = (emphasised(state, row.sequence) ? 2.0 : 1.0) * std::max(1.0, st.headHalf / 3.0) * (row.count > 1 ? 2 : 1);
    const bool headed = span.mark != TraceMark::Held && span.mark != TraceMark::Dropped;
    out.push_back(line(QLineF(span.x1, y, end - (headed ? dir * headLength : 0), y),
                       color, width, span.mark == TraceMark::Held ? Qt::DashLine : Qt::SolidLine));
    if (span.mark == TraceMark::Dropped) {
        DiagramItem cross;
        cross.kind = DiagramItem::Cross;
        cross.rect = QRectF(end - st.headHalf, y - st.headHalf, 2 * st.headHalf, 2 * st.headHalf);
        cross.color = problemColor();
        cross.width = width + 1;
        out.push_back(cross);
    } else if (headed) {
        DiagramItem head;
        head.kind = DiagramItem::Arrowhead;
        head.line = QLineF(span.x2, y, span.x2 - dir * headLength, y);
        head.rect = QRectF(std::min(span.x2, span.x2 - dir * headLength), y - st.headHalf, headLength, 2 * st.headHalf);
        head.color = color;
        out.push_back(head);
    }
}

void DiagramScene::labelItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row,
                              const ArrowSpan &span, int top, std::vector<DiagramItem> &out) const
{
    const DiagramStyle &st = g.style;
    const QString word = st.compact ? QString() : m_layout.stateText(row);
    const QFontMetrics sm(st.small);
    const int wordWidth = word.isEmpty() ? 0 : sm.horizontalAdvance(word);
    const LabelPlace place = placeLabel(g, m_layout.arrowLabel(row, state.nowUs), span.x1, span.x2,
                                        span.mark != TraceMark::Held, wordWidth, top);
    const bool violation = row.count == 1 && !m_flows.violationAt(row.sequence).isEmpty();
    out.push_back(text(place.box, place.shown, violation ? problemColor() : state.palette.color(QPalette::Text), DiagramItem::Label));
    if (place.reserveKept) { // the sender's flow state after this packet, small and grey
        const qreal wx = span.direction() > 0 ? span.x1 + st.pad : span.x1 - st.pad - wordWidth;
        const qreal wy = top + st.pad + (st.labelHeight - sm.height()) / 2.0;
        out.push_back(text(textBox(sm, word, wx, wy), word, state.palette.color(QPalette::PlaceholderText), DiagramItem::Small));
    }
}

void DiagramScene::noteItems(const DiagramGeometry &g, const DiagramPaintState &state, const DiagramRow &row, int top,
                             std::vector<DiagramItem> &out) const
{
    const DiagramStyle &st = g.style;
    const int x1 = g.x(row.from);
    const int x2 = g.x(row.to);
    if (x1 < 0 || x2 < 0)
        return;
    const TraceKind kind = m_log.kindOf(row.sequence);
    // A finding a fault rule may have caused is worth noticing, not a fault of either side.
    QColor color = kind == TraceKind::Violation && m_log.ruleOf(row.sequence) != 0 ? warningColor() : noteColor(kind, state.palette);
    if (kind == TraceKind::Cut)
        out.push_back(line(QLineF(std::min(x1, x2), st.lineY(top), std::max(x1, x2), st.lineY(top)), color, 2, Qt::DashLine));
    const LabelPlace place = placeLabel(g, m_layout.noteText(row), std::min(x1, x2), std::max(x1, x2), false, 0, top);
    out.push_back(text(place.box, place.shown, color, DiagramItem::Label));
}

void DiagramScene::rowItems(const DiagramGeometry &g, const DiagramPaintState &state, std::size_t index, int top,
                            std::vector<DiagramItem> &out) const
{
    const DiagramStyle &st = g.style;
    const DiagramRow &row = m_layout.rows()[index];
    const QPalette &pal = state.palette;
    const int h = st.rowHeight;
    const bool evicted = row.kind == DiagramRow::Evicted || (row.kind != DiagramRow::Gap && row.sequence < m_log.firstSequence());
    if (evicted) {
        out.push_back(fill(QRectF(0, top + 1, g.width, h - 2), pal.color(QPalette::AlternateBase)));
        const QString s = QCoreApplication::translate("SequenceDiagram", "⋯ %L1 earlier events dropped: the trace keeps the newest %2 MiB (File ▸ Trace memory limit…) ⋯")
                              .arg(m_log.evictedEvents()).arg(m_log.memoryLimit() / (1024 * 1024));
        const QFontMetrics sm(st.small);
        const QString shown = sm.elidedText(s, Qt::ElideRight, g.width - st.timeColumn - st.pad);
        const qreal w = sm.horizontalAdvance(shown);
        out.push_back(text(QRectF(std::max<qreal>(st.timeColumn, (g.width - w) / 2), top + (h - sm.height()) / 2.0, w, sm.height()),
                           shown, pal.color(QPalette::PlaceholderText), DiagramItem::Small));
        return;
    }
    if (row.kind == DiagramRow::Gap) {
        const QFontMetrics sm(st.small);
        const QString s = DiagramLayout::gapText(row);
        out.push_back(line(QLineF(st.contentLeft(), top + h / 2.0, g.width - st.pad, top + h / 2.0), pal.color(QPalette::Mid), 1, Qt::DashLine));
        const qreal w = sm.horizontalAdvance(s);
        const QRectF box((st.contentLeft() + g.width - w) / 2.0, top + (h - sm.height()) / 2.0, w, sm.height());
        out.push_back(fill(box, pal.color(QPalette::Base)));
        out.push_back(text(box, s, pal.color(QPalette::PlaceholderText), DiagramItem::Small));
        return;
    }
    const bool selected = state.selectedPacket && row.sequence == *state.selectedPacket;
    if (selected)
        out.push_back(fill(QRectF(0, top, g.width, h), pal.color(QPalette::Highlight).lighter(isDarkPalette(pal) ? 60 : 185)));
    const QFontMetrics sm(st.small);
    const QString time = traceSeconds(m_log.timeUs(row.sequence), TimeResolution::Milliseconds);
    out.push_back(text(textBox(sm, time, st.timeColumn - st.pad - sm.horizontalAdvance(time), top + st.pad + (st.labelHeight - sm.height()) / 2.0),
                       time, pal.color(QPalette::PlaceholderText), DiagramItem::Small));
    if (row.kind == DiagramRow::Arrow)
        arrowItems(g, state, row, top, out);
    else
        noteItems(g, state, row, top, out);
}

void DiagramScene::bracketItems(const DiagramGeometry &g, const DiagramPaintState &state,
                                const std::vector<std::pair<std::size_t, int>> &rows, bool extend, std::vector<DiagramItem> &out) const
{
    if (rows.empty())
        return;
    const DiagramStyle &st = g.style;
    const std::size_t firstShown = rows.front().first;
    const int firstTop = rows.front().second;
    std::map<FlowId, std::pair<int, int>> spans; // flow -> (top of its first row, of its last)
    for (const auto &[r, top] : rows) {
        const DiagramRow &row = m_layout.rows()[r];
        if (row.kind != DiagramRow::Arrow || row.count > 1 || row.sequence < m_log.firstSequence())
            continue;
        if (const auto flow = m_flows.flowOf(row.sequence)) {
            auto &span = spans.try_emplace(m_layout.hopFlow(*flow), top, top).first->second;
            span.first = std::min(span.first, top);
            span.second = std::max(span.second, top);
        }
    }
    std::vector<int> slotEnds(std::size_t(st.bracketSlots), std::numeric_limits<int>::min());
    for (auto &[flow, span] : spans) {
        if (extend) { // rows off screen, as if they were drawn (the flow's own record draws its sent packets)
            const auto other = m_layout.hopFlow(flow);
            for (const FlowRecord *f : {m_flows.find(flow), other != flow ? m_flows.find(other) : nullptr})
                for (quint64 e : f ? f->events : std::vector<quint64>{})
                    if (const auto row = m_layout.rowOf(e)) {
                        const int top = firstTop + int((qint64(*row) - qint64(firstShown)) * st.rowHeight);
                        span.first = std::min(span.first, top);
                        span.second = std::max(span.second, top);
                    }
        }
        // the first slot free by then; flows that overlap in time stand side by side
        std::size_t slot = std::size_t(flow) % slotEnds.size();
        for (std::size_t i = 0; i < slotEnds.size(); ++i)
            if (slotEnds[i] < span.first) {
                slot = i;
                break;
            }
        slotEnds[slot] = span.second + st.rowHeight;
        bool emphasised = m_layout.sameHop(state.selectedFlow, flow);
        for (FlowId f : state.highlightedFlows)
            emphasised = emphasised || m_layout.sameHop(f, flow);
        const QColor c = emphasised ? state.palette.color(QPalette::Highlight) : state.palette.color(QPalette::PlaceholderText);
        const qreal x = st.timeColumn + st.pad + st.dotRadius + qreal(slot) * st.bracketStep;
        const qreal y1 = st.lineY(span.first);
        const qreal y2 = st.lineY(span.second);
        out.push_back(line(QLineF(x, y1, x, y2), c, emphasised ? 3 : 1.5));
        for (qreal y : {y1, y2}) {
            DiagramItem dot;
            dot.kind = DiagramItem::Dot;
            dot.rect = QRectF(x - st.dotRadius, y - st.dotRadius, 2 * st.dotRadius, 2 * st.dotRadius);
            dot.color = c;
            out.push_back(dot);
            if (y1 == y2)
                break;
        }
    }
}

void DiagramScene::headerItems(const DiagramGeometry &g, const DiagramPaintState &state, int top, std::vector<DiagramItem> &out) const
{
    const DiagramStyle &st = g.style;
    const QPalette &pal = state.palette;
    out.push_back(fill(QRectF(0, top, g.width, st.headerHeight), pal.color(QPalette::Window)));
    out.push_back(line(QLineF(0, top + st.headerHeight - 1, g.width, top + st.headerHeight - 1), pal.color(QPalette::Mid), 1));
    const QFontMetrics bold(st.bold);
    const qreal y = top + (st.headerHeight - bold.height()) / 2.0;
    for (int lane : g.order) {
        const int w = g.laneWidth[std::size_t(lane)] - 2 * st.laneMargin;
        const QString name = laneCaption(m_layout.lanes()[std::size_t(lane)].name, bold, w);
        const int tw = bold.horizontalAdvance(name);
        out.push_back(text(QRectF(g.x(lane) - tw / 2.0, y, tw, bold.height()), name, pal.color(QPalette::Text), DiagramItem::Bold));
    }
    const QFontMetrics sm(st.small);
    const QString unit = QCoreApplication::translate("SequenceDiagram", "time s");
    out.push_back(text(textBox(sm, unit, st.timeColumn - st.pad - sm.horizontalAdvance(unit), top + (st.headerHeight - sm.height()) / 2.0),
                       unit, pal.color(QPalette::PlaceholderText), DiagramItem::Small));
}

void DiagramScene::legendItems(const DiagramGeometry &g, const DiagramPaintState &state, int top, std::vector<DiagramItem> &out,
                               int right) const
{
    const int limit = right < 0 ? g.width - g.style.pad : right;
    const DiagramStyle &st = g.style;
    const QPalette &pal = state.palette;
    out.push_back(fill(QRectF(0, top, g.width, st.legendHeight), pal.color(QPalette::Window)));
    const QFontMetrics sm(st.small);
    const qreal y = top + (st.legendHeight - sm.height()) / 2.0;
    qreal x = st.pad * 2;
    const qreal gap = sm.averageCharWidth() * 2;
    auto add = [&](const QString &s, const QColor &c) {
        const qreal w = sm.horizontalAdvance(s);
        if (x + w > limit)
            return; // what does not fit is left out whole, never cut
        out.push_back(text(QRectF(x, y, w, sm.height()), s, c, DiagramItem::Small));
        x += w + gap;
    };
    // Every colour must be named: on a narrow diagram the heading shortens before a colour goes.
    qreal colours = 0;
    for (const LegendEntry &entry : packetLegend())
        colours += sm.horizontalAdvance(QStringLiteral("→ ") + entry.name) + gap;
    const QString heading = QCoreApplication::translate("SequenceDiagram", "Arrow colour = packet type:");
    const bool roomy = x + sm.horizontalAdvance(heading) + gap + colours <= limit;
    add(roomy ? heading : QCoreApplication::translate("SequenceDiagram", "Colours:"), pal.color(QPalette::PlaceholderText));
    for (const LegendEntry &entry : packetLegend())
        add(QStringLiteral("→ ") + entry.name, packetColor(entry.type, pal));
    add(QCoreApplication::translate("SequenceDiagram", "‖ held  ✕ dropped  ⚠ violation  │ bracket: one flow"), pal.color(QPalette::PlaceholderText));
}

std::vector<int> DiagramScene::lanesOf(const std::vector<std::size_t> &rows) const
{
    std::set<int> used;
    for (std::size_t r : rows) {
        const DiagramRow &row = m_layout.rows()[r];
        if (row.kind == DiagramRow::Arrow || row.kind == DiagramRow::Note) {
            used.insert(row.from);
            used.insert(row.to);
        }
    }
    std::vector<int> lanes;
    for (int lane : m_layout.laneOrder())
        if (used.contains(lane))
            lanes.push_back(lane);
    return lanes;
}

void paintItems(QPainter &p, const DiagramStyle &style, const std::vector<DiagramItem> &items)
{
    for (const DiagramItem &item : items) {
        switch (item.kind) {
        case DiagramItem::Fill: p.fillRect(item.rect, item.color); break;
        case DiagramItem::Line:
            p.setPen(QPen(item.color, item.width, item.style, Qt::FlatCap));
            p.drawLine(item.line);
            break;
        case DiagramItem::Arrowhead: {
            const QLineF back = item.line;
            const QPointF normal(0, item.rect.height() / 2);
            QPainterPath head;
            head.moveTo(back.p1());
            head.lineTo(back.p2() - normal);
            head.lineTo(back.p2() + normal);
            head.closeSubpath();
            p.fillPath(head, item.color);
            break;
        }
        case DiagramItem::Cross:
            p.setPen(QPen(item.color, item.width));
            p.drawLine(item.rect.topLeft(), item.rect.bottomRight());
            p.drawLine(item.rect.bottomLeft(), item.rect.topRight());
            break;
        case DiagramItem::Dot:
            p.setPen(Qt::NoPen);
            p.setBrush(item.color);
            p.drawEllipse(item.rect);
            p.setBrush(Qt::NoBrush);
            break;
        case DiagramItem::Text:
            p.setFont(fontOf(style, item.font));
            p.setPen(item.color);
            // the box is the text's own width: do not let rounding clip its last letter
            p.drawText(item.rect.adjusted(0, 0, 2, 0), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextDontClip, item.text);
            break;
        }
    }
}

std::optional<std::pair<DiagramItem, DiagramItem>> firstOverlap(const std::vector<DiagramItem> &items)
{
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].occupies())
            continue;
        for (std::size_t j = i + 1; j < items.size(); ++j)
            if (items[j].occupies() && items[i].rect.intersects(items[j].rect))
                return std::pair{items[i], items[j]};
    }
    return std::nullopt;
}

} // namespace mqs
