// `mqttscope-cli analyze` and `decode` on synthetic captures of QoS 2 traffic at two sizes: their
// peak RSS must not grow with the file (they stream), and analyze's CPU beside tshark reading the
// same file. Prints `name value` lines; figures in README.md here.
//
//   bench_analyze [SMALL_MB [LARGE_MB]]      (default 20 and 200)

#include "protocol/encoder.h"
#include "trace/trace_export.h"
#include "trace/trace_log.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>

extern char **environ;

namespace {

using namespace mqs;

constexpr int kMessagesPerConnection = 20'000; // one TCP conversation per 80,000 packets
constexpr int kPcapHeaderBytes = 24; // the global header, written once
constexpr quint16 kIdsInUse = 20; // mosquitto's default inflight window

struct ChildCost {
    double cpuSeconds = 0;
    long peakRssKiB = 0;
    int exitCode = -1;
};

// Runs `argv` with stdout and stderr to /dev/null; its user + system CPU and peak RSS.
ChildCost run(const std::vector<std::string> &argv)
{
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    ChildCost cost;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0)
        return cost;
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    posix_spawn_file_actions_destroy(&actions);
    cost.cpuSeconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    cost.peakRssKiB = usage.ru_maxrss;
    cost.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return cost;
}

// One client connection carrying `messages` QoS 2 messages (each PUBLISH, PUBREC, PUBREL,
// PUBCOMP), as pcap records; `index` gives it a port of its own.
QByteArray connectionCapture(int index, int messages)
{
    TraceLog log;
    for (int i = 0; i < index; ++i)
        log.addConnection(TraceConnection{});
    const ConnectionId id = log.addConnection(TraceConnection{.role = ConnectionRole::Observed});
    auto add = [&](TraceDirection direction, const Packet &packet) {
        log.appendPacket(id, direction, packet, encode(packet, ProtocolVersion::V5), FlowState::None, TraceMark::None, 0);
    };
    const QString clientId = QStringLiteral("sensor-%1").arg(index);
    add(TraceDirection::Sent, Connect{.version = ProtocolVersion::V5, .clientId = clientId});
    add(TraceDirection::Received, ConnAck{});
    for (int m = 0; m < messages; ++m) {
        const PacketId packetId(quint16(m % kIdsInUse + 1));
        add(TraceDirection::Sent, Publish{.qos = QoS::ExactlyOnce, .topic = QStringLiteral("plant/line1/temp"), .packetId = packetId,
                                          .payload = QByteArray::number(20.0 + m % 100 / 10.0)});
        add(TraceDirection::Received, PubRec{.packetId = packetId});
        add(TraceDirection::Sent, PubRel{.packetId = packetId});
        add(TraceDirection::Received, PubComp{.packetId = packetId});
    }
    add(TraceDirection::Sent, Disconnect{});
    log.append(TraceEvent{.connection = id, .kind = TraceKind::Closed});
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (writePcap(log, buffer))
        return {};
    return buffer.data();
}

// A capture of at least `megabytes`, written connection by connection; its packet count.
quint64 writeCapture(const QString &path, int megabytes)
{
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    quint64 packets = 0;
    for (int index = 0; file.size() < qint64(megabytes) * 1024 * 1024; ++index) {
        QByteArray records = connectionCapture(index, kMessagesPerConnection);
        if (index > 0)
            records.remove(0, kPcapHeaderBytes);
        file.write(records);
        packets += 3 + 4ull * kMessagesPerConnection;
    }
    return packets;
}

void print(const char *name, double value)
{
    std::printf("%s %.3f\n", name, value);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int sizes[] = {argc > 1 ? std::atoi(argv[1]) : 20, argc > 2 ? std::atoi(argv[2]) : 200};
    const std::string cli = MQTTSCOPE_CLI;
    const QString tshark = QStandardPaths::findExecutable(QStringLiteral("tshark"));
    QTemporaryDir dir;
    for (int megabytes : sizes) {
        const QString path = dir.filePath(QStringLiteral("synthetic-%1MB.pcap").arg(megabytes));
        const quint64 packets = writeCapture(path, megabytes);
        const std::string file = path.toStdString();
        const std::string tag = std::to_string(megabytes) + "MB";
        print(("capture_" + tag + "_packets").c_str(), double(packets));
        const ChildCost analyze = run({cli, "analyze", file, "--json"});
        if (analyze.exitCode != 0)
            std::fprintf(stderr, "analyze exited %d\n", analyze.exitCode);
        print(("analyze_" + tag + "_peak_rss_MiB").c_str(), analyze.peakRssKiB / 1024.0);
        print(("analyze_" + tag + "_cpu_s").c_str(), analyze.cpuSeconds);
        print(("analyze_" + tag + "_cpu_us_per_packet").c_str(), analyze.cpuSeconds * 1e6 / double(packets));
        const ChildCost decode = run({cli, "decode", file});
        print(("decode_" + tag + "_peak_rss_MiB").c_str(), decode.peakRssKiB / 1024.0);
        print(("decode_" + tag + "_cpu_s").c_str(), decode.cpuSeconds);
        if (!tshark.isEmpty() && megabytes == sizes[0]) { // tshark's CPU on the small file only: it takes minutes on the large
            const ChildCost t = run({tshark.toStdString(), "-r", file, "-d", "tcp.port==1883,mqtt", "-T", "fields", "-e",
                                     "mqtt.msgtype", "-e", "mqtt.msgid"});
            print(("tshark_" + tag + "_cpu_s").c_str(), t.cpuSeconds);
            print(("analyze_over_tshark_cpu_" + tag).c_str(), analyze.cpuSeconds / t.cpuSeconds);
        }
        QFile::remove(path);
    }
    return 0;
}
