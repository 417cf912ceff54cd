// Exported messages: a JSON Lines export reads back byte for byte; CSV puts decoded fields in
// columns a spreadsheet opens; a replay keeps the original spacing or a chosen rate.
#include "payload/message_export.h"
#include "payload/payload_decoding.h"
#include "payload/replay_pace.h"

#include <QTest>

using namespace mqs;

namespace {

std::vector<MessageRecord> sample()
{
    return {
        {.timeMs = 1'764'550'000'000, .topic = QStringLiteral("plant/line1/temp"), .payload = R"({"t": 21.5, "unit": "C"})",
         .qos = QoS::AtLeastOnce, .retain = true, .connection = QStringLiteral("lab")},
        {.timeMs = 1'764'550'000'250, .topic = QStringLiteral("plant/line1/temp"), .payload = "{\"t\": 22, \"alarm\": \"hot, \\\"very\\\"\"}",
         .qos = QoS::ExactlyOnce},
        {.timeMs = 1'764'550'001'000, .topic = QStringLiteral("plant/raw"), .payload = QByteArray("\x00\xff\x10", 3)},
    };
}

} // namespace

class TstMessageExport : public QObject
{
    Q_OBJECT
private slots:
    void jsonLinesReadBackByteForByte()
    {
        const auto records = sample();
        QByteArray file;
        for (const MessageRecord &r : records)
            file += jsonLine(r) + '\n';
        QVERIFY(file.contains(R"("payload_base64":"AP8Q")")); // binary payloads survive as base64
        QVERIFY(file.contains(R"("time":"2025-12-01T00:46:40.000Z")"));
        const auto back = readJsonLines(file);
        QVERIFY2(back.ok(), qPrintable(back.sentence()));
        QCOMPARE(*back, records);
    }

    void aBrokenLineIsNamed()
    {
        const auto back = readJsonLines(jsonLine(sample()[0]) + "\n\n{\"topic\": 3\n");
        QVERIFY(!back);
        QCOMPARE(back.problem().kind, ProblemKind::File);
        QVERIFY2(back.sentence().startsWith(QStringLiteral("Line 3 ")), qPrintable(back.sentence()));
        QVERIFY(readJsonLines(R"({"payload": "x"})").sentence().contains(QStringLiteral("no \"topic\"")));
    }

    void csvHasDecodedFieldsAsColumns()
    {
        const auto records = sample();
        PayloadDecoders decoders;
        std::vector<QCborValue> decoded;
        for (const MessageRecord &r : records)
            decoded.push_back(decoders.decode(r.topic, r.payload).value);
        const QByteArray csv = csvTable(records, decoded);
        const QList<QByteArray> lines = csv.split('\n');
        QCOMPARE(lines.size(), 5); // header, three messages, and the empty rest after the last CRLF
        QCOMPARE(lines[0], QByteArray("time,topic,qos,retain,payload,$.t,$.unit,$.alarm\r"));
        QCOMPARE(lines[1], QByteArray(R"(2025-12-01T00:46:40.000Z,plant/line1/temp,1,true,"{""t"": 21.5, ""unit"": ""C""}",21.5,C,)" "\r"));
        QCOMPARE(lines[2], QByteArray("2025-12-01T00:46:40.250Z,plant/line1/temp,2,false,\"{\"\"t\"\": 22, \"\"alarm\"\": \"\"hot, \\\"\"very\\\"\"\"\"}\",22,,\"hot, \"\"very\"\"\"\r"));
        QCOMPARE(lines[3], QByteArray("2025-12-01T00:46:41.000Z,plant/raw,0,false,base64:AP8Q,,,\r"));
    }

    void replayKeepsTheSpacingOrAChosenRate()
    {
        const auto records = sample(); // recorded 0 ms, 250 ms and 1,000 ms after the first
        const ReplayPace original = SpacingFactor{};
        QCOMPARE(replayOffsetMs(records, 0, original), 0);
        QCOMPARE(replayOffsetMs(records, 1, original), 250);
        QCOMPARE(replayOffsetMs(records, 2, original), 1000);
        QCOMPARE(replayOffsetMs(records, 2, MessagesPerSecond{100}), 20); // one every 10 ms
        QCOMPARE(replayOffsetMs(records, 2, MessagesPerSecond{0.5}), 4000); // one every 2 s
    }

    void aSpeedFactorScalesTheRecordedSpacing()
    {
        const auto records = sample();
        QCOMPARE(replayOffsetMs(records, 1, SpacingFactor{2}), 125);
        QCOMPARE(replayOffsetMs(records, 2, SpacingFactor{2}), 500);
        QCOMPARE(replayOffsetMs(records, 1, SpacingFactor{0.5}), 500);
        QCOMPARE(replayOffsetMs(records, 2, SpacingFactor{0.5}), 2000);
        QCOMPARE(replayOffsetMs(records, 2, SpacingFactor{10}), 100);
        auto stepped = records; // the clock stepped back between two records: no gap, not a wait
        stepped[1].timeMs = stepped[0].timeMs - 5000;
        QCOMPARE(replayOffsetMs(stepped, 1, SpacingFactor{2}), 0);
    }

    void typedPacesAreReadOrRefused_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("read"); // replayPaceText of the pace, or the start of the sentence
        QTest::newRow("original") << QStringLiteral("original spacing") << QStringLiteral("original spacing");
        QTest::newRow("empty") << QString() << QStringLiteral("original spacing");
        QTest::newRow("half") << QStringLiteral("0.5×") << QStringLiteral("0.5× the original spacing");
        QTest::newRow("x before") << QStringLiteral("x10") << QStringLiteral("10× the original spacing");
        QTest::newRow("X after") << QStringLiteral(" 2X ") << QStringLiteral("2× the original spacing");
        QTest::newRow("decimal comma") << QStringLiteral("1,5x") << QStringLiteral("1.5× the original spacing");
        QTest::newRow("bare rate") << QStringLiteral("250") << QStringLiteral("250 messages/s");
        QTest::newRow("per second") << QStringLiteral("2,500/s") << QStringLiteral("2,500 messages/s");
        QTest::newRow("msg/s") << QStringLiteral("12.5 msg/s") << QStringLiteral("12.5 messages/s");
        QTest::newRow("messages/s") << QStringLiteral("1,000 messages/s") << QStringLiteral("1,000 messages/s");
        QTest::newRow("zero rate") << QStringLiteral("0") << QStringLiteral("A rate must be above 0 messages/s.");
        QTest::newRow("negative rate") << QStringLiteral("-3/s") << QStringLiteral("A rate must be above 0 messages/s.");
        QTest::newRow("zero factor") << QStringLiteral("0x") << QStringLiteral("A speed factor must be above 0");
        QTest::newRow("garbage") << QStringLiteral("fast") << QStringLiteral("\"fast\" is not a pace");
        QTest::newRow("two points") << QStringLiteral("1.2.3") << QStringLiteral("\"1.2.3\" is not a pace");
        QTest::newRow("huge") << QStringLiteral("1e9") << QStringLiteral("A rate can be at most 1,000,000 messages/s.");
    }

    void typedPacesAreReadOrRefused()
    {
        QFETCH(QString, typed);
        QFETCH(QString, read);
        const auto pace = parseReplayPace(typed);
        const QString shown = pace ? replayPaceText(*pace) : pace.sentence();
        QVERIFY2(shown.startsWith(read), qPrintable(shown));
        if (!pace)
            QCOMPARE(pace.problem().kind, ProblemKind::InvalidInput);
    }
};

QTEST_GUILESS_MAIN(TstMessageExport)
#include "tst_message_export.moc"
