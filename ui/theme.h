#pragma once
// The few colours that carry meaning (problem, success, a stalled row), chosen for the palette
// in use so they stay readable on light and dark themes, and a dark palette for
// `mqttscope --palette dark`.

#include <QColor>
#include <QPalette>

namespace mqs {

bool isDarkPalette(const QPalette &palette);
bool isDarkPalette(); // the application's palette

QColor problemColor(); // errors, failed and stalled flows
QColor successColor(); // completed flows and publishes
QColor warningColor(); // nothing wrong, but worth noticing (a payload shown in part)
QColor stalledRowColor(); // background of a stalled flow's row
QColor linkedRowColor(); // background of the other hops of the selected flow's message

// Qt's Fusion style with dark colours; `light` gives Fusion's own light palette.
QPalette darkPalette();

} // namespace mqs
