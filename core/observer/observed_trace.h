#pragma once
// An observed connection written into a TraceLog, the one piece the proxy and the capture reader
// share: the connection is registered as ConnectionRole::Observed (recorded from the device's end,
// so Sent = client → broker), each packet becomes a packet event with its flow's state after it,
// and each finding a Violation event right after the packet that committed it. The lane is named
// by the client's address until CONNECT gives its client id.

#include "connection_observer.h"

#include "trace/trace_log.h"

#include <functional>

namespace mqs {

struct ObservedEndpoints {
    QString client{}; // "192.168.1.7:50312"
    QString broker{}; // "10.0.0.2:1883"
};

class ObservedTrace
{
public:
    ObservedTrace(TraceLog &log, ObservedEndpoints endpoints, ObserverOptions options = {});

    ConnectionId connection() const { return m_connection; }

    // `packet` (bytes `raw`) crossed from `from` at `timeUs` (trace time: the TraceLog's clock, or a
    // capture's own timestamps). Returns the packet event's sequence number.
    quint64 packet(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs,
                   TraceMark mark = TraceMark::None, quint32 ruleId = 0);
    // A packet that did not cross (a fault rule held or dropped it): traced, not observed, and
    // what follows on its flow may be the rule's doing (ConnectionObserver::interfered).
    quint64 withheld(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs, TraceMark mark,
                     quint32 ruleId);
    // Fault rule `ruleId` delayed `packet`: traced when it crosses, but the flow is marked now.
    void delayed(ObservedSide from, const Packet &packet, qint64 timeUs, quint32 ruleId);
    // How findings name a fault rule the owner's trace marks carry the id of.
    void setRuleNames(std::function<QString(quint32 ruleId)> names) { m_ruleNames = std::move(names); }
    void tick(qint64 timeUs);
    // ConnectionObserver::learnVersion(), and the lane says the version too.
    void learnVersion(ProtocolVersion version);
    // The connection ended (`why` for the Closed event); the observer checks what was owed.
    void closed(qint64 timeUs, const QString &why);

    const ConnectionObserver &observer() const { return m_observer; }
    // The findings traced since the last call, for an owner that also reports them elsewhere.
    [[nodiscard]] std::vector<ObservedFinding> takeFindings() { return std::exchange(m_taken, {}); }

private:
    static TraceDirection directionOf(ObservedSide from)
    {
        return from == ObservedSide::Client ? TraceDirection::Sent : TraceDirection::Received;
    }
    // Appends one packet event on this connection; `state` is the flow's after it (None when withheld).
    quint64 appendPacket(ObservedSide from, const Packet &packet, const QByteArray &raw, qint64 timeUs, TraceMark mark,
                         quint32 ruleId, FlowState state);
    void traceFindings();
    void nameAfterConnect();
    ObservedFault faultOf(quint32 ruleId, Interference how) const;

    TraceLog &m_log;
    ObservedEndpoints m_endpoints;
    ConnectionObserver m_observer;
    ConnectionId m_connection = 0;
    bool m_named = false;
    std::vector<ObservedFinding> m_taken;
    std::function<QString(quint32)> m_ruleNames;
};

} // namespace mqs
