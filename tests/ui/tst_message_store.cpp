// The message history's caps: per topic and in total the oldest go first, the counts say what
// was dropped, a lowered cap applies at once, and the message list never points at a message
// the store has let go (ASan would see it).

#include "message_list_model.h"
#include "message_store.h"

#include <QTest>

using namespace mqs;

namespace {

void add(MessageStore &store, const QString &topic, const QByteArray &payload)
{
    StoredMessage m;
    m.message.topic = topic;
    m.message.payload = payload;
    store.add(std::move(m));
}

QList<QByteArray> payloads(const MessageStore &store, const QString &topic)
{
    QList<QByteArray> out;
    for (const StoredMessage &m : store.messages(topic))
        out << m.message.payload;
    return out;
}

} // namespace

class TstMessageStore : public QObject
{
    Q_OBJECT

private slots:
    void perTopicCapDropsThatTopicsOldest()
    {
        MessageStore store;
        store.setLimits({3, 100});
        for (int i = 1; i <= 5; ++i)
            add(store, QStringLiteral("a"), QByteArray::number(i));
        add(store, QStringLiteral("b"), "b1");
        QCOMPARE(payloads(store, QStringLiteral("a")), (QList<QByteArray>{"3", "4", "5"}));
        QCOMPARE(payloads(store, QStringLiteral("b")), (QList<QByteArray>{"b1"}));
        QCOMPARE(store.size(), 4);
        QCOMPARE(store.dropped(), quint64(2));
        QCOMPARE(store.received(), quint64(6));
    }

    void totalCapDropsTheOldestOverall()
    {
        MessageStore store;
        store.setLimits({100, 4});
        add(store, QStringLiteral("a"), "a1");
        add(store, QStringLiteral("b"), "b1");
        add(store, QStringLiteral("a"), "a2");
        add(store, QStringLiteral("c"), "c1");
        add(store, QStringLiteral("b"), "b2");
        add(store, QStringLiteral("c"), "c2");
        QCOMPARE(store.size(), 4);
        QCOMPARE(payloads(store, QStringLiteral("a")), (QList<QByteArray>{"a2"}));
        QCOMPARE(payloads(store, QStringLiteral("b")), (QList<QByteArray>{"b2"}));
        QCOMPARE(payloads(store, QStringLiteral("c")), (QList<QByteArray>{"c1", "c2"}));
        QCOMPARE(store.dropped(), quint64(2));
    }

    void bothCapsHoldUnderChurn()
    {
        // Per-topic drops leave stale entries in the arrival order; the total cap must still
        // drop strictly the oldest live messages, and memory must not grow with them.
        MessageStore store;
        store.setLimits({2, 7});
        const QStringList topics{QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z"), QStringLiteral("w")};
        for (int i = 0; i < 20000; ++i) {
            const QString topic = topics[i < 10000 ? i % 2 : i % 4];
            add(store, topic, QByteArray::number(i));
            QVERIFY(store.size() <= 7);
        }
        QCOMPARE(store.size(), 7);
        // The seven newest messages, except that the per-topic cap keeps two of each topic.
        QList<QByteArray> kept;
        for (const QString &t : topics)
            kept << payloads(store, t);
        std::sort(kept.begin(), kept.end(), [](const QByteArray &a, const QByteArray &b) { return a.toInt() < b.toInt(); });
        QCOMPARE(kept, (QList<QByteArray>{"19993", "19994", "19995", "19996", "19997", "19998", "19999"}));
        QCOMPARE(store.dropped(), quint64(20000 - 7));
    }

    void loweringACapAppliesAtOnce()
    {
        MessageStore store;
        for (int i = 0; i < 50; ++i)
            add(store, QStringLiteral("t/%1").arg(i % 5), QByteArray::number(i));
        QCOMPARE(store.size(), 50);
        store.setLimits({4, 12});
        QCOMPARE(store.size(), 12);
        for (int t = 0; t < 5; ++t)
            QVERIFY(store.messages(QStringLiteral("t/%1").arg(t)).size() <= 4);
        QCOMPARE(payloads(store, QStringLiteral("t/4")), (QList<QByteArray>{"39", "44", "49"}));
        store.setLimits({0, -5}); // nonsense is raised to the least that makes sense
        QCOMPARE(store.limits(), (MessageStore::Limits{1, 1}));
        QCOMPARE(store.size(), 1);
        QCOMPARE(payloads(store, QStringLiteral("t/4")), (QList<QByteArray>{"49"}));
    }

    void findSaysWhenAMessageIsGone()
    {
        MessageStore store;
        store.setLimits({2, 10});
        for (int i = 1; i <= 3; ++i)
            add(store, QStringLiteral("a"), QByteArray::number(i));
        QVERIFY(!store.find(QStringLiteral("a"), 1));
        QCOMPARE(store.find(QStringLiteral("a"), 2)->message.payload, QByteArray("2"));
        QCOMPARE(store.find(QStringLiteral("a"), 3)->message.payload, QByteArray("3"));
        QVERIFY(!store.find(QStringLiteral("b"), 3));
        QCOMPARE(store.previous(QStringLiteral("a"), 3)->message.payload, QByteArray("2"));
        QVERIFY(!store.previous(QStringLiteral("a"), 2));
    }

    void theListFollowsALoweredCap()
    {
        MessageStore store;
        MessageListModel list(store);
        for (int i = 0; i < 30; ++i)
            add(store, QStringLiteral("sensors/%1").arg(i % 3), QByteArray::number(i));
        list.setTopic(QStringLiteral("sensors"), true);
        list.refresh();
        QCOMPARE(list.rowCount(), 30);
        QCOMPARE(list.message(0)->message.payload, QByteArray("29")); // newest first
        store.setLimits({2, 100});
        list.refresh(); // nothing new arrived, yet rows were dropped
        QCOMPARE(list.rowCount(), 6);
        for (int r = 0; r < list.rowCount(); ++r)
            QVERIFY(list.message(r)->message.payload.toInt() >= 24);
        store.clear();
        list.refresh();
        QCOMPARE(list.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TstMessageStore)
#include "tst_message_store.moc"
