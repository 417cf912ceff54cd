// The delivery audit, fed by hand as the window feeds it: lost numbers (overtaken, or missing once
// the run settled) with the hop each vanished on, duplicates and reorderings per subscriber.

#include "scenario/delivery_audit.h"

#include <QTest>

using namespace mqs;

namespace {

// Publishes 1..n at QoS 2 (serial = number) and completes every flow except `unacknowledged`.
DeliveryAudit publishedAndCompleted(int n, std::set<int> unacknowledged = {})
{
    DeliveryAudit audit;
    for (int seq = 1; seq <= n; ++seq) {
        audit.published(seq, quint64(seq), QoS::ExactlyOnce);
        if (!unacknowledged.count(seq)) {
            audit.publisherFlow(quint64(seq), FlowState::AwaitingPubComp);
            audit.publisherFlow(quint64(seq), FlowState::Complete);
        }
    }
    return audit;
}

} // namespace

class TestDeliveryAudit : public QObject
{
    Q_OBJECT
private slots:
    void everyNumberOnceIsClean()
    {
        DeliveryAudit audit = publishedAndCompleted(3);
        for (int seq = 1; seq <= 3; ++seq)
            audit.received(QStringLiteral("dashboard"), seq);
        audit.settle();
        const auto lines = audit.bySubscriber();
        QCOMPARE(lines.size(), std::size_t(1));
        QCOMPARE(audit.sentence(lines[0]), QStringLiteral("dashboard: sent 3 · received 3 · lost 0 · 0 duplicates · 0 reordered"));
    }

    // Each lost number says where it vanished: before the broker acknowledged it, between its
    // PUBCOMP to the publisher and any PUBLISH to the subscriber (mosquitto's silent queue drop),
    // or after the PUBLISH reached the subscriber.
    void aLostNumberSaysOnWhichHopItVanished()
    {
        DeliveryAudit audit = publishedAndCompleted(6, {2});
        for (int seq : {1, 3, 6})
            audit.received(QStringLiteral("dashboard"), seq);
        audit.forwarded(QStringLiteral("dashboard"), 5);
        const SubscriberAudit line = audit.bySubscriber().front();
        QCOMPARE(line.lost.size(), std::size_t(3));
        QCOMPARE(line.lost.at(2), LostAt::NotAcknowledged);
        QCOMPARE(line.lost.at(4), LostAt::NotForwarded);
        QCOMPARE(line.lost.at(5), LostAt::NotCompleted);
        QCOMPARE(audit.sentence(line),
                 QStringLiteral("dashboard: sent 6 · received 3 · lost 3 (seq 2: never acknowledged by the broker; seq 4: "
                                "acknowledged by the broker, never forwarded; seq 5: forwarded, never completed) · 0 duplicates "
                                "· 0 reordered"));
    }

    // A number not yet overtaken may still be on its way; once the run settled it is lost.
    void theTailCountsAsLostOnlyOnceSettled()
    {
        DeliveryAudit audit = publishedAndCompleted(4);
        audit.received(QStringLiteral("dashboard"), 1);
        audit.received(QStringLiteral("dashboard"), 2);
        QVERIFY(audit.bySubscriber().front().lost.empty());
        QVERIFY(audit.publisherDone());
        audit.settle();
        QCOMPARE(audit.bySubscriber().front().lost.size(), std::size_t(2));
    }

    void duplicatesAndReorderingsCountPerSubscriber()
    {
        DeliveryAudit audit = publishedAndCompleted(4);
        for (int seq : {1, 3, 2, 4, 4})
            audit.received(QStringLiteral("a"), seq);
        for (int seq : {1, 2, 3, 4})
            audit.received(QStringLiteral("b"), seq);
        audit.received(QStringLiteral("b"), 99); // not this run's: ignored
        const auto lines = audit.bySubscriber();
        QCOMPARE(lines.size(), std::size_t(2));
        QCOMPARE(lines[0].duplicates, std::vector<int>{4});
        QCOMPARE(lines[0].reordered, 1);
        QCOMPARE(lines[0].received, 5);
        QCOMPARE(lines[1].reordered, 0);
        QCOMPARE(lines[1].received, 4);
    }

    void aLongListOfLostNumbersIsCut()
    {
        DeliveryAudit audit = publishedAndCompleted(20);
        audit.received(QStringLiteral("d"), 20);
        QVERIFY(audit.sentence(audit.bySubscriber().front())
                    .contains(QStringLiteral("lost 19 (seq 1, 2, 3, 4, 5, 6, 7, 8 … (11 more): acknowledged by the broker, never forwarded)")));
    }
};

QTEST_MAIN(TestDeliveryAudit)
#include "tst_delivery_audit.moc"
