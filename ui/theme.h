#pragma once
// The few colours that carry meaning (problem, success, a stalled row), chosen for the palette
// in use so they stay readable on light and dark themes, and a dark palette for
// `mqttscope --palette dark`.

#include "protocol/types.h"

#include <QColor>
#include <QPalette>

#include <vector>

namespace mqs {

bool isDarkPalette(const QPalette &palette);
bool isDarkPalette(); // the application's palette

QColor problemColor(); // errors, failed and stalled flows
QColor successColor(); // completed flows and publishes
QColor warningColor(); // nothing wrong, but worth noticing (a payload shown in part)
QColor stalledRowColor(); // background of a stalled flow's row
QColor linkedRowColor(); // background of the other hops of the selected flow's message

// The sequence diagram's one colour code: an arrow's colour says its packet type (the steps of a
// QoS handshake each have their own), on `palette`. Flows are told apart by their brackets.
QColor packetColor(PacketType type, const QPalette &palette);
struct LegendEntry {
    QString name; // "PUBLISH", "SUBSCRIBE / UNSUBSCRIBE"
    PacketType type;
};
// The types the legend names, in handshake order; every colour packetColor() gives is among them.
const std::vector<LegendEntry> &packetLegend();

// Qt's Fusion style with dark colours; `light` gives Fusion's own light palette.
QPalette darkPalette();

} // namespace mqs
