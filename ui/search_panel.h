#pragma once
// The Search tab: find kept messages by text, regular expression or field condition, across all
// topics or under a branch; a problem with the query shows beside it as it is typed. Enter on a
// hit opens the message. Also exports (a branch or the hits, as JSON Lines or CSV) and imports a
// JSON Lines export to replay it through the current connection.

#include "message_transfer.h"
#include "search_results_model.h"
#include "workbench.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressDialog;
class QTableView;

namespace mqs {

class SearchPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SearchPanel)
public:
    // More hits than this are not listed: the list is for reading, export takes a branch whole.
    static constexpr int kMostHits = 10'000;
    // The search starts this long after the last keystroke.
    static constexpr int kTypingPauseMs = 250;

    SearchPanel(Workbench &workbench, QWidget *parent = nullptr);

    // Sets the query and runs it now; false when the query has a problem (shown beside it).
    bool search(SearchKind kind, const QString &text, const QString &branch = QString());
    SearchResultsModel &results() { return m_results; }
    QTableView *resultsView() const { return m_view; }
    QLabel *errorLabel() const { return m_error; }
    QLineEdit *queryField() const { return m_query; }
    QComboBox *kindField() const { return m_kind; }
    QLineEdit *branchField() const { return m_branch; }
    // What the export writes: the hits, or every kept message under the branch.
    [[nodiscard]] Status exportHits(const QString &path) const;
    [[nodiscard]] Status exportBranch(const QString &path) const;
    // Replays a JSON Lines export through `connection`; progress in a dialog with Cancel.
    [[nodiscard]] Status replayFile(const QString &path, Connection *connection, std::optional<double> messagesPerSecond);
    MessageReplay &replay() { return m_replay; }

signals:
    void openMessage(const QString &topic, quint64 serial);

private:
    QWidget *buildQueryRow();
    QWidget *buildActions();
    // Checks the query as typed; the problem (or nothing) shows under the field.
    std::optional<MessageQuery> checkQuery();
    void runSearch();
    void chooseExport(bool hitsOnly, const QString &suffix);
    void chooseReplay();

    Workbench &m_workbench;
    SearchResultsModel m_results;
    MessageReplay m_replay;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_query = nullptr;
    QLineEdit *m_branch = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_count = nullptr;
    QTableView *m_view = nullptr;
    QProgressDialog *m_progress = nullptr;
    QTimer m_typing;
};

} // namespace mqs
