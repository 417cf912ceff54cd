#pragma once
// Tools ▸ Probe broker…: the built-in checks (resources/probe/) run against one broker from inside
// the window, with progress, a table of verdicts, and the packets of a deviation on the diagram
// (double-click its row). The checks' connections record into the window's trace.

#include "probe_check_model.h"
#include "profile_store.h"
#include "workbench.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace mqs {

class ProbeDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeDialog)
public:
    // `profiles`: the saved connections, offered as brokers to probe.
    ProbeDialog(Workbench &workbench, const std::vector<Profile> &profiles, QWidget *parent = nullptr);

    void setBroker(const QString &url, ProtocolVersion version);
    // Checks the URL and starts the checks once the event loop turns; a bad URL is said and returned.
    [[nodiscard]] Status start();
    bool isRunning() const { return m_running; }
    // Writes the report (JSON, as `mqttscope-cli probe --json`).
    [[nodiscard]] Status saveReport(const QString &path) const;

    ProbeCheckModel &model() { return m_model; }
    QTableView *table() const { return m_table; }
    QComboBox *broker() const { return m_broker; }
    QComboBox *version() const { return m_version; }
    QSpinBox *burst() const { return m_burst; }
    QString statusText() const;

public slots:
    void stop() { m_stopRequested = true; }
    // Shows the packets of the check in `row` on the diagram.
    void showPacketsOf(int row);

signals:
    void checksFinished();
    // The flows that show a check's verdict (most telling first), or its last packet when it has none.
    void flowsConcerned(std::vector<mqs::FlowId> flows);
    void packetConcerned(quint64 sequence);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildForm(const std::vector<Profile> &profiles);
    void execute();
    void showStatus(const QString &text, const QColor &color);
    void chooseSavePath();

    Workbench &m_workbench;
    ProbeCheckModel m_model;
    ProbeOptions m_options;
    QComboBox *m_broker = nullptr;
    QComboBox *m_version = nullptr;
    QSpinBox *m_burst = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_save = nullptr;
    bool m_running = false;
    bool m_stopRequested = false;
};

} // namespace mqs
