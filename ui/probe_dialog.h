#pragma once
// Tools ▸ Probe broker…: the built-in checks (resources/probe/) run against one broker from inside
// the window, with progress, a table of verdicts, and the packets of a deviation on the diagram
// (double-click its row). The checks' connections record into the window's trace.

#include "probe_check_model.h"
#include "profile_store.h"
#include "workbench.h"

#include <QDateTime>
#include <QDialog>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace mqs {

class TlsFields;

// What Save report… writes: the page `mqttscope-cli probe --report` writes, or its --json document.
enum class ProbeReportFormat : quint8 { Html, Json };

class ProbeDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeDialog)
public:
    // `profiles`: the saved connections, offered as brokers to probe (with their TLS settings, user
    // name and password; the caller fills in passwords kept in the keychain).
    ProbeDialog(Workbench &workbench, const std::vector<Profile> &profiles, QWidget *parent = nullptr);

    // Offers these saved connections, replacing those offered before (the window calls it each time
    // it opens the probe, so a connection added or edited since is offered as it is now).
    void setProfiles(const std::vector<Profile> &profiles);
    void setBroker(const QString &url, ProtocolVersion version, const TlsOptions &tls = {});
    // A connection's broker: its URL, version, TLS settings, user name and password.
    void setBroker(const ConnectionSettings &settings);
    // Checks the URL, the TLS settings and the credentials, and that no scenario runs; then, once
    // the event loop turns, that the broker accepts a CONNECT with them (BrokerReach), and runs the
    // checks. A problem found before is said and returned; one found after is said (isRunning() ends).
    [[nodiscard]] Status start();
    bool isRunning() const { return m_running; }
    [[nodiscard]] Status saveReport(const QString &path, ProbeReportFormat format) const;

    ProbeCheckModel &model() { return m_model; }
    QTableView *table() const { return m_table; }
    QComboBox *broker() const { return m_broker; }
    QComboBox *version() const { return m_version; }
    QSpinBox *burst() const { return m_burst; }
    QLineEdit *username() const { return m_username; }
    QLineEdit *password() const { return m_password; }
    TlsFields *tls() const { return m_tls; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *saveButton() const { return m_save; }
    QString statusText() const;
    // What Workbench::scriptedRun() says while the probe runs.
    static QString scriptedRunName();

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
    QGroupBox *buildTls();
    void pickProfile(int index);
    // The options the form describes, or what to correct in it.
    [[nodiscard]] Result<ProbeOptions> readOptions() const;
    void onBrokerReached(const Status &reached);
    void execute();
    void finishRun();
    void showCounts();
    void offerRun();
    void showStatus(const QString &text, const QColor &color);
    void chooseSavePath();

    Workbench &m_workbench;
    ProbeCheckModel m_model;
    ProbeOptions m_options;
    QDateTime m_startedAt;
    BrokerReach m_reach; // the one connection before the checks
    std::vector<ConnectionSettings> m_profileSettings; // the saved connections', by the broker box's index
    TlsOptions m_baseTls; // what the TLS fields do not show (passphrase, server name) comes from here
    QComboBox *m_broker = nullptr;
    QComboBox *m_version = nullptr;
    QSpinBox *m_burst = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    TlsFields *m_tls = nullptr;
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
