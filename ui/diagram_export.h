#pragma once
// The sequence diagram as a file: SVG (vector, full labels, title, time span, flow brackets and
// the colour legend) or PNG at 1×, 2× or 3× scale. Without selection highlights: an export shows
// what happened, not what the user had clicked.

#include "sequence_diagram_view.h"

#include "protocol/result.h"

#include <optional>
#include <set>

namespace mqs {

struct DiagramExportOptions {
    std::set<FlowId> flows; // only these flows' rows and lanes; empty: the rows on screen
    int scale = 1; // PNG only: 1, 2 or 3 device pixels per diagram pixel
};

// The rows an export draws: the flows' own rows, or the rows on screen.
std::vector<std::size_t> exportedRows(const SequenceDiagramView &view, const std::set<FlowId> &flows);
// Writes `path` (.svg or .png); on failure, a problem saying what went wrong.
Status exportDiagram(const SequenceDiagramView &view, const QString &path, const DiagramExportOptions &options);

} // namespace mqs
