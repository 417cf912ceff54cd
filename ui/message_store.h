#pragma once
// The messages the app's subscriptions received, kept per topic with caps (per topic and in
// total; the oldest go first) so memory stays bounded whatever the rate.

#include "session/message.h"
#include "trace/trace_event.h"

#include <QHash>
#include <QString>

#include <deque>
#include <vector>

namespace mqs {

struct StoredMessage {
    quint64 serial = 0; // increasing across all topics
    ConnectionId connection = 0;
    QString connectionName{};
    ApplicationMessage message{};
    std::optional<PacketId> packetId{};
    qint64 timeMs = 0; // wall clock
};

class MessageStore
{
public:
    // Both at least 1; the oldest messages go first when either is exceeded.
    struct Limits {
        int perTopic = 1000;
        int total = 100000;
        bool operator==(const Limits &) const = default;
    };

    void add(StoredMessage message);
    void clear();
    void setLimits(Limits limits);
    Limits limits() const { return m_limits; }

    // Oldest first; empty when the topic has none.
    const std::deque<StoredMessage> &messages(const QString &topic) const;
    // The message `serial` of `topic` while it is kept, else nullptr.
    const StoredMessage *find(const QString &topic, quint64 serial) const;
    // The message before `serial` on the same topic, for a diff.
    const StoredMessage *previous(const QString &topic, quint64 serial) const;
    std::vector<QString> topics() const;
    int size() const { return m_size; }
    quint64 received() const { return m_nextSerial - 1; } // ever, including dropped ones
    quint64 dropped() const { return m_dropped; }
    // Changes with every add, clear and new limit: views holding pointers into the store
    // rebuild when it differs from what they saw.
    quint64 changes() const { return m_changes; }

private:
    void trimTopic(std::deque<StoredMessage> &list);
    void trimTotal();

    Limits m_limits;
    QHash<QString, std::deque<StoredMessage>> m_byTopic;
    std::deque<std::pair<quint64, QString>> m_order; // arrival order, for the total cap
    int m_size = 0;
    quint64 m_nextSerial = 1;
    quint64 m_dropped = 0;
    quint64 m_changes = 0;
};

} // namespace mqs
