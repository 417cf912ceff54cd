// `mqttscope-cli analyze` and `decode` on synthetic captures of QoS 2 traffic at two sizes: their
// peak RSS must not grow with the file (they stream), and analyze's CPU beside tshark reading the
// same file. Then a real capture: QoS 2 messages through mosquitto, published by mosquitto_pub
// and received by mosquitto_sub, captured on loopback by dumpcap, read by analyze and by tshark.
// Prints `name value` lines; figures in README.md here.
//
//   bench_analyze [SMALL_MB [LARGE_MB [MESSAGES]]]      (default 20, 200 and 100000)

#include "protocol/encoder.h"
#include "trace/trace_export.h"
#include "trace/trace_log.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

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
    if (!writePcap(log, buffer).ok())
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

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    return probe.serverPort();
}

// `messages` QoS 2 messages through a real mosquitto, captured into `path` (pcapng) by dumpcap
// on loopback; the broker's port, or 0 when a tool is missing or the subscriber did not get them
// all. dumpcap needs capture rights (root, as in CI). The directory must be writable by any
// user: dumpcap may drop privileges before it writes.
quint16 captureThroughMosquitto(const QString &dir, const QString &path, int messages)
{
    for (const char *tool : {"mosquitto", "mosquitto_pub", "mosquitto_sub", "dumpcap"})
        if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty()
            && QStandardPaths::findExecutable(QString::fromLatin1(tool), {QStringLiteral("/usr/sbin")}).isEmpty())
            return 0;
    const quint16 port = freeLoopbackPort();
    QFile config(dir + QStringLiteral("/mosquitto.conf"));
    config.open(QIODevice::WriteOnly);
    // `user root`: mosquitto started as root would drop to a user that cannot read this directory.
    // A queue as large as the run: mosquitto drops queued QoS 2 messages silently when it fills.
    config.write(QStringLiteral("listener %1 127.0.0.1\nallow_anonymous true\nuser root\npersistence false\n"
                                "max_queued_messages %2\n").arg(port).arg(messages).toUtf8());
    config.close();
    QProcess broker;
    broker.start(QStandardPaths::findExecutable(QStringLiteral("mosquitto"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")}),
                 {QStringLiteral("-c"), config.fileName()});
    QProcess capture;
    capture.start(QStringLiteral("dumpcap"), {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-f"), QStringLiteral("tcp port %1").arg(port),
                                              QStringLiteral("-B"), QStringLiteral("64"), QStringLiteral("-q"), QStringLiteral("-w"), path});
    QThread::sleep(2); // both listening
    const QString host = QStringLiteral("127.0.0.1");
    QProcess subscriber;
    subscriber.start(QStringLiteral("mosquitto_sub"), {QStringLiteral("-h"), host, QStringLiteral("-p"), QString::number(port), QStringLiteral("-q"),
                                                       QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("bench/#"), QStringLiteral("-C"),
                                                       QString::number(messages), QStringLiteral("-i"), QStringLiteral("bench-sub")});
    QThread::sleep(1);
    constexpr int kMostWaitMs = 300'000;
    QProcess publisher; // -l: one message per line of stdin, kept open: at its end mosquitto_pub would quit with messages unsent
    publisher.start(QStringLiteral("mosquitto_pub"), {QStringLiteral("-h"), host, QStringLiteral("-p"), QString::number(port), QStringLiteral("-q"),
                                                      QStringLiteral("2"), QStringLiteral("-t"), QStringLiteral("bench/reading"), QStringLiteral("-l"),
                                                      QStringLiteral("-i"), QStringLiteral("bench-pub")});
    publisher.waitForStarted();
    QByteArray lines;
    for (int m = 1; m <= messages; ++m)
        lines += "{\"seq\":" + QByteArray::number(m) + ",\"t\":21.5}\n";
    publisher.write(lines);
    // No event loop here: the bytes reach mosquitto_pub's stdin only while we wait for them.
    while (publisher.bytesToWrite() > 0 && publisher.waitForBytesWritten(kMostWaitMs))
        ;
    const bool all = subscriber.waitForFinished(kMostWaitMs); // QProcess reads its output meanwhile
    const int received = int(subscriber.readAllStandardOutput().count('\n'));
    publisher.terminate();
    publisher.waitForFinished();
    QThread::sleep(1); // the last segments reach dumpcap
    capture.terminate();
    capture.waitForFinished();
    broker.terminate();
    broker.waitForFinished();
    if (!all || received != messages) {
        std::fprintf(stderr, "mosquitto_sub received %d of %d messages\n", received, messages);
        return 0;
    }
    return port;
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
    const int messages = argc > 3 ? std::atoi(argv[3]) : 100'000;
    QTemporaryDir shared(QStringLiteral("/tmp/bench-analyze-XXXXXX"));
    QFile::setPermissions(shared.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
                                             | QFileDevice::WriteOther | QFileDevice::ExeOther);
    const QString real = shared.filePath(QStringLiteral("mosquitto-qos2.pcapng"));
    const quint16 port = captureThroughMosquitto(shared.path(), real, messages);
    if (port == 0 || tshark.isEmpty()) {
        std::fprintf(stderr, "no capture through mosquitto: it needs mosquitto, its clients, dumpcap, tshark and capture rights\n");
        return 0;
    }
    const std::string file = real.toStdString();
    print("mosquitto_capture_messages", messages);
    print("mosquitto_capture_MiB", double(QFileInfo(real).size()) / (1024 * 1024));
    const ChildCost analyze = run({cli, "analyze", file, "--port", std::to_string(port)});
    const ChildCost t = run({tshark.toStdString(), "-r", file, "-d", "tcp.port==" + std::to_string(port) + ",mqtt", "-T", "fields", "-e",
                             "mqtt.msgtype", "-e", "mqtt.msgid"});
    print("mosquitto_analyze_cpu_s", analyze.cpuSeconds);
    print("mosquitto_analyze_peak_rss_MiB", analyze.peakRssKiB / 1024.0);
    print("mosquitto_tshark_cpu_s", t.cpuSeconds);
    print("mosquitto_analyze_over_tshark_cpu", analyze.cpuSeconds / t.cpuSeconds);
    return 0;
}
