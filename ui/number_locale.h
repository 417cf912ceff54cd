#pragma once

#include <QString>
// Large numbers read the same everywhere in the window ("10,013.1 packets/s", "1,237 × PUBLISH",
// "5,000 frames"): every view formats them through QLocale() or %L1, and this default locale
// groups their digits.

namespace mqs {

// Makes the default locale the system's with its digit grouping on. The "C" locale of a bare
// environment (LANG=C, C.UTF-8) leaves grouping off; it is turned on there too, so a count
// never reads "10013" on one widget and "10,013" on the next.
void groupDigitsInDefaultLocale();

// A count with its noun, grouped: "1 flow", "0 flows", "1,237 flows". The window ships no
// translation files, so tr()'s %n would leave "flow(s)".
[[nodiscard]] QString countText(qint64 count, const QString &one, const QString &many);

} // namespace mqs
