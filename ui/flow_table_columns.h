#pragma once
// How the Flows table's columns share its width: short columns (direction, id, QoS, age, resends,
// held) as wide as their values, the text columns (connection, topic, state, what it waits for,
// steps) shrinking towards a readable minimum, elided, with the whole text in the tooltip. Every
// column stays in view, with no horizontal scrolling, until every column is at its least.

#include <QFontMetrics>

class QTableView;

namespace mqs {

// A table wide enough for its columns to read well: halfway from their least to their most.
int comfortableTableWidth(const QFontMetrics &metrics);
// Sizes the columns of `table` (a FlowTableModel's) to its viewport's width.
void fitFlowColumns(QTableView &table);

} // namespace mqs
