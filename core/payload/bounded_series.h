#pragma once
// A chart's history of one numeric field with a bound on the points it keeps, whatever the rate:
// points go into buckets of `stride` samples, each keeping its lowest and highest sample; when the
// buckets are full, neighbours merge and the stride doubles. Peaks and troughs survive every
// merge, so the shape of 100,000 samples is drawn from a few thousand points.

#include <QtGlobal>

#include <vector>

namespace mqs {

struct SeriesPoint {
    qint64 timeMs = 0;
    double value = 0;
    bool operator==(const SeriesPoint &) const = default;
};

class BoundedSeries
{
public:
    // Two points a bucket (its low and high): about one point per pixel of a wide chart. More
    // would show nothing more, and Qt Charts lays out every point again at each redraw.
    static constexpr int kDefaultBuckets = 512;

    explicit BoundedSeries(int maxBuckets = kDefaultBuckets);

    void add(SeriesPoint point);
    void clear();
    // The kept points in time order: each bucket's low and high (one point when they are the
    // same sample), then the bucket still filling. Never more than pointBound().
    std::vector<SeriesPoint> points() const;
    int pointBound() const { return 2 * m_maxBuckets + 2; }
    quint64 samples() const { return m_samples; } // ever added
    int stride() const { return m_stride; } // samples per bucket now
    bool isEmpty() const { return m_samples == 0; }
    SeriesPoint last() const { return m_last; }

private:
    struct Bucket {
        SeriesPoint low;
        SeriesPoint high;
        int count = 0;
    };
    static Bucket merged(const Bucket &a, const Bucket &b);
    void halve();

    int m_maxBuckets;
    int m_stride = 1;
    std::vector<Bucket> m_buckets;
    Bucket m_filling;
    quint64 m_samples = 0;
    SeriesPoint m_last;
};

} // namespace mqs
