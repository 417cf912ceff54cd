// The window under real traffic for minutes: the real MainWindow (offscreen) subscribed to
// sensors/# on a real mosquitto while bench_load publishes RATE QoS 0 messages/s (42-byte JSON on
// 10 topics), with the trace limited so that it starts dropping its oldest events within the
// first minute. A user is imitated: the window is painted every second, and for a while the
// diagram is scrolled to the top instead of following. Prints one `name value` line per figure;
// memory must plateau (rss_mb_last_minute close to rss_mb_first_minute) and `alive 1` ends it.
// With --edit-every S the user also edits the connection every S seconds (Receive Maximum, in
// the connection dialog) and clicks "Save and reconnect now": each reconnect must end the old
// connection with DISCONNECT (its will, watched by a second connection, is never published).
// Usage: bench_soak [SECONDS=600] [RATE=10000] [--trace-limit-mb N=32] [--edit-every S=0]

#include "connection_dialog.h"
#include "sequence_diagram_view.h"
#include "window_fixture.h"

#include "mosquitto_fixture.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTimer>

#include <cstdio>

using namespace mqs;

namespace {

constexpr int kSampleMs = 1000;
constexpr int kMinuteSamples = 60;

double rssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toDouble() / 1024.0;
    return -1;
}

void print(const char *name, double value)
{
    std::printf("%s %.6g\n", name, value);
    std::fflush(stdout);
}

struct Arguments {
    int seconds = 600;
    int rate = 10000;
    int traceLimitMiB = 32;
    int editEverySeconds = 0; // 0: no edits
};

Arguments parse(const QStringList &args)
{
    Arguments a;
    QStringList positional;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--trace-limit-mb") && i + 1 < args.size())
            a.traceLimitMiB = args[++i].toInt();
        else if (args[i] == QLatin1String("--edit-every") && i + 1 < args.size())
            a.editEverySeconds = args[++i].toInt();
        else
            positional << args[i];
    }
    if (positional.size() > 0)
        a.seconds = positional[0].toInt();
    if (positional.size() > 1)
        a.rate = positional[1].toInt();
    return a;
}

// Samples once a second: memory, messages, the longest wait of the event loop.
class Sampler
{
public:
    std::vector<double> rss;
    quint64 received = 0;
    quint64 receivedAtLastSample = 0;
    qint64 maxStallMs = 0;
    int quietSamples = 0; // consecutive samples in which nothing arrived

    void sample()
    {
        rss.push_back(rssMb());
        quietSamples = received == receivedAtLastSample ? quietSamples + 1 : 0;
        receivedAtLastSample = received;
    }

    double maxOver(std::size_t from, std::size_t to) const
    {
        double m = 0;
        for (std::size_t i = from; i < std::min(to, rss.size()); ++i)
            m = std::max(m, rss[i]);
        return m;
    }
};

// The user's edits under load: the dialog's "Save and reconnect now", timed to Connected again.
struct Edits {
    int done = 0;
    int willsPublished = 0; // a will means the old connection was dropped, not ended
    qint64 longestReconnectMs = 0;
    QElapsedTimer sinceClick;

    void editAndReconnect(MainWindow &window, Connection *c)
    {
        QTimer::singleShot(0, [this] {
            auto *dialog = qobject_cast<ConnectionDialog *>(QApplication::activeModalWidget());
            if (!dialog || !dialog->reconnectButton())
                return;
            auto *receiveMaximum = dialog->findChild<QSpinBox *>(QStringLiteral("receiveMaximum"));
            receiveMaximum->setValue(receiveMaximum->value() == 100 ? 200 : 100);
            sinceClick.start();
            dialog->reconnectButton()->click();
        });
        window.workbench().setCurrent(c);
        window.editConnection();
        ++done;
    }
    void connected()
    {
        if (sinceClick.isValid())
            longestReconnectMs = std::max(longestReconnectMs, sinceClick.elapsed());
        sinceClick.invalidate();
    }
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const Arguments args = parse(app.arguments());
    if (args.seconds < 1 || args.rate < 1 || args.traceLimitMiB < 1) {
        std::fprintf(stderr, "usage: bench_soak [SECONDS] [RATE] [--trace-limit-mb N] [--edit-every S]\n");
        return 2;
    }
    test::MosquittoBroker broker({.persistence = false, .extraConfig = {QStringLiteral("max_queued_messages 0")}});
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "bench_soak: %s\n", qPrintable(started.sentence()));
        return 1;
    }
    test::TestWindows windows;
    MainWindow::Options options;
    options.traceLimitMiB = args.traceLimitMiB;
    const std::unique_ptr<MainWindow> opened = windows.open(options);
    MainWindow &window = *opened;
    window.resize(1600, 1000);

    Sampler sampler;
    Edits edits;
    Connection *watcher = window.addConnection(test::profileFor(broker.url(), QStringLiteral("will watcher")), true);
    QObject::connect(watcher, &Connection::stateChanged, [watcher](ConnectionState state) {
        if (state == ConnectionState::Connected)
            watcher->subscribe({Subscription{.filter = QStringLiteral("soak/will")}});
    });
    QObject::connect(watcher, &Connection::messageReceived, [&edits] { ++edits.willsPublished; });
    Profile soak = test::profileFor(broker.url(), QStringLiteral("soak"));
    soak.settings.will = Will{.topic = QStringLiteral("soak/will"), .payload = "dropped"};
    Connection *c = window.addConnection(soak, true);
    QObject::connect(c, &Connection::messageReceived, [&sampler] { ++sampler.received; });
    QObject::connect(c, &Connection::stateChanged, [c, &edits](ConnectionState state) {
        if (state != ConnectionState::Connected)
            return;
        edits.connected();
        c->subscribe({Subscription{.filter = QStringLiteral("sensors/#")}});
    });

    QProcess load;
    load.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer clock;
    auto startLoad = [&] {
        load.start(QStringLiteral(MQTTSCOPE_BENCH_LOAD),
                   {QString::number(broker.port()), QString::number(args.rate), QString::number(args.seconds)});
        clock.start();
    };
    QTimer::singleShot(1000, &app, startLoad); // after CONNACK and SUBACK

    // A turn of the event loop every 5 ms at most, or the window is stalling.
    QElapsedTimer turn;
    turn.start();
    QTimer loopProbe;
    loopProbe.setInterval(5);
    QObject::connect(&loopProbe, &QTimer::timeout, [&] {
        if (clock.isValid())
            sampler.maxStallMs = std::max(sampler.maxStallMs, turn.elapsed());
        turn.restart();
    });
    loopProbe.start();

    // Once a second: sample, paint the window as the screen would, and scroll like a reader.
    QTimer tick;
    int second = 0;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (!clock.isValid())
            return;
        ++second;
        sampler.sample();
        window.grab();
        SequenceDiagramView *diagram = window.diagram();
        if (args.editEverySeconds > 0 && second % args.editEverySeconds == 0 && c->state() == ConnectionState::Connected)
            QTimer::singleShot(0, [&] { edits.editAndReconnect(window, c); }); // the dialog's own event loop, outside this tick
        if (second == 20) { // read the oldest packets while eviction begins
            diagram->setFollowing(false);
            diagram->verticalScrollBar()->setValue(0);
        } else if (second == 90) {
            diagram->setFollowing(true);
        }
        if (load.state() == QProcess::NotRunning && clock.elapsed() > qint64(args.seconds) * 1000)
            app.quit();
    });
    tick.start(kSampleMs);
    QTimer::singleShot((args.seconds + 30) * 1000, &app, &QApplication::quit); // a hung load must not hang the bench
    app.exec();

    const TraceLog &trace = window.workbench().trace();
    const std::size_t n = sampler.rss.size();
    const bool connected = c->state() == ConnectionState::Connected;
    const bool deliveredToTheEnd = sampler.quietSamples <= 2;
    print("seconds", double(clock.elapsed()) / 1000.0);
    print("messages_received", double(sampler.received));
    print("messages_per_s", double(sampler.received) * 1000.0 / double(std::max<qint64>(1, clock.elapsed())));
    print("rss_mb_first_minute", sampler.maxOver(0, kMinuteSamples));
    print("rss_mb_last_minute", sampler.maxOver(n > kMinuteSamples ? n - kMinuteSamples : 0, n));
    print("rss_mb_peak", sampler.maxOver(0, n));
    print("trace_mb", double(trace.memoryBytes()) / (1024.0 * 1024.0));
    print("trace_limit_mb", double(trace.memoryLimit()) / (1024.0 * 1024.0));
    print("events_evicted", double(trace.evictedEvents()));
    print("stale_reads", double(trace.staleReads()));
    print("diagram_rows", double(window.diagram()->layout().rows().size()));
    print("max_stall_ms", double(sampler.maxStallMs));
    if (args.editEverySeconds > 0) {
        print("edits_reconnected", edits.done);
        print("wills_published", edits.willsPublished);
        print("longest_reconnect_ms", double(edits.longestReconnectMs));
    }
    print("alive", connected && deliveredToTheEnd ? 1 : 0);
    return connected && deliveredToTheEnd && edits.willsPublished == 0 ? 0 : 1;
}
