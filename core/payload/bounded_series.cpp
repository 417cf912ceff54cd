#include "bounded_series.h"

#include <algorithm>

namespace mqs {

BoundedSeries::BoundedSeries(int maxBuckets) : m_maxBuckets(std::max(2, maxBuckets))
{
    m_buckets.reserve(std::size_t(m_maxBuckets));
}

BoundedSeries::Bucket BoundedSeries::merged(const Bucket &a, const Bucket &b)
{
    if (a.count == 0)
        return b;
    return Bucket{.low = b.low.value < a.low.value ? b.low : a.low,
                  .high = b.high.value > a.high.value ? b.high : a.high,
                  .count = a.count + b.count};
}

void BoundedSeries::add(SeriesPoint point)
{
    ++m_samples;
    m_last = point;
    m_filling = merged(m_filling, Bucket{point, point, 1});
    if (m_filling.count < m_stride)
        return;
    m_buckets.push_back(m_filling);
    m_filling = Bucket{};
    if (int(m_buckets.size()) >= m_maxBuckets)
        halve();
}

void BoundedSeries::halve()
{
    std::size_t kept = 0;
    for (std::size_t i = 0; i + 1 < m_buckets.size(); i += 2)
        m_buckets[kept++] = merged(m_buckets[i], m_buckets[i + 1]);
    if (m_buckets.size() % 2 == 1) // an odd last bucket becomes the one filling at the new stride
        m_filling = merged(m_buckets.back(), m_filling);
    m_buckets.resize(kept);
    m_stride *= 2;
}

void BoundedSeries::clear()
{
    m_buckets.clear();
    m_filling = Bucket{};
    m_stride = 1;
    m_samples = 0;
    m_last = SeriesPoint{};
}

std::vector<SeriesPoint> BoundedSeries::points() const
{
    std::vector<SeriesPoint> out;
    out.reserve(m_buckets.size() * 2 + 2);
    auto append = [&out](const Bucket &b) {
        const bool lowFirst = b.low.timeMs <= b.high.timeMs;
        out.push_back(lowFirst ? b.low : b.high);
        if (!(b.low == b.high))
            out.push_back(lowFirst ? b.high : b.low);
    };
    for (const Bucket &b : m_buckets)
        append(b);
    if (m_filling.count > 0)
        append(m_filling);
    return out;
}

} // namespace mqs
