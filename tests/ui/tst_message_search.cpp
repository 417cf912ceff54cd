// Searching kept messages by text, regular expression and field condition, across topics or
// under a branch; queries that cannot work say where they broke.
#include "message_search.h"

#include <QTest>

using namespace mqs;

namespace {

StoredMessage stored(const QString &topic, const QByteArray &payload, qint64 timeMs)
{
    StoredMessage m;
    m.message.topic = topic;
    m.message.payload = payload;
    m.timeMs = timeMs;
    return m;
}

MessageStore sampleStore()
{
    MessageStore store;
    store.add(stored(QStringLiteral("plant/line1/temp"), R"({"temperature": 21.5, "state": "open"})", 1000));
    store.add(stored(QStringLiteral("plant/line1/temp"), R"({"temperature": 35, "state": "closed"})", 2000));
    store.add(stored(QStringLiteral("plant/line2/temp"), R"({"temperature": 31, "state": "open"})", 3000));
    store.add(stored(QStringLiteral("office/temp"), "22.5", 4000));
    store.add(stored(QStringLiteral("plant/line10/alarm"), "Overheat on line 10", 5000));
    return store;
}

QStringList topicsOf(const std::vector<SearchHit> &hits)
{
    QStringList topics;
    for (const SearchHit &h : hits)
        topics << h.topic;
    return topics;
}

} // namespace

class TstMessageSearch : public QObject
{
    Q_OBJECT
    PayloadDecoders m_decoders;

    std::vector<SearchHit> find(SearchKind kind, const QString &text, const QString &branch = QString())
    {
        const MessageStore store = sampleStore();
        auto query = MessageQuery::make(kind, text);
        if (!query)
            qFatal("%s", qPrintable(query.sentence()));
        return searchMessages(store, *query, branch, m_decoders, 100);
    }

private slots:
    void textFindsPayloadsAndTopicsCaseInsensitively()
    {
        const auto hits = find(SearchKind::Text, QStringLiteral("OVERHEAT"));
        QCOMPARE(topicsOf(hits), QStringList{QStringLiteral("plant/line10/alarm")});
        QCOMPARE(hits[0].excerpt.mid(hits[0].matchStart, hits[0].matchLength), QStringLiteral("Overheat"));
        QCOMPARE(hits[0].timeMs, 5000);
        const auto byTopic = find(SearchKind::Text, QStringLiteral("office"));
        QCOMPARE(byTopic.size(), std::size_t(1));
        QCOMPARE(byTopic[0].excerpt.mid(byTopic[0].matchStart, byTopic[0].matchLength), QStringLiteral("office"));
    }

    void regularExpressionsMatchAndMark()
    {
        const auto hits = find(SearchKind::RegularExpression, QStringLiteral(R"("temperature": 3\d)"));
        QCOMPARE(topicsOf(hits), (QStringList{QStringLiteral("plant/line1/temp"), QStringLiteral("plant/line2/temp")}));
        QCOMPARE(hits[0].excerpt.mid(hits[0].matchStart, hits[0].matchLength), QStringLiteral("\"temperature\": 35"));
    }

    void fieldConditionsReadDecodedPayloads()
    {
        const auto hot = find(SearchKind::FieldCondition, QStringLiteral("$.temperature > 30"));
        QCOMPARE(topicsOf(hot), (QStringList{QStringLiteral("plant/line1/temp"), QStringLiteral("plant/line2/temp")}));
        QCOMPARE(hot[0].excerpt, QStringLiteral("$.temperature = 35"));
        QCOMPARE(hot[0].excerpt.mid(hot[0].matchStart, hot[0].matchLength), QStringLiteral("35"));
        QCOMPARE(find(SearchKind::FieldCondition, QStringLiteral("$.state == 'open'")).size(), std::size_t(2));
        // `$` is a plain-number payload itself.
        QCOMPARE(topicsOf(find(SearchKind::FieldCondition, QStringLiteral("$ >= 22"))), QStringList{QStringLiteral("office/temp")});
    }

    void aBranchLimitsTheSearchToItsTopics()
    {
        QCOMPARE(topicsOf(find(SearchKind::Text, QStringLiteral("temp"), QStringLiteral("plant/line1"))),
                 (QStringList{QStringLiteral("plant/line1/temp"), QStringLiteral("plant/line1/temp")}));
        QVERIFY(isUnderBranch(QStringLiteral("plant/line1"), QStringLiteral("plant/line1/")));
        QVERIFY(!isUnderBranch(QStringLiteral("plant/line10/alarm"), QStringLiteral("plant/line1")));
        QVERIFY(isUnderBranch(QStringLiteral("anything"), QString()));
    }

    void anInvalidRegularExpressionSaysWhere()
    {
        const auto query = MessageQuery::make(SearchKind::RegularExpression, QStringLiteral("temp(erature"));
        QVERIFY(!query);
        QCOMPARE(query.problem().kind, ProblemKind::InvalidInput);
        QVERIFY2(query.sentence().startsWith(QStringLiteral("Character 13 of the regular expression: ")), qPrintable(query.sentence()));
        QVERIFY2(query.sentence().contains(QStringLiteral("missing closing parenthesis")), qPrintable(query.sentence()));
    }

    void anInvalidPathSaysWhere()
    {
        const auto query = MessageQuery::make(SearchKind::FieldCondition, QStringLiteral("$.temperature[ > 30"));
        QVERIFY(!query);
        QCOMPARE(query.problem().kind, ProblemKind::InvalidInput);
        QVERIFY2(query.sentence().startsWith(QStringLiteral("Character 15 of \"$.temperature[ > 30\"")), qPrintable(query.sentence()));
    }
};

QTEST_GUILESS_MAIN(TstMessageSearch)
#include "tst_message_search.moc"
