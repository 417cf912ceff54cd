// A live chart under a fast stream: the real MainWindow (offscreen, 1600 × 1000) with the Charts
// tab open on three series (sensors/load/0 $.load, sensors/load/1 $.load, sensors/load/2 $.seq),
// subscribed to sensors/# on a real mosquitto while bench_load publishes RATE QoS 0 messages/s
// (42-byte JSON over 10 topics). Prints `name value` lines: the event loop's longest stall, the
// chart's points kept (bounded) against the samples it took, and the rate received.
// Usage: bench_chart [SECONDS=60] [RATE=10000] [SERIES=3] (SERIES 0: the same window without a chart, for scale)

#include "chart_panel.h"
#include "window_fixture.h"

#include "mosquitto_fixture.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <span>

using namespace mqs;

namespace {

void print(const char *name, double value)
{
    std::printf("%s %.6g\n", name, value);
    std::fflush(stdout);
}

// The event loop turns at least this often when nothing stalls it.
constexpr int kProbeIntervalMs = 5;

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int seconds = args.size() > 1 ? args[1].toInt() : 60;
    const int rate = args.size() > 2 ? args[2].toInt() : 10000;
    const int seriesCount = args.size() > 3 ? args[3].toInt() : 3;
    if (seconds < 1 || rate < 1 || seriesCount < 0 || seriesCount > 3) {
        std::fprintf(stderr, "usage: bench_chart [SECONDS] [RATE] [SERIES 0-3]\n");
        return 2;
    }
    test::MosquittoBroker broker({.persistence = false, .extraConfig = {QStringLiteral("max_queued_messages 0")}});
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "bench_chart: %s\n", qPrintable(started.sentence()));
        return 1;
    }
    test::TestWindows windows;
    const std::unique_ptr<MainWindow> opened = windows.open();
    MainWindow &window = *opened;
    window.resize(1600, 1000);
    ChartPanel &chart = *window.charts();
    window.tabs()->setCurrentWidget(&chart);
    const std::pair<const char *, const char *> fields[] = {{"sensors/load/0", "$.load"}, {"sensors/load/1", "$.load"}, {"sensors/load/2", "$.seq"}};
    for (const auto &[topic, path] : std::span(fields, std::size_t(seriesCount)))
        if (const Status added = chart.addField(QString::fromLatin1(topic), QString::fromLatin1(path)); !added) {
            std::fprintf(stderr, "bench_chart: %s\n", qPrintable(added.sentence()));
            return 1;
        }

    quint64 received = 0;
    Connection *c = window.addConnection(test::profileFor(broker.url(), QStringLiteral("chart")), true);
    QObject::connect(c, &Connection::messageReceived, [&received] { ++received; });
    QObject::connect(c, &Connection::stateChanged, [c](ConnectionState state) {
        if (state == ConnectionState::Connected)
            c->subscribe({Subscription{.filter = QStringLiteral("sensors/#")}});
    });

    QProcess load;
    load.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer clock;
    QTimer::singleShot(1000, &app, [&] { // after CONNACK and SUBACK
        load.start(QStringLiteral(MQTTSCOPE_BENCH_LOAD), {QString::number(broker.port()), QString::number(rate), QString::number(seconds)});
        clock.start();
    });

    qint64 maxStallMs = 0;
    QElapsedTimer turn;
    turn.start();
    QTimer loopProbe;
    loopProbe.setInterval(kProbeIntervalMs);
    QObject::connect(&loopProbe, &QTimer::timeout, [&] {
        if (clock.isValid())
            maxStallMs = std::max(maxStallMs, turn.elapsed());
        turn.restart();
    });
    loopProbe.start();

    // Once a second the whole window is painted, as a screen would show it.
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (!clock.isValid())
            return;
        window.grab();
        if (load.state() == QProcess::NotRunning && clock.elapsed() > qint64(seconds) * 1000)
            app.quit();
    });
    tick.start(1000);
    QTimer::singleShot((seconds + 30) * 1000, &app, &QApplication::quit); // a hung load must not hang the bench
    app.exec();

    quint64 samples = 0;
    for (const ChartField &f : chart.feed().fields())
        samples += f.history.samples();
    print("seconds", double(clock.elapsed()) / 1000.0);
    print("messages_received", double(received));
    print("messages_per_s", double(received) * 1000.0 / double(std::max<qint64>(1, clock.elapsed())));
    print("chart_samples", double(samples));
    print("chart_points_kept", double(chart.feed().pointsKept()));
    print("chart_point_bound", double(seriesCount * BoundedSeries().pointBound()));
    print("max_stall_ms", double(maxStallMs));
    return received > 0 ? 0 : 1;
}
