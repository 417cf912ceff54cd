#pragma once
// The live sequence diagram: a lane per party, time flowing down, an arrow per packet coloured
// by type, the arrows of one flow tied by a bracket in the flow's hue. Held packets wait at
// their sender with a running timer, dropped ones end in a cross, resends are marked, idle
// pauses fold, cuts are lines across. Custom painted and virtualized: only visible rows are laid
// out, so a million events stay fluid.

#include "diagram_layout.h"

#include <QAbstractScrollArea>
#include <QCache>

#include <optional>
#include <set>

namespace mqs {

class SequenceDiagramView : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SequenceDiagramView)
public:
    SequenceDiagramView(const TraceLog &log, const FlowIndex &flows, QWidget *parent = nullptr);

    // Reads what the trace gained; follows the tail when following.
    void refresh();

    bool isFollowing() const { return m_follow; }
    double zoom() const { return m_zoom; }
    std::optional<quint64> selectedPacket() const { return m_selectedPacket; }
    std::optional<FlowId> selectedFlow() const { return m_selectedFlow; }
    const DiagramLayout &layout() const { return m_layout; }
    int rowHeight() const;
    // Where a row's arrow is drawn (viewport coordinates), for tests and tooltips.
    QRect rowRect(std::size_t row) const;
    // The text of a packet's arrow before it is elided to fit, e.g. "CONNACK session-present=0 …".
    QString label(quint64 sequence) const;
    // The time a row shows in the time column (traceSeconds: the trace clock's zero, as every view).
    QString timeText(std::size_t row) const;

    // Renders rows [first, last] (all rows when empty), or only `flows`' rows when given.
    void renderTo(QPainter &painter, const QSize &size, std::size_t first, std::size_t last,
                  const std::set<FlowId> &flows = {}) const;
    QSize renderSize(std::size_t first, std::size_t last, const std::set<FlowId> &flows = {}) const;
    // The rows now on screen.
    std::pair<std::size_t, std::size_t> visibleRows() const;

public slots:
    void setFollowing(bool follow);
    void setZoom(double zoom);
    void setCompact(bool compact);
    void selectPacket(quint64 sequence);
    void selectFlow(mqs::FlowId flow); // selects its arrows and scrolls to them

signals:
    void packetSelected(quint64 sequence);
    void flowSelected(std::optional<mqs::FlowId> flow);
    void followingChanged(bool following);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    struct Geometry {
        int timeColumn = 64;
        int headerHeight = 28;
        std::vector<int> laneX; // by lane index
        int width = 0;
    };

    Geometry geometry(int width) const;
    // `decorations`: lane lines and flow brackets (off when rows are not drawn in place).
    void paintRows(QPainter &p, const Geometry &g, const std::vector<std::size_t> &rows, int top, int rowHeight,
                   bool header, int headerTop, bool decorations) const;
    void paintArrow(QPainter &p, const Geometry &g, const DiagramRow &row, int y, int rowHeight) const;
    void paintNote(QPainter &p, const Geometry &g, const DiagramRow &row, int y, int rowHeight) const;
    void paintEvicted(QPainter &p, const Geometry &g, int y, int rowHeight) const;
    bool isEvicted(const DiagramRow &row) const; // its event left the trace after the last refresh()
    QColor flowColor(FlowId flow) const;
    void updateScrollBar();
    std::optional<std::size_t> rowAt(const QPoint &pos) const;

    const TraceLog &m_log;
    const FlowIndex &m_flows;
    DiagramLayout m_layout;
    bool m_follow = true;
    bool m_compact = false;
    double m_zoom = 1.0;
    std::optional<quint64> m_selectedPacket;
    std::optional<FlowId> m_selectedFlow;
    mutable QCache<quint64, QString> m_labels{20000};
    bool m_hasHeld = false;
};

// One colour per packet type, readable on light and dark palettes.
QColor packetColor(PacketType type, bool dark);

} // namespace mqs
