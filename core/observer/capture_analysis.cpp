#include "capture_analysis.h"

#include "trace/version_evidence.h"

#include <QHash>

#include <cmath>
#include <deque>
#include <map>

namespace mqs {
namespace {

constexpr double kUsPerSecond = 1e6;
// Connections kept after their DISCONNECT before they are reported, so that a late packet of
// theirs still lands on them; enough for a burst of short connections, small in memory.
constexpr std::size_t kEndedKept = 64;

qint64 usOf(double seconds)
{
    return qint64(std::llround(seconds * kUsPerSecond));
}

QString endpoint(const QString &address, quint16 port)
{
    return address.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(address).arg(port)
                                              : QStringLiteral("%1:%2").arg(address).arg(port);
}

struct StreamState {
    explicit StreamState(ObserverOptions options) : observer(options) {}
    ConnectionObserver observer;
    AnalyzedConnection report{};
    std::optional<qint64> endedUs{};
};

// What an ended connection left open, counted once the capture shows whether the client's next
// connection took it over.
struct LeftOpen {
    quint64 unfinished = 0;
    quint64 stalls = 0;
};

class CaptureAnalyzer
{
public:
    CaptureAnalyzer(const AnalysisOptions &options, const std::function<void(const AnalyzedConnection &)> &onConnection)
        : m_options(options), m_onConnection(onConnection)
    {
    }

    void packet(CapturedPacket &&p)
    {
        const qint64 nowUs = usOf(p.time);
        m_lastUs = std::max(m_lastUs, nowUs);
        if (const auto *connect = std::get_if<Connect>(&p.packet))
            takeOver(connect->clientId, p.stream, nowUs);
        StreamState &s = streamOf(p);
        s.observer.learnVersion(p.version); // a stream without its CONNECT may show its version later
        if (s.report.versionEvidence.isEmpty() && !s.observer.limits().connectSeen && !std::holds_alternative<Connect>(p.packet))
            if (const auto evidence = versionEvidence(p.raw)) // the packet the decoder took its version from
                s.report.versionEvidence = evidence->sentence;
        if (s.report.packets++ == 0)
            s.report.firstSeconds = p.time;
        s.report.lastSeconds = p.time;
        s.observer.packet(p.fromClient ? ObservedSide::Client : ObservedSide::Broker, p.packet, p.raw, nowUs);
        collect(s);
        if (std::holds_alternative<Connect>(p.packet) && !s.observer.clientId().isEmpty())
            m_liveByClientId.insert(s.observer.clientId(), p.stream);
        if (std::holds_alternative<Disconnect>(p.packet) && !s.endedUs) {
            end(s, nowUs);
            m_ended.push_back(p.stream);
            if (m_ended.size() > kEndedKept) {
                report(m_ended.front());
                m_ended.pop_front();
            }
        }
    }

    void note(const QString &sentence)
    {
        if (m_summary.notes.size() < CaptureSummary::kListedNotes)
            m_summary.notes.push_back(sentence);
        else
            ++m_summary.notesNotListed;
    }

    void problem(const CaptureProblem &problem)
    {
        ++m_summary.problems;
        // A stream that broke before its first packet is still a connection of the report.
        const bool toBroker = problem.fromClient;
        StreamState &s = streamOf(problem.stream, ProtocolVersion::V311, {toBroker ? problem.sourceAddress : problem.destinationAddress,
                                                                         toBroker ? problem.sourcePort : problem.destinationPort},
                                  {toBroker ? problem.destinationAddress : problem.sourceAddress,
                                   toBroker ? problem.destinationPort : problem.sourcePort},
                                  0);
        if (s.report.problems.size() < AnalyzedConnection::kListed)
            s.report.problems.push_back(problem);
    }

    CaptureSummary finish(quint64 frames)
    {
        for (auto &[stream, s] : m_streams)
            if (!s.endedUs)
                end(s, m_lastUs);
        while (!m_streams.empty())
            report(m_streams.begin()->first);
        for (const LeftOpen &left : m_leftOpen) {
            m_summary.unfinished += left.unfinished;
            m_summary.stalls += left.stalls;
        }
        m_summary.frames = frames;
        return m_summary;
    }

private:
    StreamState &streamOf(const CapturedPacket &p)
    {
        const Endpoint source{p.sourceAddress, p.sourcePort};
        const Endpoint destination{p.destinationAddress, p.destinationPort};
        return streamOf(p.stream, p.version, p.fromClient ? source : destination, p.fromClient ? destination : source, p.time);
    }

    struct Endpoint {
        QString address;
        quint16 port = 0;
    };

    StreamState &streamOf(quint32 stream, ProtocolVersion version, const Endpoint &client, const Endpoint &broker, double time)
    {
        auto it = m_streams.find(stream);
        if (it != m_streams.end())
            return it->second;
        it = m_streams.try_emplace(stream, ObserverOptions{.assumedVersion = version, .keepFinished = KeptFlows::NotCompleted,
                                                           .sessions = &m_sessions})
                 .first;
        AnalyzedConnection &r = it->second.report;
        r.stream = stream;
        r.clientAddress = endpoint(client.address, client.port);
        r.brokerAddress = endpoint(broker.address, broker.port);
        r.firstSeconds = r.lastSeconds = time;
        return it->second;
    }

    // A CONNECT with a client id whose earlier connection is still open: the broker takes the
    // session over and closes that one ([MQTT-3.1.4-3]), which the capture may not show.
    void takeOver(const QString &clientId, quint32 stream, qint64 nowUs)
    {
        if (clientId.isEmpty())
            return;
        const auto live = m_liveByClientId.constFind(clientId);
        if (live != m_liveByClientId.constEnd() && *live != stream)
            if (const auto it = m_streams.find(*live); it != m_streams.end() && !it->second.endedUs)
                end(it->second, nowUs);
        m_leftOpen.remove(clientId); // the new connection resumes what was left, or abandons it
    }

    void collect(StreamState &s)
    {
        AnalyzedConnection &r = s.report;
        for (ObservedFinding &f : s.observer.takeFindings()) {
            if (r.violations.size() < AnalyzedConnection::kListed)
                r.violations.push_back(std::move(f));
            else
                ++r.notListed;
        }
        for (ObservedFlow &f : s.observer.takeFinishedFlows()) {
            if (r.failed.size() < AnalyzedConnection::kListed)
                r.failed.push_back(std::move(f));
            else
                ++r.notListed;
        }
    }

    void end(StreamState &s, qint64 nowUs)
    {
        s.endedUs = nowUs;
        s.observer.closed(nowUs);
        collect(s);
        s.report.unfinished = s.observer.stalls(nowUs, -1);
        LeftOpen left{.unfinished = s.report.unfinished.size()};
        for (const ObservedStall &stall : s.report.unfinished)
            if (stall.waitedUs > m_options.stallAfterUs)
                ++left.stalls;
        const QString clientId = s.observer.clientId();
        if (clientId.isEmpty()) {
            m_summary.unfinished += left.unfinished;
            m_summary.stalls += left.stalls;
        } else {
            LeftOpen &pending = m_leftOpen[clientId];
            pending.unfinished += left.unfinished;
            pending.stalls += left.stalls;
            m_liveByClientId.remove(clientId);
        }
    }

    void report(quint32 stream)
    {
        const auto it = m_streams.find(stream);
        if (it == m_streams.end())
            return;
        StreamState &s = it->second;
        AnalyzedConnection &r = s.report;
        r.clientId = s.observer.clientId();
        r.version = s.observer.version();
        r.versionSeen = s.observer.limits().connectSeen;
        r.startedMidSession = s.observer.startedMidSession();
        r.counts = s.observer.counts();
        add(r.counts);
        ++m_summary.connections;
        m_onConnection(r);
        m_streams.erase(it);
    }

    void add(const ObservedCounts &c)
    {
        for (std::size_t qos = 0; qos < c.messages.size(); ++qos)
            m_summary.messages[qos] += c.messages[qos];
        m_summary.completed += c.completed;
        m_summary.failed += c.failed + c.abandoned;
        m_summary.resends += c.resends;
        m_summary.violations += c.violations;
    }

    AnalysisOptions m_options;
    const std::function<void(const AnalyzedConnection &)> &m_onConnection;
    ObservedSessions m_sessions;
    std::map<quint32, StreamState> m_streams;
    std::deque<quint32> m_ended;
    QHash<QString, quint32> m_liveByClientId;
    QHash<QString, LeftOpen> m_leftOpen;
    CaptureSummary m_summary;
    qint64 m_lastUs = 0;
};

} // namespace

Result<CaptureSummary> analyzeCapture(const QString &path, const AnalysisOptions &options,
                                      const std::function<void(const AnalyzedConnection &)> &onConnection)
{
    CaptureAnalyzer analyzer(options, onConnection);
    const auto totals = streamCapture(path, options.ports,
                                      {.packet = [&](CapturedPacket &&p) { analyzer.packet(std::move(p)); },
                                       .problem = [&](const CaptureProblem &p) { analyzer.problem(p); },
                                       .note = [&](const QString &n) { analyzer.note(n); }});
    if (!totals)
        return totals.problem();
    return analyzer.finish(totals->frames);
}

} // namespace mqs
