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
    struct Limits {
        int perTopic = 1000;
        int total = 100000;
    };

    void add(StoredMessage message);
    void clear();
    void setLimits(Limits limits);
    Limits limits() const { return m_limits; }

    // Oldest first; empty when the topic has none.
    const std::deque<StoredMessage> &messages(const QString &topic) const;
    // The message before `serial` on the same topic, for a diff.
    const StoredMessage *previous(const QString &topic, quint64 serial) const;
    std::vector<QString> topics() const;
    int size() const { return m_size; }
    quint64 received() const { return m_nextSerial - 1; } // ever, including dropped ones
    quint64 dropped() const { return m_dropped; }

private:
    void trim();

    Limits m_limits;
    QHash<QString, std::deque<StoredMessage>> m_byTopic;
    std::deque<std::pair<quint64, QString>> m_order; // arrival order, for the total cap
    int m_size = 0;
    quint64 m_nextSerial = 1;
    quint64 m_dropped = 0;
};

} // namespace mqs
