#pragma once
// One trace event as a line of text, for the CLI's --trace, the demo and logs:
// "  1.204311  living-room sensor → sandbox broker  PUBLISH id=3 qos=2 ... (4 B)  AwaitingPubRec"

#include "trace_log.h"

namespace mqs {

QString traceLine(const TraceLog &log, quint64 sequence);

// The lane name of one end of a traced connection. The sandbox broker's view of a client is
// named as the app's own connection with that client id, so both hops read alike.
QString partyName(const TraceLog &log, const TraceConnection &connection, bool remote);

} // namespace mqs
