#include "probe_report.h"

#include "evidence_svg.h"

#include <QXmlStreamWriter>

namespace mqs {
namespace {

// Kept short and free of '>' (a <style> is raw text in HTML, and the writer escapes '>').
const char *const kStyle =
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "td.conforms{background:#e3f4e1}td.deviates{background:#f9dcd6}"
    "td.inconclusive{background:#fbf0cf}td.not-supported{background:#eeeeee}"
    "pre{background:#f6f6f6;padding:8px;overflow-x:auto}"
    "section{margin-top:2em}.diagram{overflow-x:auto}";

QString verdictClass(ProbeVerdict verdict) { return probeVerdictName(verdict).replace(QLatin1Char(' '), QLatin1Char('-')); }

bool showsEvidence(const ProbeCheck &check)
{
    return (check.verdict == ProbeVerdict::Deviates || check.verdict == ProbeVerdict::Inconclusive) && !check.diagram.empty();
}

void element(QXmlStreamWriter &xml, const QString &name, const QString &content, const QString &cssClass = {})
{
    xml.writeStartElement(name);
    if (!cssClass.isEmpty())
        xml.writeAttribute(QStringLiteral("class"), cssClass);
    xml.writeCharacters(content);
    xml.writeEndElement();
}

void writeHead(QXmlStreamWriter &xml, const ProbeReport &report)
{
    xml.writeStartElement(QStringLiteral("head"));
    xml.writeEmptyElement(QStringLiteral("meta"));
    xml.writeAttribute(QStringLiteral("charset"), QStringLiteral("utf-8"));
    element(xml, QStringLiteral("title"), QStringLiteral("MQTT Scope probe of %1").arg(report.brokerUrl));
    element(xml, QStringLiteral("style"), QLatin1String(kStyle));
    xml.writeEndElement();
}

QString tally(const ProbeReport &report)
{
    QStringList parts;
    for (ProbeVerdict v : {ProbeVerdict::Conforms, ProbeVerdict::Deviates, ProbeVerdict::NotSupported, ProbeVerdict::Inconclusive}) {
        const auto n = std::count_if(report.checks.begin(), report.checks.end(), [v](const ProbeCheck &c) { return c.verdict == v; });
        if (n > 0)
            parts << QStringLiteral("%1 %2").arg(n).arg(probeVerdictName(v));
    }
    return parts.join(QStringLiteral(", "));
}

void writeConnAck(QXmlStreamWriter &xml, const ProbeReport &report)
{
    element(xml, QStringLiteral("h2"), QStringLiteral("The broker's CONNACK"));
    const auto first = std::find_if(report.checks.begin(), report.checks.end(), [](const ProbeCheck &c) { return !c.connack.isEmpty(); });
    if (first == report.checks.end()) {
        element(xml, QStringLiteral("p"), QStringLiteral("No check got a CONNACK from the broker."));
        return;
    }
    element(xml, QStringLiteral("p"), first->connack, QStringLiteral("connack"));
    if (first->connackProperties.isEmpty())
        return;
    xml.writeStartElement(QStringLiteral("table"));
    xml.writeAttribute(QStringLiteral("id"), QStringLiteral("connack-properties"));
    for (const QString &property : first->connackProperties) {
        const qsizetype colon = property.indexOf(QStringLiteral(": "));
        xml.writeStartElement(QStringLiteral("tr"));
        element(xml, QStringLiteral("th"), property.left(colon));
        element(xml, QStringLiteral("td"), property.mid(colon + 2));
        xml.writeEndElement();
    }
    xml.writeEndElement();
}

void writeCheckRow(QXmlStreamWriter &xml, const ProbeCheck &check)
{
    xml.writeStartElement(QStringLiteral("tr"));
    xml.writeAttribute(QStringLiteral("id"), QStringLiteral("row-") + check.id);
    xml.writeStartElement(QStringLiteral("td"));
    if (showsEvidence(check)) {
        xml.writeStartElement(QStringLiteral("a"));
        xml.writeAttribute(QStringLiteral("href"), QStringLiteral("#check-") + check.id);
        xml.writeCharacters(check.name.isEmpty() ? check.id : check.name);
        xml.writeEndElement();
    } else {
        xml.writeCharacters(check.name.isEmpty() ? check.id : check.name);
    }
    xml.writeEndElement();
    element(xml, QStringLiteral("td"), probeVerdictName(check.verdict), verdictClass(check.verdict));
    element(xml, QStringLiteral("td"), check.spec);
    element(xml, QStringLiteral("td"), check.verdict == ProbeVerdict::Conforms ? check.description : check.why);
    xml.writeEndElement();
}

void writeChecks(QXmlStreamWriter &xml, const ProbeReport &report)
{
    element(xml, QStringLiteral("h2"), QStringLiteral("Checks"));
    xml.writeStartElement(QStringLiteral("table"));
    xml.writeAttribute(QStringLiteral("id"), QStringLiteral("checks"));
    xml.writeStartElement(QStringLiteral("tr"));
    for (const char *heading : {"Check", "Verdict", "Rule", "What was seen"})
        element(xml, QStringLiteral("th"), QLatin1String(heading));
    xml.writeEndElement();
    for (const ProbeCheck &check : report.checks)
        writeCheckRow(xml, check);
    xml.writeEndElement();
}

void writeEvidence(QXmlStreamWriter &xml, const ProbeCheck &check)
{
    xml.writeStartElement(QStringLiteral("section"));
    xml.writeAttribute(QStringLiteral("id"), QStringLiteral("check-") + check.id);
    element(xml, QStringLiteral("h3"), QStringLiteral("%1: %2").arg(check.name, probeVerdictName(check.verdict)));
    element(xml, QStringLiteral("p"), check.spec.isEmpty() ? check.why : check.spec + QStringLiteral(": ") + check.why);
    xml.writeStartElement(QStringLiteral("div"));
    xml.writeAttribute(QStringLiteral("class"), QStringLiteral("diagram"));
    writeEvidenceSvg(xml, check.diagram, check.id);
    xml.writeEndElement();
    element(xml, QStringLiteral("pre"), check.evidence.join(QLatin1Char('\n')));
    xml.writeEndElement();
}

} // namespace

QByteArray probeReportHtml(const ProbeReport &report)
{
    QByteArray html;
    QXmlStreamWriter xml(&html);
    xml.setAutoFormatting(true);
    xml.setAutoFormattingIndent(1);
    xml.writeDTD(QStringLiteral("<!DOCTYPE html>"));
    xml.writeStartElement(QStringLiteral("html"));
    xml.writeDefaultNamespace(QStringLiteral("http://www.w3.org/1999/xhtml"));
    xml.writeAttribute(QStringLiteral("lang"), QStringLiteral("en"));
    writeHead(xml, report);
    xml.writeStartElement(QStringLiteral("body"));
    element(xml, QStringLiteral("h1"), QStringLiteral("Probe of %1").arg(report.brokerUrl));
    element(xml, QStringLiteral("p"), QStringLiteral("%1, %2 UTC, by mqttscope-cli probe. %3 checks: %4.")
                                          .arg(versionName(report.version), report.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                                          .arg(report.checks.size()).arg(tally(report)),
            QStringLiteral("summary"));
    writeConnAck(xml, report);
    writeChecks(xml, report);
    for (const ProbeCheck &check : report.checks)
        if (showsEvidence(check))
            writeEvidence(xml, check);
    xml.writeEndElement(); // body
    xml.writeEndElement(); // html
    return html.trimmed().append('\n'); // auto-formatting starts with a line break

}

} // namespace mqs
