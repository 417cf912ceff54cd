#include "sequence_diagram_view.h"

#include "theme.h"
#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "trace/trace_text.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

#include <map>

namespace mqs {
namespace {

constexpr int kBaseRowHeight = 26;
constexpr int kCompactRowHeight = 16;

} // namespace

QColor packetColor(PacketType type, bool dark)
{
    QColor c;
    switch (type) {
    case PacketType::Publish: c = QColor(0x1f, 0x6f, 0xd1); break;
    case PacketType::PubAck: c = QColor(0x00, 0x8b, 0x8b); break;
    case PacketType::PubRec: c = QColor(0xd9, 0x73, 0x06); break;
    case PacketType::PubRel: c = QColor(0x88, 0x3c, 0xc8); break;
    case PacketType::PubComp: c = QColor(0x2e, 0x8b, 0x3a); break;
    case PacketType::Subscribe:
    case PacketType::SubAck:
    case PacketType::Unsubscribe:
    case PacketType::UnsubAck: c = QColor(0x8b, 0x5a, 0x2b); break;
    case PacketType::Disconnect: c = QColor(0xb0, 0x30, 0x30); break;
    default: c = QColor(0x70, 0x70, 0x78); break;
    }
    return dark ? c.lighter(150) : c;
}

SequenceDiagramView::SequenceDiagramView(const TraceLog &log, const FlowIndex &flows, QWidget *parent)
    : QAbstractScrollArea(parent), m_log(log), m_flows(flows), m_layout(log)
{
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    viewport()->setMouseTracking(true);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        const bool atBottom = value >= verticalScrollBar()->maximum() - 2;
        if (m_follow != atBottom && verticalScrollBar()->maximum() > 0) {
            m_follow = atBottom; // scrolling up pauses following; back at the bottom resumes it
            emit followingChanged(m_follow);
        }
    });
    auto *heldTimer = new QTimer(this);
    heldTimer->setInterval(500);
    connect(heldTimer, &QTimer::timeout, this, [this] {
        if (m_hasHeld)
            viewport()->update(); // the running "held" timers
    });
    heldTimer->start();
}

int SequenceDiagramView::rowHeight() const
{
    return std::max(10, int((m_compact ? kCompactRowHeight : kBaseRowHeight) * m_zoom));
}

void SequenceDiagramView::refresh()
{
    const qint64 shiftedBefore = m_layout.rowsShifted();
    const bool added = m_layout.update();
    if (!added && !m_hasHeld)
        return;
    const int value = verticalScrollBar()->value();
    updateScrollBar();
    if (m_follow) {
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    } else { // rows of evicted events left from the top: keep the ones on screen where they are
        const qint64 shift = (m_layout.rowsShifted() - shiftedBefore) * rowHeight();
        const QSignalBlocker blocker(verticalScrollBar());
        verticalScrollBar()->setValue(int(std::max<qint64>(0, value - shift)));
    }
    viewport()->update();
}

void SequenceDiagramView::updateScrollBar()
{
    const qint64 content = qint64(m_layout.rows().size()) * rowHeight();
    const int page = std::max(1, viewport()->height() - 28);
    const qint64 maximum = std::max<qint64>(0, content - page);
    QScrollBar *bar = verticalScrollBar();
    const QSignalBlocker blocker(bar);
    bar->setRange(0, int(std::min<qint64>(maximum, std::numeric_limits<int>::max())));
    bar->setPageStep(page);
    bar->setSingleStep(rowHeight());
}

void SequenceDiagramView::setFollowing(bool follow)
{
    m_follow = follow;
    if (follow)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    emit followingChanged(follow);
}

void SequenceDiagramView::setZoom(double zoom)
{
    const auto visible = visibleRows();
    m_zoom = std::clamp(zoom, 0.5, 3.0);
    updateScrollBar();
    verticalScrollBar()->setValue(int(visible.first) * rowHeight());
    viewport()->update();
}

void SequenceDiagramView::setCompact(bool compact)
{
    m_compact = compact;
    updateScrollBar();
    viewport()->update();
}

SequenceDiagramView::Geometry SequenceDiagramView::geometry(int width) const
{
    Geometry g;
    g.width = width;
    const std::vector<int> order = m_layout.laneOrder();
    g.laneX.assign(m_layout.lanes().size(), 0);
    if (order.empty())
        return g;
    const int usable = std::max(100, width - g.timeColumn - 20);
    const double spacing = double(usable) / double(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        g.laneX[std::size_t(order[i])] = g.timeColumn + int(spacing * (double(i) + 0.5));
    return g;
}

std::pair<std::size_t, std::size_t> SequenceDiagramView::visibleRows() const
{
    const int h = rowHeight();
    const std::size_t total = m_layout.rows().size();
    if (total == 0)
        return {0, 0};
    const std::size_t first = std::min(total - 1, std::size_t(verticalScrollBar()->value() / h));
    const std::size_t count = std::size_t(viewport()->height() / h + 2);
    return {first, std::min(total - 1, first + count)};
}

QRect SequenceDiagramView::rowRect(std::size_t row) const
{
    const Geometry g = geometry(viewport()->width());
    const DiagramRow &r = m_layout.rows()[row];
    const int y = 28 + int(qint64(row) * rowHeight() - verticalScrollBar()->value());
    const int x1 = g.laneX[std::size_t(r.from)];
    const int x2 = g.laneX[std::size_t(r.to)];
    return QRect(std::min(x1, x2), y, std::abs(x2 - x1) + 1, rowHeight());
}

bool SequenceDiagramView::isEvicted(const DiagramRow &row) const
{
    // The trace drops events as it grows; the layout drops their rows at its next update.
    return row.kind != DiagramRow::Gap && row.sequence < m_log.firstSequence();
}

QString SequenceDiagramView::timeText(std::size_t row) const
{
    return traceSeconds(m_log.timeUs(m_layout.rows()[row].sequence), TimeResolution::Milliseconds);
}

QString SequenceDiagramView::label(quint64 sequence) const
{
    if (const QString *cached = m_labels.object(sequence))
        return *cached;
    const auto connection = m_log.connection(m_log.connectionOf(sequence)).value_or(TraceConnection{});
    const auto decoded = decodePacket(m_log.rawView(sequence), connection.version);
    QString text;
    if (const auto *packet = std::get_if<Packet>(&decoded)) {
        if (const auto *publish = std::get_if<Publish>(packet)) {
            text = QStringLiteral("PUBLISH%1 q%2%3 %4 (%5 B)")
                       .arg(publish->packetId ? QStringLiteral(" id=%1").arg(publish->packetId->value) : QString())
                       .arg(qosValue(publish->qos))
                       .arg(publish->dup ? QStringLiteral(" DUP") : QString())
                       .arg(publish->topic)
                       .arg(publish->payload.size());
            if (publish->retain)
                text += QStringLiteral(" retained");
        } else {
            text = describe(*packet, connection.version);
        }
    } else {
        text = QStringLiteral("malformed %1").arg(packetTypeName(m_log.typeOf(sequence)));
    }
    m_labels.insert(sequence, new QString(text));
    return text;
}

QColor SequenceDiagramView::flowColor(FlowId flow) const
{
    const int hue = int((flow * 137) % 360); // golden-angle steps keep neighbours apart
    QColor c = QColor::fromHsv(hue, 170, isDarkPalette(palette()) ? 230 : 190);
    return c;
}

void SequenceDiagramView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(viewport()->rect(), palette().color(QPalette::Base));
    const Geometry g = geometry(viewport()->width());
    const auto [first, last] = visibleRows();
    std::vector<std::size_t> rows;
    if (!m_layout.rows().empty())
        for (std::size_t r = first; r <= last; ++r)
            rows.push_back(r);
    const int top = 28 - verticalScrollBar()->value();
    paintRows(p, g, rows, top, rowHeight(), true, 0, true);
    if (m_layout.rows().empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(viewport()->rect(), Qt::AlignCenter,
                   tr("No packets yet.\nConnect to a broker (Ctrl+K) or run the demo (Ctrl+D)."));
    }
}

void SequenceDiagramView::paintRows(QPainter &p, const Geometry &g, const std::vector<std::size_t> &rows, int top, int h,
                                    bool header, int headerTop, bool decorations) const
{
    const bool dark = isDarkPalette(palette());
    const QColor text = palette().color(QPalette::Text);
    const QColor faint = palette().color(QPalette::Mid);
    const int bottom = rows.empty() ? headerTop + 28 : top + int(qint64(rows.back()) * h) + h;
    if (decorations) { // lane lines
        p.setPen(QPen(faint, 1, Qt::DotLine));
        for (int x : g.laneX)
            p.drawLine(x, headerTop + 28, x, std::max(bottom, int(p.device()->height())));
    }

    // flow brackets: the rows of each visible flow, tied on the sender's side
    std::map<FlowId, std::pair<std::size_t, std::size_t>> brackets;
    bool held = false;
    for (std::size_t r : rows) {
        const DiagramRow &row = m_layout.rows()[r];
        if (row.kind != DiagramRow::Arrow || isEvicted(row))
            continue;
        if (const auto flow = m_flows.flowOf(row.sequence)) {
            auto &range = brackets.try_emplace(*flow, r, r).first->second;
            range.first = std::min(range.first, r);
            range.second = std::max(range.second, r);
        }
    }
    if (!decorations)
        brackets.clear();
    for (const auto &[flow, range] : brackets) {
        const FlowRecord *f = m_flows.find(flow);
        if (!f)
            continue;
        std::size_t firstRow = range.first;
        std::size_t lastRow = range.second;
        for (quint64 e : f->events) // extend to rows off screen
            if (const auto row = m_layout.rowOf(e)) {
                firstRow = std::min(firstRow, *row);
                lastRow = std::max(lastRow, *row);
            }
        // the flow's sender: where its PUBLISH and PUBREL arrows start
        const DiagramRow &anchor = m_layout.rows()[range.first];
        const PacketType anchorType = m_log.typeOf(anchor.sequence);
        const bool fromSender = anchorType == PacketType::Publish || anchorType == PacketType::PubRel;
        const int senderLane = fromSender ? anchor.from : anchor.to;
        const int x = g.laneX[std::size_t(senderLane)] + (g.laneX[std::size_t(senderLane)] < g.width / 2 ? -10 : 10)
                      - int(flow % 3) * 3;
        const int y1 = top + int(qint64(firstRow) * h) + h / 2;
        const int y2 = top + int(qint64(lastRow) * h) + h / 2;
        QColor c = flowColor(flow);
        const bool selected = m_selectedFlow && *m_selectedFlow == flow;
        p.setPen(QPen(c, selected ? 4 : 2.5, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(x, y1, x, y2);
        p.setBrush(c);
        p.drawEllipse(QPoint(x, y1), 3, 3);
        p.drawEllipse(QPoint(x, y2), 3, 3);
    }
    p.setBrush(Qt::NoBrush);

    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.85);
    for (std::size_t r : rows) {
        const DiagramRow &row = m_layout.rows()[r];
        const int y = top + int(qint64(r) * h);
        if (m_selectedPacket && row.kind != DiagramRow::Gap && row.sequence == *m_selectedPacket)
            p.fillRect(QRect(0, y, g.width, h), palette().color(QPalette::Highlight).lighter(dark ? 60 : 185));
        else if (const auto linked = row.kind == DiagramRow::Arrow ? m_flows.flowOf(row.sequence) : std::nullopt;
                 linked && std::binary_search(m_linkedFlows.begin(), m_linkedFlows.end(), *linked))
            p.fillRect(QRect(0, y, g.width, h), linkedRowColor());
        if (row.kind == DiagramRow::Evicted || isEvicted(row)) {
            paintEvicted(p, g, y, h);
            continue;
        }
        if (row.kind == DiagramRow::Gap) {
            p.setPen(QPen(faint, 1, Qt::DashLine));
            p.drawLine(g.timeColumn, y + h / 2, g.width - 8, y + h / 2);
            const QString gap = QStringLiteral(" ⋯ %1 s ⋯ ").arg(double(row.gapUs) / 1e6, 0, 'f', 1);
            const QRect box = QFontMetrics(small).boundingRect(gap).adjusted(-4, -1, 4, 1);
            QRect place = box;
            place.moveCenter(QPoint((g.timeColumn + g.width) / 2, y + h / 2));
            p.fillRect(place, palette().color(QPalette::Base));
            p.setFont(small);
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(place, Qt::AlignCenter, gap);
            p.setFont(font());
            continue;
        }
        p.setFont(small);
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(4, y, g.timeColumn - 10, h), Qt::AlignRight | Qt::AlignVCenter, timeText(r));
        p.setFont(font());
        if (row.kind == DiagramRow::Arrow) {
            paintArrow(p, g, row, y, h);
            held = held || m_log.markOf(row.sequence) == TraceMark::Held;
        } else {
            paintNote(p, g, row, y, h);
        }
    }
    const_cast<SequenceDiagramView *>(this)->m_hasHeld = held;

    if (header) { // lane names, always on top
        p.fillRect(QRect(0, headerTop, g.width, 28), palette().color(QPalette::Window));
        p.setPen(faint);
        p.drawLine(0, headerTop + 27, g.width, headerTop + 27);
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(text);
        const QStringList &lanes = m_layout.lanes();
        const int spacing = lanes.size() > 1 ? std::max(60, (g.width - g.timeColumn) / int(lanes.size())) : g.width;
        for (int i = 0; i < lanes.size(); ++i) {
            const QString name = QFontMetrics(bold).elidedText(lanes[i], Qt::ElideMiddle, spacing - 12);
            p.drawText(QRect(g.laneX[std::size_t(i)] - spacing / 2, headerTop, spacing, 28), Qt::AlignCenter, name);
        }
        p.setFont(font());
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(4, headerTop, g.timeColumn - 10, 28), Qt::AlignRight | Qt::AlignVCenter, tr("time s"));
    }
}

void SequenceDiagramView::paintArrow(QPainter &p, const Geometry &g, const DiagramRow &row, int y, int h) const
{
    const bool dark = isDarkPalette(palette());
    const quint64 s = row.sequence;
    const PacketType type = m_log.typeOf(s);
    const TraceMark mark = m_log.markOf(s);
    const auto flow = m_flows.flowOf(s);
    const bool inSelectedFlow = flow && m_selectedFlow && *flow == *m_selectedFlow;
    const int x1 = g.laneX[std::size_t(row.from)];
    const int x2 = g.laneX[std::size_t(row.to)];
    const int dir = x2 >= x1 ? 1 : -1;
    const int lineY = y + h * 2 / 3;
    QColor color = packetColor(type, dark);
    const QString violation = m_flows.violationAt(s);
    int end = x2;
    if (mark == TraceMark::Held) {
        end = x1 + dir * std::min(48, std::abs(x2 - x1) / 3);
    } else if (mark == TraceMark::Dropped) {
        end = (x1 + x2) / 2;
    }
    QPen pen(color, inSelectedFlow ? 3 : 1.6);
    if (mark == TraceMark::Held)
        pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawLine(x1, lineY, end - dir * 2, lineY);
    if (mark == TraceMark::Dropped) {
        p.setPen(QPen(QColor(0xd0, 0x20, 0x20), 2.2));
        p.drawLine(end - 5, lineY - 5, end + 5, lineY + 5);
        p.drawLine(end - 5, lineY + 5, end + 5, lineY - 5);
    } else if (mark != TraceMark::Held) {
        QPainterPath head;
        head.moveTo(x2, lineY);
        head.lineTo(x2 - dir * 9, lineY - 4.5);
        head.lineTo(x2 - dir * 9, lineY + 4.5);
        head.closeSubpath();
        p.fillPath(head, color);
    }
    // the label above the line, in the flow's hue when it has one
    QString text = label(s);
    const QString stateName = flowStateName(m_log.flowStateOf(s));
    switch (mark) {
    case TraceMark::Held: {
        const FlowRecord *f = flow ? m_flows.find(*flow) : nullptr;
        const bool stillHeld = f && f->heldEvent == s;
        const double heldFor = double((stillHeld ? m_log.clock().nowUs() : m_log.timeUs(s)) - m_log.timeUs(s)) / 1e6;
        text = stillHeld ? QStringLiteral("‖ %1 held %2 s").arg(text).arg(heldFor, 0, 'f', 1)
                         : QStringLiteral("‖ %1 held").arg(text);
        break;
    }
    case TraceMark::Released: text += QStringLiteral("  ▶ released"); break;
    case TraceMark::Dropped: text += QStringLiteral("  ✕ dropped"); break;
    case TraceMark::Delayed: text += QStringLiteral("  (delayed)"); break;
    case TraceMark::Duplicated: text += QStringLiteral("  (duplicate)"); break;
    case TraceMark::None: break;
    }
    if (!violation.isEmpty())
        text = QStringLiteral("⚠ ") + text;
    const QFontMetrics fm(font());
    const int span = std::max(std::abs(x2 - x1) - 8, 80);
    const QString shown = fm.elidedText(text, Qt::ElideRight, span);
    QRect box(std::min(x1, x2) + 4, y, span, lineY - y);
    if (mark == TraceMark::Held) // beside the stub
        box = dir > 0 ? QRect(end + 6, y + h / 3, g.width - end - 10, h * 2 / 3) : QRect(8, y + h / 3, end - 14, h * 2 / 3);
    if (flow && mark != TraceMark::Held) {
        QColor tint = flowColor(*flow);
        tint.setAlpha(inSelectedFlow ? 90 : 40);
        QRect pill = fm.boundingRect(box, Qt::AlignCenter, shown).adjusted(-4, 0, 4, 0);
        p.setPen(Qt::NoPen);
        p.setBrush(tint);
        p.drawRoundedRect(pill, 4, 4);
        p.setBrush(Qt::NoBrush);
    }
    p.setPen(!violation.isEmpty() ? QColor(0xd0, 0x20, 0x20) : palette().color(QPalette::Text));
    p.drawText(box, (mark == TraceMark::Held ? (dir > 0 ? Qt::AlignLeft : Qt::AlignRight) : Qt::AlignHCenter) | Qt::AlignBottom, shown);
    if (!m_compact && m_log.flowStateOf(s) != FlowState::None && mark != TraceMark::Held) {
        QFont small = font();
        small.setPointSizeF(font().pointSizeF() * 0.78);
        p.setFont(small);
        p.setPen(palette().color(QPalette::PlaceholderText));
        const int w = QFontMetrics(small).horizontalAdvance(stateName) + 4;
        const QRect stateBox = dir > 0 ? QRect(x1 + 6, lineY + 1, w, h - (lineY - y)) : QRect(x1 - 6 - w, lineY + 1, w, h - (lineY - y));
        p.drawText(stateBox, Qt::AlignLeft | Qt::AlignTop, stateName);
        p.setFont(font());
    }
}

void SequenceDiagramView::paintEvicted(QPainter &p, const Geometry &g, int y, int h) const
{
    const QColor band = palette().color(QPalette::AlternateBase);
    p.fillRect(QRect(0, y + 1, g.width, h - 2), band);
    p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DashLine));
    p.drawLine(0, y + h - 1, g.width, y + h - 1);
    const QString text = tr("⋯ %L1 earlier events dropped: the trace keeps the newest %2 MiB (File ▸ Trace memory limit…) ⋯")
                             .arg(m_log.evictedEvents())
                             .arg(m_log.memoryLimit() / (1024 * 1024));
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(QRect(g.timeColumn, y, g.width - g.timeColumn - 8, h), Qt::AlignCenter,
               QFontMetrics(font()).elidedText(text, Qt::ElideRight, g.width - g.timeColumn - 8));
}

void SequenceDiagramView::paintNote(QPainter &p, const Geometry &g, const DiagramRow &row, int y, int h) const
{
    const TraceKind kind = m_log.kindOf(row.sequence);
    const int x1 = g.laneX[std::size_t(row.from)];
    const int x2 = g.laneX[std::size_t(row.to)];
    QColor color = palette().color(QPalette::PlaceholderText);
    QString text = m_log.noteOf(row.sequence);
    switch (kind) {
    case TraceKind::Cut:
        color = QColor(0xd0, 0x20, 0x20);
        p.setPen(QPen(color, 2, Qt::DashLine));
        p.drawLine(std::min(x1, x2) - 20, y + h / 2, std::max(x1, x2) + 20, y + h / 2);
        text = QStringLiteral("✂ connection cut: ") + text;
        break;
    case TraceKind::SessionResumed:
        color = QColor(0x1f, 0x6f, 0xd1);
        text = QStringLiteral("⟲ ") + text;
        break;
    case TraceKind::FlowsAbandoned:
        color = QColor(0xd9, 0x73, 0x06);
        text = QStringLiteral("⚠ ") + text;
        break;
    case TraceKind::Violation:
        color = QColor(0xd0, 0x20, 0x20);
        text = QStringLiteral("⚠ ") + text;
        break;
    case TraceKind::Opened: text = QStringLiteral("● connected: ") + text; break;
    case TraceKind::Closed: text = QStringLiteral("○ ") + text; break;
    default: break;
    }
    if (isDarkPalette(palette()))
        color = color.lighter(140);
    p.setPen(color);
    const QRect box(x1 - 6, y, g.width - x1, h);
    const QString shown = QFontMetrics(font()).elidedText(text, Qt::ElideRight, std::max(80, g.width - std::min(x1, x2) - 30));
    p.drawText(kind == TraceKind::Cut ? QRect(std::min(x1, x2) + 8, y, g.width, h / 2 + 4) : box.adjusted(12, 0, 0, 0),
               Qt::AlignLeft | (kind == TraceKind::Cut ? Qt::AlignTop : Qt::AlignVCenter), shown);
}

void SequenceDiagramView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBar();
    if (m_follow)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

std::optional<std::size_t> SequenceDiagramView::rowAt(const QPoint &pos) const
{
    if (pos.y() < 28)
        return std::nullopt;
    const qint64 row = (pos.y() - 28 + verticalScrollBar()->value()) / rowHeight();
    if (row < 0 || row >= qint64(m_layout.rows().size()))
        return std::nullopt;
    return std::size_t(row);
}

void SequenceDiagramView::mousePressEvent(QMouseEvent *event)
{
    const auto row = rowAt(event->position().toPoint());
    if (!row || m_layout.rows()[*row].kind == DiagramRow::Gap || m_layout.rows()[*row].kind == DiagramRow::Evicted
        || isEvicted(m_layout.rows()[*row]))
        return;
    selectPacket(m_layout.rows()[*row].sequence);
    emit packetSelected(*m_selectedPacket);
    emit flowSelected(m_selectedFlow);
}

void SequenceDiagramView::selectPacket(quint64 sequence)
{
    m_selectedPacket = sequence;
    m_selectedFlow = m_flows.flowOf(sequence);
    viewport()->update();
}

void SequenceDiagramView::setLinkedFlows(std::vector<FlowId> flows)
{
    std::sort(flows.begin(), flows.end());
    m_linkedFlows = std::move(flows);
    viewport()->update();
}

void SequenceDiagramView::selectFlow(FlowId flow)
{
    const FlowRecord *f = m_flows.find(flow);
    if (!f)
        return;
    m_selectedFlow = flow;
    for (quint64 e : f->events) {
        if (const auto row = m_layout.rowOf(e)) {
            m_selectedPacket = e;
            const auto [first, last] = visibleRows();
            if (*row < first + 1 || *row + 1 > last) {
                m_follow = false;
                emit followingChanged(false);
                verticalScrollBar()->setValue(std::max(0, int(*row) * rowHeight() - viewport()->height() / 3));
            }
            break;
        }
    }
    viewport()->update();
}

void SequenceDiagramView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        setZoom(m_zoom * (event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15));
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void SequenceDiagramView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_End) {
        setFollowing(true);
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

bool SequenceDiagramView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        if (const auto row = rowAt(help->pos())) {
            const DiagramRow &r = m_layout.rows()[*row];
            if (r.kind != DiagramRow::Gap && r.kind != DiagramRow::Evicted && !isEvicted(r)) {
                QString tip = traceLine(m_log, r.sequence).trimmed();
                if (const QString v = m_flows.violationAt(r.sequence); !v.isEmpty())
                    tip += QStringLiteral("\n\nPeer violation: ") + v;
                if (const auto flow = m_flows.flowOf(r.sequence); flow && m_flows.find(*flow))
                    tip += QStringLiteral("\n\n") + m_flows.sentence(m_flows.at(*flow), m_log.clock().nowUs());
                QToolTip::showText(help->globalPos(), tip, this);
                return true;
            }
        }
        QToolTip::hideText();
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

QSize SequenceDiagramView::renderSize(std::size_t first, std::size_t last, const std::set<FlowId> &flows) const
{
    std::size_t count = 0;
    for (std::size_t r = first; r <= last && r < m_layout.rows().size(); ++r) {
        const auto flow = m_flows.flowOf(m_layout.rows()[r].sequence);
        if (flows.empty() || (flow && flows.count(*flow)))
            ++count;
    }
    return QSize(std::max(640, viewport()->width()), 28 + int(count) * rowHeight() + 8);
}

void SequenceDiagramView::renderTo(QPainter &painter, const QSize &size, std::size_t first, std::size_t last,
                                   const std::set<FlowId> &flows) const
{
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Base));
    const Geometry g = geometry(size.width());
    // Draw the chosen rows one after another, as if they were contiguous.
    std::vector<std::size_t> rows;
    for (std::size_t r = first; r <= last && r < m_layout.rows().size(); ++r) {
        const auto flow = m_flows.flowOf(m_layout.rows()[r].sequence);
        if (flows.empty() || (flow && flows.count(*flow)))
            rows.push_back(r);
    }
    const int h = rowHeight();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        painter.save();
        painter.translate(0, 28 + int(i) * h - int(qint64(rows[i]) * h));
        paintRows(painter, g, {rows[i]}, 0, h, false, 0, false);
        painter.restore();
    }
    paintRows(painter, g, {}, 0, h, true, 0, true);
}

} // namespace mqs
