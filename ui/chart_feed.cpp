#include "chart_feed.h"

#include "payload/path_condition.h"

namespace mqs {

ChartFeed::ChartFeed(const PayloadDecoders &decoders, int maxBuckets) : m_decoders(&decoders), m_maxBuckets(maxBuckets) {}

Status ChartFeed::add(const QString &topic, const QString &path)
{
    if (topic.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("No topic is chosen.")};
    auto parsed = JsonPath::parse(path.trimmed());
    if (!parsed)
        return parsed.problem();
    for (const ChartField &f : m_fields)
        if (f.topic == topic && f.path.text() == parsed->text())
            return Problem{ProblemKind::State, QStringLiteral("%1 %2 is charted already.").arg(topic, parsed->text())};
    m_fields.push_back(ChartField{.topic = topic, .path = std::move(*parsed), .history = BoundedSeries(m_maxBuckets)});
    return {};
}

void ChartFeed::remove(std::size_t index)
{
    if (index < m_fields.size())
        m_fields.erase(m_fields.begin() + std::ptrdiff_t(index));
}

void ChartFeed::clearHistory()
{
    for (ChartField &f : m_fields)
        f.history.clear();
}

bool ChartFeed::feed(const std::vector<StoredMessage> &messages)
{
    bool sampled = false;
    for (const StoredMessage &m : messages) {
        QCborValue tree; // decoded once per message, for all its topic's fields
        bool decoded = false;
        for (ChartField &f : m_fields) {
            if (f.topic != m.message.topic)
                continue;
            if (!decoded) {
                tree = treeOf(m);
                decoded = true;
            }
            if (const auto value = f.path.number(tree)) {
                f.history.add({.timeMs = m.timeMs, .value = *value});
                sampled = true;
            }
        }
    }
    return sampled;
}

void ChartFeed::backfill(std::size_t index, const std::deque<StoredMessage> &messages)
{
    if (index >= m_fields.size())
        return;
    ChartField &f = m_fields[index];
    for (const StoredMessage &m : messages)
        if (const auto value = f.path.number(treeOf(m)))
            f.history.add({.timeMs = m.timeMs, .value = *value});
}

QCborValue ChartFeed::treeOf(const StoredMessage &m) const
{
    const DecodedPayload decoded = m_decoders->decode(m.message.topic, m.message.payload);
    QCborValue tree = fieldTree(decoded, m.message.payload);
    if (!m_sparkplug || decoded.decoder.kind != DecoderKind::SparkplugB)
        return tree;
    const auto topic = parseSparkplugTopic(m.message.topic);
    return topic && topic->type != SparkplugMessageType::STATE ? m_sparkplug->withMetricNames(topic->edgeNodeKey(), tree) : tree;
}

quint64 ChartFeed::pointsKept() const
{
    quint64 kept = 0;
    for (const ChartField &f : m_fields)
        kept += f.history.points().size();
    return kept;
}

} // namespace mqs
