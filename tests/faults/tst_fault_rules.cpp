// Fault rules: matching, every Nth, limits, client scope, presets, the text form, JSON.

#include "faults/fault_rule_set.h"

#include <QJsonDocument>
#include <QTest>

using namespace mqs;

Q_DECLARE_METATYPE(mqs::FaultAction)

namespace {

FaultRule rule(const QString &text)
{
    auto parsed = FaultRule::parse(text);
    if (!parsed)
        qFatal("%s", qPrintable(parsed.sentence()));
    return std::move(parsed).value();
}

FaultSubject subject(FaultDirection d, PacketType t, quint16 id = 1, const QString &topic = {}, const QString &client = {})
{
    return FaultSubject{d, t, PacketId(id), topic, client};
}

} // namespace

class TestFaultRules : public QObject
{
    Q_OBJECT

private slots:
    void matching_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("direction");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("id");
        QTest::addColumn<QString>("topic");
        QTest::addColumn<FaultAction>("action");
        const int out = int(FaultDirection::Outgoing);
        const int in = int(FaultDirection::Incoming);
        const int pubrel = int(PacketType::PubRel);
        const int publish = int(PacketType::Publish);
        QTest::newRow("hold out PUBREL matches") << "hold out PUBREL" << out << pubrel << 1 << QString() << FaultAction::Hold;
        QTest::newRow("wrong direction") << "hold out PUBREL" << in << pubrel << 1 << QString() << FaultAction::None;
        QTest::newRow("wrong type") << "hold out PUBREL" << out << int(PacketType::PubRec) << 1 << QString() << FaultAction::None;
        QTest::newRow("any direction") << "drop any PUBREL" << in << pubrel << 1 << QString() << FaultAction::Drop;
        QTest::newRow("any type") << "duplicate out any" << out << int(PacketType::PingReq) << 0 << QString() << FaultAction::Duplicate;
        QTest::newRow("by id") << "delay 250ms in PUBCOMP id 7" << in << int(PacketType::PubComp) << 7 << QString() << FaultAction::Delay;
        QTest::newRow("other id") << "delay 250ms in PUBCOMP id 7" << in << int(PacketType::PubComp) << 8 << QString() << FaultAction::None;
        QTest::newRow("topic filter") << "cut out PUBLISH topic sensors/#" << out << publish << 1 << "sensors/a/b" << FaultAction::CutAfter;
        QTest::newRow("topic elsewhere") << "cut out PUBLISH topic sensors/#" << out << publish << 1 << "plant/a" << FaultAction::None;
        QTest::newRow("ack by its flow's topic") << "hold in PUBREC topic sensors/+" << in << int(PacketType::PubRec) << 3 << "sensors/t"
                                                 << FaultAction::Hold;
    }
    void matching()
    {
        QFETCH(QString, text);
        QFETCH(int, direction);
        QFETCH(int, type);
        QFETCH(int, id);
        QFETCH(QString, topic);
        QFETCH(FaultAction, action);
        FaultRuleSet set;
        const quint32 ruleId = set.add(rule(text));
        const FaultDecision d = set.decide(subject(FaultDirection(direction), PacketType(type), quint16(id), topic));
        QCOMPARE(d.action, action);
        if (action != FaultAction::None) {
            QCOMPARE(d.ruleId, ruleId);
            QCOMPARE(set.hits(ruleId), 1u);
        }
        if (action == FaultAction::Delay)
            QCOMPARE(d.delayMs, 250u);
    }

    void everyNthAndLimit()
    {
        FaultRuleSet set;
        const quint32 every = set.add(rule(QStringLiteral("drop in PUBCOMP every 10")));
        int dropped = 0;
        for (int i = 1; i <= 100; ++i)
            if (set.decide(subject(FaultDirection::Incoming, PacketType::PubComp, quint16(i))).action == FaultAction::Drop) {
                ++dropped;
                QCOMPARE(i % 10, 0);
            }
        QCOMPARE(dropped, 10);
        QCOMPARE(set.hits(every), 10u);

        FaultRuleSet limited;
        limited.add(rule(QStringLiteral("hold out PUBREL limit 2")));
        QCOMPARE(limited.decide(subject(FaultDirection::Outgoing, PacketType::PubRel)).action, FaultAction::Hold);
        QCOMPARE(limited.decide(subject(FaultDirection::Outgoing, PacketType::PubRel)).action, FaultAction::Hold);
        QCOMPARE(limited.decide(subject(FaultDirection::Outgoing, PacketType::PubRel)).action, FaultAction::None);
    }

    void clientScopeOrderAndEnabling()
    {
        FaultRuleSet set;
        const quint32 scoped = set.add(rule(QStringLiteral("hold out PUBCOMP client dashboard")));
        const quint32 general = set.add(rule(QStringLiteral("drop out PUBCOMP")));
        QCOMPARE(set.decide(subject(FaultDirection::Outgoing, PacketType::PubComp, 1, {}, QStringLiteral("dashboard"))).action,
                 FaultAction::Hold);
        QCOMPARE(set.decide(subject(FaultDirection::Outgoing, PacketType::PubComp, 1, {}, QStringLiteral("sensor"))).action,
                 FaultAction::Drop);
        QVERIFY(set.setEnabled(scoped, false));
        QCOMPARE(set.decide(subject(FaultDirection::Outgoing, PacketType::PubComp, 1, {}, QStringLiteral("dashboard"))).action,
                 FaultAction::Drop);
        QVERIFY(set.move(general, 0));
        QCOMPARE(set.rules().front().id, general);
        QVERIFY(set.remove(general));
        QCOMPARE(set.decide(subject(FaultDirection::Outgoing, PacketType::PubComp)).action, FaultAction::None);
    }

    void presetsParseAndMeanWhatTheySay()
    {
        const auto presets = FaultRuleSet::presets();
        QCOMPARE(presets.size(), 5u);
        for (const FaultPreset &p : presets)
            QVERIFY2(FaultRule::parse(p.rule).ok(), qPrintable(p.rule));
        QCOMPARE(rule(presets[1].rule).describe(), QStringLiteral("Hold outgoing PUBREL until released"));
        QCOMPARE(rule(presets[3].rule).action, FaultAction::CutAfter);
        QCOMPARE(rule(presets[4].rule).every, 10u);
    }

    void textRoundTrip_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *t : {"hold out PUBREL", "drop in PUBCOMP every 10", "delay 500ms out PUBLISH topic sensors/#",
                              "cut in PUBREC", "hold out PUBCOMP client dashboard limit 1", "duplicate any any id 65535"})
            QTest::newRow(t) << QString::fromLatin1(t);
    }
    void textRoundTrip()
    {
        QFETCH(QString, text);
        QCOMPARE(rule(text).toText(), text);
        QCOMPARE(rule(rule(text).toText()), rule(text));
    }

    void parseErrorsSayWhatIsWrong_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << QString() << QStringLiteral("must start with hold");
        QTest::newRow("bad action") << QStringLiteral("stall out PUBREL") << QStringLiteral("'stall'");
        QTest::newRow("bad direction") << QStringLiteral("hold sideways PUBREL") << QStringLiteral("out, in or any");
        QTest::newRow("bad type") << QStringLiteral("hold out PUBRELL") << QStringLiteral("not a packet type");
        QTest::newRow("bad delay") << QStringLiteral("delay soon out PUBLISH") << QStringLiteral("duration");
        QTest::newRow("id 0") << QStringLiteral("hold out PUBREL id 0") << QStringLiteral("1 to 65535");
        QTest::newRow("bad filter") << QStringLiteral("hold out PUBLISH topic a/#/b") << QStringLiteral("'#'");
        QTest::newRow("every 0") << QStringLiteral("drop in PUBCOMP every 0") << QStringLiteral("1 or more");
        QTest::newRow("unknown word") << QStringLiteral("hold out PUBREL sometimes 3") << QStringLiteral("unknown word 'sometimes'");
        QTest::newRow("missing value") << QStringLiteral("hold out PUBREL id") << QStringLiteral("needs a value");
    }
    void parseErrorsSayWhatIsWrong()
    {
        QFETCH(QString, text);
        QFETCH(QString, says);
        const auto parsed = FaultRule::parse(text);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.problem().kind, ProblemKind::InvalidInput);
        QVERIFY2(parsed.sentence().contains(says), qPrintable(parsed.sentence()));
    }

    void jsonRoundTrip()
    {
        FaultRuleSet set;
        FaultRule named = rule(QStringLiteral("hold out PUBREL"));
        named.name = QStringLiteral("stall at PUBREL");
        set.add(named);
        const quint32 disabled = set.add(rule(QStringLiteral("drop in PUBCOMP every 10")));
        set.setEnabled(disabled, false);
        const QByteArray json = QJsonDocument(set.toJson()).toJson();
        FaultRuleSet loaded;
        QVERIFY(loaded.fromJson(QJsonDocument::fromJson(json).array()).ok());
        QCOMPARE(loaded.rules().size(), 2u);
        QCOMPARE(loaded.rules()[0].name, QStringLiteral("stall at PUBREL"));
        QCOMPARE(loaded.rules()[1].enabled, false);
        const Status error = loaded.fromJson(QJsonDocument::fromJson(R"([{"rule":"hold out PUBREL"},{"rule":"oops"}])").array());
        QVERIFY(!error.ok() && error.sentence().startsWith(QStringLiteral("Fault rule 2:")));
        QCOMPARE(loaded.rules().size(), 2u); // a bad file changes nothing
    }
};

QTEST_GUILESS_MAIN(TestFaultRules)
#include "tst_fault_rules.moc"
