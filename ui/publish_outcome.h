#pragma once
// What became of what the publish panel handed to a session: the sentence for the last message
// (completed in its flow's own time, failed, waiting for which step, held by a rule) and the
// tally of a generator run (sent, completed, still queued behind the send window).

#include "workbench.h"

#include <QColor>
#include <QHash>
#include <QStyle>

namespace mqs {

// The messages of one generator run, counted by what became of them. Fed the tickets and the
// connection's flow updates; it keeps only the unfinished flows, so a long run stays small.
class PublishTally
{
public:
    // A message the session took; `stateNow` is its flow's state after publish() returned.
    void add(const PublishTicket &ticket, QoS qos, FlowState stateNow);
    // True when `update` concerns a message of this run.
    bool update(const FlowUpdate &update);

    int handed() const { return m_handed; } // taken by the session: sent or queued
    int sent() const { return m_sent; } // on the wire at least once
    int completed() const { return m_completed; } // PUBACK / PUBCOMP received
    int queued() const { return m_queued; } // waiting for send quota or a connection
    int failed() const { return m_failed; } // failed or abandoned

private:
    void step(quint64 serial, bool &onWire, FlowState state);

    QHash<quint64, bool> m_open; // serial of an unfinished flow → it has been on the wire
    int m_handed = 0;
    int m_sent = 0;
    int m_completed = 0;
    int m_queued = 0;
    int m_failed = 0;
};

// The last message published from the panel, and the sentence under the Publish button.
class LastPublish
{
public:
    explicit LastPublish(Workbench &workbench) : m_workbench(workbench) {}

    // `traceEnd` is the trace's end sequence before publish(): the flow's packets come after it.
    void published(Connection *connection, const ApplicationMessage &message, const PublishTicket &ticket, quint64 traceEnd);
    // True when `update` concerns the last message.
    bool update(Connection *connection, const FlowUpdate &update);
    bool isEmpty() const { return !m_connection; }
    // `connection` is going away: what was published on it is no longer followed.
    void forget(const Connection *connection)
    {
        if (connection == m_connection)
            m_connection = nullptr;
    }

    struct Sentence {
        QString text;
        QColor color; // invalid: the palette's text colour
        // An icon from the style: glyphs such as an hourglass are missing from common fonts.
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    };
    Sentence sentence();

private:
    [[nodiscard]] std::optional<QString> heldSentence() const;
    QString waitingSentence() const;
    // completeUs - publishUs of the flow in the FlowIndex, found once and kept.
    qint64 completedInUs();

    Workbench &m_workbench;
    Connection *m_connection = nullptr;
    quint64 m_serial = 0;
    quint64 m_traceEnd = 0;
    qint64 m_startUs = 0; // trace time of publish()
    FlowUpdate m_update{};
    std::optional<qint64> m_completedInUs;
};

} // namespace mqs
