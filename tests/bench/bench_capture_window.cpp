// The window (offscreen) opening a 1,000,000-packet capture: 250,000 QoS 2 handshakes over 50
// connections, written by the benchmark with synthetic Ethernet/IPv4/TCP headers. Prints the
// time from File ▸ Open capture to its summary, and the process's peak memory against the size
// of the file (goal: under 3×).
//   bench_capture_window [HANDSHAKES]

#include "capture_builder.h"
#include "window_fixture.h"

#include "sequence_diagram_view.h"

#include "protocol/encoder.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace mqs;
using namespace mqs::test;

namespace {

constexpr int kDefaultHandshakes = 250000; // four packets each: a million
constexpr int kConnections = 50;
constexpr int kFlushEveryHandshakes = 1000;

qint64 statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field))).trimmed().split(' ').front().toLongLong();
    return 0;
}

QByteArray v311(const Packet &p) { return encode(p, ProtocolVersion::V311); }

qint64 writeCapture(const QString &path, int handshakes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    CaptureBuilder capture;
    std::vector<std::unique_ptr<TcpConversation>> connections;
    for (int i = 0; i < kConnections; ++i) {
        connections.push_back(std::make_unique<TcpConversation>(capture, Endpoint{ipv4(10, 0, 1, quint8(i + 10)), quint16(40000 + i)},
                                                                Endpoint{ipv4(10, 0, 0, 1), 1883}));
        connections.back()->fromClient(v311(Connect{.version = ProtocolVersion::V311,
                                                    .clientId = QStringLiteral("sensor-%1").arg(i)}));
        connections.back()->fromBroker(v311(ConnAck{}));
    }
    for (int n = 0; n < handshakes; ++n) {
        TcpConversation &c = *connections[std::size_t(n % kConnections)];
        const quint16 id = quint16(n / kConnections % 65535 + 1);
        c.fromClient(v311(Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("plant/line%1/temp").arg(n % kConnections),
                                  .packetId = id, .payload = "21.5"}));
        c.fromBroker(v311(PubRec{.packetId = id}));
        c.fromClient(v311(PubRel{.packetId = id}));
        c.fromBroker(v311(PubComp{.packetId = id}));
        if (n % kFlushEveryHandshakes == 0)
            capture.flushTo(file);
    }
    capture.flushTo(file);
    return file.size();
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int handshakes = argc > 1 ? QByteArray(argv[1]).toInt() : kDefaultHandshakes;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("million.pcap"));
    const qint64 fileBytes = writeCapture(path, handshakes);

    TestWindows windows;
    auto w = windows.open();
    QTest::qWait(200);
    const qint64 rssBeforeKiB = statusKiB("VmRSS:");
    QElapsedTimer timer;
    timer.start();
    if (!w->openCapture(path))
        qFatal("%s", qPrintable(w->lastProblem()));
    while (!w->workbench().captureSummary())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    const qint64 peakKiB = statusKiB("VmHWM:");
    const auto &summary = *w->workbench().captureSummary();
    const double fileMiB = double(fileBytes) / (1024.0 * 1024.0);
    std::printf("capture_packets %d\n", handshakes * 4 + kConnections * 2);
    std::printf("capture_file_mib %.1f\n", fileMiB);
    std::printf("capture_window_open_s %.2f\n", seconds);
    std::printf("capture_packets_per_s %.0f\n", double(handshakes * 4) / seconds);
    std::printf("capture_flows_completed %llu\n", static_cast<unsigned long long>(summary.completed));
    std::printf("window_rss_before_mib %.1f\n", double(rssBeforeKiB) / 1024.0);
    std::printf("window_peak_rss_mib %.1f\n", double(peakKiB) / 1024.0);
    std::printf("peak_rss_over_file_size %.2f\n", double(peakKiB) / 1024.0 / fileMiB);
    std::printf("peak_rss_growth_over_file_size %.2f\n", double(peakKiB - rssBeforeKiB) / 1024.0 / fileMiB);
    // Where it goes: the trace's own count, and the records the Flows tab and the diagram keep
    // (their fixed part; strings and lists they own come on top).
    const TraceLog &trace = w->workbench().trace();
    const auto &flows = w->workbench().flows().flows();
    const auto &rows = w->diagram()->layout().rows();
    std::printf("trace_events %llu\n", static_cast<unsigned long long>(trace.size()));
    std::printf("trace_mib %.1f\n", double(trace.memoryBytes()) / (1024.0 * 1024.0));
    std::printf("flow_records %zu\n", flows.size());
    std::printf("flow_records_mib %.1f\n", double(flows.size() * sizeof(FlowRecord)) / (1024.0 * 1024.0));
    std::printf("diagram_rows %zu\n", rows.size());
    std::printf("diagram_rows_mib %.1f\n", double(rows.size() * sizeof(DiagramRow)) / (1024.0 * 1024.0));
    std::printf("window_rss_after_mib %.1f\n", double(statusKiB("VmRSS:")) / 1024.0);
    return 0;
}
