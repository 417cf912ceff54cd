// Charts, search, export and replay in the window (offscreen), fed by a real mosquitto: three
// live series drawn in the chart and exported; "Chart this" from the field tree; each search
// kind with its problems shown beside the field and Enter opening the message; a branch exported
// as JSON Lines and CSV, imported and replayed in order.

#include "chart_panel.h"
#include "live_chart_view.h"
#include "main_window.h"
#include "messages_view.h"
#include "mosquitto_fixture.h"
#include "search_panel.h"
#include "subscription_model.h"
#include "window_fixture.h"

#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QSet>
#include <QFile>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QLocale>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QWheelEvent>

using namespace mqs;
using namespace mqs::test;

namespace {

// A window subscribed to plant/# through `subscriber`, and a `feeder` connection that publishes.
struct PlantWindow {
    std::unique_ptr<MainWindow> window;
    Connection *subscriber = nullptr;
    Connection *feeder = nullptr;
};

Connection *connected(MainWindow &w, const Profile &profile)
{
    Connection *c = w.addConnection(profile, true);
    if (!QTest::qWaitFor([c] { return c->state() == ConnectionState::Connected; }, 10000))
        qWarning("%s did not connect: %s", qPrintable(profile.settings.name), qPrintable(c->lastError()));
    return c;
}

void publish(Connection *c, const QString &topic, const QByteArray &payload, QoS qos = QoS::AtLeastOnce)
{
    const auto result = c->publish(ApplicationMessage{topic, payload, qos, false, {}});
    QVERIFY2(result.ticket.ok(), qPrintable(result.ticket.sentence()));
}

int keptOn(MainWindow &w, const QString &topic)
{
    return int(w.workbench().messages().messages(topic).size());
}

// Pixels of `colour` (within a small tolerance for blending) in `image`.
int pixelsOf(const QImage &image, const QColor &colour)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) < 24 && std::abs(c.green() - colour.green()) < 24 && std::abs(c.blue() - colour.blue()) < 24)
                ++count;
        }
    return count;
}

// The texts the chart view draws in sight: tick labels, titles, legend entries.
QStringList shownLabels(ChartPanel &charts)
{
    QStringList shown;
    const QRect sight = charts.view()->viewport()->rect();
    for (QGraphicsItem *item : charts.view()->scene()->items()) {
        const auto *text = qgraphicsitem_cast<QGraphicsTextItem *>(item);
        if (text && text->isVisible() && sight.contains(charts.view()->mapFromScene(text->sceneBoundingRect()).boundingRect()))
            shown << text->toPlainText();
    }
    return shown;
}

// True when the time axis shows `t` as a whole label (not cut to "…") in sight.
bool shownLabel(ChartPanel &charts, const QDateTime &t)
{
    return shownLabels(charts).contains(t.toString(charts.timeAxis()->format()));
}

} // namespace

class TestChartsWindow : public QObject
{
    Q_OBJECT

    TestWindows m_windows;
    MosquittoBroker m_mosquitto;
    QTemporaryDir m_files;

    PlantWindow openPlant()
    {
        PlantWindow p;
        p.window = m_windows.open();
        p.window->resize(1400, 900);
        p.feeder = connected(*p.window, profileFor(m_mosquitto.url(), QStringLiteral("feeder")));
        p.subscriber = connected(*p.window, profileFor(m_mosquitto.url(), QStringLiteral("scope")));
        p.subscriber->subscribe({Subscription{.filter = QStringLiteral("plant/#"), .options = {.maximumQoS = QoS::ExactlyOnce}}});
        QTest::qWait(0);
        // Subscribed once a probe comes back.
        if (!QTest::qWaitFor([&] {
                publish(p.feeder, QStringLiteral("plant/probe"), "1");
                return QTest::qWaitFor([&] { return keptOn(*p.window, QStringLiteral("plant/probe")) > 0; }, 300);
            }, 10000))
            qWarning("the subscription never delivered");
        return p;
    }

    // plant/once's one reading ({"v": 5}), kept, then charted by $.v in the Charts tab; null
    // (with the reason in the log) when the reading never came or the field was refused.
    ChartPanel *chartTheLoneReading(PlantWindow &p)
    {
        publish(p.feeder, QStringLiteral("plant/once"), R"({"v": 5})");
        if (!QTest::qWaitFor([&] { return keptOn(*p.window, QStringLiteral("plant/once")) == 1; }, 5000)) {
            qWarning("plant/once kept %d messages, not 1", keptOn(*p.window, QStringLiteral("plant/once")));
            return nullptr;
        }
        ChartPanel *charts = p.window->charts();
        p.window->tabs()->setCurrentWidget(charts);
        if (const Status added = charts->addField(QStringLiteral("plant/once"), QStringLiteral("$.v")); !added) {
            qWarning("%s", qPrintable(added.sentence()));
            return nullptr;
        }
        return charts;
    }

private slots:
    void initTestCase() { QVERIFY2(m_mosquitto.start().ok(), qPrintable(m_mosquitto.logText())); }

    void threeLiveSeriesAreDrawnAndExported()
    {
        PlantWindow p = openPlant();
        ChartPanel *charts = p.window->charts();
        p.window->tabs()->setCurrentWidget(charts);
        QVERIFY(charts->addField(QStringLiteral("plant/a"), QStringLiteral("$.t")).ok());
        QVERIFY(charts->addField(QStringLiteral("plant/b"), QStringLiteral("$.a.b[1]")).ok());
        QVERIFY(charts->addField(QStringLiteral("plant/c"), QStringLiteral("$.metrics[?(@.name=='Temperature')].value")).ok());
        QVERIFY(!charts->addField(QStringLiteral("plant/a"), QStringLiteral("$.t")).ok()); // charted already
        constexpr int kReadings = 60;
        constexpr int kSpacingMs = 20;
        for (int i = 0; i < kReadings; ++i) {
            publish(p.feeder, QStringLiteral("plant/a"), QStringLiteral(R"({"t": %1})").arg(20 + i % 7).toUtf8());
            publish(p.feeder, QStringLiteral("plant/b"), QStringLiteral(R"({"a": {"b": [0, %1]}})").arg(10 - i % 5).toUtf8());
            publish(p.feeder, QStringLiteral("plant/c"),
                    QStringLiteral(R"({"metrics": [{"name": "Humidity", "value": 50}, {"name": "Temperature", "value": %1}]})").arg(i % 3).toUtf8());
            QTest::qWait(kSpacingMs); // readings spread over the time axis, as a sensor sends them
        }
        for (int s = 0; s < 3; ++s)
            QTRY_COMPARE(charts->lineSeries(s)->count(), kReadings);
        QCOMPARE(charts->chart()->legend()->markers().size(), 3);

        const QImage drawn = charts->view()->grab().toImage();
        for (int s = 0; s < 3; ++s)
            QVERIFY2(pixelsOf(drawn, charts->lineSeries(s)->pen().color()) > 100, qPrintable(QString::number(s)));

        // Paused, the chart stands still; values are still recorded and drawn on resuming.
        charts->setPaused(true);
        publish(p.feeder, QStringLiteral("plant/a"), R"({"t": 99})");
        QTRY_COMPARE(charts->feed().fields()[0].history.samples(), quint64(kReadings + 1));
        QTest::qWait(3 * ChartPanel::kRedrawIntervalMs);
        QCOMPARE(charts->lineSeries(0)->count(), kReadings);
        charts->setPaused(false);
        QTRY_COMPARE(charts->lineSeries(0)->count(), kReadings + 1);

        // The wheel zooms and stops following; Follow latest resets.
        QWheelEvent wheel(QPointF(200, 150), charts->view()->mapToGlobal(QPointF(200, 150)), QPoint(), QPoint(0, 120), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(charts->view()->viewport(), &wheel); // where the wheel lands on a scroll area
        QVERIFY(!charts->view()->following());
        charts->findChild<QPushButton *>(QStringLiteral("chartFollow"))->click();
        QVERIFY(charts->view()->following());

        // Hovering a series names it with its value.
        const QPointF last = charts->lineSeries(0)->at(charts->lineSeries(0)->count() - 1);
        emit charts->lineSeries(0)->hovered(last, true);
        QVERIFY2(charts->hoverText().startsWith(QStringLiteral("plant/a $.t\n")) && charts->hoverText().endsWith(QStringLiteral("99")),
                 qPrintable(charts->hoverText()));

        const QString png = m_files.filePath(QStringLiteral("chart.png"));
        const QString svg = m_files.filePath(QStringLiteral("chart.svg"));
        const QString csv = m_files.filePath(QStringLiteral("chart.csv"));
        QVERIFY(charts->exportImage(png).ok());
        QVERIFY(charts->exportImage(svg).ok());
        QVERIFY(charts->exportCsv(csv).ok());
        QVERIFY(!QImage(png).isNull());
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        const QByteArray svgText = svgFile.readAll();
        QVERIFY(svgText.startsWith("<?xml") && svgText.contains("<polyline"));
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csvFile.readAll().split('\n');
        QCOMPARE(rows.size(), 1 + kReadings * 3 + 1 + 1); // header, every reading, the 99, and after the last CRLF
        QCOMPARE(rows[0], QByteArray("time,series,value\r"));
        QVERIFY2(rows[1].endsWith(",plant/a $.t,20\r"), rows[1].constData());
        QVERIFY2(rows[1 + kReadings + 1].endsWith(",plant/b $.a.b[1],10\r"), rows[1 + kReadings + 1].constData());
    }

    void aFieldOfTheMessageViewIsCharted()
    {
        PlantWindow p = openPlant();
        publish(p.feeder, QStringLiteral("plant/oven"), R"({"zone": {"heat": [1, 2, 230.5]}, "ok": true})");
        QTRY_COMPARE(keptOn(*p.window, QStringLiteral("plant/oven")), 1);
        MessagesView *view = p.window->messages();
        p.window->tabs()->setCurrentWidget(view);
        QTRY_VERIFY(view->tree().indexOf(QStringLiteral("plant/oven")).isValid());
        view->showTopic(QStringLiteral("plant/oven"));
        QTRY_VERIFY(view->jsonModel().rowCount() > 0);
        const QModelIndex root = view->jsonModel().index(0, 0);
        const QModelIndex zone = view->jsonModel().index(0, 0, root);
        const QModelIndex heat = view->jsonModel().index(0, 0, zone);
        const QModelIndex third = view->jsonModel().index(2, 0, heat);
        QCOMPARE(view->fieldPath(root), QStringLiteral("$"));
        QCOMPARE(view->fieldPath(third), QStringLiteral("$.zone.heat[2]"));

        // Right-click the row, pick "Chart this": the Charts tab opens with the field.
        view->jsonView()->expandAll();
        const QRect row = view->jsonView()->visualRect(third);
        QVERIFY(row.isValid());
        QTimer::singleShot(0, this, [] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            QVERIFY(menu);
            menu->actions().first()->trigger();
            menu->close();
        });
        emit view->jsonView()->customContextMenuRequested(row.center());
        QCOMPARE(p.window->tabs()->currentWidget(), p.window->charts());
        QCOMPARE(p.window->charts()->feed().fields().size(), std::size_t(1));
        QCOMPARE(p.window->charts()->feed().fields()[0].name(), QStringLiteral("plant/oven $.zone.heat[2]"));
        QCOMPARE(p.window->charts()->lineSeries(0)->count(), 1); // the kept message is its history
        QCOMPARE(p.window->charts()->lineSeries(0)->at(0).y(), 230.5);
    }

    void theStatusLineIsWholeOnA1366Screen()
    {
        PlantWindow p = openPlant();
        p.window->resize(1366, 768);
        ChartPanel *charts = p.window->charts();
        p.window->tabs()->setCurrentWidget(charts);
        QVERIFY(charts->addField(QStringLiteral("plant/line1/temp"), QStringLiteral("$.temperature")).ok());
        QVERIFY(charts->addField(QStringLiteral("plant/line2/temp"), QStringLiteral("$.temperature")).ok());
        for (int i = 0; i < 6; ++i) {
            publish(p.feeder, QStringLiteral("plant/line1/temp"), QStringLiteral(R"({"temperature": %1})").arg(21 + i).toUtf8());
            publish(p.feeder, QStringLiteral("plant/line2/temp"), QStringLiteral(R"({"temperature": %1})").arg(26 + i).toUtf8());
        }
        auto *status = charts->findChild<QLabel *>(QStringLiteral("chartStatus"));
        QTRY_VERIFY2(status->text().contains(QStringLiteral("12 values")), qPrintable(status->text()));
        // Every word of the counts shows: the text, laid out in the label's width, fits its height.
        const auto whole = [status] {
            const QRect room = status->contentsRect();
            const QRect needed = status->fontMetrics().boundingRect(QRect(0, 0, room.width(), 10'000), Qt::TextWordWrap, status->text());
            return status->isVisible() && needed.width() <= room.width() && needed.height() <= room.height();
        };
        QTRY_VERIFY2(whole(), qPrintable(QStringLiteral("%1 in %2 px").arg(status->text()).arg(status->width())));
        QCOMPARE(status->toolTip(), status->text());
    }

    void aLonePointIsDrawn()
    {
        PlantWindow p = openPlant();
        ChartPanel *charts = chartTheLoneReading(p);
        QVERIFY(charts);
        QCOMPARE(charts->lineSeries(0)->count(), 1);

        // A point with no segment to draw still shows in the plot (the legend's square aside).
        const QRect plot = charts->view()->mapFromScene(charts->chart()->plotArea()).boundingRect();
        const auto drawnPixels = [&] { return pixelsOf(charts->view()->grab(plot).toImage(), charts->lineSeries(0)->pen().color()); };
        QTRY_VERIFY2(drawnPixels() >= 20, qPrintable(QString::number(drawnPixels())));
    }

    void timeLabelsDifferOverAShortSpan()
    {
        PlantWindow p = openPlant();
        ChartPanel *charts = chartTheLoneReading(p);
        QVERIFY(charts);

        // The lone point gets a second of axis: five ticks a quarter second apart, each its own label.
        QDateTimeAxis *time = charts->timeAxis();
        const qint64 from = time->min().toMSecsSinceEpoch();
        const qint64 span = time->max().toMSecsSinceEpoch() - from;
        const int ticks = time->tickCount();
        QStringList labels;
        for (int k = 0; k < ticks; ++k)
            labels << QDateTime::fromMSecsSinceEpoch(from + span * k / (ticks - 1)).toString(time->format());
        QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), ticks);
    }

    void aLonePointHasTimeLabelsAtBothEnds()
    {
        PlantWindow p = openPlant();
        ChartPanel *charts = chartTheLoneReading(p);
        QVERIFY(charts);
        const qint64 at = charts->feed().fields()[0].history.points().front().timeMs;
        QDateTimeAxis *time = charts->timeAxis();
        QVERIFY2(time->min().toMSecsSinceEpoch() < at && at < time->max().toMSecsSinceEpoch(),
                 qPrintable(QStringLiteral("%1 not inside %2 … %3").arg(at).arg(time->min().toMSecsSinceEpoch()).arg(time->max().toMSecsSinceEpoch())));

        // A second of axis on whole quarter seconds: the end labels read as round times.
        const qint64 step = (time->max().toMSecsSinceEpoch() - time->min().toMSecsSinceEpoch()) / (time->tickCount() - 1);
        QCOMPARE(time->max().toMSecsSinceEpoch() - time->min().toMSecsSinceEpoch(), qint64(1000));
        QVERIFY2(time->min().toMSecsSinceEpoch() % step == 0, qPrintable(time->min().toString(time->format())));

        // The labels at both ends are drawn whole, in sight.
        for (const QSize size : {QSize(1400, 900), QSize(1366, 768)}) {
            p.window->resize(size);
            QTRY_VERIFY2(shownLabel(*charts, time->min()) && shownLabel(*charts, time->max()),
                         qPrintable(QStringLiteral("%1 px wide; on show: %2").arg(size.width()).arg(shownLabels(*charts).join(QStringLiteral(", ")))));
        }
    }

    void longFieldNamesStayApartInTheLegend()
    {
        PlantWindow p = openPlant();
        p.window->resize(1366, 768);
        ChartPanel *charts = p.window->charts();
        p.window->tabs()->setCurrentWidget(charts);
        const QString topic = QStringLiteral("plant/line1/press-7");
        const QString pressure = QStringLiteral("$.metrics[?(@.name=='Line 1/Press 7/Hydraulics/Main cylinder/Pressure')].value");
        const QString temperature = QStringLiteral("$.metrics[?(@.name=='Line 1/Press 7/Hydraulics/Main cylinder/Oil temperature')].value");
        QVERIFY(charts->addField(topic, pressure).ok());
        QVERIFY(charts->addField(topic, temperature).ok());
        QTest::qWait(0);
        const auto markers = charts->chart()->legend()->markers();
        QCOMPARE(markers.size(), 2);
        const QFontMetrics metrics(charts->chart()->legend()->font());
        const auto fitted = [&] {
            const int half = int(charts->chart()->size().width()) / 2;
            return metrics.horizontalAdvance(markers[0]->label()) < half && metrics.horizontalAdvance(markers[1]->label()) < half;
        };
        QTRY_VERIFY2(fitted(), qPrintable(markers[0]->label() + QStringLiteral(" | ") + markers[1]->label()));
        // The cut is in the middle: the ends that tell the metrics apart stay.
        QVERIFY2(markers[0]->label().endsWith(QStringLiteral("Pressure')].value")), qPrintable(markers[0]->label()));
        QVERIFY2(markers[1]->label().endsWith(QStringLiteral("temperature')].value")), qPrintable(markers[1]->label()));
        QVERIFY(markers[0]->label().startsWith(QStringLiteral("plant/")));
        emit markers[1]->hovered(true);
        QCOMPARE(charts->hoverText(), topic + QLatin1Char(' ') + temperature);
    }

    void searchShowsHitsProblemsAndOpensTheMessage()
    {
        PlantWindow p = openPlant();
        publish(p.feeder, QStringLiteral("plant/line1/temp"), R"({"temperature": 21.5})");
        publish(p.feeder, QStringLiteral("plant/line1/temp"), R"({"temperature": 35.5})");
        publish(p.feeder, QStringLiteral("plant/line2/temp"), R"({"temperature": 31})");
        publish(p.feeder, QStringLiteral("plant/line2/alarm"), "Overheat");
        QTRY_COMPARE(keptOn(*p.window, QStringLiteral("plant/line2/alarm")), 1);
        SearchPanel *search = p.window->search();
        p.window->tabs()->setCurrentWidget(search);

        QVERIFY(search->search(SearchKind::FieldCondition, QStringLiteral("$.temperature > 30")));
        QTRY_VERIFY(!search->searching());
        QCOMPARE(search->results().rowCount(), 2);
        QVERIFY(search->search(SearchKind::FieldCondition, QStringLiteral("$.temperature > 30"), QStringLiteral("plant/line1")));
        QTRY_VERIFY(!search->searching());
        QCOMPARE(search->results().rowCount(), 1);
        QCOMPARE(search->results().index(0, SearchResultsModel::Match).data().toString(), QStringLiteral("$.temperature = 35.5"));
        QVERIFY(search->search(SearchKind::Text, QStringLiteral("overheat")));
        QTRY_VERIFY(!search->searching());
        QCOMPARE(search->results().rowCount(), 1);
        QVERIFY(search->search(SearchKind::RegularExpression, QStringLiteral(R"(\d\d\.5)")));
        QTRY_VERIFY(!search->searching());
        QCOMPARE(search->results().rowCount(), 2);

        // Problems show beside the field as they are typed, before any search runs.
        search->kindField()->setCurrentIndex(search->kindField()->findData(int(SearchKind::RegularExpression)));
        search->queryField()->clear();
        QTest::keyClicks(search->queryField(), QStringLiteral("temp[0-9"));
        QVERIFY(search->errorLabel()->isVisible());
        QVERIFY2(search->errorLabel()->text().startsWith(QStringLiteral("Character 9 of the regular expression")),
                 qPrintable(search->errorLabel()->text()));
        search->kindField()->setCurrentIndex(search->kindField()->findData(int(SearchKind::FieldCondition)));
        search->queryField()->clear();
        QTest::keyClicks(search->queryField(), QStringLiteral("$.temperature >"));
        QVERIFY(search->errorLabel()->isVisible());
        QVERIFY2(search->errorLabel()->text().startsWith(QStringLiteral("Character 16 of \"$.temperature >\"")),
                 qPrintable(search->errorLabel()->text()));
        QTest::keyClicks(search->queryField(), QStringLiteral(" 30"));
        QVERIFY(!search->errorLabel()->isVisible());
        // Searched once typing paused: the condition's hits replace the regular expression's.
        QTRY_COMPARE(search->results().index(1, SearchResultsModel::Match).data().toString(), QStringLiteral("$.temperature = 31"));
        QTRY_VERIFY(!search->searching());
        QCOMPARE(search->results().rowCount(), 2);
        QCOMPARE(search->countLabel()->text(),
                 QStringLiteral("2 matches in %1 kept messages").arg(QLocale().toString(p.window->workbench().messages().size())));

        // Enter on a hit opens its message.
        search->resultsView()->setFocus();
        QCOMPARE(search->resultsView()->currentIndex().row(), 0); // the first hit is current after a search
        QTest::keyClick(search->resultsView(), Qt::Key_Down);
        QCOMPARE(search->resultsView()->currentIndex().row(), 1);
        QTest::keyClick(search->resultsView(), Qt::Key_Return);
        QCOMPARE(p.window->tabs()->currentWidget(), p.window->messages());
        QVERIFY2(p.window->messages()->shownText().contains(QStringLiteral("31")), qPrintable(p.window->messages()->shownText()));
    }

    void anExportedBranchIsImportedAndReplayedInOrder()
    {
        PlantWindow p = openPlant();
        constexpr int kReadings = 20;
        for (int i = 0; i < kReadings; ++i)
            publish(p.feeder, QStringLiteral("plant/replay/t"), QStringLiteral(R"({"n": %1, "unit": "C"})").arg(i).toUtf8(), QoS::ExactlyOnce);
        QTRY_COMPARE(keptOn(*p.window, QStringLiteral("plant/replay/t")), kReadings);
        SearchPanel *search = p.window->search();
        search->branchField()->setText(QStringLiteral("plant/replay"));
        const QString jsonl = m_files.filePath(QStringLiteral("replay.jsonl"));
        const QString csv = m_files.filePath(QStringLiteral("replay.csv"));
        QVERIFY(search->exportBranch(jsonl).ok());
        QVERIFY(search->exportBranch(csv).ok());
        QFile csvFile(csv);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csvFile.readAll().split('\n');
        QCOMPARE(rows.size(), kReadings + 2);
        QCOMPARE(rows[0], QByteArray("time,topic,qos,retain,payload,$.n,$.unit\r"));
        QVERIFY2(rows[3].endsWith(R"(,plant/replay/t,2,false,"{""n"": 2, ""unit"": ""C""}",2,C)" "\r"), rows[3].constData());

        const auto imported = importJsonLines(jsonl);
        QVERIFY(imported.ok());
        QCOMPARE(imported->size(), std::size_t(kReadings));
        QCOMPARE(imported->at(5).payload, QByteArray(R"({"n": 5, "unit": "C"})"));

        QVERIFY(search->replayFile(jsonl, p.feeder, MessagesPerSecond{200}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!search->replay().running(), 10000);
        QCOMPARE(search->replay().published(), kReadings);
        QTRY_COMPARE(keptOn(*p.window, QStringLiteral("plant/replay/t")), 2 * kReadings);
        const auto &kept = p.window->workbench().messages().messages(QStringLiteral("plant/replay/t"));
        for (int i = 0; i < kReadings; ++i)
            QCOMPARE(kept[std::size_t(kReadings + i)].message.payload, imported->at(std::size_t(i)).payload);

        // A slow replay cancelled part way publishes no more.
        QSignalSpy finished(&search->replay(), &MessageReplay::finished);
        QVERIFY(search->replayFile(jsonl, p.feeder, MessagesPerSecond{10}).ok());
        QTRY_VERIFY(search->replay().published() >= 2);
        search->replay().cancel();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished[0][0].value<Status>().problem().kind, ProblemKind::State);
        const int published = search->replay().published();
        QVERIFY(published < kReadings);
        QTest::qWait(300);
        QCOMPARE(search->replay().published(), published);
    }
};

QTEST_MAIN(TestChartsWindow)
#include "tst_charts_window.moc"
