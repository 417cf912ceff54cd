#include "main_window.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("MQTT Scope"));
    QApplication::setOrganizationName(QStringLiteral("mqttscope"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    mqs::MainWindow window;
    window.show();
    return app.exec();
}
