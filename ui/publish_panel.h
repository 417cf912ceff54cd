#pragma once
// Publishing: the message form, the Publish button with its outcome underneath (completed,
// refused, failed, waiting for which step, held by a rule, not connected; never "sent" for
// what was not acknowledged), the test-reading generator and the snippets.

#include "generator_audit.h"
#include "message_form.h"
#include "profile_store.h"
#include "publish_outcome.h"
#include "reading_generator_form.h"
#include "workbench.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace mqs {

class SnippetList;

class PublishPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PublishPanel)
public:
    PublishPanel(Workbench &workbench, Settings &settings, QWidget *parent = nullptr);

    static std::vector<ReadingPreset> presets() { return MessageForm::presets(); }

    // What the user typed, as a message; or a sentence saying what to fix.
    Result<ApplicationMessage> buildMessage() { return m_form->build(); }
    QString outcome() const;
    QString problem() const;
    int generated() const { return m_generated; }
    bool isGenerating() const { return m_generator.isActive(); }

    // The generator as set now (message fields, count, interval), and back.
    GeneratorSettings generatorSettings() const;
    void setGeneratorSettings(const GeneratorSettings &settings);

    // The widgets, for keyboard focus order and tests.
    MessageForm *form() const { return m_form; }
    QComboBox *topic() const { return m_form->topic(); }
    QComboBox *qos() const { return m_form->qos(); }
    QCheckBox *retain() const { return m_form->retain(); }
    QComboBox *format() const { return m_form->format(); }
    QPlainTextEdit *payload() const { return m_form->payload(); }
    QCheckBox *templated() const { return m_form->templated(); }
    QSpinBox *count() const { return m_generatorForm->countBox(); }
    QSpinBox *interval() const { return m_generatorForm->intervalBox(); }
    QPushButton *publishButton() const { return m_publish; }
    QPushButton *startButton() const { return m_generatorForm->startButton(); }
    QPushButton *stopButton() const { return m_generatorForm->stopButton(); }
    QPushButton *restartSeqButton() const { return m_form->restartSeqButton(); }
    QProgressBar *progress() const { return m_generatorForm->progress(); }
    // The generator's line: how many readings, and how many of them are sent, completed, queued.
    QString runText() const { return m_generatorForm->runText(); }
    const PublishTally &tally() const { return m_run.tally; }
    // The delivery audit under the generator: what the window's own subscriptions received of it.
    QString auditText() const { return m_generatorForm->auditText(); }
    const GeneratorAudit &audit() const { return m_audit; }

public slots:
    void publish(); // once (Ctrl+Return)
    void startGenerator(); // N times, every T ms
    void stopGenerator();
    void applyPreset(int index) { m_form->applyPreset(index); }
    // The next reading of each template is {{seq}} 1 again.
    void restartSeq() { m_form->restartSeq(); }

signals:
    void published(quint64 serial);
    // The generator started on `connection`, with these settings.
    void generatorStarted(mqs::Connection *connection, const mqs::GeneratorSettings &settings);
    // The generator's settings were edited while `connection` was the current one (not when
    // setGeneratorSettings() put a connection's saved ones back).
    void generatorEdited(mqs::Connection *connection, const mqs::GeneratorSettings &settings);

private:
    QWidget *buildResult();
    void publishOne();
    void showProblem(const QString &text);
    // Warns under a payload blob that the current connection's broker will not take it.
    void checkBlobSize();
    void updateOutcome();
    void updateRun();
    void reportGeneratorEdit();
    void onFlow(Connection *connection, const FlowUpdate &update);
    // Follows what becomes of a message the session took (the result line, the run's tally).
    void track(Connection *connection, const ApplicationMessage &message, const PublishTicket &ticket, quint64 traceEnd);

    Workbench &m_workbench;
    MessageForm *m_form = nullptr;
    ReadingGeneratorForm *m_generatorForm = nullptr;
    SnippetList *m_snippets = nullptr;
    QPushButton *m_publish = nullptr;
    QLabel *m_outcomeIcon = nullptr;
    QLabel *m_outcome = nullptr;
    QLabel *m_problem = nullptr;

    // the generator
    QTimer m_generator;
    bool m_restoringGenerator = false; // setGeneratorSettings() at work: not an edit
    int m_target = 0;
    int m_generated = 0;
    struct Run {
        int target = 0;
        Connection *connection = nullptr; // serials count per connection
        PublishTally tally{};
        QElapsedTimer clock{};
        std::optional<double> seconds{}; // fixed when the run stops
    } m_run;
    GeneratorAudit m_audit;

    LastPublish m_last;
};

} // namespace mqs
