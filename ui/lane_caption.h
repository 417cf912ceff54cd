#pragma once
// What a lane's header cell reads when its full name does not fit: the part that tells lanes
// apart is kept whole, the rest is shortened. The full name stays in the header's tooltip.

#include <QFontMetrics>
#include <QString>

namespace mqs {

// `name` shortened to `width` px of `fm`. A capture's device lane is "client id (address:port)"
// and several connections often share one client id (a device that reconnects, or a fleet
// configured alike); the port tells them apart, so it is kept and the address goes first, then
// the client id is cut: "sensor-1 (127.0.0.1:50120)" → "sensor-1 :50120" → "sens… :50120" →
// ":50120".
// Any other name is cut in the middle ("broker 192.1…:1883").
[[nodiscard]] QString laneCaption(const QString &name, const QFontMetrics &fm, int width);

} // namespace mqs
