// N QoS 2 messages through a real mosquitto to a topic the same connection subscribes to at
// QoS 2 (inflight 20, trace on), beside libmosquitto doing the same in the same run.
// Run: build/tests/bench/bench_roundtrip [N]    (default 100000; figures in README.md here)

#include "client/connection.h"
#include "mosquitto_fixture.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>
#include <sys/resource.h>

using namespace mqs;

namespace {

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) / 1e6 + double(usage.ru_stime.tv_sec)
           + double(usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 100000;
    test::MosquittoBroker broker;
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "bench_roundtrip: %s\n", qPrintable(started.sentence()));
        return 1;
    }

    TraceLog trace;
    ConnectionSettings s;
    s.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker.port())).value();
    s.clientId = QStringLiteral("bench-mqttscope");
    s.session.maximumInflight = 20;
    s.session.maximumQueued = n;
    Connection c(s, trace, nullptr);
    int received = 0;
    int published = 0;
    QElapsedTimer wall;
    double cpuAtStart = 0;
    const ApplicationMessage message{QStringLiteral("bench/mqttscope"), "{\"t\":21.5,\"unit\":\"C\"}", QoS::ExactlyOnce, false, {}};
    auto topUp = [&] {
        // keep the queue short, as the libmosquitto reference does
        while (published < n && published - received < 100) {
            (void)c.publish(message);
            ++published;
        }
    };
    QObject::connect(&c, &Connection::sessionEvent, [&](const SessionEvent &e) {
        if (std::holds_alternative<SubscribeAcknowledged>(e)) {
            wall.start();
            cpuAtStart = cpuSeconds();
            topUp();
        }
    });
    QObject::connect(&c, &Connection::messageReceived, [&](const Delivery &) {
        if (++received == n)
            QCoreApplication::quit();
        else
            topUp();
    });
    QObject::connect(&c, &Connection::stateChanged, [&](ConnectionState state) {
        if (state == ConnectionState::Connected)
            c.subscribe({Subscription{QStringLiteral("bench/mqttscope"), {QoS::ExactlyOnce}}});
    });
    QObject::connect(&c, &Connection::errorOccurred, [](const Problem &e) { std::fprintf(stderr, "error: %s\n", qPrintable(e.sentence)); });
    c.open();
    QCoreApplication::exec();
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds() - cpuAtStart;
    std::printf("messages %d\n", n);
    std::printf("mqttscope_messages_per_s %.0f\n", n / seconds);
    std::printf("mqttscope_cpu_s %.3f\n", cpu);
    std::printf("mqttscope_cpu_us_per_message %.1f\n", cpu * 1e6 / n);
    std::printf("mqttscope_trace_events %llu\n", static_cast<unsigned long long>(trace.size()));

    const auto reference = test::runProgram(QStringLiteral(MQTTSCOPE_BENCH_LIBMOSQUITTO),
                                            {QString::number(broker.port()), QString::number(n)}, 600000);
    double refRate = 0;
    double refCpu = 0;
    for (const QByteArray &line : reference.out.split('\n')) {
        const auto parts = line.split(' ');
        if (parts.size() == 2 && parts[0] == "messages_per_s")
            refRate = parts[1].toDouble();
        if (parts.size() == 2 && parts[0] == "cpu_s")
            refCpu = parts[1].toDouble();
    }
    std::printf("libmosquitto_messages_per_s %.0f\n", refRate);
    std::printf("libmosquitto_cpu_s %.3f\n", refCpu);
    std::printf("libmosquitto_cpu_us_per_message %.1f\n", refCpu * 1e6 / n);
    return 0;
}
