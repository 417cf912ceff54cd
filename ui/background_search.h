#pragma once
// A search of the kept messages run on a pool thread over a copy of them, so the window keeps
// drawing through 200,000 messages: hits arrive in chunks as they are found, progress with them,
// and a cancel stops it at the next chunk. Past a listing limit, matches are counted, not kept.

#include "message_search.h"

#include <QFuture>
#include <QObject>

#include <atomic>
#include <memory>

namespace mqs {

struct SearchOutcome {
    quint64 matches = 0; // every match in the messages scanned
    int listed = 0; // hits handed on (at most the listing limit)
    int scanned = 0;
    int total = 0;
    bool cancelled = false;
};

class BackgroundSearch : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BackgroundSearch)
public:
    // Messages matched between two hand-overs: small enough for the list to fill as you watch,
    // large enough that a 200,000-message search posts only 40 chunks.
    static constexpr int kChunkMessages = 5'000;

    explicit BackgroundSearch(QObject *parent = nullptr);
    ~BackgroundSearch() override; // cancels and waits for the pool thread

    // Cancels a search still running, then searches `messages`; at most `mostListed` hits come.
    void start(std::vector<SearchedMessage> messages, MessageQuery query, std::shared_ptr<const PayloadDecoders> decoders,
               int mostListed);
    // Stops the running search; finished() follows at once, marked cancelled.
    void cancel();
    bool running() const { return m_running; }
    const SearchOutcome &outcome() const { return m_outcome; }

signals:
    void hitsFound(const std::vector<mqs::SearchHit> &hits);
    void progressed(int scanned, int total);
    void finished(const mqs::SearchOutcome &outcome);

private:
    struct Chunk {
        quint64 generation = 0;
        std::vector<SearchHit> hits;
        quint64 matches = 0;
        int scanned = 0;
        bool done = false;
    };
    void receive(Chunk chunk);

    QFuture<void> m_work;
    std::shared_ptr<std::atomic_bool> m_stop = std::make_shared<std::atomic_bool>(false);
    quint64 m_generation = 0; // chunks of an earlier search are ignored
    SearchOutcome m_outcome;
    bool m_running = false;
};

} // namespace mqs
