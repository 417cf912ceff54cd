#include "chart_panel.h"

#include "live_chart_view.h"
#include "theme.h"

#include "payload/message_export.h"

#include <QAbstractItemView>
#include <QChart>
#include <QComboBox>
#include <QCompleter>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QFontMetrics>
#include <QImage>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

namespace mqs {
namespace {

// A flat line still gets a band around it, so it is not drawn on the plot's edge.
constexpr double kFlatLineMargin = 1.0;
// Room above and below the extremes, as a share of the range.
constexpr double kValueMargin = 0.05;
// Up to this many points a series shows a marker at each: a lone point has no segment to draw,
// and a few readings read better as readings than as a line.
constexpr qsizetype kMarkedPointsAtMost = 20;
// Time labels closer together than a second need the milliseconds, or two ticks read the same.
constexpr qint64 kSecondMs = 1000;
// A marker as wide as a few line widths: a lone reading must be found at a glance.
constexpr qreal kMarkerPx = 9;
// A legend entry's square and the gaps around it, in text heights.
constexpr int kLegendMarkerRoom = 3;
// A legend label keeps at least this many characters however many series share the row.
constexpr int kShortestLegendChars = 12;

// One point still gets this much time axis, itself near the middle: a range of nothing has no
// labels to tell its ticks apart.
constexpr qint64 kShortestSpanMs = 1000;

// The time axis for points from `first` to `last` (ms since the epoch) with `ticks` ticks. A span
// shorter than kShortestSpanMs is widened to it and starts on a whole tick step, so that its end
// labels read as round times (12:00:07.250, not 12:00:07.283) with the points inside.
std::pair<qint64, qint64> timeSpan(qint64 first, qint64 last, int ticks)
{
    const qint64 missing = kShortestSpanMs - (last - first);
    if (missing <= 0)
        return {first, last};
    const qint64 step = kShortestSpanMs / std::max(1, ticks - 1);
    const qint64 centred = first - missing / 2;
    const qint64 onStep = (centred + step / 2) / step * step; // the nearest step: at most half one off centre
    if (onStep <= first && last <= onStep + kShortestSpanMs)
        return {onStep, onStep + kShortestSpanMs};
    return {centred, centred + kShortestSpanMs}; // rounding would push a point off the axis
}

// A round dot in the series' colour, drawn at each point of a series with few.
QImage markerDot(const QColor &colour)
{
    const int side = qRound(kMarkerPx);
    QImage dot(side, side, QImage::Format_ARGB32_Premultiplied);
    dot.fill(Qt::transparent);
    QPainter painter(&dot);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(colour);
    painter.drawEllipse(dot.rect());
    return dot;
}

Status writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Problem{ProblemKind::File, QStringLiteral("Could not write %1: %2.").arg(path, file.errorString())};
    return {};
}

} // namespace

ChartPanel::ChartPanel(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_feed(workbench.decoders())
{
    connect(&workbench, &Workbench::decodersChanged, this, [this] { m_feed.setDecoders(m_workbench.decoders()); });
    m_feed.setSparkplugNames(&workbench.sparkplug());
    m_chart = new QChart;
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    if (palette().color(QPalette::Window).lightness() < 128)
        m_chart->setTheme(QChart::ChartThemeDark);
    m_time = new QDateTimeAxis;
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    connect(m_time, &QDateTimeAxis::rangeChanged, this, &ChartPanel::fitTimeFormat);
    m_time->setTitleText(tr("Time"));
    m_values = new QValueAxis;
    // A range before the axis joins the chart: Qt Charts 6.4 lays out a date-time axis that
    // joins with its default range without room for it, and never draws it.
    const QDateTime now = QDateTime::currentDateTime();
    m_time->setRange(now.addSecs(-60), now);
    m_values->setRange(0, 1);
    m_chart->addAxis(m_time, Qt::AlignBottom);
    m_chart->addAxis(m_values, Qt::AlignLeft);
    m_view = new LiveChartView(this);
    m_view->setObjectName(QStringLiteral("liveChart"));
    m_view->setChart(m_chart);
    connect(m_chart, &QChart::plotAreaChanged, this, &ChartPanel::fitLegendLabels);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildPicker());
    layout->addWidget(m_error);
    layout->addWidget(m_view, 1);
    layout->addWidget(buildControls());

    connect(&workbench, &Workbench::messagesArriving, this, [this](const std::vector<StoredMessage> &messages) {
        m_dirty = m_feed.feed(messages) || m_dirty;
    });
    connect(&workbench, &Workbench::batch, this, &ChartPanel::offerTopics);
    m_redrawTimer.setInterval(kRedrawIntervalMs);
    connect(&m_redrawTimer, &QTimer::timeout, this, [this] {
        if (m_dirty && !m_paused)
            redraw();
    });
    m_redrawTimer.start();
    redraw();
}

QWidget *ChartPanel::buildPicker()
{
    m_topic = new QComboBox(this);
    m_topic->setObjectName(QStringLiteral("chartTopic"));
    m_topic->setEditable(true);
    m_topic->setInsertPolicy(QComboBox::NoInsert);
    m_topic->setMinimumContentsLength(16);
    m_topic->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_topic->lineEdit()->setPlaceholderText(tr("Topic"));
    m_topic->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_path = new QLineEdit(QStringLiteral("$"), this);
    m_path->setObjectName(QStringLiteral("chartPath"));
    m_path->setPlaceholderText(QStringLiteral("$.temperature"));
    m_path->setToolTip(tr("A JSON path into the decoded payload: $ is the whole payload as a number, "
                          "$.a.b[2].c a field, $.metrics[?(@.name=='Temperature')].value a list element by name."));
    auto *add = new QPushButton(tr("&Add to chart"), this);
    add->setObjectName(QStringLiteral("chartAdd"));
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("chartError"));
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_error->setWordWrap(true);
    m_error->hide();
    connect(add, &QPushButton::clicked, this, &ChartPanel::addFromPicker);
    connect(m_path, &QLineEdit::returnPressed, this, &ChartPanel::addFromPicker);
    connect(m_path, &QLineEdit::textChanged, this, [this](const QString &text) {
        const auto parsed = JsonPath::parse(text.trimmed()); // the problem shows as the user types
        m_error->setVisible(!parsed && !text.trimmed().isEmpty());
        m_error->setText(parsed.sentence());
    });

    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Field:"), this));
    row->addWidget(m_topic, 3);
    row->addWidget(m_path, 2);
    row->addWidget(add);
    return box;
}

QWidget *ChartPanel::buildControls()
{
    m_pause = new QPushButton(tr("&Pause"), this);
    m_pause->setObjectName(QStringLiteral("chartPause"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the chart; values keep being recorded."));
    auto *follow = new QPushButton(tr("&Follow latest"), this);
    follow->setObjectName(QStringLiteral("chartFollow"));
    follow->setToolTip(tr("Reset the zoom and follow the newest values. Zoom with the wheel or by dragging a box."));
    m_seriesChoice = new QComboBox(this);
    m_seriesChoice->setObjectName(QStringLiteral("chartSeriesChoice"));
    m_seriesChoice->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_seriesChoice->setMinimumContentsLength(12);
    auto *remove = new QPushButton(tr("&Remove"), this);
    auto *exportButton = new QPushButton(tr("&Export"), this);
    auto *menu = new QMenu(exportButton);
    menu->addAction(tr("Chart as PNG…"), this, [this] { chooseExport(QStringLiteral("png")); });
    menu->addAction(tr("Chart as SVG…"), this, [this] { chooseExport(QStringLiteral("svg")); });
    menu->addAction(tr("Data as CSV…"), this, [this] { chooseExport(QStringLiteral("csv")); });
    exportButton->setMenu(menu);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("chartStatus"));
    // Its own line under the buttons, wrapped: beside them a 1366-pixel screen left it a dozen
    // characters, and cut counts read as wrong counts.
    m_status->setWordWrap(true);
    connect(m_pause, &QPushButton::toggled, this, &ChartPanel::setPaused);
    connect(follow, &QPushButton::clicked, this, [this] {
        m_view->resetZoom();
        setPaused(false);
        redraw();
    });
    connect(remove, &QPushButton::clicked, this, [this] { removeField(m_seriesChoice->currentIndex()); });

    auto *box = new QWidget(this);
    auto *lines = new QVBoxLayout(box);
    lines->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    row->addWidget(m_pause);
    row->addWidget(follow);
    row->addWidget(m_seriesChoice);
    row->addWidget(remove);
    row->addWidget(exportButton);
    row->addStretch(1);
    lines->addLayout(row);
    lines->addWidget(m_status);
    return box;
}

void ChartPanel::offerTopics()
{
    if (m_topic->view()->isVisible() || int(m_workbench.messages().topics().size()) == m_topic->count())
        return; // the list is open, or nothing new to offer
    const QString typed = m_topic->currentText();
    auto topics = m_workbench.messages().topics();
    std::sort(topics.begin(), topics.end());
    m_topic->clear();
    for (const QString &t : topics)
        m_topic->addItem(t);
    m_topic->setCurrentText(typed);
}

void ChartPanel::addFromPicker()
{
    const Status added = addField(m_topic->currentText().trimmed(), m_path->text());
    if (added)
        m_path->selectAll();
}

Status ChartPanel::addField(const QString &topic, const QString &path)
{
    Status added = m_feed.add(topic, path);
    m_error->setVisible(!added);
    m_error->setText(added.sentence());
    if (!added)
        return added;
    const ChartField &field = m_feed.fields().back();
    auto *line = new QLineSeries(m_chart);
    line->setName(field.name());
    m_chart->addSeries(line);
    line->attachAxis(m_time);
    line->attachAxis(m_values);
    const QString name = field.name();
    connect(line, &QLineSeries::hovered, this, [this, name](const QPointF &point, bool entered) { showHover(name, point, entered); });
    // The legend may shorten the name; hovering its entry shows it whole.
    for (QLegendMarker *marker : m_chart->legend()->markers(line))
        connect(marker, &QLegendMarker::hovered, this, [this, name](bool entered) { showLegendHover(name, entered); });
    m_lines.push_back(line);
    m_seriesChoice->addItem(name);
    m_seriesChoice->setCurrentIndex(m_seriesChoice->count() - 1);
    // Past samples of the topic that the store still keeps: the chart starts with a history.
    m_feed.backfill(m_feed.fields().size() - 1, m_workbench.messages().messages(topic));
    fitLegendLabels();
    redraw();
    return added;
}

void ChartPanel::removeField(int index)
{
    if (index < 0 || index >= int(m_lines.size()))
        return;
    m_chart->removeSeries(m_lines[std::size_t(index)]);
    delete m_lines[std::size_t(index)];
    m_lines.erase(m_lines.begin() + index);
    m_feed.remove(std::size_t(index));
    m_seriesChoice->removeItem(index);
    fitLegendLabels();
    redraw();
}

void ChartPanel::setPaused(bool paused)
{
    m_paused = paused;
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused);
    if (!paused && m_dirty)
        redraw();
}

void ChartPanel::redraw()
{
    m_dirty = false;
    std::vector<std::vector<SeriesPoint>> kept;
    kept.reserve(m_feed.fields().size());
    for (const ChartField &f : m_feed.fields())
        kept.push_back(f.history.points());
    // The axes first: Qt Charts recomputes every series' geometry on a range change, so doing it
    // after the points would lay each series out twice.
    if (m_view->following())
        fitAxes(kept);
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        QList<QPointF> drawn;
        drawn.reserve(qsizetype(kept[i].size()));
        for (const SeriesPoint &p : kept[i])
            drawn.append(QPointF(double(p.timeMs), p.value));
        const bool marked = drawn.size() <= kMarkedPointsAtMost;
        if (marked != !m_lines[i]->lightMarker().isNull()) {
            m_lines[i]->setMarkerSize(kMarkerPx);
            m_lines[i]->setLightMarker(marked ? markerDot(m_lines[i]->pen().color()) : QImage());
        }
        m_lines[i]->replace(drawn);
    }
    m_status->setText(statusText());
    m_status->setToolTip(m_status->text()); // whole, when a narrow window cuts the label
}

void ChartPanel::fitAxes(const std::vector<std::vector<SeriesPoint>> &kept)
{
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    double low = std::numeric_limits<double>::max();
    double high = std::numeric_limits<double>::lowest();
    for (const auto &points : kept)
        for (const SeriesPoint &p : points) {
            first = std::min(first, p.timeMs);
            last = std::max(last, p.timeMs);
            low = std::min(low, p.value);
            high = std::max(high, p.value);
        }
    if (first > last) { // nothing yet: the last minute, 0 to 1
        const QDateTime now = QDateTime::currentDateTime();
        m_time->setRange(now.addSecs(-60), now);
        m_values->setRange(0, 1);
        return;
    }
    const auto [fromMs, toMs] = timeSpan(first, last, m_time->tickCount());
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(toMs);
    if (from != m_time->min() || to != m_time->max())
        m_time->setRange(from, to);
    const double margin = high > low ? (high - low) * kValueMargin : kFlatLineMargin;
    // Nice numbers for the value axis, set only when they change: the labels stay still.
    QValueAxis nice;
    nice.setRange(low - margin, high + margin);
    nice.applyNiceNumbers();
    if (nice.min() != m_values->min() || nice.max() != m_values->max() || nice.tickCount() != m_values->tickCount()) {
        m_values->setRange(nice.min(), nice.max());
        m_values->setTickCount(nice.tickCount());
    }
}

void ChartPanel::fitTimeFormat(const QDateTime &from, const QDateTime &to)
{
    const qint64 tickStepMs = from.msecsTo(to) / std::max(1, m_time->tickCount() - 1);
    const QString format = tickStepMs < kSecondMs ? QStringLiteral("HH:mm:ss.zzz") : QStringLiteral("HH:mm:ss");
    if (m_time->format() != format)
        m_time->setFormat(format);
}

void ChartPanel::fitLegendLabels()
{
    if (m_lines.empty())
        return;
    // Elided in the middle: series of one device differ at the end of their names (the metric),
    // which the legend's own cut at the right would drop, leaving entries that look alike.
    const QFontMetrics metrics(m_chart->legend()->font());
    const int share = int(m_chart->size().width()) / int(m_lines.size()) - kLegendMarkerRoom * metrics.height();
    const int room = std::max(share, kShortestLegendChars * metrics.averageCharWidth());
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        const QString label = metrics.elidedText(m_feed.fields()[i].name(), Qt::ElideMiddle, room);
        for (QLegendMarker *marker : m_chart->legend()->markers(m_lines[i]))
            if (marker->label() != label)
                marker->setLabel(label);
    }
}

void ChartPanel::showLegendHover(const QString &name, bool entered)
{
    if (!entered) {
        QToolTip::hideText();
        return;
    }
    m_hoverText = name;
    QToolTip::showText(QCursor::pos(), name, m_view);
}

QString ChartPanel::statusText() const
{
    quint64 samples = 0;
    for (const ChartField &f : m_feed.fields())
        samples += f.history.samples();
    const QLocale numbers = locale();
    return tr("%1 series · %2 values · %3 points drawn%4")
        .arg(numbers.toString(qulonglong(m_feed.fields().size())), numbers.toString(qulonglong(samples)),
             numbers.toString(qulonglong(m_feed.pointsKept())), m_paused ? tr(" · paused") : QString());
}

void ChartPanel::showHover(const QString &name, const QPointF &point, bool entered)
{
    if (!entered) {
        QToolTip::hideText();
        return;
    }
    m_hoverText = tr("%1\n%2  %3")
                      .arg(name, QDateTime::fromMSecsSinceEpoch(qint64(point.x())).toString(QStringLiteral("HH:mm:ss.zzz")),
                           QLocale().toString(point.y(), 'g', 6));
    QToolTip::showText(QCursor::pos(), m_hoverText, m_view);
}

Status ChartPanel::exportImage(const QString &path)
{
    if (QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(m_view->size());
        svg.setViewBox(QRect(QPoint(0, 0), m_view->size()));
        svg.setTitle(tr("MQTT Scope chart"));
        QPainter painter;
        if (!painter.begin(&svg))
            return Problem{ProblemKind::File, QStringLiteral("Could not write %1.").arg(path)};
        m_view->render(&painter);
        painter.end();
        return {};
    }
    if (!m_view->grab().save(path, "PNG"))
        return Problem{ProblemKind::File, QStringLiteral("Could not write %1.").arg(path)};
    return {};
}

Status ChartPanel::exportCsv(const QString &path)
{
    std::vector<NamedSeries> series;
    for (const ChartField &f : m_feed.fields())
        series.push_back({f.name(), f.history.points()});
    return writeFile(path, seriesCsv(series));
}

void ChartPanel::chooseExport(const QString &kind)
{
    const QString filter = kind == u"csv" ? tr("CSV (*.csv)") : kind == u"svg" ? tr("SVG image (*.svg)") : tr("PNG image (*.png)");
    QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QStringLiteral("chart.") + kind, filter);
    if (path.isEmpty())
        return;
    const Status written = kind == u"csv" ? exportCsv(path) : exportImage(path);
    m_error->setVisible(!written);
    m_error->setText(written.sentence());
}

} // namespace mqs
