// The probe's HTML report read back as XML: it names the broker, its CONNACK and every check with
// its verdict and rule, and holds one SVG sequence diagram per deviation, drawn between the right
// lifelines (the broker in the middle).

#include "scenario/evidence_svg.h"
#include "scenario/probe_report.h"

#include <QTest>
#include <QXmlStreamReader>

using namespace mqs;

namespace {

ProbeCheck check(const QString &id, ProbeVerdict verdict, const QString &spec = {})
{
    ProbeCheck c;
    c.id = id;
    c.name = QStringLiteral("Check %1").arg(id);
    c.verdict = verdict;
    c.spec = spec;
    c.why = QStringLiteral("why %1").arg(id);
    return c;
}

const QString kBroker = QStringLiteral("broker 127.0.0.1:1883");

ProbeReport sampleReport()
{
    ProbeCheck exactlyOnce = check(QStringLiteral("qos2-exactly-once"), ProbeVerdict::Conforms);
    exactlyOnce.connack = QStringLiteral("CONNACK session-present=0 0x00 Success");
    exactlyOnce.connackProperties = {QStringLiteral("Receive Maximum: 20"), QStringLiteral("Topic Alias Maximum: 10")};
    ProbeCheck receiveMaximum = check(QStringLiteral("receive-maximum"), ProbeVerdict::Deviates, QStringLiteral("[MQTT-3.3.4-9]"));
    receiveMaximum.diagram = {
        {1000, kBroker, QStringLiteral("live"), QStringLiteral("PUBLISH id=1 qos=2 dup=0 retain=0 t (1 B)"), TraceMark::None},
        {2000, kBroker, QStringLiteral("live"), QStringLiteral("PUBLISH id=2 qos=2 dup=0 retain=0 t (1 B)"), TraceMark::None},
        {3000, kBroker, QStringLiteral("live"), QStringLiteral("PUBLISH id=3 qos=2 dup=0 retain=0 t (1 B)"), TraceMark::None},
        {4000, QStringLiteral("live"), kBroker, QStringLiteral("DISCONNECT 0x93 Receive Maximum exceeded"), TraceMark::None},
    };
    receiveMaximum.evidence = {QStringLiteral("0.004000  live → broker  DISCONNECT 0x93 Receive Maximum exceeded")};
    ProbeCheck audit = check(QStringLiteral("delivery-audit"), ProbeVerdict::Deviates, QStringLiteral("[MQTT-4.5.0-1]"));
    audit.diagram = {
        {1000, QStringLiteral("publisher"), kBroker, QStringLiteral("PUBREL id=5"), TraceMark::None},
        {2000, kBroker, QStringLiteral("publisher"), QStringLiteral("PUBCOMP id=5"), TraceMark::None},
        {3000, QStringLiteral("subscriber"), {}, QStringLiteral("tcp 127.0.0.1:1883"), TraceMark::None},
        {4000, kBroker, QStringLiteral("subscriber"), QStringLiteral("PUBLISH id=1 <b>&amp;</b>"), TraceMark::Dropped},
    };
    return ProbeReport{QStringLiteral("mqtt://127.0.0.1:1883"), ProtocolVersion::V5,
                       QDateTime(QDate(2026, 12, 1), QTime(3, 0), Qt::UTC),
                       {exactlyOnce, receiveMaximum, audit, check(QStringLiteral("unknown-pubrel"), ProbeVerdict::NotSupported)}};
}

// What a reader of the report finds: texts by element, and the svg elements inside each section.
struct ReadBack {
    QStringList cells; // every td and th
    QStringList headings;
    std::map<QString, int> svgsInSection; // section id -> <svg> elements
    std::map<QString, QStringList> svgTexts; // section id -> <text> contents
    QString error;
};

ReadBack readBack(const QByteArray &html)
{
    ReadBack r;
    QXmlStreamReader xml(html);
    QString section;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QString name = xml.name().toString();
        if (name == QLatin1String("section")) {
            section = xml.attributes().value(QStringLiteral("id")).toString();
        } else if (name == QLatin1String("svg")) {
            ++r.svgsInSection[section];
            if (xml.namespaceUri() != QLatin1String("http://www.w3.org/2000/svg"))
                r.error = QStringLiteral("an svg outside the SVG namespace");
        } else if (name == QLatin1String("text")) {
            r.svgTexts[section] << xml.readElementText();
        } else if (name == QLatin1String("td") || name == QLatin1String("th")) {
            r.cells << xml.readElementText(QXmlStreamReader::IncludeChildElements).trimmed(); // a linked name is indented
        } else if (name.startsWith(QLatin1Char('h')) && name.size() == 2) {
            r.headings << xml.readElementText();
        }
    }
    if (xml.hasError())
        r.error = QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString());
    return r;
}

} // namespace

class TestProbeReport : public QObject
{
    Q_OBJECT

private slots:
    void reportParsesAndNamesEveryCheckAndVerdict()
    {
        const QByteArray html = probeReportHtml(sampleReport());
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        const ReadBack r = readBack(html);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QVERIFY(r.headings.contains(QStringLiteral("Probe of mqtt://127.0.0.1:1883")));
        for (const QString &row : {QStringLiteral("Check qos2-exactly-once|conforms"), QStringLiteral("Check receive-maximum|deviates|[MQTT-3.3.4-9]"),
                                   QStringLiteral("Check delivery-audit|deviates|[MQTT-4.5.0-1]"), QStringLiteral("Check unknown-pubrel|not supported")}) {
            const QStringList cells = row.split(QLatin1Char('|'));
            const qsizetype at = r.cells.indexOf(cells.first());
            QVERIFY2(at >= 0, qPrintable(row));
            QCOMPARE(r.cells.mid(at, cells.size()), cells);
        }
        // The CONNACK and its properties, from the first check that connected.
        QVERIFY(html.contains("CONNACK session-present=0 0x00 Success"));
        const qsizetype receiveMaximum = r.cells.indexOf(QStringLiteral("Receive Maximum"));
        QVERIFY(receiveMaximum >= 0);
        QCOMPARE(r.cells.at(receiveMaximum + 1), QStringLiteral("20"));
    }

    void oneSequenceDiagramPerDeviation()
    {
        const ReadBack r = readBack(probeReportHtml(sampleReport()));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.svgsInSection.size(), size_t(2));
        QCOMPARE(r.svgsInSection.at(QStringLiteral("check-receive-maximum")), 1);
        QCOMPARE(r.svgsInSection.at(QStringLiteral("check-delivery-audit")), 1);
        QVERIFY(r.svgTexts.at(QStringLiteral("check-receive-maximum")).contains(QStringLiteral("DISCONNECT 0x93 Receive Maximum exceeded")));
        // Labels are text, not markup: a topic with <, > or & does not break the file.
        QVERIFY(r.svgTexts.at(QStringLiteral("check-delivery-audit")).contains(QStringLiteral("PUBLISH id=1 <b>&amp;</b>")));
    }

    void brokerStandsBetweenItsClients()
    {
        const ProbeReport report = sampleReport();
        QCOMPARE(evidenceParties(report.checks[2].diagram), (QStringList{QStringLiteral("publisher"), kBroker, QStringLiteral("subscriber")}));
        QCOMPARE(evidenceParties(report.checks[1].diagram), (QStringList{kBroker, QStringLiteral("live")}));
    }
};

QTEST_GUILESS_MAIN(TestProbeReport)
#include "tst_probe_report.moc"
