#include "message_transfer.h"

#include "payload/path_condition.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace mqs {
namespace {

// A replay never publishes more in one go than this, so the window keeps drawing.
constexpr int kMostPerTick = 500;

} // namespace

MessageRecord recordOf(const StoredMessage &m)
{
    return MessageRecord{.timeMs = m.timeMs, .topic = m.message.topic, .payload = m.message.payload,
                         .qos = m.message.qos, .retain = m.message.retain, .connection = m.connectionName};
}

Status exportMessages(const QString &path, const std::vector<const StoredMessage *> &messages, const PayloadDecoders &decoders)
{
    std::vector<MessageRecord> records;
    records.reserve(messages.size());
    for (const StoredMessage *m : messages)
        records.push_back(recordOf(*m));
    QByteArray bytes;
    if (QFileInfo(path).suffix().compare(QStringLiteral("csv"), Qt::CaseInsensitive) == 0) {
        std::vector<QCborValue> decoded;
        decoded.reserve(records.size());
        for (const MessageRecord &r : records)
            decoded.push_back(decoders.decode(r.topic, r.payload).value);
        bytes = csvTable(records, decoded);
    } else {
        for (const MessageRecord &r : records)
            bytes += jsonLine(r) + '\n';
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Problem{ProblemKind::File, QStringLiteral("Could not write %1: %2.").arg(path, file.errorString())};
    return {};
}

Result<std::vector<MessageRecord>> importJsonLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Problem{ProblemKind::File, QStringLiteral("Could not read %1: %2.").arg(path, file.errorString())};
    return readJsonLines(file.readAll());
}

MessageReplay::MessageReplay(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &MessageReplay::publishDue);
}

void MessageReplay::start(Connection *connection, std::vector<MessageRecord> records, const ReplayPace &pace)
{
    m_connection = connection;
    m_records = std::move(records);
    m_pace = pace;
    m_next = 0;
    m_clock.start();
    m_running = true;
    emit progressed(0, total());
    m_timer.start(0);
}

void MessageReplay::cancel()
{
    if (running())
        finish(Problem{ProblemKind::State, QStringLiteral("The replay was cancelled after %1 of %2 messages.").arg(published()).arg(total())});
}

void MessageReplay::publishDue()
{
    if (!m_running)
        return;
    if (!m_connection) {
        finish(Problem{ProblemKind::State, QStringLiteral("The connection of the replay is gone.")});
        return;
    }
    const qint64 elapsed = m_clock.elapsed();
    int published = 0;
    while (m_next < m_records.size() && published < kMostPerTick && replayOffsetMs(m_records, m_next, m_pace) <= elapsed) {
        const MessageRecord &r = m_records[m_next];
        const auto result = m_connection->publish(ApplicationMessage{r.topic, r.payload, r.qos, r.retain, {}});
        if (!result.ticket) {
            finish(result.ticket.problem());
            return;
        }
        ++m_next;
        ++published;
    }
    emit progressed(this->published(), total());
    if (!m_running)
        return; // cancelled from a slot of progressed()
    if (m_next >= m_records.size()) {
        finish({});
        return;
    }
    const qint64 wait = replayOffsetMs(m_records, m_next, m_pace) - m_clock.elapsed();
    m_timer.start(int(std::clamp<qint64>(wait, 0, std::numeric_limits<int>::max())));
}

void MessageReplay::finish(Status outcome)
{
    m_timer.stop();
    m_running = false;
    emit finished(outcome);
}

} // namespace mqs
