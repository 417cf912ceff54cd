#pragma once
// The test-reading generator's controls: how many readings, how often, start and stop, and the
// run's progress and line (how many sent, completed, still queued) and its delivery audit. The
// panel runs the readings.

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace mqs {

class ReadingGeneratorForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReadingGeneratorForm)
public:
    explicit ReadingGeneratorForm(QWidget *parent = nullptr);

    int count() const;
    int intervalMs() const;
    void setPlan(int count, int intervalMs);
    // Start off and Stop on while running.
    void setRunning(bool running);
    void showProgress(int done, int target);
    void showRunText(const QString &text);
    QString runText() const;
    // The delivery audit of the run: per subscriber, sent, received, lost (and where), duplicates.
    void showAuditText(const QString &text);
    QString auditText() const;

    QSpinBox *countBox() const { return m_count; }
    QSpinBox *intervalBox() const { return m_interval; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    QProgressBar *progress() const { return m_progress; }

signals:
    void startClicked();
    void stopClicked();
    // The count or the interval was changed.
    void planEdited();

private:
    QSpinBox *m_count = nullptr;
    QSpinBox *m_interval = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_rate = nullptr;
    QLabel *m_audit = nullptr;
};

} // namespace mqs
