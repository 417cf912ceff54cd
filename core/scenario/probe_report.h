#pragma once
// The probe's HTML report: one self-contained file (no scripts, no links out) with the broker, the
// CONNACK it answered, a table of the checks with their verdicts and rules, and for each check
// that deviates (or is inconclusive with packets to show) the sequence diagram of its evidence.

#include "probe.h"

#include <QDateTime>

namespace mqs {

struct ProbeReport {
    QString brokerUrl;
    ProtocolVersion version = ProtocolVersion::V5;
    QDateTime startedAt; // UTC
    std::vector<ProbeCheck> checks; // in the order they ran
};

// The report as UTF-8 HTML, written as well-formed XHTML so an XML reader can check it.
[[nodiscard]] QByteArray probeReportHtml(const ProbeReport &report);

} // namespace mqs
