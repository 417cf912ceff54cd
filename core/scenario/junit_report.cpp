#include "junit_report.h"

#include <QXmlStreamWriter>

namespace mqs {

void writeJUnit(const ScenarioOutcome &outcome, QIODevice &out)
{
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    qint64 totalMs = 0;
    for (const StepOutcome &step : outcome.steps)
        totalMs += step.elapsedMs;
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), outcome.name);
    xml.writeAttribute(QStringLiteral("tests"), QString::number(outcome.steps.size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(outcome.failures()));
    xml.writeAttribute(QStringLiteral("time"), QString::number(totalMs / 1000.0, 'f', 3));
    for (int i = 0; i < int(outcome.steps.size()); ++i) {
        const StepOutcome &step = outcome.steps[size_t(i)];
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("classname"), outcome.name);
        xml.writeAttribute(QStringLiteral("name"), QStringLiteral("%1. %2").arg(i + 1).arg(step.description));
        xml.writeAttribute(QStringLiteral("time"), QString::number(step.elapsedMs / 1000.0, 'f', 3));
        if (!step.passed) {
            xml.writeStartElement(QStringLiteral("failure"));
            xml.writeAttribute(QStringLiteral("message"), step.detail);
            xml.writeCharacters(step.detail);
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndElement();
    xml.writeEndDocument();
}

} // namespace mqs
