#pragma once
// How fast a replay of imported messages publishes: the records' own spacing, sped up or slowed
// down by a factor (2× halves every gap), or evenly at a number of messages a second. Parsed
// from what a person types, and turned into each message's send time after the start.

#include "message_export.h"
#include "protocol/result.h"

#include <QString>

#include <variant>

namespace mqs {

// The gaps between the records' times divided by `speed`: 1 is the original spacing.
struct SpacingFactor {
    double speed = 1.0;
    bool operator==(const SpacingFactor &) const = default;
};
// One message every 1 / messagesPerSecond seconds, whatever the records' times.
struct MessagesPerSecond {
    double rate = 1.0;
    bool operator==(const MessagesPerSecond &) const = default;
};
using ReplayPace = std::variant<SpacingFactor, MessagesPerSecond>;

// Above this a replay is as fast as the connection takes it anyway (the window publishes at most
// a few hundred messages per event-loop turn), and a factor this large turns hours into a blink.
constexpr double kFastestReplayRate = 1'000'000.0;
constexpr double kLargestSpeedFactor = 1'000'000.0;

// "original" (or an empty text), "2x", "0.5×", "×10" → a factor; "250", "250/s",
// "250 msg/s", "250 messages/s" → a rate. Zero, negative, too large or unreadable text says so.
[[nodiscard]] Result<ReplayPace> parseReplayPace(const QString &text);
// "original spacing", "2× the original spacing", "250 messages/s".
QString replayPaceText(const ReplayPace &pace);

// When, after the replay starts, message `index` is published, in milliseconds. With a factor,
// a clock that stepped back between two records counts as no gap.
qint64 replayOffsetMs(const std::vector<MessageRecord> &records, std::size_t index, const ReplayPace &pace);

} // namespace mqs
