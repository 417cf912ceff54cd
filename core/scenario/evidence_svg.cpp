#include "evidence_svg.h"

#include "trace/trace_text.h"

#include <map>
#include <set>

namespace mqs {
namespace {

// Sizes in SVG user units (pixels at 100 %). The report's font is 12 px monospace, whose glyphs
// are about 7.2 px wide: labels are measured by their characters, as no font metrics exist here.
constexpr int kFontPx = 12;
constexpr double kCharPx = 7.2;
constexpr int kMargin = 12;
constexpr int kTimeColumnPx = 84; // "12.345678 s"
constexpr int kHeaderPx = 28; // the party names above the lifelines
constexpr int kRowPx = 26; // one packet: its label, then its arrow
constexpr int kMinimumGapPx = 160; // between lifelines, when the labels are short
constexpr int kLabelPaddingPx = 24;
constexpr int kArrowHeadPx = 8;

const char *const kPacketColour = "#222222";
const char *const kFaultColour = "#b03020"; // a packet a fault rule dropped, held or duplicated
const char *const kNoteColour = "#707070";
const char *const kLifelineColour = "#a0a0a0";

bool isNote(const EvidenceEvent &event) { return event.to.isEmpty(); }

struct Geometry {
    QStringList parties;
    int gapPx = kMinimumGapPx;
    int notesEndPx = 0; // where the longest note ends: it may run past the last lifeline
    int width() const
    {
        return std::max(kMargin * 2 + kTimeColumnPx + gapPx * int(std::max<qsizetype>(parties.size(), 1)), notesEndPx + kMargin);
    }
    int x(const QString &party) const { return kMargin + kTimeColumnPx + gapPx / 2 + gapPx * int(parties.indexOf(party)); }
    int rowY(size_t row) const { return kMargin + kHeaderPx + kRowPx * int(row + 1); }
    int height(size_t rows) const { return rowY(rows) + kMargin; }
};

Geometry geometryOf(const std::vector<EvidenceEvent> &events)
{
    Geometry g{evidenceParties(events)};
    qsizetype longest = 0;
    for (const EvidenceEvent &e : events)
        if (!isNote(e)) // a note runs on past its lifeline
            longest = std::max(longest, e.label.size());
    for (const QString &party : g.parties)
        longest = std::max(longest, party.size());
    g.gapPx = std::max(kMinimumGapPx, int(double(longest) * kCharPx) + kLabelPaddingPx);
    for (const EvidenceEvent &e : events)
        if (isNote(e))
            g.notesEndPx = std::max(g.notesEndPx, g.x(e.from) + kArrowHeadPx + int(double(e.label.size() + 2) * kCharPx));
    return g;
}

void text(QXmlStreamWriter &xml, int x, int y, const QString &anchor, const char *colour, const QString &content)
{
    xml.writeStartElement(QStringLiteral("text"));
    xml.writeAttribute(QStringLiteral("x"), QString::number(x));
    xml.writeAttribute(QStringLiteral("y"), QString::number(y));
    xml.writeAttribute(QStringLiteral("text-anchor"), anchor);
    xml.writeAttribute(QStringLiteral("fill"), QLatin1String(colour));
    xml.writeCharacters(content);
    xml.writeEndElement();
}

void line(QXmlStreamWriter &xml, int x1, int y1, int x2, int y2, const char *colour, const QString &extraName = {},
          const QString &extraValue = {})
{
    xml.writeStartElement(QStringLiteral("line"));
    xml.writeAttribute(QStringLiteral("x1"), QString::number(x1));
    xml.writeAttribute(QStringLiteral("y1"), QString::number(y1));
    xml.writeAttribute(QStringLiteral("x2"), QString::number(x2));
    xml.writeAttribute(QStringLiteral("y2"), QString::number(y2));
    xml.writeAttribute(QStringLiteral("stroke"), QLatin1String(colour));
    if (!extraName.isEmpty())
        xml.writeAttribute(extraName, extraValue);
    xml.writeEndElement();
}

// The arrow head as a triangle of its own (not an SVG marker, which SVG Tiny readers such as
// QtSvg leave out), pointing at x2.
void writeArrowHead(QXmlStreamWriter &xml, int x2, int y, bool rightwards, const char *colour)
{
    const int back = rightwards ? x2 - kArrowHeadPx : x2 + kArrowHeadPx;
    xml.writeStartElement(QStringLiteral("polygon"));
    xml.writeAttribute(QStringLiteral("points"), QStringLiteral("%1,%2 %3,%4 %3,%5").arg(x2).arg(y).arg(back).arg(y - kArrowHeadPx / 2).arg(y + kArrowHeadPx / 2));
    xml.writeAttribute(QStringLiteral("fill"), QLatin1String(colour));
    xml.writeEndElement();
}

void writeLifelines(QXmlStreamWriter &xml, const Geometry &g, size_t rows)
{
    for (const QString &party : g.parties) {
        text(xml, g.x(party), kMargin + kFontPx, QStringLiteral("middle"), kPacketColour, party);
        line(xml, g.x(party), kMargin + kHeaderPx - kFontPx / 2, g.x(party), g.rowY(rows), kLifelineColour,
             QStringLiteral("stroke-dasharray"), QStringLiteral("4 3"));
    }
}

void writeEvent(QXmlStreamWriter &xml, const Geometry &g, const EvidenceEvent &e, int y)
{
    text(xml, kMargin, y, QStringLiteral("start"), kNoteColour, traceSeconds(e.timeUs, TimeResolution::Milliseconds) + QStringLiteral(" s"));
    if (isNote(e)) {
        text(xml, g.x(e.from) + kArrowHeadPx, y, QStringLiteral("start"), kNoteColour, QStringLiteral("⟂ ") + e.label);
        return;
    }
    const bool faulted = e.mark == TraceMark::Dropped || e.mark == TraceMark::Held || e.mark == TraceMark::Duplicated;
    const char *colour = faulted ? kFaultColour : kPacketColour;
    const int x1 = g.x(e.from), x2 = g.x(e.to);
    text(xml, (x1 + x2) / 2, y - kFontPx / 2, QStringLiteral("middle"), colour, e.label);
    line(xml, x1, y, x2, y, colour, QStringLiteral("stroke-dasharray"), e.mark == TraceMark::Dropped ? QStringLiteral("6 4") : QStringLiteral("none"));
    writeArrowHead(xml, x2, y, x2 > x1, colour);
}

} // namespace

QStringList evidenceParties(const std::vector<EvidenceEvent> &events)
{
    QStringList parties;
    std::map<QString, std::set<QString>> peers;
    for (const EvidenceEvent &e : events) {
        for (const QString &party : {e.from, e.to})
            if (!party.isEmpty() && !parties.contains(party))
                parties << party;
        if (!isNote(e)) {
            peers[e.from].insert(e.to);
            peers[e.to].insert(e.from);
        }
    }
    // The broker talks to every client: the party with the most peers stands second, between them.
    QString hub;
    for (const QString &party : parties)
        if (peers[party].size() >= 2 && (hub.isEmpty() || peers[party].size() > peers[hub].size()))
            hub = party;
    if (!hub.isEmpty() && parties.size() > 2)
        parties.move(parties.indexOf(hub), 1);
    return parties;
}

void writeEvidenceSvg(QXmlStreamWriter &xml, const std::vector<EvidenceEvent> &events, const QString &idPrefix)
{
    const Geometry g = geometryOf(events);
    xml.writeStartElement(QStringLiteral("svg"));
    xml.writeDefaultNamespace(QStringLiteral("http://www.w3.org/2000/svg"));
    xml.writeAttribute(QStringLiteral("width"), QString::number(g.width()));
    xml.writeAttribute(QStringLiteral("height"), QString::number(g.height(events.size())));
    xml.writeAttribute(QStringLiteral("viewBox"), QStringLiteral("0 0 %1 %2").arg(g.width()).arg(g.height(events.size())));
    xml.writeAttribute(QStringLiteral("font-family"), QStringLiteral("monospace"));
    xml.writeAttribute(QStringLiteral("font-size"), QString::number(kFontPx));
    xml.writeAttribute(QStringLiteral("id"), idPrefix + QStringLiteral("-diagram"));
    writeLifelines(xml, g, events.size());
    for (size_t row = 0; row < events.size(); ++row)
        writeEvent(xml, g, events[row], g.rowY(row));
    xml.writeEndElement();
}

} // namespace mqs
