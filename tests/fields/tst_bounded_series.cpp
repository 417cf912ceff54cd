// A chart's series at 10,000 messages/s: bounded in points, and the peaks stay drawn.
#include "payload/bounded_series.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace mqs;

class TstBoundedSeries : public QObject
{
    Q_OBJECT
private slots:
    void aHundredThousandPointsStayUnderTheBoundAndKeepTheExtremes()
    {
        BoundedSeries series(1024);
        constexpr int kSamples = 100'000;
        constexpr int kPeakAt = 73'211; // a single spike, as a faulty sensor sends
        constexpr int kTroughAt = 4'567;
        for (int i = 0; i < kSamples; ++i) {
            double value = std::sin(i / 500.0);
            if (i == kPeakAt)
                value = 50;
            if (i == kTroughAt)
                value = -40;
            series.add({.timeMs = i, .value = value});
            QVERIFY(int(series.points().size()) <= series.pointBound() || (i % 1000 != 0));
        }
        const auto points = series.points();
        QVERIFY2(int(points.size()) <= series.pointBound(), qPrintable(QString::number(points.size())));
        QVERIFY(points.size() > 500); // still a curve, not a handful of points
        QCOMPARE(series.samples(), quint64(kSamples));
        const auto [low, high] = std::minmax_element(points.begin(), points.end(),
                                                     [](const SeriesPoint &a, const SeriesPoint &b) { return a.value < b.value; });
        QCOMPARE(*high, (SeriesPoint{kPeakAt, 50}));
        QCOMPARE(*low, (SeriesPoint{kTroughAt, -40}));
        QVERIFY(std::is_sorted(points.begin(), points.end(),
                               [](const SeriesPoint &a, const SeriesPoint &b) { return a.timeMs < b.timeMs; }));
        QCOMPARE(points.front().timeMs, 0); // the history still starts at the first sample
        QCOMPARE(series.last(), (SeriesPoint{kSamples - 1, std::sin((kSamples - 1) / 500.0)}));
    }

    void fewPointsAreKeptAsTheyCame()
    {
        BoundedSeries series(16);
        for (int i = 0; i < 10; ++i)
            series.add({.timeMs = i * 100, .value = double(i)});
        QCOMPARE(series.points().size(), std::size_t(10));
        QCOMPARE(series.stride(), 1);
        series.clear();
        QVERIFY(series.points().empty());
    }
};

QTEST_GUILESS_MAIN(TstBoundedSeries)
#include "tst_bounded_series.moc"
