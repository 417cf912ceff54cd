#pragma once
// Exports of the trace: pcap (opens in Wireshark and tshark as MQTT) and JSON Lines.

#include "trace_log.h"
#include "protocol/result.h"

#include <QIODevice>

#include <functional>
#include <optional>
#include <set>

namespace mqs {

// Which events to export: all by default.
struct TraceSelection {
    std::optional<std::set<ConnectionId>> connections{}; // nothing: every connection
    quint64 firstSequence = 0;
    quint64 endSequence = std::numeric_limits<quint64>::max();
    std::function<bool(quint64 sequence)> accept{}; // e.g. only the selected flows' packets

    bool includes(const TraceLog &log, quint64 sequence) const;
};

// Classic pcap with synthetic Ethernet/IPv4/TCP headers: one TCP conversation per traced
// connection (and per reconnect), the broker side on port 1883 so MQTT dissectors need no
// hints, sequence and acknowledgement numbers consistent, checksums filled. Only packets that
// crossed the wire are written: a held packet when it is released, never a dropped one.
// A File problem when it cannot be written (e.g. the disk is full).
Status writePcap(const TraceLog &log, QIODevice &out, const TraceSelection &selection = {});

// One JSON object per event: sequence, time, connection, kind, direction, type, id, flow
// state, mark, rule, note, the raw bytes in hex and the describe() line.
Status writeJsonLines(const TraceLog &log, QIODevice &out, const TraceSelection &selection = {});

} // namespace mqs
