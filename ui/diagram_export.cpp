#include "diagram_export.h"

#include "number_locale.h"
#include "trace/trace_text.h"

#include <QDateTime>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include <algorithm>

namespace mqs {
namespace {

constexpr int kMinExportWidth = 640; // narrower pictures read badly in documents
constexpr int kMaxPngScale = 3;

struct ExportPicture {
    DiagramGeometry geometry;
    std::vector<std::size_t> rows;
    int titleHeight = 0;
    QSize size;
};

ExportPicture plan(const SequenceDiagramView &view, const std::set<FlowId> &flows)
{
    ExportPicture picture;
    picture.rows = exportedRows(view, flows);
    const DiagramStyle &style = view.style();
    const std::vector<int> lanes = flows.empty() ? view.layout().laneOrder() : view.scene().lanesOf(picture.rows);
    const int width = view.scene().widthForFullLabels(style, lanes, picture.rows, std::max(kMinExportWidth, view.viewport()->width()),
                                                      view.paintState(false).nowUs);
    picture.geometry = view.scene().geometry(style, width, lanes);
    picture.titleHeight = QFontMetrics(style.bold).height() + 4 * style.pad;
    picture.size = QSize(width, picture.titleHeight + style.headerHeight + int(picture.rows.size()) * style.rowHeight + style.legendHeight);
    return picture;
}

QString titleOf(const SequenceDiagramView &view, const ExportPicture &picture, const std::set<FlowId> &flows)
{
    const TraceLog &log = view.layout().log();
    QString span;
    if (!picture.rows.empty()) {
        const qint64 first = log.timeUs(view.layout().rows()[picture.rows.front()].sequence);
        const qint64 last = log.timeUs(view.layout().rows()[picture.rows.back()].sequence);
        const quint64 sequence = view.layout().rows()[picture.rows.front()].sequence;
        const auto connection = log.connection(log.connectionOf(sequence)).value_or(TraceConnection{}); // a capture's own clock
        const QDateTime wall = QDateTime::fromMSecsSinceEpoch(wallTimeUs(log, connection, first) / 1000, Qt::UTC);
        span = QObject::tr("%1 s to %2 s of the trace (from %3)")
                   .arg(traceSeconds(first, TimeResolution::Milliseconds), traceSeconds(last, TimeResolution::Milliseconds),
                        wall.toString(Qt::ISODate));
    }
    return flows.empty() ? QObject::tr("MQTT Scope sequence diagram — %1").arg(span)
                         : QObject::tr("MQTT Scope sequence diagram, %1 — %2")
                               .arg(countText(qint64(flows.size()), QObject::tr("flow"), QObject::tr("flows")), span);
}

void render(QPainter &p, const SequenceDiagramView &view, const ExportPicture &picture, const QString &title)
{
    const DiagramStyle &style = view.style();
    const DiagramGeometry &g = picture.geometry;
    const DiagramPaintState state = view.paintState(false);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(QRect(QPoint(0, 0), picture.size), state.palette.color(QPalette::Base));
    std::vector<DiagramItem> items;
    const QFontMetrics bold(style.bold);
    DiagramItem heading;
    heading.kind = DiagramItem::Text;
    heading.font = DiagramItem::Bold;
    heading.text = bold.elidedText(title, Qt::ElideRight, picture.size.width() - 4 * style.pad);
    heading.rect = QRectF(2 * style.pad, 2 * style.pad, bold.horizontalAdvance(heading.text), bold.height());
    heading.color = state.palette.color(QPalette::Text);
    items.push_back(heading);
    const int rowsTop = picture.titleHeight + style.headerHeight;
    const int rowsBottom = rowsTop + int(picture.rows.size()) * style.rowHeight;
    p.setPen(QPen(state.palette.color(QPalette::Mid), 1, Qt::DotLine));
    for (int lane : g.order)
        p.drawLine(g.x(lane), rowsTop, g.x(lane), rowsBottom);
    // the chosen rows one after another, as if they were contiguous
    std::vector<std::pair<std::size_t, int>> placed;
    for (std::size_t i = 0; i < picture.rows.size(); ++i) {
        const int top = rowsTop + int(i) * style.rowHeight;
        placed.emplace_back(picture.rows[i], top);
        view.scene().rowItems(g, state, picture.rows[i], top, items);
    }
    view.scene().bracketItems(g, state, placed, false, items);
    view.scene().headerItems(g, state, picture.titleHeight, items);
    view.scene().legendItems(g, state, rowsBottom, items);
    paintItems(p, style, items);
}

} // namespace

std::vector<std::size_t> exportedRows(const SequenceDiagramView &view, const std::set<FlowId> &flows)
{
    std::vector<std::size_t> rows;
    const auto &all = view.layout().rows();
    if (all.empty())
        return rows;
    const auto [first, last] = flows.empty() ? view.visibleRows() : std::pair<std::size_t, std::size_t>{0, all.size() - 1};
    std::set<FlowId> hops;
    for (FlowId f : flows)
        hops.insert(view.layout().hopFlow(f));
    for (std::size_t r = first; r <= last && r < all.size(); ++r) {
        if (flows.empty()) {
            rows.push_back(r);
            continue;
        }
        const auto flow = all[r].kind == DiagramRow::Arrow ? view.layout().flows().flowOf(all[r].sequence) : std::nullopt;
        if (flow && hops.contains(view.layout().hopFlow(*flow)))
            rows.push_back(r);
    }
    return rows;
}

Status exportDiagram(const SequenceDiagramView &view, const QString &path, const DiagramExportOptions &options)
{
    const ExportPicture picture = plan(view, options.flows);
    if (picture.rows.empty())
        return Problem{ProblemKind::State, options.flows.empty() ? QObject::tr("The diagram is empty; there is nothing to export.")
                                                                 : QObject::tr("The selected flow has no rows in the diagram.")};
    const QString title = titleOf(view, picture, options.flows);
    if (path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) {
        const int scale = std::clamp(options.scale, 1, kMaxPngScale);
        QImage image(picture.size * scale, QImage::Format_ARGB32);
        image.setDevicePixelRatio(scale);
        QPainter painter(&image);
        render(painter, view, picture, title);
        painter.end();
        if (!image.save(path))
            return Problem{ProblemKind::File, QObject::tr("Could not write %1.").arg(path)};
        return {};
    }
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(picture.size);
    svg.setViewBox(QRect(QPoint(0, 0), picture.size));
    svg.setTitle(title);
    svg.setDescription(QObject::tr("Exported by MQTT Scope"));
    QPainter painter;
    if (!painter.begin(&svg))
        return Problem{ProblemKind::File, QObject::tr("Could not write %1.").arg(path)};
    render(painter, view, picture, title);
    painter.end();
    return {};
}

} // namespace mqs
