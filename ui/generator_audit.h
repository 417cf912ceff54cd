#pragma once
// The delivery audit of the running reading generator: each reading it publishes carries a
// sequence number ({{seq}}); the window's own connections that receive them are audited per
// subscriber (lost, twice, out of order), and the trace says on which hop a lost one vanished.

#include "workbench.h"

#include "scenario/delivery_audit.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <set>

namespace mqs {

class GeneratorAudit : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GeneratorAudit)
public:
    explicit GeneratorAudit(Workbench &workbench, QObject *parent = nullptr);

    // A new run: `publisher` publishes the readings (on the topics published() names).
    void start(Connection *publisher);
    // A reading the session took (a payload without a sequence number is not audited).
    void published(const ApplicationMessage &message, const PublishTicket &ticket);
    // The generator stopped: once the publisher's flows are done and nothing arrived for a while,
    // every number still missing counts as lost.
    void generatorStopped();

    const DeliveryAudit &audit() const { return m_audit; }
    // One line per subscriber; empty before any reading arrived.
    QString text() const;

signals:
    void changed();

private:
    void follow(Connection *connection);
    void readTrace();
    void settleWhenQuiet();
    QString laneName(ConnectionId id) const;

    Workbench &m_workbench;
    DeliveryAudit m_audit;
    Connection *m_publisher = nullptr;
    std::set<QString> m_topics; // what the run published on (a topic template gives several)
    quint64 m_readTo = 0; // the trace is read for forwarded PUBLISHes up to here
    QElapsedTimer m_sinceArrival;
    QTimer m_settle;
};

} // namespace mqs
