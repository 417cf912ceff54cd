#pragma once
// A probe check's evidence as an SVG sequence diagram, for the HTML report: one lifeline per party
// (the broker in the middle), one arrow per packet, top to bottom in trace order. QtCore only, so
// the CLI draws it without widgets; the window's own export is ui/diagram_export.

#include "probe.h"

#include <QXmlStreamWriter>

namespace mqs {

// The parties of `events` in the order their lifelines stand: the first client, the broker(s),
// then the other clients.
QStringList evidenceParties(const std::vector<EvidenceEvent> &events);

// Writes one <svg> element (with its xmlns) into `xml`, with the id "`idPrefix`-diagram".
void writeEvidenceSvg(QXmlStreamWriter &xml, const std::vector<EvidenceEvent> &events, const QString &idPrefix);

} // namespace mqs
