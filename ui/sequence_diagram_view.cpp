#include "sequence_diagram_view.h"

#include "theme.h"
#include "trace/trace_text.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTimer>
#include <QToolTip>
#include <QWheelEvent>

namespace mqs {
namespace {

constexpr int kHeldTickMs = 500; // the running "held 3.5 s" timers tick at this pace
constexpr int kFollowSlackPx = 2; // this close to the bottom counts as at the bottom

} // namespace

SequenceDiagramView::SequenceDiagramView(const TraceLog &log, const FlowIndex &flows, QWidget *parent)
    : QAbstractScrollArea(parent), m_log(log), m_flows(flows), m_layout(log, flows), m_scene(m_layout, log, flows),
      m_style(DiagramStyle::make(font(), 1.0, false))
{
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    viewport()->setMouseTracking(true);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        const bool atBottom = value >= verticalScrollBar()->maximum() - kFollowSlackPx;
        if (m_follow != atBottom && verticalScrollBar()->maximum() > 0) {
            m_follow = atBottom; // scrolling up pauses following; back at the bottom resumes it
            m_unseen = 0;
            m_countedTo = m_log.endSequence();
            emit followingChanged(m_follow);
            viewport()->update();
        }
    });
    auto *heldTimer = new QTimer(this);
    heldTimer->setInterval(kHeldTickMs);
    connect(heldTimer, &QTimer::timeout, this, [this] {
        if (m_hasHeld)
            viewport()->update();
    });
    heldTimer->start();
}

DiagramPaintState SequenceDiagramView::paintState(bool withSelection) const
{
    DiagramPaintState state;
    state.palette = palette();
    state.nowUs = m_log.clock().nowUs();
    if (withSelection) {
        state.selectedPacket = m_selectedPacket;
        state.selectedFlow = m_selectedFlow;
        state.highlightedFlows = m_highlighted;
    }
    return state;
}

DiagramGeometry SequenceDiagramView::geometry(int width) const
{
    return m_scene.geometry(m_style, width, m_layout.laneOrder());
}

int SequenceDiagramView::rowsHeight() const
{
    return std::max(1, viewport()->height() - m_style.headerHeight - m_style.legendHeight);
}

void SequenceDiagramView::countUnseen()
{
    const quint64 end = m_log.endSequence();
    for (quint64 s = std::max(m_countedTo, m_log.firstSequence()); s < end; ++s)
        if (m_log.kindOf(s) == TraceKind::Packet
            && (m_log.directionOf(s) == TraceDirection::Sent || !m_log.bothEndsTraced(m_log.connectionOf(s))))
            ++m_unseen; // each packet once, as the diagram draws it
    m_countedTo = end;
}

void SequenceDiagramView::refresh()
{
    if (m_frozen) { // the trace goes on; the picture waits
        const quint64 before = m_unseen;
        countUnseen();
        if (m_unseen != before)
            viewport()->update();
        return;
    }
    const qint64 shiftedBefore = m_layout.rowsShifted();
    const bool added = m_layout.update();
    if (m_follow)
        m_countedTo = m_log.endSequence();
    else
        countUnseen();
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
    const int page = rowsHeight();
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
    m_unseen = 0;
    m_countedTo = m_log.endSequence();
    if (follow)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    emit followingChanged(follow);
    viewport()->update();
}

void SequenceDiagramView::setFrozen(bool frozen)
{
    if (frozen == m_frozen)
        return;
    m_frozen = frozen;
    m_unseen = 0;
    m_countedTo = m_log.endSequence();
    if (!frozen)
        refresh();
    emit frozenChanged(frozen);
    viewport()->update();
}

void SequenceDiagramView::restyle()
{
    // Rows keep their indices across a zoom: keep the top one (and the part of it shown) in place.
    const int oldHeight = std::max(1, rowHeight());
    const int value = verticalScrollBar()->value();
    m_style = DiagramStyle::make(font(), m_zoom, m_compact);
    updateScrollBar();
    if (m_follow) {
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    } else {
        const QSignalBlocker blocker(verticalScrollBar()); // a zoom is not a scroll: Follow stays as it was
        verticalScrollBar()->setValue(int(qint64(value / oldHeight) * rowHeight() + (value % oldHeight) * rowHeight() / oldHeight));
    }
    viewport()->update();
}

void SequenceDiagramView::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, DiagramStyle::kMinZoom, DiagramStyle::kMaxZoom);
    restyle();
}

void SequenceDiagramView::setCompact(bool compact)
{
    m_compact = compact;
    restyle();
}

void SequenceDiagramView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        restyle();
}

std::optional<quint64> SequenceDiagramView::topSequence() const
{
    if (m_layout.rows().empty())
        return std::nullopt;
    return m_layout.rows()[visibleRows().first].sequence;
}

void SequenceDiagramView::scrollToSequence(quint64 sequence)
{
    const auto &rows = m_layout.rows();
    const auto it = std::lower_bound(rows.begin(), rows.end(), sequence, [](const DiagramRow &r, quint64 s) { return r.sequence < s; });
    const QSignalBlocker blocker(verticalScrollBar());
    verticalScrollBar()->setValue(int(qint64(it - rows.begin()) * rowHeight()));
}

void SequenceDiagramView::afterRebuild(std::optional<quint64> anchor)
{
    updateScrollBar();
    if (m_follow)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    else if (anchor)
        scrollToSequence(*anchor);
    viewport()->update();
}

std::pair<std::size_t, std::size_t> SequenceDiagramView::visibleRows() const
{
    const int h = rowHeight();
    const std::size_t total = m_layout.rows().size();
    if (total == 0)
        return {0, 0};
    const std::size_t first = std::min(total - 1, std::size_t(verticalScrollBar()->value() / h));
    const std::size_t count = std::size_t(rowsHeight() / h + 1);
    return {first, std::min(total - 1, first + count)};
}

QRect SequenceDiagramView::rowRect(std::size_t row) const
{
    const DiagramGeometry g = geometry(viewport()->width());
    const DiagramRow &r = m_layout.rows()[row];
    const int y = rowsTop() + int(qint64(row) * rowHeight() - verticalScrollBar()->value());
    const int x1 = std::max(0, g.x(r.from));
    const int x2 = std::max(0, g.x(r.to));
    return QRect(std::min(x1, x2), y, std::abs(x2 - x1) + 1, rowHeight());
}

QString SequenceDiagramView::timeText(std::size_t row) const
{
    return traceSeconds(m_log.timeUs(m_layout.rows()[row].sequence), TimeResolution::Milliseconds);
}

QString SequenceDiagramView::badgeText() const
{
    if (m_frozen)
        return m_unseen ? tr("Frozen — %L1 new packets (click to go on)").arg(m_unseen) : tr("Frozen (click to go on)");
    if (!m_follow && m_unseen > 0)
        return tr("%L1 new packets ↓").arg(m_unseen);
    return {};
}

QRect SequenceDiagramView::badgeRect() const
{
    const QString text = badgeText();
    if (text.isEmpty())
        return {};
    // in the legend's strip, at its right end: over no row
    const QFontMetrics fm(m_style.small);
    const QSize size(fm.horizontalAdvance(text) + 2 * m_style.laneMargin, m_style.legendHeight - 2 * m_style.pad);
    const QPoint topRight(viewport()->width() - m_style.pad, rowsTop() + rowsHeight() + m_style.pad);
    return QRect(topRight - QPoint(size.width(), 0), size);
}

std::vector<DiagramItem> SequenceDiagramView::visibleItems() const
{
    std::vector<DiagramItem> items;
    if (m_layout.rows().empty())
        return items;
    const DiagramGeometry g = geometry(viewport()->width());
    const DiagramPaintState state = paintState();
    const auto [first, last] = visibleRows();
    std::vector<std::pair<std::size_t, int>> rows;
    for (std::size_t r = first; r <= last; ++r) {
        const int top = rowsTop() + int(qint64(r) * rowHeight() - verticalScrollBar()->value());
        rows.emplace_back(r, top);
        m_scene.rowItems(g, state, r, top, items);
    }
    m_scene.bracketItems(g, state, rows, true, items);
    return items;
}

void SequenceDiagramView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(viewport()->rect(), palette().color(QPalette::Base));
    const DiagramGeometry g = geometry(viewport()->width());
    const DiagramPaintState state = paintState();
    p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DotLine));
    for (int lane : g.order)
        p.drawLine(g.x(lane), rowsTop(), g.x(lane), rowsTop() + rowsHeight());
    p.setClipRect(QRect(0, rowsTop(), viewport()->width(), rowsHeight()));
    paintItems(p, m_style, visibleItems());
    p.setClipping(false);
    bool held = false;
    if (!m_layout.rows().empty())
        for (std::size_t r = visibleRows().first; r <= visibleRows().second; ++r)
            held = held || (m_layout.rows()[r].kind == DiagramRow::Arrow && m_log.contains(m_layout.rows()[r].sequence)
                            && m_log.markOf(m_layout.rows()[r].sequence) == TraceMark::Held);
    m_hasHeld = held;
    std::vector<DiagramItem> frame;
    m_scene.headerItems(g, state, 0, frame);
    const QRect badge = badgeRect();
    m_scene.legendItems(g, state, rowsTop() + rowsHeight(), frame, badge.isEmpty() ? -1 : badge.left() - m_style.laneMargin);
    paintItems(p, m_style, frame);
    if (!badge.isEmpty()) {
        p.setPen(Qt::NoPen);
        p.setBrush(palette().color(QPalette::Highlight));
        p.drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        p.setPen(palette().color(QPalette::HighlightedText));
        p.setFont(m_style.small);
        p.drawText(badge, Qt::AlignCenter, badgeText());
    }
    if (m_layout.rows().empty()) {
        p.setFont(m_style.font);
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(0, rowsTop(), viewport()->width(), rowsHeight()), Qt::AlignCenter, emptyText());
    }
}

QString SequenceDiagramView::emptyText() const
{
    // Packets of connections that were removed (the demo, once stopped) leave their lanes but stay
    // in the trace and the Flows tab: "no packets" would disagree with the table below.
    if (m_log.endSequence() > m_log.firstSequence())
        return tr("No packets on the lanes shown.\nThe flows of removed connections stay in the Flows tab.");
    return tr("No packets yet.\nConnect to a broker (Ctrl+K) or run the demo (Ctrl+D).");
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
    if (pos.y() < rowsTop() || pos.y() >= rowsTop() + rowsHeight())
        return std::nullopt;
    const qint64 row = (pos.y() - rowsTop() + verticalScrollBar()->value()) / rowHeight();
    if (row < 0 || row >= qint64(m_layout.rows().size()))
        return std::nullopt;
    return std::size_t(row);
}

void SequenceDiagramView::mousePressEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (badgeRect().contains(pos)) {
        setFrozen(false);
        setFollowing(true);
        return;
    }
    if (pos.y() < rowsTop()) { // a lane's name: drag it to move the lane
        m_dragLane = laneAt(pos.x());
        if (m_dragLane >= 0)
            viewport()->setCursor(Qt::ClosedHandCursor);
        return;
    }
    const auto row = rowAt(pos);
    if (!row)
        return;
    const DiagramRow &r = m_layout.rows()[*row];
    if (r.kind == DiagramRow::Gap || r.kind == DiagramRow::Evicted || !m_log.contains(r.sequence))
        return;
    if (r.count > 1 || m_layout.isExpanded(r.sequence)) { // a burst opens (or closes) where it is
        const auto anchor = topSequence();
        m_layout.toggleBurst(r.sequence);
        afterRebuild(anchor);
        return;
    }
    selectPacket(r.sequence);
    emit packetSelected(*m_selectedPacket);
    emit flowSelected(m_selectedFlow);
}

void SequenceDiagramView::selectPacket(quint64 sequence)
{
    m_selectedPacket = sequence;
    m_selectedFlow = m_flows.flowOf(sequence);
    viewport()->update();
}

void SequenceDiagramView::setHighlightedFlows(const std::set<FlowId> &flows)
{
    m_highlighted = flows;
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
                verticalScrollBar()->setValue(std::max(0, int(*row) * rowHeight() - rowsHeight() / 3));
            }
            break;
        }
    }
    viewport()->update();
}

void SequenceDiagramView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(event->angleDelta().y() > 0 ? 1 : -1);
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
    if (event->type() != QEvent::ToolTip)
        return QAbstractScrollArea::viewportEvent(event);
    const auto *help = static_cast<QHelpEvent *>(event);
    if (const int lane = help->pos().y() < rowsTop() ? laneAt(help->pos().x()) : -1; lane >= 0) {
        QToolTip::showText(help->globalPos(), laneToolTip(lane), this); // the header may show it shortened
        return true;
    }
    const auto row = rowAt(help->pos());
    const DiagramRow *r = row ? &m_layout.rows()[*row] : nullptr;
    if (!r || r->kind == DiagramRow::Gap || r->kind == DiagramRow::Evicted || !m_log.contains(r->sequence)) {
        QToolTip::hideText();
        return true;
    }
    QString tip = traceLine(m_log, r->sequence).trimmed();
    if (r->count > 1)
        tip = tr("%L1 like packets from %2; click to list them one by one").arg(r->count).arg(traceSeconds(m_log.timeUs(r->sequence), TimeResolution::Milliseconds));
    if (const QString v = m_flows.violationAt(r->sequence); !v.isEmpty())
        tip += QStringLiteral("\n\nPeer violation: ") + v;
    if (const auto flow = m_flows.flowOf(r->sequence); flow && m_flows.find(*flow))
        tip += QStringLiteral("\n\n") + m_flows.sentence(m_flows.at(*flow), m_log.clock().nowUs());
    QToolTip::showText(help->globalPos(), tip, this);
    return true;
}

} // namespace mqs
