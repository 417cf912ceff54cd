#include "delivery_audit.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>

namespace mqs {
namespace {

// "17, 512" or "17, 512 … (40 more)": a long list would drown the line it stands in.
constexpr std::size_t kNumbersShown = 8;

QString numberList(const std::vector<int> &numbers)
{
    QStringList out;
    for (std::size_t i = 0; i < numbers.size() && i < kNumbersShown; ++i)
        out << QString::number(numbers[i]);
    QString text = out.join(QStringLiteral(", "));
    if (numbers.size() > kNumbersShown)
        text += QStringLiteral(" … (%1 more)").arg(numbers.size() - kNumbersShown);
    return text;
}

} // namespace

QString lostAtText(LostAt where)
{
    switch (where) {
    case LostAt::NotAcknowledged: return QStringLiteral("never acknowledged by the broker");
    case LostAt::NotForwarded: return QStringLiteral("acknowledged by the broker, never forwarded");
    case LostAt::NotCompleted: return QStringLiteral("forwarded, never completed");
    }
    return {};
}

void DeliveryAudit::published(int sequence, quint64 serial, QoS qos)
{
    m_sent[sequence] = Sent{.serial = serial, .qos = qos, .acknowledged = qos == QoS::AtMostOnce, .finished = qos == QoS::AtMostOnce};
    if (serial != 0)
        m_sequenceOfSerial[serial] = sequence;
}

void DeliveryAudit::publisherFlow(quint64 serial, FlowState state)
{
    const auto it = m_sequenceOfSerial.find(serial);
    if (it == m_sequenceOfSerial.end())
        return;
    Sent &sent = m_sent[it->second];
    // [MQTT-4.3.3-8] PUBREC (AwaitingPubComp) already means the broker owns the message.
    sent.acknowledged = sent.acknowledged || state == FlowState::AwaitingPubComp || state == FlowState::Complete;
    sent.finished = isFinished(state);
}

bool DeliveryAudit::publisherDone() const
{
    return std::all_of(m_sent.begin(), m_sent.end(), [](const auto &s) { return s.second.finished; });
}

void DeliveryAudit::forwarded(const QString &subscriber, int sequence)
{
    m_seen[subscriber].forwarded.insert(sequence);
}

void DeliveryAudit::received(const QString &subscriber, int sequence)
{
    if (!m_sent.count(sequence))
        return; // not this run's: an earlier run's straggler, or another publisher's
    Seen &seen = m_seen[subscriber];
    ++seen.count;
    if (!seen.received.insert(sequence).second)
        seen.duplicates.push_back(sequence);
    else if (sequence < seen.highest)
        ++seen.reordered;
    seen.highest = std::max(seen.highest, sequence);
}

LostAt DeliveryAudit::lostAt(const Seen &seen, int sequence, const Sent &sent) const
{
    if (seen.forwarded.count(sequence))
        return LostAt::NotCompleted;
    return sent.acknowledged ? LostAt::NotForwarded : LostAt::NotAcknowledged;
}

std::vector<SubscriberAudit> DeliveryAudit::bySubscriber() const
{
    std::vector<SubscriberAudit> out;
    for (const auto &[name, seen] : m_seen) {
        if (seen.count == 0)
            continue;
        SubscriberAudit audit{.subscriber = name, .received = seen.count, .lost = {}, .duplicates = seen.duplicates,
                              .reordered = seen.reordered};
        // Missing below the highest number that arrived is lost (a later one overtook it);
        // above it, only once the run has settled.
        for (const auto &[sequence, sent] : m_sent)
            if (!seen.received.count(sequence) && (sequence < seen.highest || m_settled))
                audit.lost[sequence] = lostAt(seen, sequence, sent);
        out.push_back(std::move(audit));
    }
    return out;
}

QString DeliveryAudit::sentence(const SubscriberAudit &audit) const
{
    const QLocale locale;
    std::map<LostAt, std::vector<int>> byHop;
    for (const auto &[sequence, where] : audit.lost)
        byHop[where].push_back(sequence);
    QStringList hops;
    for (const auto &[where, numbers] : byHop)
        hops << QStringLiteral("seq %1: %2").arg(numberList(numbers), lostAtText(where));
    QString lost = QStringLiteral("lost %1").arg(locale.toString(qlonglong(audit.lost.size())));
    if (!hops.isEmpty())
        lost += QStringLiteral(" (%1)").arg(hops.join(QStringLiteral("; ")));
    return QStringLiteral("%1: sent %2 · received %3 · %4 · %5 duplicates · %6 reordered")
        .arg(audit.subscriber, locale.toString(sent()), locale.toString(audit.received), lost,
             locale.toString(qlonglong(audit.duplicates.size())), locale.toString(audit.reordered));
}

} // namespace mqs
