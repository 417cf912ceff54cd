// The Charts and Search tabs with live data, for screenshots (resources/take-chart-screenshots.sh):
// the real window on a real mosquitto, three sensors publishing waves at 50 messages/s each.
// Usage: show_charts chart|chart2|chart1|search|search-invalid|search-export [SECONDS=12] [WIDTHxHEIGHT=1600x1000]

#include "chart_panel.h"
#include "messages_view.h"
#include "mosquitto_fixture.h"
#include "search_panel.h"
#include "window_fixture.h"

#include <QApplication>
#include <QDateTime>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>

#include <cmath>
#include <cstdio>

using namespace mqs;

namespace {

constexpr int kPublishIntervalMs = 20; // 50 readings/s per sensor

QByteArray reading(int sensor, qint64 n)
{
    const double t = double(n) / 50.0;
    switch (sensor) {
    case 0: return QStringLiteral(R"({"temperature": %1, "unit": "C"})").arg(21 + 3 * std::sin(t / 2), 0, 'f', 2).toUtf8();
    case 1: return QStringLiteral(R"({"temperature": %1, "unit": "C"})").arg(24 + 2 * std::cos(t / 3) + (n % 97 == 0 ? 6 : 0), 0, 'f', 2).toUtf8();
    default:
        return QStringLiteral(R"({"metrics": [{"name": "Humidity", "value": %1}, {"name": "Temperature", "value": %2}]})")
            .arg(45 + 5 * std::sin(t / 5), 0, 'f', 1)
            .arg(18 + std::sin(t) * std::sin(t / 7) * 4, 0, 'f', 2)
            .toUtf8();
    }
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString mode = args.value(1, QStringLiteral("chart"));
    const int seconds = args.value(2, QStringLiteral("12")).toInt();
    const QStringList size = args.value(3, QStringLiteral("1600x1000")).split(u'x');
    test::MosquittoBroker broker;
    if (const Status started = broker.start(); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.sentence()));
        return 1;
    }
    test::TestWindows windows;
    auto window = windows.open();
    window->resize(size.value(0).toInt(), size.value(1).toInt());
    window->move(0, 0);
    Connection *feeder = window->addConnection(test::profileFor(broker.url(), QStringLiteral("line sensors")), true);
    Connection *scope = window->addConnection(test::profileFor(broker.url(), QStringLiteral("dashboard")), true);
    QObject::connect(scope, &Connection::stateChanged, [scope](ConnectionState state) {
        if (state == ConnectionState::Connected)
            scope->subscribe({Subscription{.filter = QStringLiteral("plant/#"), .options = {.maximumQoS = QoS::AtLeastOnce}}});
    });
    const QStringList topics{QStringLiteral("plant/line1/oven"), QStringLiteral("plant/line2/oven"), QStringLiteral("plant/line2/climate")};
    qint64 n = 0;
    QTimer feed;
    QObject::connect(&feed, &QTimer::timeout, [&] {
        if (feeder->state() != ConnectionState::Connected)
            return;
        for (int s = 0; s < 3; ++s)
            (void)feeder->publish(ApplicationMessage{topics[s], reading(s, n), QoS::AtLeastOnce, false, {}});
        ++n;
    });
    feed.start(kPublishIntervalMs);

    // The lower tabs get most of the height: the chart is what is looked at here.
    if (auto *split = window->tabs()->parentWidget() ? qobject_cast<QSplitter *>(window->tabs()->parentWidget()) : nullptr)
        split->setSizes({window->height() / 4, window->height() * 3 / 4});
    if (mode == u"chart") {
        window->tabs()->setCurrentWidget(window->charts());
        (void)window->charts()->addField(topics[0], QStringLiteral("$.temperature"));
        (void)window->charts()->addField(topics[1], QStringLiteral("$.temperature"));
        (void)window->charts()->addField(topics[2], QStringLiteral("$.metrics[?(@.name=='Temperature')].value"));
    } else if (mode == u"chart2") { // two metrics of one device whose paths differ at the end
        window->tabs()->setCurrentWidget(window->charts());
        (void)window->charts()->addField(topics[2], QStringLiteral("$.metrics[?(@.name=='Humidity')].value"));
        (void)window->charts()->addField(topics[2], QStringLiteral("$.metrics[?(@.name=='Temperature')].value"));
    } else if (mode == u"chart1") { // a field with one reading so far: a lone point
        window->tabs()->setCurrentWidget(window->charts());
        const QString once = QStringLiteral("plant/line3/oven");
        (void)window->charts()->addField(once, QStringLiteral("$.temperature"));
        QTimer::singleShot(seconds * 1000 / 3, [&, once] {
            (void)feeder->publish(ApplicationMessage{once, R"({"temperature": 5, "unit": "C"})", QoS::AtLeastOnce, false, {}});
        });
    } else if (mode == u"search-export") { // a search without hits, then the Export menu open
        window->tabs()->setCurrentWidget(window->search());
        QTimer::singleShot(seconds * 1000 / 3, [&] {
            window->search()->search(SearchKind::FieldCondition, QStringLiteral("$.temperature > 1000"), QStringLiteral("plant"));
        });
        QTimer::singleShot(seconds * 1000 * 2 / 3, [&] {
            auto *button = window->search()->findChild<QPushButton *>(QStringLiteral("searchExport"));
            button->menu()->popup(button->mapToGlobal(QPoint(0, button->height())));
        });
    } else if (mode == u"search-invalid") { // hits, then the query typed on into one that does not parse
        window->tabs()->setCurrentWidget(window->search());
        QTimer::singleShot(seconds * 1000 / 3, [&] {
            window->search()->search(SearchKind::FieldCondition, QStringLiteral("$.temperature > 25.5"), QStringLiteral("plant/line2"));
        });
        QTimer::singleShot(seconds * 1000 * 2 / 3, [&] { window->search()->queryField()->setText(QStringLiteral("$.temperature > ")); });
    } else {
        window->tabs()->setCurrentWidget(window->search());
        QTimer::singleShot(seconds * 1000 / 2, [&] {
            window->search()->search(SearchKind::FieldCondition, QStringLiteral("$.temperature > 25.5"), QStringLiteral("plant/line2"));
        });
    }
    QTimer::singleShot(seconds * 1000, &app, &QApplication::quit);
    return app.exec();
}
