// What one more connection costs the sandbox broker after many: 10,000 sequential connections
// (CONNECT, CONNACK, close) and then 2,000 simultaneous ones, 5.0, each with its own client id,
// against a SandboxBroker with a trace as `mqttscope-cli broker` has one. The time per CONNACK
// should stay flat: the last thousand within 2x of the first.
// Run: build/tests/bench/bench_broker_connections [SEQUENTIAL] [SIMULTANEOUS]

#include "broker/sandbox_broker.h"
#include "protocol/encoder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTcpSocket>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <numeric>
#include <sys/socket.h>

using namespace mqs;

namespace {

// A CONNACK is at least its fixed header and two bytes (flags, reason).
constexpr qint64 kConnAckMinimumBytes = 4;
// Give up on one CONNACK after this long: the figures would be meaningless anyway.
constexpr int kConnAckTimeoutMs = 10000;

QByteArray connectBytes(int n)
{
    Connect c;
    c.clientId = QStringLiteral("bench-%1").arg(n);
    return encode(c, ProtocolVersion::V5);
}

long residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLong();
    return -1;
}

void print(const char *name, double value)
{
    std::printf("%s %.1f\n", name, value);
    std::fflush(stdout);
}

// Closes with a reset rather than FIN: tens of thousands of client sockets in TIME_WAIT would
// make the kernel's search for a free ephemeral port, not the broker, the cost that grows.
void resetClose(QTcpSocket &socket)
{
    const linger reset{1, 0};
    if (socket.socketDescriptor() >= 0)
        setsockopt(int(socket.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    socket.abort();
}

// One connection: connect, CONNECT, wait for the CONNACK, close. Microseconds, or -1.
double oneConnection(quint16 port, int n)
{
    QElapsedTimer timer;
    timer.start();
    QTcpSocket socket;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::connected, [&] { socket.write(connectBytes(n)); });
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] {
        if (socket.bytesAvailable() >= kConnAckMinimumBytes)
            loop.quit();
    });
    QTimer timeout; // not QTimer::singleShot: that one would stay registered until it fires
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(kConnAckTimeoutMs);
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    loop.exec();
    const bool answered = socket.bytesAvailable() >= kConnAckMinimumBytes;
    resetClose(socket);
    return answered ? double(timer.nsecsElapsed()) / 1000.0 : -1;
}

bool sequential(quint16 port, int count)
{
    std::vector<double> micros;
    micros.reserve(count);
    for (int i = 0; i < count; ++i) {
        const double us = oneConnection(port, i);
        if (us < 0) {
            std::fprintf(stderr, "connection %d got no CONNACK\n", i);
            return false;
        }
        micros.push_back(us);
    }
    const int slice = std::min(1000, count);
    double first = 0;
    double last = 0;
    for (int i = 0; i < slice; ++i) {
        first += micros[i];
        last += micros[count - slice + i];
    }
    if (qEnvironmentVariableIsSet("BENCH_EVERY_THOUSAND"))
        for (int k = 0; k + 1000 <= count; k += 1000)
            std::printf("sequential_%d_us_per_connack %.1f\n", k, std::accumulate(micros.begin() + k, micros.begin() + k + 1000, 0.0) / 1000);
    print("sequential_connections", count);
    print("sequential_first1000_us_per_connack", first / slice);
    print("sequential_last1000_us_per_connack", last / slice);
    print("sequential_last_over_first", last / first);
    return true;
}

// `count` connections opened at once; the milliseconds until the last CONNACK, or -1.
double simultaneous(quint16 port, int count, int idBase)
{
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    std::vector<double> answeredAtUs;
    QElapsedTimer timer;
    QEventLoop loop;
    timer.start();
    for (int i = 0; i < count; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *s = socket.get();
        const QByteArray bytes = connectBytes(idBase + i);
        QObject::connect(s, &QTcpSocket::connected, [s, bytes] { s->write(bytes); });
        QObject::connect(s, &QTcpSocket::readyRead, [&, s] {
            if (s->property("answered").toBool() || s->bytesAvailable() < kConnAckMinimumBytes)
                return;
            s->setProperty("answered", true);
            answeredAtUs.push_back(double(timer.nsecsElapsed()) / 1000.0);
            if (int(answeredAtUs.size()) == count)
                loop.quit();
        });
        s->connectToHost(QStringLiteral("127.0.0.1"), port);
        sockets.push_back(std::move(socket));
    }
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(kConnAckTimeoutMs * 6);
    loop.exec();
    for (auto &s : sockets)
        resetClose(*s);
    if (int(answeredAtUs.size()) != count) {
        std::fprintf(stderr, "%zu of %d simultaneous connections got a CONNACK\n", answeredAtUs.size(), count);
        return -1;
    }
    return answeredAtUs.back() / 1000.0;
}

// Lets the broker see every close before the next figure.
void settle()
{
    for (int i = 0; i < 100; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int sequentialCount = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 10000;
    const int simultaneousCount = argc > 2 ? QString::fromLocal8Bit(argv[2]).toInt() : 2000;
    TraceLog trace(TraceLog::kKeepOnlyNewest); // as the CLI broker keeps it
    SandboxBroker broker({}, &trace);
    if (const Status problem = broker.start(); !problem) {
        std::fprintf(stderr, "%s\n", qPrintable(problem.sentence()));
        return 1;
    }
    print("rss_at_start_kib", double(residentKiB()));
    if (!sequential(broker.port(), sequentialCount))
        return 1;
    settle();
    print("rss_after_sequential_kib", double(residentKiB()));
    // two bursts: the second, after everything before it, should cost what the first did
    const double first = simultaneous(broker.port(), simultaneousCount, sequentialCount);
    settle();
    const double second = simultaneous(broker.port(), simultaneousCount, sequentialCount + simultaneousCount);
    settle();
    if (first < 0 || second < 0)
        return 1;
    print("simultaneous_connections", simultaneousCount);
    print("simultaneous_first_burst_ms_to_last_connack", first);
    print("simultaneous_second_burst_ms_to_last_connack", second);
    print("simultaneous_second_over_first", second / first);
    print("broker_clients_left", double(broker.clients().size()));
    print("rss_at_end_kib", double(residentKiB()));
    return 0;
}
