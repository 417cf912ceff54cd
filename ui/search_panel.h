#pragma once
// The Search tab: find kept messages by text, regular expression or field condition, across all
// topics or under a branch; a problem with the query shows beside it as it is typed. Enter on a
// hit opens the message. Also exports (a branch or the hits, as JSON Lines or CSV) and imports a
// JSON Lines export to replay it through the current connection.

#include "background_search.h"
#include "message_transfer.h"
#include "search_results_model.h"
#include "workbench.h"

#include <QTimer>
#include <QWidget>

#include <array>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QProgressDialog;
class QAction;
class QPushButton;
class QTableView;

namespace mqs {

class SearchPanel : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SearchPanel)
public:
    // More hits than this are counted but not listed, so a search matching everything in a
    // million kept messages does not hold a million excerpts (about 40 MB at this limit); the
    // count says so, and export takes a branch whole.
    static constexpr int kMostHits = 100'000;
    // The search starts this long after the last keystroke.
    static constexpr int kTypingPauseMs = 250;

    SearchPanel(Workbench &workbench, QWidget *parent = nullptr);

    // Sets the query and starts it on a pool thread (hits fill the list as they come); false when
    // the query has a problem (shown beside it).
    bool search(SearchKind kind, const QString &text, const QString &branch = QString());
    // A search is running; Esc or the Stop button cancels it.
    bool searching() const { return m_search.running(); }
    void cancelSearch() { m_search.cancel(); }
    BackgroundSearch &backgroundSearch() { return m_search; }
    QLabel *countLabel() const { return m_count; }
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
    [[nodiscard]] Status replayFile(const QString &path, Connection *connection, const ReplayPace &pace);
    MessageReplay &replay() { return m_replay; }
    // The "Results as …" export actions: enabled only while there are hits.
    const std::array<QAction *, 2> &exportHitsActions() const { return m_exportHits; }

signals:
    void openMessage(const QString &topic, quint64 serial);

private:
    QWidget *buildQueryRow();
    QWidget *buildActions();
    // Checks the query as typed; the problem (or nothing) shows under the field.
    std::optional<MessageQuery> checkQuery();
    // As the query is typed: searched after a pause when it parses, the list emptied when not.
    void queryEdited();
    void runSearch();
    void showHits(const std::vector<SearchHit> &hits);
    void showProgress(int scanned, int total);
    void showOutcome(const SearchOutcome &outcome);
    void chooseExport(bool hitsOnly, const QString &suffix);
    void chooseReplay();
    [[nodiscard]] Status askAndReplay();
    [[nodiscard]] Status replayRecords(std::vector<MessageRecord> records, Connection *connection, const ReplayPace &pace);

    Workbench &m_workbench;
    SearchResultsModel m_results;
    BackgroundSearch m_search;
    MessageReplay m_replay;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_query = nullptr;
    QLineEdit *m_branch = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_count = nullptr;
    QProgressBar *m_progressBar = nullptr;
    QPushButton *m_stop = nullptr;
    QTableView *m_view = nullptr;
    QProgressDialog *m_progress = nullptr;
    QTimer m_typing;
    std::array<QAction *, 2> m_exportHits{}; // results as JSON Lines, as CSV
};

} // namespace mqs
