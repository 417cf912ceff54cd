#pragma once
// The delivery audit of one publisher's numbered readings ({{seq}}): for each subscriber, which
// numbers arrived, which were lost, which came twice or out of order, and for a lost one the hop
// it vanished on. Fed what the publisher sent, its flows, and what each subscriber's connection
// saw; no clock or trace of its own, so the window and tests drive it alike.

#include "protocol/types.h"
#include "session/flow.h"

#include <QString>

#include <map>
#include <set>
#include <vector>

namespace mqs {

// Where a lost message disappeared, hop by hop (DESIGN.md "QoS 2 as the spec has it").
enum class LostAt : quint8 {
    NotAcknowledged, // the broker never acknowledged it to the publisher (no PUBACK / PUBREC)
    NotForwarded, // acknowledged (or QoS 0: sent), but no PUBLISH of it reached the subscriber
    NotCompleted, // a PUBLISH of it reached the subscriber's connection; it was never delivered
};

// "acknowledged by the broker, never forwarded"
QString lostAtText(LostAt where);

struct SubscriberAudit {
    QString subscriber;
    int received = 0; // messages of the run, duplicates included
    std::map<int, LostAt> lost; // by sequence number
    std::vector<int> duplicates; // each number received again, once per extra copy
    int reordered = 0; // arrived after a higher number
};

class DeliveryAudit
{
public:
    // The publisher handed the session message `sequence` (its flow `serial`; 0 for QoS 0).
    void published(int sequence, quint64 serial, QoS qos);
    // The publisher's flow `serial` is now in `state`.
    void publisherFlow(quint64 serial, FlowState state);
    // A PUBLISH carrying `sequence` reached `subscriber`'s connection (before any fault rule).
    void forwarded(const QString &subscriber, int sequence);
    // `subscriber`'s session delivered `sequence`.
    void received(const QString &subscriber, int sequence);
    // The run is over and nothing more is coming: every number still missing is lost.
    void settle() { m_settled = true; }
    bool isSettled() const { return m_settled; }
    // Every publisher flow has finished (or there is none).
    bool publisherDone() const;

    int sent() const { return int(m_sent.size()); }
    // Per subscriber that received any message of the run, by name.
    std::vector<SubscriberAudit> bySubscriber() const;
    // "dashboard: sent 1,000 · received 998 · lost 2 (seq 17, 512: acknowledged by the broker, never
    // forwarded) · 0 duplicates · 0 reordered"
    QString sentence(const SubscriberAudit &audit) const;

private:
    struct Sent {
        quint64 serial = 0;
        QoS qos = QoS::AtMostOnce;
        bool acknowledged = false; // PUBACK, PUBREC (or later) seen
        bool finished = false;
    };
    struct Seen {
        std::set<int> forwarded;
        std::set<int> received;
        std::vector<int> duplicates;
        int highest = -1;
        int reordered = 0;
        int count = 0;
    };
    LostAt lostAt(const Seen &seen, int sequence, const Sent &sent) const;

    std::map<int, Sent> m_sent; // by sequence number
    std::map<quint64, int> m_sequenceOfSerial;
    std::map<QString, Seen> m_seen; // by subscriber
    bool m_settled = false;
};

} // namespace mqs
