// mqttscope: the GUI.

#include "main_window.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QStyle>
#include <QStyleFactory>

#include <cstdio>

int main(int argc, char *argv[])
{
    // Without a display Qt aborts with a page about platform plugins; say what to do instead.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
        && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        std::fprintf(stderr, "mqttscope: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). Start it from a desktop "
                             "session, under xvfb-run, or use mqttscope-cli for headless work.\n");
        return 1;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mqttscope"));
    QApplication::setApplicationDisplayName(QStringLiteral("MQTT Scope"));
    QApplication::setOrganizationName(QStringLiteral("mqttscope"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setDesktopFileName(QStringLiteral("mqttscope"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MQTT Scope: every packet of every MQTT handshake, live."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("demo"), QStringLiteral("Start the sandbox broker with a demo sensor and dashboard (also the default "
                                                "when no connection is saved).")},
        {QStringLiteral("demo-interval"), QStringLiteral("Milliseconds between the demo's readings (default 2000)."),
         QStringLiteral("MS"), QStringLiteral("2000")},
        {QStringLiteral("demo-fault"), QStringLiteral("A fault rule for the demo's sensor, e.g. \"hold out PUBREL limit 1\" "
                                                      "(repeatable)."),
         QStringLiteral("RULE")},
        {QStringLiteral("settings"), QStringLiteral("Use this settings file instead of the user's."), QStringLiteral("FILE")},
        {QStringLiteral("store"), QStringLiteral("Keep sessions in this SQLite file instead of the user's data folder."),
         QStringLiteral("FILE")},
        {QStringLiteral("trace-limit-mb"), QStringLiteral("Keep up to this many MiB of packets in memory, instead of the "
                                                          "limit in the settings (File ▸ Trace memory limit)."),
         QStringLiteral("MIB")},
        {QStringLiteral("palette"), QStringLiteral("Colours: system (the desktop's, default), light or dark."),
         QStringLiteral("NAME"), QStringLiteral("system")},
    });
    parser.addPositionalArgument(QStringLiteral("CAPTURE"), QStringLiteral("A pcap or pcapng file to open (optional)."),
                                 QStringLiteral("[CAPTURE]"));
    parser.process(app);
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "mqttscope: give at most one capture file to open.\n");
        return 2;
    }
    bool ok = false;
    const int interval = parser.value(QStringLiteral("demo-interval")).toInt(&ok);
    if (!ok || interval < 1) {
        std::fprintf(stderr, "mqttscope: --demo-interval must be a number of milliseconds.\n");
        return 2;
    }
    const QString palette = parser.value(QStringLiteral("palette"));
    if (palette == QLatin1String("dark") || palette == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(palette == QLatin1String("dark") ? mqs::darkPalette() : QApplication::style()->standardPalette());
    } else if (palette != QLatin1String("system")) {
        std::fprintf(stderr, "mqttscope: --palette takes system, light or dark, not '%s'.\n", qPrintable(palette));
        return 2;
    }
    int traceLimit = 0;
    if (parser.isSet(QStringLiteral("trace-limit-mb"))) {
        traceLimit = parser.value(QStringLiteral("trace-limit-mb")).toInt(&ok);
        if (!ok || traceLimit < 1) {
            std::fprintf(stderr, "mqttscope: --trace-limit-mb must be a whole number of MiB, at least 1.\n");
            return 2;
        }
    }
    mqs::MainWindow::Options options;
    options.traceLimitMiB = traceLimit;
    options.demo = parser.isSet(QStringLiteral("demo"));
    options.demoIntervalMs = interval;
    options.demoFaults = parser.values(QStringLiteral("demo-fault"));
    options.settingsPath = parser.value(QStringLiteral("settings"));
    options.storePath = parser.value(QStringLiteral("store"));
    options.capturePath = parser.positionalArguments().value(0);
    mqs::MainWindow window(options);
    window.show();
    return app.exec();
}
