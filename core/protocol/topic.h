#pragma once
// Topic names and topic filters (spec 4.7): validation and matching.

#include "result.h"

#include <QString>
#include <QList>
#include <QStringView>

namespace mqs {

// Success when `topic` may be published to; else an InvalidInput problem saying why not.
// Topic names carry no wildcards and are at least one character long ([MQTT-4.7.3-1]).
Status checkTopicName(QStringView topic);

// Success when `filter` may be subscribed to; else an InvalidInput problem saying why not.
// '#' stands alone as the last level, '+' alone in a level ([MQTT-4.7.1-1], [MQTT-4.7.1-2]);
// "$share/{name}/{filter}" is checked as a shared subscription.
Status checkTopicFilter(QStringView filter);

// True for "$share/name/filter" (5.0 shared subscriptions).
bool isSharedSubscription(QStringView filter);
// The filter part of a shared subscription, or the filter itself.
QStringView filterWithoutShare(QStringView filter);

// Whether `topic` matches `filter`. Wildcards at the first level do not match topics
// starting with '$' ([MQTT-4.7.2-1]).
bool topicMatches(QStringView filter, QStringView topic);

} // namespace mqs
