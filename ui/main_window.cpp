#include "main_window.h"

#include <QLabel>
#include <QStatusBar>

namespace mqs {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("MQTT Scope"));
    auto *placeholder = new QLabel(tr("MQTT Scope"), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    statusBar()->showMessage(tr("Not connected"));
    resize(1400, 900);
}

MainWindow::~MainWindow() = default;

} // namespace mqs
