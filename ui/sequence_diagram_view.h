#pragma once
// The live sequence diagram: a lane per party, time flowing down, an arrow per packet coloured
// by its type (one colour code, with a legend under the rows), the arrows of one flow tied by a
// bracket in the gutter. Held packets wait at their sender with a running timer, dropped ones
// end in a cross, idle pauses fold, cuts are lines across. Virtualized: only visible rows are
// turned into items (DiagramScene) and painted, so a million events stay fluid.

#include "diagram_scene.h"

#include <QAbstractScrollArea>

#include <optional>
#include <set>
#include <vector>

class QMenu;

namespace mqs {

class SequenceDiagramView : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SequenceDiagramView)
public:
    SequenceDiagramView(const TraceLog &log, const FlowIndex &flows, QWidget *parent = nullptr);

    // Reads what the trace gained; follows the tail when following. Frozen: only counts it.
    void refresh();

    bool isFollowing() const { return m_follow; }
    bool isFrozen() const { return m_frozen; }
    double zoom() const { return m_zoom; }
    std::optional<quint64> selectedPacket() const { return m_selectedPacket; }
    std::optional<FlowId> selectedFlow() const { return m_selectedFlow; }
    const std::set<FlowId> &highlightedFlows() const { return m_highlighted; }
    const DiagramLayout &layout() const { return m_layout; }
    const DiagramScene &scene() const { return m_scene; }
    const DiagramStyle &style() const { return m_style; }
    int rowHeight() const { return m_style.rowHeight; }
    // What painting uses: palette, selection (none when `withSelection` is false) and the time.
    DiagramPaintState paintState(bool withSelection = true) const;
    DiagramGeometry geometry(int width) const;
    // Where a row's arrow is drawn (viewport coordinates), for tests and tooltips.
    QRect rowRect(std::size_t row) const;
    // The text of a packet's arrow, in full, e.g. "CONNACK session-present=0 …".
    QString label(quint64 sequence) const { return m_layout.packetText(sequence); }
    // What the diagram says when it has no row to draw.
    QString emptyText() const;
    // The time a row shows in the time column (traceSeconds: the trace clock's zero, as every view).
    QString timeText(std::size_t row) const;
    // The rows now on screen.
    std::pair<std::size_t, std::size_t> visibleRows() const;
    // Everything painted for the rows on screen, with the brackets (viewport coordinates).
    std::vector<DiagramItem> visibleItems() const;
    // Packets the trace gained since the view stopped following (or froze); 0 when following.
    quint64 unseenPackets() const { return m_unseen; }
    // "12 new packets ↓" at the bottom right while not following; a click there follows again.
    QString badgeText() const;
    QRect badgeRect() const;
    QRect headerRect(int lane) const; // a lane's name cell, viewport coordinates
    // What a lane's header cell reads at the view's width (laneCaption), and its tooltip: the full
    // name and the lane's role.
    QString headerText(int lane) const;
    QString laneToolTip(int lane) const;

    // Lanes: shown, hidden, moved (the order is kept by laneOrderChanged), a connection's retired.
    void setLaneHidden(int lane, bool hidden);
    void showOnlyLanes(const std::set<int> &lanes);
    void showAllLanes();
    void moveLane(int lane, int before);
    void setSavedLaneOrder(const QStringList &names);
    void retireConnection(ConnectionId id);
    // Fills `menu` with a check per lane and "Show all lanes".
    void fillLanesMenu(QMenu *menu);

public slots:
    void setFollowing(bool follow);
    void setFrozen(bool frozen);
    void setZoom(double zoom);
    // Zooms `steps` levels of DiagramStyle::kZoomSteps in (out, when negative).
    void zoomBy(int steps) { setZoom(DiagramStyle::zoomStep(m_zoom, steps)); }
    void setCompact(bool compact);
    void setGroupBursts(bool group);
    void selectPacket(quint64 sequence);
    void selectFlow(mqs::FlowId flow); // selects its arrows and scrolls to them
    // Emphasises these flows' arrows and brackets besides the selected one (e.g. a message's other hop).
    void setHighlightedFlows(const std::set<mqs::FlowId> &flows);
    // The other hops of the selected flow's message (the inspector's links), emphasised alike.
    void setLinkedFlows(const std::vector<mqs::FlowId> &flows) { setHighlightedFlows({flows.begin(), flows.end()}); }

signals:
    void packetSelected(quint64 sequence);
    void flowSelected(std::optional<mqs::FlowId> flow);
    void followingChanged(bool following);
    void frozenChanged(bool frozen);
    void laneOrderChanged(const QStringList &names);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    int rowsTop() const { return m_style.headerHeight; }
    int rowsHeight() const;
    void restyle(); // after zoom, compact or font changes: keeps the top row in place
    void afterRebuild(std::optional<quint64> anchor);
    std::optional<quint64> topSequence() const;
    void scrollToSequence(quint64 sequence);
    void updateScrollBar();
    void countUnseen();
    std::optional<std::size_t> rowAt(const QPoint &pos) const;
    int laneAt(int x) const;

    const TraceLog &m_log;
    const FlowIndex &m_flows;
    DiagramLayout m_layout;
    DiagramScene m_scene;
    DiagramStyle m_style;
    bool m_follow = true;
    bool m_frozen = false;
    bool m_compact = false;
    double m_zoom = 1.0;
    std::optional<quint64> m_selectedPacket;
    std::optional<FlowId> m_selectedFlow;
    std::set<FlowId> m_highlighted;
    quint64 m_unseen = 0;
    quint64 m_countedTo = 0; // trace sequence counted for m_unseen up to
    int m_dragLane = -1;
    mutable bool m_hasHeld = false;
};

} // namespace mqs
