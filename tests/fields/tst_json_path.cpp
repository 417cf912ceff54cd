// JSON paths and search conditions over decoded payloads, as a user types them in the chart
// picker and the search box.
#include "payload/json_path.h"
#include "payload/path_condition.h"
#include "payload/payload_decoding.h"

#include <QCborArray>
#include <QCborMap>
#include <QTest>

using namespace mqs;

namespace {

QCborValue tree(const char *json)
{
    PayloadDecoders decoders;
    return decoders.decodeAs(DecoderChoice{DecoderKind::Json}, QByteArray(json)).value;
}

constexpr const char *kReading = R"({"temperature": 31.5, "a": {"b": [0, 1, {"c": 7}]},
  "metrics": [{"name": "Humidity", "value": 40}, {"name": "Temperature", "value": 22.25}],
  "state": "open", "tags": ["alarm", "north"], "ok": true, "level": "12.5"})";

} // namespace

class TstJsonPath : public QObject
{
    Q_OBJECT
private slots:
    void memberIndexAndFilterReachTheirValues()
    {
        const QCborValue reading = tree(kReading);
        const auto number = [&](const QString &path) { return JsonPath::parse(path).value().number(reading); };
        QCOMPARE(number(QStringLiteral("$.temperature")), 31.5);
        QCOMPARE(number(QStringLiteral("$.a.b[2].c")), 7.0);
        QCOMPARE(number(QStringLiteral("$['a']['b'][1]")), 1.0);
        QCOMPARE(number(QStringLiteral("$.metrics[?(@.name=='Temperature')].value")), 22.25);
        QCOMPARE(number(QStringLiteral("$.metrics[?(@.value > 30)].value")), 40.0);
        QCOMPARE(number(QStringLiteral("$.ok")), 1.0); // a boolean charts as 0/1
        QCOMPARE(number(QStringLiteral("$.level")), 12.5); // numeric text too
        QCOMPARE(number(QStringLiteral("$.missing")), std::nullopt);
        QCOMPARE(number(QStringLiteral("$.a.b[9]")), std::nullopt);
    }

    void dollarIsTheWholePayloadAsANumber()
    {
        // A bare number is not a JSON document the decoder gives a tree for; its text is read.
        PayloadDecoders decoders;
        const QByteArray payload = "21.5";
        QCOMPARE(JsonPath::parse(QStringLiteral("$")).value().number(fieldTree(decoders.decode(QStringLiteral("t"), payload), payload)), 21.5);
        QVERIFY(JsonPath::parse(QStringLiteral("$")).value().isRoot());
    }

    void cborIntegerKeysAreReachedByName()
    {
        QCborMap map;
        map.insert(3, 99);
        QCOMPARE(JsonPath::parse(QStringLiteral("$.3")).value().number(map.toCborValue()), 99.0);
    }

    void invalidPathsSayWhereTheyBroke_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("character");
        QTest::newRow("no dollar") << QStringLiteral("temperature") << 1;
        QTest::newRow("empty name") << QStringLiteral("$.a.") << 5;
        QTest::newRow("unclosed bracket") << QStringLiteral("$.a[2") << 6;
        QTest::newRow("bad index") << QStringLiteral("$.a[x]") << 5;
        QTest::newRow("unclosed quote") << QStringLiteral("$['a]") << 3;
        QTest::newRow("filter without operator") << QStringLiteral("$.m[?(@.name)]") << 13;
        QTest::newRow("trailing text") << QStringLiteral("$.a b") << 5; // at the b
    }
    void invalidPathsSayWhereTheyBroke()
    {
        QFETCH(QString, path);
        QFETCH(int, character);
        const auto parsed = JsonPath::parse(path);
        QVERIFY(!parsed);
        QCOMPARE(parsed.problem().kind, ProblemKind::InvalidInput);
        QVERIFY2(parsed.problem().sentence.startsWith(QStringLiteral("Character %1 of").arg(character)),
                 qPrintable(parsed.problem().sentence));
    }

    void conditionsCompareNumbersTextAndLists_data()
    {
        QTest::addColumn<QString>("condition");
        QTest::addColumn<bool>("matches");
        QTest::newRow(">") << QStringLiteral("$.temperature > 30") << true;
        QTest::newRow("> false") << QStringLiteral("$.temperature > 40") << false;
        QTest::newRow("<=") << QStringLiteral("$.temperature <= 31.5") << true;
        QTest::newRow(">=") << QStringLiteral("$.temperature >= 31.6") << false;
        QTest::newRow("<") << QStringLiteral("$.a.b[2].c < 8") << true;
        QTest::newRow("==") << QStringLiteral("$.a.b[2].c == 7") << true;
        QTest::newRow("!=") << QStringLiteral("$.a.b[2].c != 7") << false;
        QTest::newRow("text ==") << QStringLiteral("$.state == 'open'") << true;
        QTest::newRow("text == double quotes") << QStringLiteral("$.state == \"closed\"") << false;
        QTest::newRow("text !=") << QStringLiteral("$.state != 'closed'") << true;
        QTest::newRow("contains text") << QStringLiteral("$.state contains 'pe'") << true;
        QTest::newRow("list contains") << QStringLiteral("$.tags contains 'alarm'") << true;
        QTest::newRow("list lacks") << QStringLiteral("$.tags contains 'south'") << false;
        QTest::newRow("missing field") << QStringLiteral("$.pressure > 0") << false;
        QTest::newRow("any metric") << QStringLiteral("$.metrics[?(@.name=='Temperature')].value < 23") << true;
    }
    void conditionsCompareNumbersTextAndLists()
    {
        QFETCH(QString, condition);
        QFETCH(bool, matches);
        const auto parsed = PathCondition::parse(condition);
        QVERIFY2(parsed.ok(), qPrintable(parsed.sentence()));
        QCOMPARE(parsed->matches(tree(kReading)), matches);
    }

    void invalidConditionsSayWhereTheyBroke()
    {
        const auto noOperator = PathCondition::parse(QStringLiteral("$.temperature 30"));
        QVERIFY(!noOperator);
        QCOMPARE(noOperator.problem().sentence,
                 QStringLiteral("Character 15 of \"$.temperature 30\": expected ==, !=, <, <=, >, >= or contains."));
        const auto noValue = PathCondition::parse(QStringLiteral("$.temperature > warm"));
        QVERIFY(noValue.sentence().startsWith(QStringLiteral("Character 17 of")));
        QVERIFY(noValue.sentence().contains(QStringLiteral("quoted 'text'")));
        QVERIFY(!PathCondition::parse(QStringLiteral("$.a > 1 2")));
        QVERIFY(!PathCondition::parse(QStringLiteral("temperature > 30")));
    }
};

QTEST_GUILESS_MAIN(TstJsonPath)
#include "tst_json_path.moc"
