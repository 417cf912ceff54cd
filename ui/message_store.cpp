#include "message_store.h"

#include <algorithm>

namespace mqs {

void MessageStore::add(StoredMessage message)
{
    ++m_changes;
    message.serial = m_nextSerial++;
    const QString topic = message.message.topic;
    auto &list = m_byTopic[topic];
    list.push_back(std::move(message));
    m_order.emplace_back(list.back().serial, topic);
    ++m_size;
    trimTopic(list);
    trimTotal();
}

void MessageStore::trimTopic(std::deque<StoredMessage> &list)
{
    while (int(list.size()) > m_limits.perTopic) {
        list.pop_front();
        --m_size;
        ++m_dropped;
    }
}

void MessageStore::trimTotal()
{
    // m_order is arrival order. An entry whose message the per-topic cap already dropped is
    // stale: its serial is below its topic's oldest. The first live entry is always the oldest
    // message of its topic, so the total cap drops messages strictly oldest first.
    while (m_size > m_limits.total && !m_order.empty()) {
        const auto [serial, topic] = m_order.front();
        m_order.pop_front();
        auto it = m_byTopic.find(topic);
        if (it != m_byTopic.end() && !it->empty() && it->front().serial == serial) {
            it->pop_front();
            --m_size;
            ++m_dropped;
        }
    }
    if (m_order.size() > std::size_t(m_size) * 2 + 1024) {
        std::erase_if(m_order, [this](const std::pair<quint64, QString> &entry) {
            const auto it = m_byTopic.constFind(entry.second);
            return it == m_byTopic.constEnd() || it->empty() || entry.first < it->front().serial;
        });
    }
}

void MessageStore::clear()
{
    ++m_changes;
    m_byTopic.clear();
    m_order.clear();
    m_size = 0;
}

void MessageStore::setLimits(Limits limits)
{
    ++m_changes;
    m_limits = Limits{std::max(1, limits.perTopic), std::max(1, limits.total)};
    for (auto &list : m_byTopic)
        trimTopic(list);
    trimTotal();
}

const std::deque<StoredMessage> &MessageStore::messages(const QString &topic) const
{
    static const std::deque<StoredMessage> kNone;
    const auto it = m_byTopic.constFind(topic);
    return it == m_byTopic.constEnd() ? kNone : *it;
}

const StoredMessage *MessageStore::find(const QString &topic, quint64 serial) const
{
    const auto &list = messages(topic);
    const auto it = std::lower_bound(list.begin(), list.end(), serial,
                                     [](const StoredMessage &m, quint64 s) { return m.serial < s; });
    return it != list.end() && it->serial == serial ? &*it : nullptr;
}

const StoredMessage *MessageStore::previous(const QString &topic, quint64 serial) const
{
    const auto &list = messages(topic);
    const StoredMessage *before = nullptr;
    for (const StoredMessage &m : list) {
        if (m.serial >= serial)
            break;
        before = &m;
    }
    return before;
}

std::vector<QString> MessageStore::topics() const
{
    std::vector<QString> list;
    for (auto it = m_byTopic.constBegin(); it != m_byTopic.constEnd(); ++it)
        list.push_back(it.key());
    return list;
}

} // namespace mqs
