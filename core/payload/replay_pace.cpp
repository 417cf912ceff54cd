#include "replay_pace.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>
#include <optional>

namespace mqs {
namespace {

template<class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};

// A number, then an optional unit: "x"/"×" before or after it is a factor, "/s", "msg/s",
// "messages/s" (or nothing) after it a rate.
const QRegularExpression &paceSyntax()
{
    static const QRegularExpression syntax(
        QStringLiteral(R"(^\s*(?<pre>[x×])?\s*(?<number>[-+]?[0-9.,]+(?:[eE][-+]?[0-9]+)?)\s*)"
                       R"((?<unit>[x×]|/\s*s|msgs?\s*/\s*s|messages?\s*/\s*s(?:ec(?:ond)?)?)?\s*$)"),
        QRegularExpression::CaseInsensitiveOption);
    return syntax;
}

Problem paceProblem(const QString &what)
{
    return Problem{ProblemKind::InvalidInput, what};
}

Problem notAPace(const QString &text)
{
    return paceProblem(QStringLiteral("\"%1\" is not a pace: type \"original\", a factor of the original spacing "
                                      "such as \"2x\" or \"0.5x\", or messages a second such as \"250\".").arg(text));
}

// "1,000" groups thousands; "0,5" is a decimal comma.
std::optional<double> numberOf(QString digits)
{
    static const QRegularExpression grouped(QStringLiteral(R"(^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$)"));
    if (grouped.match(digits).hasMatch())
        digits.remove(u',');
    else
        digits.replace(u',', u'.');
    bool read = false;
    const double number = digits.toDouble(&read);
    return read && std::isfinite(number) ? std::optional(number) : std::nullopt;
}

// "2,500", "0.5": English grouping, as the sentences around it are English.
QString shortNumber(double value)
{
    return QLocale(QLocale::English).toString(value, 'f', QLocale::FloatingPointShortest);
}

} // namespace

Result<ReplayPace> parseReplayPace(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(QStringLiteral("original"), Qt::CaseInsensitive))
        return ReplayPace{SpacingFactor{}};
    const auto parts = paceSyntax().match(trimmed);
    const auto number = parts.hasMatch() ? numberOf(parts.captured(u"number")) : std::nullopt;
    if (!number)
        return notAPace(trimmed);
    const bool factor = !parts.captured(u"pre").isEmpty() || parts.captured(u"unit").compare(u"x", Qt::CaseInsensitive) == 0
                        || parts.captured(u"unit") == u"×";
    if (*number <= 0)
        return paceProblem(factor ? QStringLiteral("A speed factor must be above 0 (0.5x is half speed, 2x twice as fast).")
                                  : QStringLiteral("A rate must be above 0 messages/s."));
    if (factor && *number > kLargestSpeedFactor)
        return paceProblem(QStringLiteral("A speed factor can be at most %1x.").arg(shortNumber(kLargestSpeedFactor)));
    if (!factor && *number > kFastestReplayRate)
        return paceProblem(QStringLiteral("A rate can be at most %1 messages/s.").arg(shortNumber(kFastestReplayRate)));
    return factor ? ReplayPace{SpacingFactor{*number}} : ReplayPace{MessagesPerSecond{*number}};
}

QString replayPaceText(const ReplayPace &pace)
{
    return std::visit(overloaded{
                          [](const SpacingFactor &f) {
                              return f.speed == 1.0 ? QStringLiteral("original spacing")
                                                    : QStringLiteral("%1× the original spacing").arg(shortNumber(f.speed));
                          },
                          [](const MessagesPerSecond &r) { return QStringLiteral("%1 messages/s").arg(shortNumber(r.rate)); },
                      },
                      pace);
}

qint64 replayOffsetMs(const std::vector<MessageRecord> &records, std::size_t index, const ReplayPace &pace)
{
    if (index == 0 || index >= records.size())
        return 0;
    return std::visit(overloaded{
                          [&](const SpacingFactor &f) {
                              const qint64 recorded = std::max<qint64>(0, records[index].timeMs - records.front().timeMs);
                              return qint64(std::llround(double(recorded) / f.speed));
                          },
                          [&](const MessagesPerSecond &r) { return qint64(std::llround(double(index) * 1000.0 / r.rate)); },
                      },
                      pace);
}

} // namespace mqs
