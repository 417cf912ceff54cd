#include "probe_dialog.h"

#include "scenario_panel.h"
#include "theme.h"
#include "tls_fields.h"

#include "scenario/probe_report.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace mqs {
namespace {

// As `mqttscope-cli probe --burst`: above mosquitto's default queue of 1000, small enough to finish.
constexpr int kDefaultBurst = 1100;
constexpr int kMaximumBurst = 100000;
constexpr int kWidthInCharacters = 150;
constexpr int kHeightInLines = 34;

const QString kHtmlFilter = QStringLiteral("HTML report (*.html)");
const QString kJsonFilter = QStringLiteral("JSON, as mqttscope-cli probe --json (*.json)");

ProbeReportFormat formatOf(const QString &filter)
{
    return filter == kJsonFilter ? ProbeReportFormat::Json : ProbeReportFormat::Html;
}

// The name as typed, with the format's suffix when it has none.
QString withSuffix(const QString &path, ProbeReportFormat format)
{
    if (!QFileInfo(path).suffix().isEmpty())
        return path;
    return path + (format == ProbeReportFormat::Json ? QStringLiteral(".json") : QStringLiteral(".html"));
}

// What to do about a problem reaching the broker, in this dialog's controls. `credentialsRefused`:
// the broker's CONNACK refused the user name and password (BrokerReach::credentialsRefused()).
QString withProbeAdvice(const Problem &problem, bool credentialsRefused = false)
{
    if (credentialsRefused)
        return QObject::tr("%1 Enter them as 'User name' and 'Password' (a saved connection picked in 'Broker' brings its "
                           "own), then run the checks again.").arg(problem.sentence);
    switch (problem.kind) {
    case ProblemKind::Tls:
        return QObject::tr("%1 Give the broker's CA as 'CA file' under TLS, a client certificate as 'Client certificate' and "
                           "'Client key', or tick 'Insecure: do not verify the broker's certificate or name'; then run the "
                           "checks again.").arg(problem.sentence);
    case ProblemKind::File:
    case ProblemKind::InvalidInput:
        return QObject::tr("%1 Correct 'CA file', 'Client certificate' or 'Client key' under TLS, then run the checks again.")
            .arg(problem.sentence);
    case ProblemKind::Refused: // the broker's own reason says what to change (the version, the client id)
        return problem.sentence;
    default:
        return QObject::tr("%1 Check 'Broker': is a broker listening there?").arg(problem.sentence);
    }
}

} // namespace

ProbeDialog::ProbeDialog(Workbench &workbench, const std::vector<Profile> &profiles, QWidget *parent)
    : QDialog(parent)
    , m_workbench(workbench)
{
    setWindowTitle(tr("Probe broker"));
    setObjectName(QStringLiteral("probeDialog"));
    m_progress = new QProgressBar(this);
    m_progress->setValue(0);
    m_status = new QLabel(tr("Runs %1 checks of QoS 2 and session behaviour; each says conforms, deviates (with the rule "
                             "broken), not supported or inconclusive. Double-click a row to see its packets on the diagram.")
                              .arg(probeCheckFiles().size()),
                          this);
    m_status->setObjectName(QStringLiteral("probeStatus"));
    m_status->setWordWrap(true);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("probeChecks"));
    m_table->setModel(&m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->setWordWrap(true);
    m_table->horizontalHeader()->setSectionResizeMode(ProbeCheckModel::Verdict, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProbeCheckModel::Check, QHeaderView::Interactive);
    m_table->horizontalHeader()->setSectionResizeMode(ProbeCheckModel::Rule, QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProbeCheckModel::Evidence, QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setColumnWidth(ProbeCheckModel::Check, fontMetrics().averageCharWidth() * 34);
    m_run = new QPushButton(tr("&Run checks"), this);
    m_run->setObjectName(QStringLiteral("probeRun"));
    m_run->setDefault(true);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("probeStop"));
    m_stop->setEnabled(false);
    m_save = new QPushButton(tr("Save report…"), this);
    m_save->setObjectName(QStringLiteral("probeSave"));
    m_save->setEnabled(false);
    auto *close = new QPushButton(tr("Close"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_save);
    buttons->addWidget(close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildForm(profiles));
    layout->addWidget(m_status);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    connect(m_run, &QPushButton::clicked, this, [this] { (void)start(); });
    connect(m_stop, &QPushButton::clicked, this, &ProbeDialog::stop);
    connect(m_save, &QPushButton::clicked, this, &ProbeDialog::chooseSavePath);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) { showPacketsOf(index.row()); });
    connect(&m_workbench, &Workbench::scriptedRunChanged, this, &ProbeDialog::offerRun);
    connect(&m_reach, &BrokerReach::finished, this, &ProbeDialog::onBrokerReached);
    offerRun();
    // Wide enough for a verdict's sentence, tall enough for every check, on a 1366×768 screen too.
    resize(fontMetrics().averageCharWidth() * kWidthInCharacters, fontMetrics().height() * kHeightInLines);
    m_broker->setFocus();
}

// A saved connection's URL, version, TLS settings and credentials, so the broker one already uses
// is a pick away. What is typed in the broker box stays.
void ProbeDialog::setProfiles(const std::vector<Profile> &profiles)
{
    const QString typed = m_broker->currentText();
    m_broker->clear();
    m_profileSettings.clear();
    for (const Profile &p : profiles) {
        m_broker->addItem(p.settings.url.toString(), int(p.settings.version));
        m_broker->setItemData(m_broker->count() - 1, p.settings.name, Qt::ToolTipRole);
        m_profileSettings.push_back(p.settings);
    }
    m_broker->setEditText(typed);
}

QWidget *ProbeDialog::buildForm(const std::vector<Profile> &profiles)
{
    auto *form = new QWidget(this);
    m_broker = new QComboBox(form);
    m_broker->setObjectName(QStringLiteral("probeBroker"));
    m_broker->setEditable(true);
    m_broker->setInsertPolicy(QComboBox::NoInsert);
    m_broker->lineEdit()->setPlaceholderText(QStringLiteral("mqtt://broker.local:1883"));
    m_version = new QComboBox(form);
    m_version->setObjectName(QStringLiteral("probeVersion"));
    m_version->addItem(tr("MQTT 5.0"), int(ProtocolVersion::V5));
    m_version->addItem(tr("MQTT 3.1.1"), int(ProtocolVersion::V311));
    setProfiles(profiles);
    connect(m_broker, &QComboBox::activated, this, &ProbeDialog::pickProfile);
    m_burst = new QSpinBox(form);
    m_burst->setObjectName(QStringLiteral("probeBurst"));
    m_burst->setRange(1, kMaximumBurst);
    m_burst->setValue(kDefaultBurst);
    m_burst->setSuffix(tr(" messages"));
    m_burst->setToolTip(tr("The delivery audit's burst: more than the broker's queue for one client (mosquitto: 1000)."));
    // Every connection of the checks logs in with these.
    m_username = new QLineEdit(form);
    m_username->setObjectName(QStringLiteral("probeUsername"));
    m_username->setPlaceholderText(tr("none: connect anonymously"));
    m_password = new QLineEdit(form);
    m_password->setObjectName(QStringLiteral("probePassword"));
    m_password->setEchoMode(QLineEdit::Password);
    auto *fields = new QFormLayout;
    fields->addRow(tr("Broker:"), m_broker);
    fields->addRow(tr("Version:"), m_version);
    fields->addRow(tr("User name:"), m_username);
    fields->addRow(tr("Password:"), m_password);
    fields->addRow(tr("Audit burst:"), m_burst);
    auto *layout = new QHBoxLayout(form);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(fields, 1);
    layout->addWidget(buildTls(), 1);
    return form;
}

// The connection dialog's TLS fields, used for every connection of the checks.
QGroupBox *ProbeDialog::buildTls()
{
    auto *box = new QGroupBox(tr("TLS (for mqtts:// and wss://)"), this);
    box->setObjectName(QStringLiteral("probeTls"));
    auto *form = new QFormLayout(box);
    m_tls = new TlsFields({}, form, box);
    return box;
}

void ProbeDialog::pickProfile(int index)
{
    m_version->setCurrentIndex(m_version->findData(m_broker->itemData(index)));
    if (index < 0 || size_t(index) >= m_profileSettings.size())
        return;
    const ConnectionSettings &picked = m_profileSettings[size_t(index)];
    m_baseTls = picked.tls;
    m_tls->setOptions(m_baseTls);
    m_username->setText(picked.username.value_or(QString()));
    m_password->setText(QString::fromUtf8(picked.password.value_or(QByteArray())));
}

void ProbeDialog::setBroker(const QString &url, ProtocolVersion version, const TlsOptions &tls)
{
    m_broker->setEditText(url);
    m_version->setCurrentIndex(m_version->findData(int(version)));
    m_baseTls = tls;
    m_tls->setOptions(tls);
}

void ProbeDialog::setBroker(const ConnectionSettings &settings)
{
    setBroker(settings.url.toString(), settings.version, settings.tls);
    m_username->setText(settings.username.value_or(QString()));
    m_password->setText(QString::fromUtf8(settings.password.value_or(QByteArray())));
}

QString ProbeDialog::scriptedRunName()
{
    return tr("probe");
}

Status ProbeDialog::start()
{
    if (m_running)
        return Problem{ProblemKind::State, tr("The probe is running.")};
    Result<ProbeOptions> options = readOptions();
    if (!options) {
        showStatus(options.sentence(), problemColor());
        return options.problem();
    }
    if (const Status claimed = m_workbench.startScriptedRun(scriptedRunName()); !claimed) {
        const Problem problem{claimed.problem().kind,
                              tr("%1 The probe and a scenario both open connections in the window's trace, so they run one at a "
                                 "time: stop the scenario (Stop in the Scenario panel) or let it finish, then run the checks.")
                                  .arg(claimed.sentence())};
        showStatus(problem.sentence, problemColor());
        return problem;
    }
    // The last run's options stay until this one starts: its rows may still be saved. TLS files
    // that cannot be used are a problem at once; the broker's answer comes to onBrokerReached().
    if (const Status reaching = m_reach.start(*options); !reaching) {
        m_workbench.endScriptedRun();
        const Problem problem{reaching.problem().kind, withProbeAdvice(reaching.problem())};
        showStatus(problem.sentence, problemColor());
        return problem;
    }
    m_options = std::move(*options);
    m_model.clear();
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_running = true;
    m_stopRequested = false;
    m_run->setEnabled(false);
    m_stop->setEnabled(true);
    m_save->setEnabled(false);
    m_progress->setRange(0, int(probeCheckFiles().size()));
    m_progress->setValue(0);
    showStatus(tr("Connecting to %1…").arg(m_options.brokerUrl), QColor());
    return {};
}

Result<ProbeOptions> ProbeDialog::readOptions() const
{
    const QString url = m_broker->currentText().trimmed();
    if (const Result<ServerUrl> parsed = ServerUrl::parse(url); !parsed)
        return Problem{parsed.problem().kind,
                       tr("%1 Type the broker as mqtt://host:port (or mqtts://, ws://, wss://).").arg(parsed.sentence())};
    ProbeOptions options{url, ProtocolVersion(m_version->currentData().toInt()), m_burst->value(), m_tls->options(m_baseTls)};
    // As the connection dialog reads them: an empty field sends nothing.
    if (!m_username->text().isEmpty())
        options.username = m_username->text();
    if (!m_password->text().isEmpty())
        options.password = m_password->text().toUtf8();
    if (options.password && !options.username && options.version == ProtocolVersion::V311)
        return Problem{ProblemKind::InvalidInput, tr("MQTT 3.1.1 sends a password only with a user name [MQTT-3.1.2-22]. "
                                                     "Fill in 'User name' or clear 'Password'.")};
    return options;
}

void ProbeDialog::onBrokerReached(const Status &reached)
{
    if (m_stopRequested) {
        finishRun();
        showStatus(tr("Stopped before the first check."), warningColor());
        return;
    }
    if (!reached) {
        finishRun();
        showStatus(withProbeAdvice(reached.problem(), m_reach.credentialsRefused()), problemColor());
        return;
    }
    showStatus(tr("Probing %1 with %2…").arg(m_options.brokerUrl, versionName(m_options.version)), QColor());
    QTimer::singleShot(0, this, &ProbeDialog::execute);
}

void ProbeDialog::execute()
{
    const QStringList files = probeCheckFiles();
    for (int i = 0; i < files.size() && !m_stopRequested; ++i) {
        const quint64 first = m_workbench.trace().endSequence();
        auto progress = [this, i, &files](const StepOutcome &step) {
            showStatus(tr("Check %1 of %2: %3").arg(i + 1).arg(files.size()).arg(step.description), QColor());
        };
        ProbeCheck check = runProbeCheck(files[i], m_options, m_workbench.trace(), progress, [this] { return m_stopRequested; });
        if (m_stopRequested)
            break;
        m_model.add({std::move(check), first, m_workbench.trace().endSequence()});
        m_progress->setValue(i + 1);
    }
    finishRun();
    showCounts();
}

// The run is over, whether it ran checks or not: the buttons as before, and the trace free.
void ProbeDialog::finishRun()
{
    m_running = false;
    m_stop->setEnabled(false);
    m_save->setEnabled(m_model.rowCount() > 0);
    m_workbench.endScriptedRun(); // offers Run checks again
    emit checksFinished();
}

void ProbeDialog::showCounts()
{
    const int bad = m_model.count(ProbeVerdict::Deviates) + m_model.count(ProbeVerdict::Inconclusive);
    const QString counts = tr("%1 conform, %2 deviate, %3 not supported, %4 inconclusive.")
                               .arg(m_model.count(ProbeVerdict::Conforms)).arg(m_model.count(ProbeVerdict::Deviates))
                               .arg(m_model.count(ProbeVerdict::NotSupported)).arg(m_model.count(ProbeVerdict::Inconclusive));
    if (m_stopRequested)
        showStatus(tr("Stopped after %1 checks: %2").arg(m_model.rowCount()).arg(counts), warningColor());
    else
        showStatus(bad == 0 ? counts : counts + tr(" Double-click a deviation to see its packets."), bad == 0 ? successColor() : problemColor());
}

// Run checks is offered unless the probe or a scenario runs; the tooltip says which runs.
void ProbeDialog::offerRun()
{
    const QString other = m_workbench.scriptedRun();
    const bool blocked = !other.isEmpty() && other != scriptedRunName();
    m_run->setEnabled(!m_running && !blocked);
    m_run->setToolTip(blocked ? tr("The %1 is running; the checks can run when it ends.").arg(other) : QString());
}

void ProbeDialog::showPacketsOf(int row)
{
    if (row < 0 || row >= m_model.rowCount())
        return;
    const ProbeCheckModel::Row &r = m_model.row(row);
    const std::vector<FlowId> flows = flowsConcerning(m_workbench, {}, r.firstEvent, r.endEvent);
    if (!flows.empty())
        emit flowsConcerned(flows);
    else if (r.endEvent > r.firstEvent)
        emit packetConcerned(r.endEvent - 1);
}

Status ProbeDialog::saveReport(const QString &path, ProbeReportFormat format) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Problem{ProblemKind::File, tr("Cannot write %1: %2").arg(path, file.errorString())};
    if (format == ProbeReportFormat::Html)
        file.write(probeReportHtml(ProbeReport{m_options.brokerUrl, m_options.version, m_startedAt, m_model.checks()}));
    else
        file.write(m_model.report(m_options.brokerUrl, m_options.version).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return Problem{ProblemKind::File, tr("Cannot write %1: %2").arg(path, file.errorString())};
    return {};
}

// A save dialog offering the HTML report first and the JSON document second: the file type
// picked says which is written.
void ProbeDialog::chooseSavePath()
{
    auto *dialog = new QFileDialog(this, tr("Save probe report"));
    dialog->setObjectName(QStringLiteral("probeSaveDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({kHtmlFilter, kJsonFilter});
    dialog->selectNameFilter(kHtmlFilter);
    dialog->selectFile(QStringLiteral("probe-report.html"));
    connect(dialog, &QFileDialog::fileSelected, this, [this, dialog](const QString &typed) {
        const ProbeReportFormat format = formatOf(dialog->selectedNameFilter());
        const QString path = withSuffix(typed, format);
        const Status saved = saveReport(path, format);
        showStatus(saved ? tr("Saved %1.").arg(path) : saved.sentence(), saved ? QColor() : problemColor());
    });
    dialog->open();
}

void ProbeDialog::showStatus(const QString &text, const QColor &color)
{
    m_status->setText(text);
    m_status->setStyleSheet(color.isValid() ? QStringLiteral("color: %1;").arg(color.name()) : QString());
}

QString ProbeDialog::statusText() const
{
    return m_status->text();
}

void ProbeDialog::closeEvent(QCloseEvent *event)
{
    // The checks run inside this dialog's call stack: they end first, then it may close.
    if (m_running) {
        stop();
        event->ignore();
        connect(this, &ProbeDialog::checksFinished, this, &QDialog::close, Qt::SingleShotConnection);
        return;
    }
    QDialog::closeEvent(event);
}

} // namespace mqs
