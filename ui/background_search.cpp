#include "background_search.h"

#include <QtConcurrent/QtConcurrentRun>

namespace mqs {

BackgroundSearch::BackgroundSearch(QObject *parent) : QObject(parent) {}

BackgroundSearch::~BackgroundSearch()
{
    m_stop->store(true);
    m_work.waitForFinished(); // nothing posts to this object once it is gone
}

void BackgroundSearch::start(std::vector<SearchedMessage> messages, MessageQuery query,
                             std::shared_ptr<const PayloadDecoders> decoders, int mostListed)
{
    if (m_running)
        cancel();
    m_work.waitForFinished(); // a cancelled search stops at its next chunk; its posts go nowhere then
    m_stop = std::make_shared<std::atomic_bool>(false);
    const quint64 generation = ++m_generation;
    m_outcome = SearchOutcome{.total = int(messages.size())};
    m_running = true;
    emit progressed(0, m_outcome.total);
    m_work = QtConcurrent::run([this, generation, stop = m_stop, messages = std::move(messages), query = std::move(query),
                                decoders = std::move(decoders), mostListed] {
        quint64 matches = 0;
        int listed = 0;
        std::size_t from = 0;
        do {
            if (stop->load())
                return;
            const std::size_t to = std::min(messages.size(), from + std::size_t(kChunkMessages));
            SearchTally part;
            searchRange(messages, from, to, query, *decoders, mostListed - listed, part);
            matches += part.matches;
            listed += int(part.hits.size());
            Chunk chunk{.generation = generation, .hits = std::move(part.hits), .matches = matches, .scanned = int(to),
                        .done = to >= messages.size()};
            QMetaObject::invokeMethod(this, [this, chunk = std::move(chunk)]() mutable { receive(std::move(chunk)); }, Qt::QueuedConnection);
            from = to;
        } while (from < messages.size());
    });
}

void BackgroundSearch::cancel()
{
    if (!m_running)
        return;
    m_stop->store(true);
    ++m_generation;
    m_running = false;
    m_outcome.cancelled = true;
    emit finished(m_outcome);
}

void BackgroundSearch::receive(Chunk chunk)
{
    if (chunk.generation != m_generation || !m_running)
        return;
    m_outcome.matches = chunk.matches;
    m_outcome.scanned = chunk.scanned;
    m_outcome.listed += int(chunk.hits.size());
    if (!chunk.hits.empty())
        emit hitsFound(chunk.hits);
    emit progressed(m_outcome.scanned, m_outcome.total);
    if (chunk.done) {
        m_running = false;
        emit finished(m_outcome);
    }
}

} // namespace mqs
