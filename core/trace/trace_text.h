#pragma once
// One trace event as a line of text, for the CLI's --trace, the demo and logs:
// "  1.204311  living-room sensor → sandbox broker  PUBLISH id=3 qos=2 ... (4 B)  AwaitingPubRec"

#include "trace_log.h"

namespace mqs {

// How finely a trace time is written: the diagram's time column shows milliseconds, the
// Packet tab and the CLI's --trace lines microseconds.
enum class TimeResolution : quint8 { Milliseconds, Microseconds };

// A trace time as every view writes it: seconds since the trace clock's zero (TraceClock,
// the time_us of the JSON Lines export), cut (not rounded) to `resolution`, so the diagram's
// "1.204" and the Packet tab's "1.204311" read as one time. "1.204311"
QString traceSeconds(qint64 timeUs, TimeResolution resolution);

// How long a step took, as the Flows tab and the publish panel say it: "2.76 ms", "41 ms", "3.2 s".
QString durationText(qint64 us);

// When an event of `connection` at trace time `timeUs` happened, in µs since the epoch: for a
// capture file, the capture's own time; otherwise the trace clock's.
[[nodiscard]] qint64 wallTimeUs(const TraceLog &log, const TraceConnection &connection, qint64 timeUs);

QString traceLine(const TraceLog &log, quint64 sequence);

// The lane name of one end of a traced connection. The sandbox broker's view of a client is
// named as the app's own connection with that client id, so both hops read alike.
QString partyName(const TraceLog &log, const TraceConnection &connection, bool remote);

} // namespace mqs
