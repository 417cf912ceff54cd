#pragma once
// Kept messages out to files and back onto the wire: export a branch or search results as JSON
// Lines or CSV, and replay an imported JSON Lines file through a connection, with the original
// spacing or at a chosen rate.

#include "message_store.h"

#include "client/connection.h"
#include "payload/message_export.h"
#include "payload/payload_decoding.h"
#include "payload/replay_pace.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace mqs {

MessageRecord recordOf(const StoredMessage &message);
// CSV when `path` ends in .csv (decoded fields as columns), else JSON Lines.
[[nodiscard]] Status exportMessages(const QString &path, const std::vector<const StoredMessage *> &messages,
                                    const PayloadDecoders &decoders);
[[nodiscard]] Result<std::vector<MessageRecord>> importJsonLines(const QString &path);

// Publishes records through a connection on their schedule; progress as it goes, cancellable.
class MessageReplay : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageReplay)
public:
    explicit MessageReplay(QObject *parent = nullptr);

    // Publishes message i at replayOffsetMs(records, i, pace) after now.
    void start(Connection *connection, std::vector<MessageRecord> records, const ReplayPace &pace);
    void cancel();
    bool running() const { return m_running; }
    int published() const { return int(m_next); }
    int total() const { return int(m_records.size()); }
    const ReplayPace &pace() const { return m_pace; }

signals:
    void progressed(int published, int total);
    // Done, cancelled (a State problem) or refused by the connection.
    void finished(const mqs::Status &outcome);

private:
    void publishDue();
    void finish(Status outcome);

    QPointer<Connection> m_connection;
    std::vector<MessageRecord> m_records;
    ReplayPace m_pace = SpacingFactor{};
    std::size_t m_next = 0;
    QElapsedTimer m_clock; // monotonic: a wall clock set back mid-replay would stall it
    QTimer m_timer;
    bool m_running = false;
};

} // namespace mqs
