#include "generator_audit.h"

#include "scenario/scenario_runner.h"

#include "protocol/decoder.h"

namespace mqs {
namespace {

// How long nothing may arrive after the publisher's last flow finished before the missing
// numbers count as lost: a broker forwards a completed message within milliseconds on loopback,
// and within a second on any link worth debugging.
constexpr int kQuietMs = 1000;
constexpr int kSettleCheckMs = 200;

} // namespace

GeneratorAudit::GeneratorAudit(Workbench &workbench, QObject *parent)
    : QObject(parent)
    , m_workbench(workbench)
{
    for (Connection *c : m_workbench.connections())
        follow(c);
    connect(&m_workbench, &Workbench::connectionAdded, this, &GeneratorAudit::follow);
    connect(&m_workbench, &Workbench::batch, this, &GeneratorAudit::readTrace);
    m_settle.setInterval(kSettleCheckMs);
    connect(&m_settle, &QTimer::timeout, this, &GeneratorAudit::settleWhenQuiet);
}

void GeneratorAudit::follow(Connection *connection)
{
    connect(connection, &Connection::messageReceived, this, [this, connection](const Delivery &d) {
        if (!m_publisher || !m_topics.count(d.message.topic))
            return;
        if (const std::optional<int> sequence = sequenceNumberOf(d.message.payload)) {
            m_audit.received(laneName(connection->traceId()), *sequence);
            m_sinceArrival.start();
            emit changed();
        }
    });
    connect(connection, &Connection::flowUpdated, this, [this, connection](const FlowUpdate &u) {
        if (connection == m_publisher && u.direction == Direction::Outbound)
            m_audit.publisherFlow(u.serial, u.state);
    });
}

void GeneratorAudit::start(Connection *publisher)
{
    m_audit = DeliveryAudit{};
    m_publisher = publisher;
    m_topics.clear();
    m_readTo = m_workbench.trace().endSequence();
    m_settle.stop();
    emit changed();
}

void GeneratorAudit::published(const ApplicationMessage &message, const PublishTicket &ticket)
{
    m_topics.insert(message.topic);
    if (const std::optional<int> sequence = sequenceNumberOf(message.payload))
        m_audit.published(*sequence, ticket.serial, message.qos);
}

void GeneratorAudit::generatorStopped()
{
    m_sinceArrival.start();
    m_settle.start();
}

void GeneratorAudit::settleWhenQuiet()
{
    if (!m_audit.publisherDone() || m_sinceArrival.elapsed() < kQuietMs)
        return;
    m_settle.stop();
    m_audit.settle();
    emit changed();
}

// The PUBLISHes of the run's topics that reached the window's connections, before any of
// their fault rules acted (a dropped one was forwarded all the same).
void GeneratorAudit::readTrace()
{
    const TraceLog &trace = m_workbench.trace();
    const quint64 end = trace.endSequence();
    for (quint64 s = std::max(m_readTo, trace.firstSequence()); m_publisher && s < end; ++s) {
        if (trace.kindOf(s) != TraceKind::Packet || trace.typeOf(s) != PacketType::Publish
            || trace.directionOf(s) != TraceDirection::Received || trace.markOf(s) == TraceMark::Released)
            continue;
        const Connection *subscriber = m_workbench.connectionByTraceId(trace.connectionOf(s));
        if (!subscriber)
            continue;
        const auto decoded = decodePacket(trace.rawView(s), subscriber->settings().version);
        const auto *packet = std::get_if<Packet>(&decoded);
        const auto *publish = packet ? std::get_if<Publish>(packet) : nullptr;
        if (!publish || !m_topics.count(publish->topic))
            continue;
        if (const std::optional<int> sequence = sequenceNumberOf(publish->payload))
            m_audit.forwarded(laneName(trace.connectionOf(s)), *sequence);
    }
    m_readTo = end;
}

QString GeneratorAudit::laneName(ConnectionId id) const
{
    const std::optional<TraceConnection> c = m_workbench.trace().connection(id);
    return c ? c->name : QString::number(id);
}

QString GeneratorAudit::text() const
{
    QStringList lines;
    for (const SubscriberAudit &a : m_audit.bySubscriber())
        lines << m_audit.sentence(a);
    return lines.join(QLatin1Char('\n'));
}

} // namespace mqs
