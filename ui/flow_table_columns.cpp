#include "flow_table_columns.h"

#include "flow_table_model.h"

#include <QApplication>
#include <QHeaderView>
#include <QStyle>
#include <QTableView>

#include <algorithm>
#include <array>

namespace mqs {
namespace {

// A column's width from sample texts: at least `least`, at most `most` (the latter is what the
// column takes when there is room for every column at its most).
struct ColumnSize {
    FlowTableModel::Column column;
    const char *least;
    const char *most;
};

// Samples rather than pixel counts, so sizes follow the font.
constexpr std::array<ColumnSize, FlowTableModel::ColumnCount> kColumns{{
    {FlowTableModel::Connection, "dashbo", "broker ⇄ living-room sensor"},
    {FlowTableModel::Direction_, "out", "out"},
    {FlowTableModel::Id, "65535", "65535 (#2)"},
    {FlowTableModel::Topic, "sensors", "sensors/temperature/livingroom"},
    {FlowTableModel::QoS_, "QoS", "QoS"},
    {FlowTableModel::State, "AwaitingPub", "Stalled: AwaitingPubComp"},
    {FlowTableModel::Sentence, "waiting", "PUBREC received 2.1 s ago; waiting for PUBCOMP from the receiver"},
    {FlowTableModel::Age, "99.9 s", "999.9 s"},
    {FlowTableModel::Resends, "99", "DUP"},
    {FlowTableModel::Held, "held", "held"},
    {FlowTableModel::Steps, "PUB →", "PUBLISH → PUBREC → PUBREL → PUBCOMP"},
}};

int cellWidth(const QFontMetrics &metrics, const char *sample)
{
    // A cell's text margins on both sides, as the default delegate keeps them (about a character).
    return metrics.horizontalAdvance(QString::fromUtf8(sample)) + 2 * metrics.averageCharWidth();
}

int total(const QFontMetrics &metrics, const char *ColumnSize::*which)
{
    int sum = 0;
    for (const ColumnSize &c : kColumns)
        sum += cellWidth(metrics, c.*which);
    return sum;
}

// A column is never narrower than its header's label ("Resends" over a column of "99").
int leastWidth(const QTableView &table, const ColumnSize &c)
{
    return std::max(cellWidth(table.fontMetrics(), c.least), table.horizontalHeader()->sectionSizeHint(c.column));
}

} // namespace

// The table's vertical scroll bar and frame, beside its columns.
int tableChrome()
{
    constexpr int kFrame = 4; // both sides
    return QApplication::style()->pixelMetric(QStyle::PM_ScrollBarExtent) + kFrame;
}

int comfortableTableWidth(const QFontMetrics &metrics)
{
    const int least = total(metrics, &ColumnSize::least);
    return least + (total(metrics, &ColumnSize::most) - least) / 2 + tableChrome();
}

void fitFlowColumns(QTableView &table)
{
    const QFontMetrics metrics = table.fontMetrics();
    const int room = table.viewport()->width();
    int least = 0, most = 0;
    for (const ColumnSize &c : kColumns) {
        least += leastWidth(table, c);
        most += std::max(leastWidth(table, c), cellWidth(metrics, c.most));
    }
    // Between the least and the most, each column gets the same share of what it could still use.
    const double share = most > least ? std::clamp(double(room - least) / double(most - least), 0.0, 1.0) : 1.0;
    for (const ColumnSize &c : kColumns) {
        const int low = leastWidth(table, c);
        const int high = std::max(low, cellWidth(metrics, c.most));
        table.setColumnWidth(c.column, low + int(share * (high - low))); // the last one then stretches
    }
}

} // namespace mqs
