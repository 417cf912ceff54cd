#include "lane_caption.h"

#include <QRegularExpression>

#include <optional>

namespace mqs {
namespace {

// The shortest client id worth showing before the port: two letters and the ellipsis.
constexpr int kMinClientIdChars = 3;

struct EndpointName {
    QString clientId;
    QString port; // ":50120"
};

// "sensor-1 (127.0.0.1:50120)" and "sensor-1 ([::1]:50120)", as the capture names device lanes.
std::optional<EndpointName> splitEndpointName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^(.+) \((?:\[[0-9A-Fa-f:.]+\]|[^()\s]+)(:\d+)\)$)"));
    const QRegularExpressionMatch m = pattern.match(name);
    if (!m.hasMatch())
        return std::nullopt;
    return EndpointName{m.captured(1), m.captured(2)};
}

} // namespace

QString laneCaption(const QString &name, const QFontMetrics &fm, int width)
{
    if (fm.horizontalAdvance(name) <= width)
        return name;
    const auto parts = splitEndpointName(name);
    if (!parts)
        return fm.elidedText(name, Qt::ElideMiddle, width);
    const QString suffix = QLatin1Char(' ') + parts->port;
    const QString clientId = fm.elidedText(parts->clientId, Qt::ElideRight, width - fm.horizontalAdvance(suffix));
    if (clientId.size() >= kMinClientIdChars)
        return clientId + suffix;
    if (fm.horizontalAdvance(parts->port) <= width)
        return parts->port; // too narrow for both: what tells the lanes apart wins
    return fm.elidedText(name, Qt::ElideMiddle, width);
}

} // namespace mqs
