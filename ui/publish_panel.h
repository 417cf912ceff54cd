#pragma once
// Publishing: topic (with history), QoS, retain, 5.0 properties, a payload in text, JSON, hex
// or base64, and test readings from a template published once, N times or every T ms with
// progress and a stop button. Every publish shows its outcome here: completed, refused, failed,
// waiting for which step, or held by a fault rule; never "sent" for what was not acknowledged.

#include "publish_outcome.h"
#include "workbench.h"

#include "client/payload_format.h"
#include "client/reading_template.h"

#include <QElapsedTimer>
#include <QStandardItemModel>
#include <QTimer>
#include <QWidget>

#include <set>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace mqs {

struct ReadingPreset {
    QString name;
    QString topic;
    QString payload;
    PayloadFormat format;
    QoS qos;
};

class PublishPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PublishPanel)
public:
    explicit PublishPanel(Workbench &workbench, QWidget *parent = nullptr);

    static std::vector<ReadingPreset> presets();

    // What the user typed, as a message; or a sentence saying what to fix.
    [[nodiscard]] std::variant<ApplicationMessage, QString> buildMessage();
    QString outcome() const;
    QString problem() const;
    int generated() const { return m_generated; }
    bool isGenerating() const { return m_generator.isActive(); }

    // The widgets, for keyboard focus order and tests.
    QComboBox *topic() const { return m_topic; }
    QComboBox *qos() const { return m_qos; }
    QCheckBox *retain() const { return m_retain; }
    QComboBox *format() const { return m_format; }
    QPlainTextEdit *payload() const { return m_payload; }
    QCheckBox *templated() const { return m_templated; }
    QSpinBox *count() const { return m_count; }
    QSpinBox *interval() const { return m_interval; }
    QPushButton *publishButton() const { return m_publish; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *restartSeqButton() const { return m_restartSeq; }
    QProgressBar *progress() const { return m_progress; }
    // The generator's line: how many readings, and how many of them are sent, completed, queued.
    QString runText() const;
    const PublishTally &tally() const { return m_run.tally; }

public slots:
    void publish(); // once (Ctrl+Return)
    void startGenerator(); // N times, every T ms
    void stopGenerator();
    void applyPreset(int index);
    // The next reading of each template is {{seq}} 1 again.
    void restartSeq();

signals:
    void published(quint64 serial);

private:
    void publishOne();
    void showProblem(const QString &text);
    void updateOutcome();
    void updateRun();
    void rememberTopic(const QString &topic);
    void saveSnippets();
    void loadSnippets();
    void onFlow(Connection *connection, const FlowUpdate &update);
    // Follows what becomes of a message the session took (the result line, the run's tally).
    void track(Connection *connection, const ApplicationMessage &message, const PublishTicket &ticket, quint64 traceEnd);
    Properties properties() const;

    Workbench &m_workbench;
    QComboBox *m_topic = nullptr;
    QComboBox *m_qos = nullptr;
    QCheckBox *m_retain = nullptr;
    QComboBox *m_format = nullptr;
    QPlainTextEdit *m_payload = nullptr;
    QCheckBox *m_templated = nullptr;
    QGroupBox *m_propertiesBox = nullptr;
    QLineEdit *m_contentType = nullptr;
    QCheckBox *m_utf8 = nullptr;
    QSpinBox *m_expiry = nullptr;
    QLineEdit *m_responseTopic = nullptr;
    QLineEdit *m_correlation = nullptr;
    QTableWidget *m_userProperties = nullptr;
    QSpinBox *m_count = nullptr;
    QSpinBox *m_interval = nullptr;
    QPushButton *m_publish = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_restartSeq = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_rate = nullptr;
    QLabel *m_outcome = nullptr;
    QLabel *m_problem = nullptr;
    QStandardItemModel m_snippets;
    QListView *m_snippetList = nullptr;

    // Templates keep counting across Publish clicks and generator runs (ReadingSeries).
    ReadingSeries m_payloadSeries;
    ReadingSeries m_topicSeries;

    // the generator
    QTimer m_generator;
    int m_target = 0;
    int m_generated = 0;
    struct Run {
        int target = 0;
        Connection *connection = nullptr; // serials count per connection
        PublishTally tally{};
        QElapsedTimer clock{};
        std::optional<double> seconds{}; // fixed when the run stops
    } m_run;

    LastPublish m_last;
};

} // namespace mqs
