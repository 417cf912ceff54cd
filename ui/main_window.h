#pragma once
// The application's main window: connections, sequence diagram, flows, publish panel.

#include <QMainWindow>

namespace mqs {

class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;
};

} // namespace mqs
