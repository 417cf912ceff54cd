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
    QString at; // wall-clock time, "14:02:11.532"
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

// The other hop's part of the story: "forwarded to dashboard as id 1" or "not forwarded yet"
// (from the publisher's hop), "forwarded from living-room sensor's id 2" (from a subscriber's).
QString hopSentence(const TraceLog &log, const FlowIndex &flows, const FlowRecord &flow);

} // namespace mqs
