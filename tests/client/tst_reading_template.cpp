// Test readings and payload formats as the publish panel and `mqttscope-cli pub` use them:
// every template field renders what its documentation promises, and every bad template or
// payload gets a sentence that names what is wrong.

#include "client/payload_format.h"
#include "client/reading_template.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QUuid>

#include <cmath>
#include <set>

using namespace mqs;

namespace {

ReadingTemplate parsed(const QString &text, quint32 seed = 7)
{
    auto result = ReadingTemplate::parse(text, seed);
    if (!result)
        qFatal("template '%s' refused: %s", qPrintable(text), qPrintable(result.sentence()));
    return std::move(result).value();
}

QString refusal(const QString &text)
{
    const auto result = ReadingTemplate::parse(text, 1);
    return result.sentence();
}

} // namespace

class TstReadingTemplate : public QObject
{
    Q_OBJECT

private slots:
    void seqAndCounterCount()
    {
        ReadingTemplate t = parsed(QStringLiteral("#{{seq}} from {{ counter }}"));
        QVERIFY(!t.isConstant());
        QCOMPARE(t.render(), QStringLiteral("#1 from 0"));
        QCOMPARE(t.render(), QStringLiteral("#2 from 1"));
        QCOMPARE(t.render(), QStringLiteral("#3 from 2"));
        QCOMPARE(t.rendered(), 3);
    }

    void seriesCountsOnUntilTheTextChanges()
    {
        // The publish panel renders through a series: {{seq}} must not restart on each click.
        ReadingSeries series;
        auto next = [&](const QString &text) {
            auto reading = series.next(text);
            return reading ? *reading : QStringLiteral("refused");
        };
        QCOMPARE(next(QStringLiteral("#{{seq}}")), QStringLiteral("#1"));
        QCOMPARE(next(QStringLiteral("#{{seq}}")), QStringLiteral("#2"));
        QCOMPARE(next(QStringLiteral("#{{seq}}")), QStringLiteral("#3"));
        QCOMPARE(series.rendered(), 3);
        QCOMPARE(next(QStringLiteral("n={{seq}}")), QStringLiteral("n=1")); // a new text, a new series
        QCOMPARE(next(QStringLiteral("n={{seq}}")), QStringLiteral("n=2"));
        series.restart();
        QCOMPARE(next(QStringLiteral("n={{seq}}")), QStringLiteral("n=1"));
        const auto bad = series.next(QStringLiteral("{{wobble}}"));
        QVERIFY(!bad.ok());
        QVERIFY(bad.sentence().contains(QStringLiteral("not a template field")));
    }

    void nowIsIsoUtcWithMilliseconds()
    {
        ReadingTemplate t = parsed(QStringLiteral("{{now}}"));
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        const QString text = t.render();
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)")).match(text).hasMatch(),
                 qPrintable(text));
        const QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
        QVERIFY(at >= before && at <= QDateTime::currentDateTimeUtc().addMSecs(1));
    }

    void uuidsAreValidAndFresh()
    {
        ReadingTemplate t = parsed(QStringLiteral("{{uuid}}"));
        std::set<QString> seen;
        for (int i = 0; i < 100; ++i) {
            const QString u = t.render();
            QVERIFY2(!QUuid::fromString(u).isNull(), qPrintable(u));
            seen.insert(u);
        }
        QCOMPARE(seen.size(), std::size_t(100));
    }

    void randomStaysInRangeOnItsGrid()
    {
        ReadingTemplate t = parsed(QStringLiteral("{{random 18..26 step 0.1}}"));
        std::set<QString> seen;
        for (int i = 0; i < 2000; ++i) {
            const QString text = t.render();
            bool ok = false;
            const double v = text.toDouble(&ok);
            QVERIFY2(ok && v >= 18 && v <= 26, qPrintable(text));
            QVERIFY2(QRegularExpression(QStringLiteral(R"(^\d\d\.\d$)")).match(text).hasMatch(), qPrintable(text));
            seen.insert(text);
        }
        QVERIFY2(seen.size() > 40, "2000 draws over 81 values should not repeat only a few");
        ReadingTemplate whole = parsed(QStringLiteral("{{random 1..3}}"));
        for (int i = 0; i < 200; ++i) {
            const QString text = whole.render();
            QVERIFY2(text == QLatin1String("1") || text == QLatin1String("2") || text == QLatin1String("3"), qPrintable(text));
        }
    }

    void walkMovesAtMostItsStep()
    {
        for (const QString &spec : {QStringLiteral("{{walk 21.5 ±0.2}}"), QStringLiteral("{{walk 21.5 +-0.2}}")}) {
            ReadingTemplate t = parsed(spec);
            double last = 21.5;
            bool moved = false;
            for (int i = 0; i < 500; ++i) {
                const QString text = t.render();
                QVERIFY2(QRegularExpression(QStringLiteral(R"(^-?\d+\.\d$)")).match(text).hasMatch(), qPrintable(text));
                const double v = text.toDouble();
                // Shown to one decimal: each printed step is within 0.2 plus rounding of both ends.
                QVERIFY2(std::abs(v - last) <= 0.2 + 0.1 + 1e-9, qPrintable(QStringLiteral("%1 after %2").arg(v).arg(last)));
                moved = moved || v != 21.5;
                last = v;
            }
            QVERIFY(moved);
        }
    }

    void pickChoosesAmongTheWords()
    {
        ReadingTemplate t = parsed(QStringLiteral("sensors/{{pick livingroom, kitchen,attic}}/temperature"));
        std::set<QString> seen;
        for (int i = 0; i < 300; ++i)
            seen.insert(t.render());
        QCOMPARE(seen, (std::set<QString>{QStringLiteral("sensors/livingroom/temperature"),
                                          QStringLiteral("sensors/kitchen/temperature"),
                                          QStringLiteral("sensors/attic/temperature")}));
    }

    void theSensorPresetIsValidJsonEveryTime()
    {
        ReadingTemplate t = parsed(
            QStringLiteral(R"({"temperature": {{walk 21.5 ±0.2}}, "unit": "°C", "seq": {{seq}}, "at": "{{now}}"})"));
        for (int i = 1; i <= 20; ++i) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(t.render().toUtf8(), &error);
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(doc.object().value(QStringLiteral("seq")).toInt(), i);
            QVERIFY(doc.object().value(QStringLiteral("temperature")).isDouble());
        }
    }

    void aTemplateWithoutFieldsIsConstant()
    {
        ReadingTemplate t = parsed(QStringLiteral("plain {text} with } braces"));
        QVERIFY(t.isConstant());
        QCOMPARE(t.render(), QStringLiteral("plain {text} with } braces"));
        QCOMPARE(t.render(), QStringLiteral("plain {text} with } braces"));
    }

    void sameSeedSameReadings()
    {
        ReadingTemplate a = parsed(QStringLiteral("{{walk 20 ±1}} {{random 0..100}} {{pick a,b,c}}"), 42);
        ReadingTemplate b = parsed(QStringLiteral("{{walk 20 ±1}} {{random 0..100}} {{pick a,b,c}}"), 42);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(a.render(), b.render());
    }

    void badTemplatesAreNamed_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown field") << QStringLiteral("{{temperature}}") << QStringLiteral("{{temperature}} is not a template field");
        QTest::newRow("misspelt seq") << QStringLiteral("{\"n\": {{sequence}}}") << QStringLiteral("{{sequence}}");
        QTest::newRow("never closed") << QStringLiteral("value {{seq") << QStringLiteral("never closed");
        QTest::newRow("closed field then open one") << QStringLiteral("{{seq}} and {{now") << QStringLiteral("never closed");
        QTest::newRow("range upside down") << QStringLiteral("{{random 26..18}}") << QStringLiteral("low to high");
        QTest::newRow("zero step") << QStringLiteral("{{random 1..2 step 0}}") << QStringLiteral("positive step");
        QTest::newRow("pick nothing") << QStringLiteral("{{pick ,,}}") << QStringLiteral("give the words");
        QTest::newRow("walk without step") << QStringLiteral("{{walk 21.5}}") << QStringLiteral("not a template field");
    }

    void badTemplatesAreNamed()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        const QString error = refusal(text);
        QVERIFY2(error.contains(mentions), qPrintable(QStringLiteral("'%1' gave '%2'").arg(text, error)));
    }

    void payloadFormatsRoundTrip_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("text utf-8") << int(PayloadFormat::Text) << QStringLiteral("21.5 °C") << QByteArray("21.5 \xc2\xb0" "C");
        QTest::newRow("json") << int(PayloadFormat::Json) << QStringLiteral(R"({"t": 21.5})") << QByteArray(R"({"t": 21.5})");
        QTest::newRow("hex spaced") << int(PayloadFormat::Hex) << QStringLiteral("de ad BE EF 00") << QByteArray("\xde\xad\xbe\xef\x00", 5);
        QTest::newRow("hex 0x commas") << int(PayloadFormat::Hex) << QStringLiteral("0x01, 0x02,0xff") << QByteArray("\x01\x02\xff", 3);
        QTest::newRow("base64") << int(PayloadFormat::Base64) << QStringLiteral(" AAEC/w== ") << QByteArray("\x00\x01\x02\xff", 4);
        QTest::newRow("empty hex") << int(PayloadFormat::Hex) << QString() << QByteArray();
    }

    void payloadFormatsRoundTrip()
    {
        QFETCH(int, format);
        QFETCH(QString, text);
        QFETCH(QByteArray, bytes);
        const auto result = payloadFromText(text, PayloadFormat(format));
        QVERIFY2(result.ok(), qPrintable(result.sentence()));
        QCOMPARE(*result, bytes);
        // Written back and read again, the bytes stay the same (JSON: the same document).
        const auto again = payloadFromText(payloadToText(bytes, PayloadFormat(format)), PayloadFormat(format));
        QVERIFY(again.ok());
        if (PayloadFormat(format) == PayloadFormat::Json)
            QCOMPARE(QJsonDocument::fromJson(*again), QJsonDocument::fromJson(bytes));
        else
            QCOMPARE(*again, bytes);
    }

    void jsonIsPrettyPrintedForReading()
    {
        QCOMPARE(payloadToText(QByteArray(R"({"a":1,"b":[true]})"), PayloadFormat::Json),
                 QStringLiteral("{\n    \"a\": 1,\n    \"b\": [\n        true\n    ]\n}"));
        // Not JSON: shown as it is rather than lost.
        QCOMPARE(payloadToText(QByteArray("21.5"), PayloadFormat::Json), QStringLiteral("21.5"));
    }

    void badPayloadsAreNamed_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("json unclosed") << int(PayloadFormat::Json) << QStringLiteral("{\"t\": 21.5") << QStringLiteral("Invalid JSON");
        QTest::newRow("json second line") << int(PayloadFormat::Json) << QStringLiteral("{\n\"t\": nope}") << QStringLiteral("line 2");
        QTest::newRow("json trailing comma") << int(PayloadFormat::Json) << QStringLiteral("[1,]") << QStringLiteral("Invalid JSON");
        QTest::newRow("hex letter") << int(PayloadFormat::Hex) << QStringLiteral("de ad zz") << QStringLiteral("'z' at position 5");
        QTest::newRow("hex odd") << int(PayloadFormat::Hex) << QStringLiteral("abc") << QStringLiteral("3 digits is an odd number");
        QTest::newRow("base64 junk") << int(PayloadFormat::Base64) << QStringLiteral("not base64!") << QStringLiteral("Invalid base64");
    }

    void badPayloadsAreNamed()
    {
        QFETCH(int, format);
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        const auto result = payloadFromText(text, PayloadFormat(format));
        QVERIFY2(!result.ok(), "a bad payload was accepted");
        QVERIFY2(result.sentence().contains(mentions), qPrintable(result.sentence()));
    }
};

QTEST_GUILESS_MAIN(TstReadingTemplate)
#include "tst_reading_template.moc"
