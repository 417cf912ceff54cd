// Exported messages: a JSON Lines export reads back byte for byte; CSV puts decoded fields in
// columns a spreadsheet opens; a replay keeps the original spacing or a chosen rate.
#include "payload/message_export.h"
#include "payload/payload_decoding.h"

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
        const auto records = sample();
        QCOMPARE(replayOffsetMs(records, 0, std::nullopt), 0);
        QCOMPARE(replayOffsetMs(records, 1, std::nullopt), 250);
        QCOMPARE(replayOffsetMs(records, 2, std::nullopt), 1000);
        QCOMPARE(replayOffsetMs(records, 2, 100.0), 20); // 100 messages/s: one every 10 ms
    }
};

QTEST_GUILESS_MAIN(TstMessageExport)
#include "tst_message_export.moc"
