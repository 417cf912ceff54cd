#pragma once
// What the Inspector pane says about one flow, as data: its hop and ids, its steps with times,
// the state word, what holds it, the other hop of its message, and what the wait means for the
// message. Built from the FlowIndex and the flow's connection; the pane only lays it out.

#include "workbench.h"

#include <vector>

namespace mqs {

struct FlowStep {
    QString packet; // "PUBREC id=2"
    QString what; // "sent", "received", "held by a rule", "released", "dropped", ...
    QString at; // when it happened (a capture: by its own clock), "14:02:11.532"; another day: "2023-11-14 22:13:20.003"
    QString since; // since the flow's first packet, "+1.2 ms"
};

struct FlowStory {
    QString title; // "living-room sensor → sandbox broker · id 2 · QoS 2 · sensors/temperature"
    QString state; // the state word, naming what blocks it
    QString waiting; // FlowIndex::sentence
    QString heldBy; // "rule 'stall at PUBREL' holds our PUBREL (8.2 s)", empty when nothing is held
    QString hops; // "forwarded to dashboard as id 1", "not forwarded yet", ...
    QString meaning; // what the wait means for the message, empty when it is finished
    std::vector<FlowStep> steps;
};

// `nowUs` is trace time.
FlowStory tellFlow(Workbench &workbench, const FlowRecord &flow, qint64 nowUs);

// Whose send quota and how much of it is in use, as the Flows tab's quota line and the Inspector
// both say it: "sensor: 20 of 20 send quota in use, 4 publishes queued". Empty unless connected.
QString sendQuotaText(const Connection *connection);

// The other hop's part of the story: "forwarded to dashboard as id 1" or "not forwarded yet"
// (from the publisher's hop; once it is finished, "no delivery of it to a subscriber is in the trace"), "forwarded from living-room sensor's id 2" (from a subscriber's).
QString hopSentence(const TraceLog &log, const FlowIndex &flows, const FlowRecord &flow);

} // namespace mqs
