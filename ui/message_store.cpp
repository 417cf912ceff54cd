#include "message_store.h"

namespace mqs {

void MessageStore::add(StoredMessage message)
{
    message.serial = m_nextSerial++;
    const QString topic = message.message.topic;
    auto &list = m_byTopic[topic];
    list.push_back(std::move(message));
    m_order.emplace_back(list.back().serial, topic);
    ++m_size;
    trim();
}

void MessageStore::trim()
{
    for (auto it = m_byTopic.begin(); it != m_byTopic.end(); ++it) {
        while (int(it->size()) > m_limits.perTopic) {
            it->pop_front();
            --m_size;
            ++m_dropped;
        }
    }
    while (m_size > m_limits.total && !m_order.empty()) {
        const auto [serial, topic] = m_order.front();
        m_order.pop_front();
        auto &list = m_byTopic[topic];
        if (!list.empty() && list.front().serial == serial) {
            list.pop_front();
            --m_size;
            ++m_dropped;
        }
    }
    // m_order may hold entries already trimmed per topic; they are skipped above and age out.
    while (m_order.size() > std::size_t(m_size) * 2 + 1024)
        m_order.pop_front();
}

void MessageStore::clear()
{
    m_byTopic.clear();
    m_order.clear();
    m_size = 0;
}

void MessageStore::setLimits(Limits limits)
{
    m_limits = limits;
    trim();
}

const std::deque<StoredMessage> &MessageStore::messages(const QString &topic) const
{
    static const std::deque<StoredMessage> kNone;
    const auto it = m_byTopic.constFind(topic);
    return it == m_byTopic.constEnd() ? kNone : *it;
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
