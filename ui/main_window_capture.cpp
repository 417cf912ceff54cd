// The main window's captures: File ▸ Open capture…, drag and drop, File ▸ Capture on interface…,
// the progress dialog while a file plays into the trace, and the Capture tab's summary.

#include "main_window.h"

#include "capture_interface_dialog.h"
#include "capture_summary_view.h"
#include "number_locale.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMimeData>
#include <QProgressDialog>
#include <QStatusBar>
#include <QTabWidget>

namespace mqs {
namespace {

// A file shorter to read than this shows no progress dialog (QProgressDialog's own rule).
constexpr int kProgressAfterMs = 500;
constexpr int kProgressSteps = 1000;

bool isCaptureFile(const QUrl &url)
{
    const QString suffix = QFileInfo(url.toLocalFile()).suffix().toLower();
    return url.isLocalFile() && (suffix == QLatin1String("pcap") || suffix == QLatin1String("pcapng")
                                 || suffix == QLatin1String("cap"));
}

} // namespace

void MainWindow::buildCaptureMenu(QMenu *file)
{
    file->addAction(tr("&Open capture…"), QKeySequence::Open, this, &MainWindow::chooseCapture);
    file->addAction(tr("&Capture on interface…"), this, &MainWindow::chooseCaptureInterface)
        ->setObjectName(QStringLiteral("captureOnInterface"));
    m_stopCapture = file->addAction(tr("S&top capture and save…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the capture"), QStringLiteral("capture.pcapng"),
                                                          tr("pcapng (*.pcapng)"));
        stopLiveCapture(path);
    });
    m_stopCapture->setEnabled(false);
    setAcceptDrops(true);
}

void MainWindow::followCaptures()
{
    connect(m_workbench.get(), &Workbench::captureProgress, this, [this](double fraction) {
        if (m_captureProgress)
            m_captureProgress->setValue(int(fraction * kProgressSteps));
        if (const CapturePlayback *playback = m_workbench->capturePlayback())
            m_captureSummary->showLoading(playback->path(), fraction);
    });
    connect(m_workbench.get(), &Workbench::captureFinished, this, &MainWindow::showCaptureSummary);
}

void MainWindow::chooseCapture()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open capture"), QString(),
                                                      tr("Captures (*.pcap *.pcapng *.cap);;All files (*)"));
    if (!path.isEmpty())
        openCapture(path);
}

bool MainWindow::openCapture(const QString &path)
{
    if (Status opened = m_workbench->openCapture(path); !opened) {
        showProblem(opened.sentence());
        return false;
    }
    delete m_captureProgress;
    m_captureProgress = new QProgressDialog(tr("Reading %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0,
                                            kProgressSteps, this);
    m_captureProgress->setObjectName(QStringLiteral("captureProgress"));
    m_captureProgress->setWindowModality(Qt::WindowModal);
    m_captureProgress->setMinimumDuration(kProgressAfterMs);
    connect(m_captureProgress, &QProgressDialog::canceled, m_workbench.get(), &Workbench::cancelCapture);
    m_captureSummary->showLoading(path, 0);
    m_tabs->setCurrentWidget(m_captureSummary);
    return true;
}

void MainWindow::showCaptureSummary(const CaptureSummary &summary)
{
    if (m_captureProgress) {
        m_captureProgress->deleteLater();
        m_captureProgress = nullptr;
    }
    m_captureSummary->show(summary);
    m_stopCapture->setEnabled(m_workbench->liveCapture() != nullptr);
    statusBar()->showMessage(tr("%1: %2, %3, %4.")
                                 .arg(summary.source, countText(summary.connections, tr("MQTT connection"), tr("MQTT connections")),
                                      countText(qint64(summary.unfinished), tr("unfinished flow"), tr("unfinished flows")),
                                      countText(qint64(summary.violations), tr("violation"), tr("violations"))),
                             15000);
}

void MainWindow::chooseCaptureInterface()
{
    CaptureInterfaceDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted && !dialog.interfaceName().isEmpty())
        startLiveCapture(dialog.interfaceName(), dialog.ports());
}

bool MainWindow::startLiveCapture(const QString &interfaceName, std::vector<quint16> ports)
{
    m_liveCapturePath = QDir::temp().filePath(
        QStringLiteral("mqttscope-%1-%2.pcapng").arg(interfaceName, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    QStringList portNames;
    for (quint16 port : ports)
        portNames << QString::number(port);
    const QString watched = portNames.isEmpty() ? tr("1883 and 8883") : portNames.join(QStringLiteral(", "));
    const Status started = m_workbench->startLiveCapture({.interfaceName = interfaceName, .ports = std::move(ports),
                                                          .savePath = m_liveCapturePath});
    if (!started) {
        QString sentence = started.sentence();
        if (started.problem().kind == ProblemKind::Privileges)
            sentence += QLatin1Char(' ') + captureRightsAdvice(QCoreApplication::applicationFilePath());
        showProblem(sentence);
        return false;
    }
    m_stopCapture->setEnabled(true);
    m_captureSummary->showLoading(tr("interface %1").arg(interfaceName), 0);
    statusBar()->showMessage(tr("Capturing MQTT on %1, TCP ports %2; File ▸ Stop capture and save… ends it.").arg(interfaceName, watched),
                             15000);
    return true;
}

bool MainWindow::stopLiveCapture(const QString &savePath)
{
    if (!m_workbench->liveCapture())
        return false;
    m_workbench->stopLiveCapture();
    m_stopCapture->setEnabled(false);
    if (savePath.isEmpty())
        return QFile::remove(m_liveCapturePath);
    QFile::remove(savePath);
    if (!QFile::rename(m_liveCapturePath, savePath) && !QFile::copy(m_liveCapturePath, savePath)) {
        showProblem(tr("Could not save the capture to %1; it is still in %2.").arg(savePath, m_liveCapturePath));
        return false;
    }
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && isCaptureFile(urls.front()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && isCaptureFile(urls.front())) {
        event->acceptProposedAction();
        openCapture(urls.front().toLocalFile());
    }
}

} // namespace mqs
