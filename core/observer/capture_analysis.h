#pragma once
// A capture analysed as live traffic would be: every MQTT stream followed by a ConnectionObserver
// (sessions carried across a client's connections), read once and streamed, so memory follows
// the connections open at once rather than the file's size.

#include "connection_observer.h"

#include "protocol/result.h"
#include "trace/capture_decoder.h"

#include <functional>

namespace mqs {

struct AnalyzedConnection {
    static constexpr std::size_t kListed = 1000; // violations and failed flows listed per connection; the rest counted
    quint32 stream = 0;
    QString clientAddress{}; // "127.0.0.1:45328"
    QString brokerAddress{};
    QString clientId{};
    ProtocolVersion version = ProtocolVersion::V311;
    bool versionSeen = false; // a CONNECT said it; else the packets were read as `version`
    QString versionEvidence{}; // without a CONNECT: the packet that showed the version, if one did
    bool startedMidSession = false;
    quint64 packets = 0; // MQTT packets decoded, both ways
    double firstSeconds = 0; // since the capture's first frame; meaningful when packets > 0
    double lastSeconds = 0;
    ObservedCounts counts{};
    std::vector<ObservedStall> unfinished{}; // flows open at the capture's end, with how long they had waited
    std::vector<ObservedFlow> failed{};
    std::vector<ObservedFinding> violations{};
    quint64 notListed = 0; // violations and failed flows past kListed
    std::vector<CaptureProblem> problems{}; // a direction that stopped decoding
};

struct CaptureSummary {
    quint64 frames = 0;
    quint64 connections = 0;
    std::array<quint64, 3> messages{}; // by QoS
    quint64 completed = 0;
    quint64 failed = 0;
    quint64 unfinished = 0;
    quint64 stalls = 0; // unfinished flows that had waited longer than the stall threshold
    quint64 resends = 0;
    quint64 violations = 0;
    quint64 problems = 0;
    // What else a reader should know, as the window's Capture tab says it: streams that began
    // mid-session (and what showed their version), TLS streams, gaps, frames cut by the snapshot
    // length, a truncated file. The first kListedNotes; the rest counted.
    static constexpr std::size_t kListedNotes = 1000;
    std::vector<QString> notes{};
    quint64 notesNotListed = 0;
    bool clean() const { return stalls == 0 && violations == 0 && problems == 0; }
};

struct AnalysisOptions {
    // The broker's ports; empty: 1883, 8883 and any stream that starts with a CONNECT, as the window.
    std::vector<quint16> ports{};
    // An unfinished flow is a stall when it had waited longer than this at the capture's end.
    qint64 stallAfterUs = 0;
};

// Reads `path` once. `onConnection` gets each connection when it is done with: a while after its
// DISCONNECT, or at the capture's end. A Problem: kind File when the file cannot be read as a
// capture, InvalidInput when it holds no MQTT on the port.
[[nodiscard]] Result<CaptureSummary> analyzeCapture(const QString &path, const AnalysisOptions &options,
                                                   const std::function<void(const AnalyzedConnection &)> &onConnection);

} // namespace mqs
