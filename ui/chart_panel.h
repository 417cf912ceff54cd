#pragma once
// The Charts tab: pick numeric fields (a topic and a JSON path each, or "Chart this" from the
// message view) and watch them live in one chart, time on x; pause, follow, zoom, hover values,
// export as PNG, SVG or CSV. Fed by every batch of messages; redrawn at most ten times a second
// so a fast stream stays fluid.

#include "chart_feed.h"
#include "workbench.h"

#include <QTimer>
#include <QWidget>

class QChart;
class QComboBox;
class QDateTime;
class QDateTimeAxis;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QValueAxis;

namespace mqs {

class LiveChartView;

class ChartPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartPanel)
public:
    // Ten redraws a second look live; more would spend the event loop on drawing.
    static constexpr int kRedrawIntervalMs = 100;

    ChartPanel(Workbench &workbench, QWidget *parent = nullptr);

    // Charts `path` of `topic` as one more series; the problem also shows under the path field.
    [[nodiscard]] Status addField(const QString &topic, const QString &path);
    void removeField(int index);
    const ChartFeed &feed() const { return m_feed; }
    LiveChartView *view() const { return m_view; }
    QChart *chart() const { return m_chart; }
    QLineSeries *lineSeries(int index) const { return m_lines.at(index); }
    // Draws what the feed holds now (the timer does it when new points came).
    void redraw();
    void setPaused(bool paused);
    bool paused() const { return m_paused; }
    // PNG or SVG by the file's suffix.
    [[nodiscard]] Status exportImage(const QString &path);
    [[nodiscard]] Status exportCsv(const QString &path);
    // What the last hover showed: a point's series and value, or a legend entry's whole name.
    QString hoverText() const { return m_hoverText; }
    QDateTimeAxis *timeAxis() const { return m_time; }
    QString statusText() const;
    QLineEdit *pathField() const { return m_path; }
    QComboBox *topicField() const { return m_topic; }
    QLabel *errorLabel() const { return m_error; }

private:
    QWidget *buildPicker();
    QWidget *buildControls();
    void addFromPicker();
    void offerTopics();
    void fitAxes(const std::vector<std::vector<SeriesPoint>> &kept);
    void showHover(const QString &name, const QPointF &point, bool entered);
    // Milliseconds on the time labels when ticks are under a second apart.
    void fitTimeFormat(const QDateTime &from, const QDateTime &to);
    // Legend labels elided in the middle to share the chart's width.
    void fitLegendLabels();
    void showLegendHover(const QString &name, bool entered);
    void chooseExport(const QString &kind);

    Workbench &m_workbench;
    ChartFeed m_feed;
    QChart *m_chart = nullptr;
    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_values = nullptr;
    std::vector<QLineSeries *> m_lines;
    LiveChartView *m_view = nullptr;
    QComboBox *m_topic = nullptr;
    QLineEdit *m_path = nullptr;
    QLabel *m_error = nullptr;
    QComboBox *m_seriesChoice = nullptr;
    QPushButton *m_pause = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_redrawTimer;
    bool m_dirty = false;
    bool m_paused = false;
    QString m_hoverText;
};

} // namespace mqs
