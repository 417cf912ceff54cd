#pragma once
// What a chart plots, without widgets: numeric fields (a topic and a JSON path each) sampled
// from every message as it arrives, each into a bounded history. Every decoder feeds it, since
// paths read the decoded tree.

#include "message_store.h"

#include "payload/bounded_series.h"
#include "payload/json_path.h"
#include "payload/payload_decoding.h"
#include "payload/sparkplug_monitor.h"

#include <vector>

namespace mqs {

struct ChartField {
    QString topic;
    JsonPath path;
    BoundedSeries history{};
    // "plant/line1/temp $.t": the legend's name.
    QString name() const { return topic + u' ' + path.text(); }
};

class ChartFeed
{
public:
    explicit ChartFeed(const PayloadDecoders &decoders, int maxBuckets = BoundedSeries::kDefaultBuckets);
    // A new decode-as setup replaces the decoders object: the feed reads through the new one.
    void setDecoders(const PayloadDecoders &decoders) { m_decoders = &decoders; }
    // Sparkplug DATA metrics sent by alias only are charted by the name their BIRTH gave them.
    void setSparkplugNames(const SparkplugMonitor *monitor) { m_sparkplug = monitor; }

    // Adds `topic` at `path`; a problem says where the path broke, or that it is charted already.
    [[nodiscard]] Status add(const QString &topic, const QString &path);
    void remove(std::size_t index);
    void clearHistory();
    // Samples every field from `messages`; true when any field got a point.
    bool feed(const std::vector<StoredMessage> &messages);

    // Samples field `index` alone from messages kept before it was added.
    void backfill(std::size_t index, const std::deque<StoredMessage> &messages);

    const std::vector<ChartField> &fields() const { return m_fields; }
    // Points kept over all fields: bounded whatever the rate.
    quint64 pointsKept() const;

private:
    // The decoded tree a path reads: Sparkplug metrics named from their BIRTH.
    QCborValue treeOf(const StoredMessage &message) const;

    const PayloadDecoders *m_decoders;
    const SparkplugMonitor *m_sparkplug = nullptr;
    int m_maxBuckets;
    std::vector<ChartField> m_fields;
};

} // namespace mqs
