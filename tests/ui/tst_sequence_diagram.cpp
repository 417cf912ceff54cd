// The sequence diagram as a reader uses it (offscreen, on the demo's real sandbox broker and a
// real mosquitto): lanes ordered by role and kept in order, hidden, dragged and removed with
// their connection; zoom that scales everything and keeps the place; no two texts or marks
// overlapping at any zoom; the new-packets badge, freezing, bursts grouped at high rates, and
// exports with full labels, a title, the legend, and only the selected flow's lanes.

#include "diagram_export.h"
#include "main_window.h"
#include "mosquitto_fixture.h"
#include "sequence_diagram_view.h"
#include "theme.h"
#include "window_fixture.h"

#include "protocol/encoder.h"

#include <QAction>
#include <QFile>
#include <QImage>
#include <QScrollBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace mqs;
using namespace mqs::test;

namespace {

const QString kSensor = QStringLiteral("living-room sensor");
const QString kBroker = QStringLiteral("sandbox broker");
const QString kDashboard = QStringLiteral("dashboard");

QStringList laneNames(const SequenceDiagramView &view)
{
    QStringList names;
    for (int lane : view.layout().laneOrder())
        names << view.layout().lanes()[std::size_t(lane)].name;
    return names;
}

int arrowCount(const SequenceDiagramView &view)
{
    int n = 0;
    for (const DiagramRow &row : view.layout().rows())
        n += row.kind == DiagramRow::Arrow ? 1 : 0;
    return n;
}

QString describe(const DiagramItem &item)
{
    return QStringLiteral("%1 [%2,%3 %4×%5]").arg(item.text.isEmpty() ? QStringLiteral("(mark %1)").arg(int(item.kind)) : item.text)
        .arg(item.rect.x()).arg(item.rect.y()).arg(item.rect.width()).arg(item.rect.height());
}

struct SvgContents {
    QStringList texts;
    QString title;
    QStringList fills;
    bool ok = false;
};

SvgContents readSvg(const QString &path)
{
    SvgContents svg;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return svg;
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (const auto fill = xml.attributes().value(QLatin1String("fill")); !fill.isEmpty())
            svg.fills << fill.toString().toLower();
        if (xml.name() == QLatin1String("title"))
            svg.title = xml.readElementText();
        else if (xml.name() == QLatin1String("text"))
            svg.texts << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed();
    }
    svg.ok = !xml.hasError();
    return svg;
}

// The left column holds the times and the flow brackets (their lines and end dots) only: no
// label, arrowhead or state word reaches into it, and no bracket runs into a time or a row's
// text. Lines are not "occupying" items for firstOverlap(), so brackets are checked here.
std::optional<QString> leftColumnProblem(const std::vector<DiagramItem> &items, const DiagramStyle &style)
{
    const qreal columnRight = style.contentLeft();
    auto isBracket = [columnRight](const DiagramItem &item) {
        return item.kind == DiagramItem::Line && item.line.x1() == item.line.x2() && item.line.x1() < columnRight;
    };
    for (const DiagramItem &item : items) {
        if (isBracket(item) || (item.kind == DiagramItem::Dot && item.rect.left() < columnRight)) {
            if (item.rect.right() > columnRight || (item.kind == DiagramItem::Line && item.line.x1() + item.width / 2 > columnRight))
                return QStringLiteral("a bracket runs out of the left column: %1").arg(describe(item));
            continue;
        }
        if (!item.occupies() || item.rect.left() >= columnRight)
            continue;
        const bool time = item.kind == DiagramItem::Text && item.font == DiagramItem::Small && item.rect.right() <= style.timeColumn;
        if (!time)
            return QStringLiteral("%1 reaches into the left column (right edge %2)").arg(describe(item)).arg(columnRight);
    }
    for (const DiagramItem &bracket : items) {
        if (!isBracket(bracket))
            continue;
        const QRectF band(bracket.line.x1() - bracket.width / 2, std::min(bracket.line.y1(), bracket.line.y2()), bracket.width,
                          std::abs(bracket.line.y2() - bracket.line.y1()));
        for (const DiagramItem &item : items)
            if (item.occupies() && item.kind != DiagramItem::Dot && item.rect.intersects(band))
                return QStringLiteral("a bracket at x %1 crosses %2").arg(bracket.line.x1()).arg(describe(item));
    }
    return std::nullopt;
}

} // namespace

class TestSequenceDiagram : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // The demo (sensor → sandbox broker → dashboard, QoS 2) in a window of `size`.
    std::unique_ptr<MainWindow> demoWindow(const QString &name, QSize size = {1600, 1000}, QStringList faults = {})
    {
        MainWindow::Options o;
        o.demo = true;
        o.demoIntervalMs = 100;
        o.demoFaults = std::move(faults);
        o.settingsPath = m_dir.filePath(name + QStringLiteral(".ini"));
        o.storePath = m_dir.filePath(name + QStringLiteral(".db"));
        auto w = std::make_unique<MainWindow>(o);
        w->resize(size);
        w->show();
        return w;
    }

    static bool waitForArrows(MainWindow &w, int arrows)
    {
        return QTest::qWaitFor([&] { return arrowCount(*w.diagram()) >= arrows; }, 15000);
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void lanesStandByRoleAndKeepTheirOrder()
    {
        MosquittoBroker mosquitto;
        if (const Status started = mosquitto.start(); !started)
            QFAIL(qPrintable(started.sentence()));
        auto w = demoWindow(QStringLiteral("roles"));
        QVERIFY(waitForArrows(*w, 20));
        QCOMPARE(laneNames(*w->diagram()), (QStringList{kSensor, kBroker, kDashboard}));
        // A connection whose name says "broker" is still a client: the name decides nothing.
        Connection *watcher = w->addConnection(profileFor(mosquitto.url(), QStringLiteral("broker-watcher")), true);
        QTRY_COMPARE_WITH_TIMEOUT(watcher->state(), ConnectionState::Connected, 5000);
        watcher->subscribe({Subscription{QStringLiteral("#"), {QoS::AtMostOnce}}});
        const QString mosquittoLane = QStringLiteral("broker ") + watcher->settings().url.hostAndPort();
        QTRY_COMPARE(laneNames(*w->diagram()), (QStringList{kSensor, kBroker, mosquittoLane, kDashboard, QStringLiteral("broker-watcher")}));
        const auto lanes = w->diagram()->layout().lanes();
        QCOMPARE(lanes[std::size_t(w->diagram()->layout().laneNamed(mosquittoLane))].role, LaneRole::Broker);
        QCOMPARE(lanes[std::size_t(w->diagram()->layout().laneNamed(QStringLiteral("broker-watcher")))].role, LaneRole::Subscriber);
        // The broker lane's name is shown whole: there is room for it.
        w->diagram()->grab();
        const int lane = w->diagram()->layout().laneNamed(mosquittoLane);
        std::vector<DiagramItem> header;
        const DiagramGeometry roomy = w->diagram()->scene().geometry(w->diagram()->style(), 1200, w->diagram()->layout().laneOrder());
        w->diagram()->scene().headerItems(roomy, w->diagram()->paintState(), 0, header);
        QVERIFY(std::any_of(header.begin(), header.end(), [&](const DiagramItem &i) { return i.text == mosquittoLane; }));
        QVERIFY(roomy.laneWidth[std::size_t(lane)] > QFontMetrics(w->diagram()->style().bold).horizontalAdvance(mosquittoLane));

        // Removed: its lanes go, what it traced stays in the trace.
        const quint64 traced = w->workbench().trace().size();
        w->workbench().removeConnection(watcher);
        QTRY_COMPARE(laneNames(*w->diagram()), (QStringList{kSensor, kBroker, kDashboard}));
        QVERIFY(w->workbench().trace().size() >= traced);
        for (const DiagramRow &row : w->diagram()->layout().rows())
            if (row.kind == DiagramRow::Arrow)
                QVERIFY(w->workbench().trace().connection(w->workbench().trace().connectionOf(row.sequence))->name != QStringLiteral("broker-watcher"));
    }

    void lanesHideAndDragAndTheOrderIsKept()
    {
        QStringList dragged;
        {
            auto w = demoWindow(QStringLiteral("drag"));
            SequenceDiagramView *view = w->diagram();
            QVERIFY(waitForArrows(*w, 10));
            const int dashboard = view->layout().laneNamed(kDashboard);
            view->setLaneHidden(dashboard, true);
            QCOMPARE(laneNames(*view), (QStringList{kSensor, kBroker}));
            for (const DiagramRow &row : view->layout().rows())
                QVERIFY(row.kind == DiagramRow::Gap || row.kind == DiagramRow::Evicted || (row.from != dashboard && row.to != dashboard));
            view->setLaneHidden(dashboard, false);
            QCOMPARE(laneNames(*view), (QStringList{kSensor, kBroker, kDashboard}));
            // drag the dashboard's name onto the left half of the sensor's
            const QRect from = view->headerRect(dashboard);
            const QRect onto = view->headerRect(view->layout().laneNamed(kSensor));
            QTest::mousePress(view->viewport(), Qt::LeftButton, {}, from.center());
            QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, QPoint(onto.left() + 4, onto.center().y()));
            dragged = laneNames(*view);
            QCOMPARE(dragged, (QStringList{kDashboard, kSensor, kBroker}));
            // and it stays there while traffic goes on
            const int before = arrowCount(*view);
            QVERIFY(waitForArrows(*w, before + 8));
            QCOMPARE(laneNames(*view), dragged);
        }
        QCOMPARE(QSettings(m_dir.filePath(QStringLiteral("drag.ini")), QSettings::IniFormat).value("diagram/laneOrder").toStringList().mid(0, 3),
                 dragged);
        auto again = demoWindow(QStringLiteral("drag"));
        QVERIFY(waitForArrows(*again, 10));
        QCOMPARE(laneNames(*again->diagram()), dragged);
    }

    void zoomScalesEverythingAndKeepsThePlace()
    {
        auto w = demoWindow(QStringLiteral("zoom"));
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 80));
        view->setFollowing(false);
        view->verticalScrollBar()->setValue(20 * view->rowHeight());
        QCOMPARE(view->visibleRows().first, std::size_t(20));
        const int rowHeight = view->rowHeight();
        const double points = view->style().font.pointSizeF();
        const QRect lane = view->headerRect(view->layout().laneNamed(kBroker));
        view->setZoom(2.0);
        QCOMPARE(view->visibleRows().first, std::size_t(20));
        QVERIFY(!view->isFollowing());
        QVERIFY(view->rowHeight() > rowHeight * 3 / 2);
        QVERIFY(view->style().font.pointSizeF() > points * 1.5);
        QVERIFY(view->headerRect(view->layout().laneNamed(kBroker)).width() != lane.width() || lane.width() == 0);
        view->setZoom(0.5);
        QCOMPARE(view->visibleRows().first, std::size_t(20));
        QVERIFY(!view->isFollowing());
        // following, a zoom keeps following
        view->setFollowing(true);
        view->setZoom(1.5);
        QVERIFY(view->isFollowing());
        QCOMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    }

    void nothingOverlapsAtAnyZoom_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1600x1000") << QSize(1600, 1000);
        QTest::newRow("1366x768") << QSize(1366, 768);
        QTest::newRow("900x700") << QSize(900, 700);
    }

    void nothingOverlapsAtAnyZoom()
    {
        QFETCH(QSize, size);
        // a held PUBREL among the completed flows: the stub and its label too
        auto w = demoWindow(QStringLiteral("overlap"), size, {QStringLiteral("hold out PUBREL limit 1")});
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 60));
        w->setUpdatesEnabled(false); // the picture under test stays still
        for (const bool compact : {false, true}) {
            view->setCompact(compact);
            for (const double zoom : DiagramStyle::kZoomSteps) { // every level Zoom +/− and Ctrl+wheel reach
                view->setZoom(zoom);
                for (const std::size_t top : {std::size_t(0), view->layout().rows().size() / 2}) {
                    view->setFollowing(false);
                    view->verticalScrollBar()->setValue(int(top) * view->rowHeight());
                    const std::vector<DiagramItem> items = view->visibleItems();
                    QVERIFY(!items.empty());
                    const auto overlap = firstOverlap(items);
                    QVERIFY2(!overlap, qPrintable(QStringLiteral("zoom %1%2: %3 overlaps %4").arg(zoom).arg(compact ? " compact" : "")
                                                      .arg(overlap ? describe(overlap->first) : QString(), overlap ? describe(overlap->second) : QString())));
                    for (const DiagramItem &item : items) // nothing runs off the window either
                        if (item.kind == DiagramItem::Text)
                            QVERIFY2(item.rect.left() >= 0 && item.rect.right() <= view->viewport()->width(), qPrintable(describe(item)));
                    const auto leftColumn = leftColumnProblem(items, view->style());
                    QVERIFY2(!leftColumn, qPrintable(QStringLiteral("zoom %1%2: %3").arg(zoom).arg(compact ? " compact" : "", leftColumn.value_or(QString()))));
                }
            }
        }
    }

    void labelsUseTheWidthThereIs()
    {
        auto w = demoWindow(QStringLiteral("labels"), {1600, 1000});
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 30));
        for (const DiagramItem &item : view->visibleItems())
            if (item.kind == DiagramItem::Text && item.font == DiagramItem::Label)
                QVERIFY2(!item.text.contains(QStringLiteral("…")), qPrintable(item.text)); // room enough: nothing cut
        // Narrow (500 px): a PUBLISH label is wider than its arrow; it runs over the empty lanes
        // beside it, whole, instead of being cut to the arrow's length.
        const DiagramGeometry narrow = view->scene().geometry(view->style(), 500, view->layout().laneOrder());
        const DiagramPaintState state = view->paintState();
        int overhanging = 0;
        for (std::size_t r = 0; r < view->layout().rows().size(); ++r) {
            const DiagramRow &row = view->layout().rows()[r];
            if (row.kind != DiagramRow::Arrow || view->layout().packetText(row.sequence).left(7) != QLatin1String("PUBLISH"))
                continue;
            std::vector<DiagramItem> items;
            view->scene().rowItems(narrow, state, r, 0, items);
            for (const DiagramItem &item : items)
                if (item.kind == DiagramItem::Text && item.font == DiagramItem::Label) {
                    QCOMPARE(item.text, view->layout().arrowLabel(row, state.nowUs));
                    QVERIFY(item.rect.right() <= 500);
                    const int span = std::abs(narrow.x(row.to) - narrow.x(row.from));
                    overhanging += item.rect.width() > span ? 1 : 0;
                }
        }
        QVERIFY(overhanging > 0);
    }

    // The legend of a diagram as narrow as a 1366-px screen leaves it still names every colour.
    void theLegendNamesEveryColourOnANarrowDiagram()
    {
        auto w = demoWindow(QStringLiteral("legend"));
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 4));
        const DiagramPaintState state = view->paintState();
        for (int width : {1200, 610}) { // 610: the diagram's width in the window on a 1366-px screen
            const DiagramGeometry g = view->scene().geometry(view->style(), width, view->layout().laneOrder());
            std::vector<DiagramItem> items;
            view->scene().legendItems(g, state, 0, items, -1);
            QStringList named;
            for (const DiagramItem &item : items)
                if (item.kind == DiagramItem::Text) {
                    named << item.text;
                    QVERIFY2(item.rect.right() <= width, qPrintable(describe(item)));
                }
            for (const LegendEntry &entry : packetLegend())
                QVERIFY2(named.contains(QStringLiteral("→ ") + entry.name), qPrintable(QStringLiteral("%1 px: %2").arg(width).arg(named.join(u'|'))));
        }
    }

    void badgeCountsNewPacketsAndFollowsOnClick()
    {
        auto w = demoWindow(QStringLiteral("badge"));
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 40));
        view->setFollowing(false);
        view->verticalScrollBar()->setValue(0);
        QCOMPARE(view->badgeText(), QString());
        QTRY_VERIFY(view->unseenPackets() >= 4);
        QVERIFY2(view->badgeText().endsWith(QStringLiteral(" new packets ↓")), qPrintable(view->badgeText()));
        QVERIFY(view->viewport()->rect().contains(view->badgeRect()));
        const int rowsBottom = view->viewport()->height() - view->style().legendHeight; // rows are clipped there
        for (const DiagramItem &item : view->visibleItems()) // it covers no row's text or mark
            QVERIFY2(!item.occupies() || item.rect.bottom() > rowsBottom || !item.rect.intersects(view->badgeRect()), qPrintable(describe(item)));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->badgeRect().center());
        QVERIFY(view->isFollowing());
        QCOMPARE(view->unseenPackets(), quint64(0));
        QCOMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    }

    void freezeHoldsThePictureWhileTrafficGoesOn()
    {
        auto w = demoWindow(QStringLiteral("freeze"));
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 20));
        auto *freeze = w->findChild<QAction *>(QStringLiteral("freezeDiagram"));
        QVERIFY(freeze);
        freeze->trigger();
        QVERIFY(view->isFrozen());
        const std::size_t rows = view->layout().rows().size();
        const quint64 traced = w->workbench().trace().endSequence();
        QTRY_VERIFY(w->workbench().trace().endSequence() > traced + 40);
        QTRY_VERIFY(view->unseenPackets() > 10);
        QCOMPARE(view->layout().rows().size(), rows);
        QVERIFY(view->badgeText().startsWith(QStringLiteral("Frozen")));
        freeze->trigger();
        QVERIFY(!view->isFrozen());
        QVERIFY(view->layout().rows().size() > rows);
    }

    void burstsOfLikePacketsShareARow()
    {
        TraceLog log;
        FlowIndex flows(log);
        SequenceDiagramView view(log, flows);
        view.resize(1200, 600);
        const ConnectionId client = log.addConnection({0, ConnectionRole::Client, QStringLiteral("load"), QStringLiteral("load"),
                                                       QStringLiteral("load generator"), QStringLiteral("broker 127.0.0.1:1883"), ProtocolVersion::V5});
        constexpr int kBurst = 1237;
        constexpr qint64 kSpacingUs = 80; // 12,500 messages/s: 1,237 of them in 99 ms
        const qint64 start = 5'000'000;
        for (int i = 0; i < kBurst; ++i) {
            const Publish publish{.topic = QStringLiteral("sensors/load/%1").arg(i % 7), .payload = "0.42"};
            TraceEvent e;
            e.timeUs = start + i * kSpacingUs;
            e.connection = client;
            e.type = PacketType::Publish;
            e.raw = encode(publish, ProtocolVersion::V5);
            log.append(std::move(e));
        }
        view.setGroupBursts(true);
        view.refresh();
        flows.update();
        QCOMPARE(arrowCount(view), 1);
        const DiagramRow &burst = view.layout().rows().back();
        QCOMPARE(burst.count, quint32(kBurst));
        QCOMPARE(view.layout().arrowLabel(burst, 0), QStringLiteral("%1 × PUBLISH q0 sensors/load/# in 99 ms").arg(QLocale().toString(kBurst)));
        // click it: its packets one by one
        view.setFollowing(true);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.rowRect(view.layout().rows().size() - 1).center());
        QCOMPARE(arrowCount(view), kBurst);
        view.setGroupBursts(false);
        QCOMPARE(arrowCount(view), kBurst);
    }

    void exportsCarryFullLabelsTitleAndLegend()
    {
        auto w = demoWindow(QStringLiteral("export"), {900, 700});
        SequenceDiagramView *view = w->diagram();
        QVERIFY(waitForArrows(*w, 40));
        view->setFollowing(true);
        const QString svgPath = m_dir.filePath(QStringLiteral("all.svg"));
        QVERIFY(w->exportDiagram(svgPath, false));
        const SvgContents svg = readSvg(svgPath);
        QVERIFY(svg.ok);
        QVERIFY2(svg.title.startsWith(QStringLiteral("MQTT Scope sequence diagram — ")) && svg.title.contains(QStringLiteral(" s to ")), qPrintable(svg.title));
        QVERIFY(svg.texts.contains(svg.title)); // drawn, not only in the metadata
        for (const LegendEntry &entry : packetLegend())
            QVERIFY2(svg.texts.contains(QStringLiteral("→ ") + entry.name), qPrintable(entry.name));
        for (const QString &t : svg.texts)
            QVERIFY2(!t.contains(QStringLiteral("…")), qPrintable(t)); // labels in full
        QVERIFY(svg.texts.contains(kSensor) && svg.texts.contains(kBroker) && svg.texts.contains(kDashboard));

        // one flow of the sensor's hop, selected: only its two lanes, and no highlight
        std::optional<FlowId> sensorFlow;
        for (const DiagramRow &row : view->layout().rows())
            if (row.kind == DiagramRow::Arrow && view->layout().lanes()[std::size_t(row.from)].name == kSensor)
                if (const auto flow = w->workbench().flows().flowOf(row.sequence)) {
                    sensorFlow = flow;
                    break;
                }
        QVERIFY(sensorFlow);
        view->selectFlow(*sensorFlow);
        const QString flowPath = m_dir.filePath(QStringLiteral("flow.svg"));
        QVERIFY(w->exportDiagram(flowPath, true));
        const SvgContents flow = readSvg(flowPath);
        QVERIFY(flow.ok);
        QVERIFY(flow.texts.contains(kSensor) && flow.texts.contains(kBroker));
        QVERIFY(!flow.texts.contains(kDashboard));
        const QString highlight = view->palette().color(QPalette::Highlight).lighter(isDarkPalette(view->palette()) ? 60 : 185).name();
        QVERIFY2(!flow.fills.contains(highlight), qPrintable(flow.fills.join(' ')));
        int arrows = 0;
        for (const QString &t : flow.texts)
            arrows += (t.startsWith(QStringLiteral("PUBLISH")) || t.startsWith(QStringLiteral("PUBREC")) || t.startsWith(QStringLiteral("PUBREL"))
                       || t.startsWith(QStringLiteral("PUBCOMP"))) ? 1 : 0;
        QCOMPARE(arrows, 4); // the QoS 2 handshake of one hop

        // PNG at 1×, 2× and 3×: the same picture, sharper
        QSize one;
        for (int scale : {1, 2, 3}) {
            const QString png = m_dir.filePath(QStringLiteral("flow-%1x.png").arg(scale));
            QVERIFY(mqs::exportDiagram(*view, png, {.flows = {*sensorFlow}, .scale = scale}).ok());
            const QImage image(png);
            QVERIFY(!image.isNull());
            if (scale == 1)
                one = image.size();
            QCOMPARE(image.size(), one * scale);
        }

        // The flow's lane hidden: the window says which lane and what to do, not "no rows".
        view->setLaneHidden(view->layout().laneNamed(kSensor), true);
        QVERIFY(!w->exportDiagram(m_dir.filePath(QStringLiteral("hidden.svg")), true));
        QVERIFY2(w->lastProblem().contains(QStringLiteral("runs on the lane “%1”, which is hidden").arg(kSensor)), qPrintable(w->lastProblem()));
    }
};

QTEST_MAIN(TestSequenceDiagram)
#include "tst_sequence_diagram.moc"
