#include "search_panel.h"

#include "replay_pace_dialog.h"
#include "theme.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QProgressDialog>
#include <QShortcut>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace mqs {
namespace {

QString placeholderFor(SearchKind kind)
{
    switch (kind) {
    case SearchKind::Text: return QObject::tr("Text in the topic or payload");
    case SearchKind::RegularExpression: return QObject::tr("Regular expression, e.g. \"temp\\w*\": 2\\d");
    case SearchKind::FieldCondition: return QObject::tr("Field condition, e.g. $.temperature > 30 or $.state == 'open'");
    }
    return {};
}

} // namespace

SearchPanel::SearchPanel(Workbench &workbench, QWidget *parent) : QWidget(parent), m_workbench(workbench)
{
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("searchError"));
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_error->setWordWrap(true);
    m_error->hide();
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("searchResults"));
    m_view->setModel(&m_results);
    m_view->setItemDelegateForColumn(SearchResultsModel::Match, new MatchHighlightDelegate(m_view));
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setColumnWidth(SearchResultsModel::Time, fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000")) + 3 * fontMetrics().averageCharWidth());
    m_view->setColumnWidth(SearchResultsModel::Topic, fontMetrics().horizontalAdvance(QStringLiteral("sensors/temperature/livingroom")));
    connect(m_view, &QTableView::activated, this, [this](const QModelIndex &index) {
        if (const SearchHit *h = m_results.hit(index.row()))
            emit openMessage(h->topic, h->serial);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildQueryRow());
    layout->addWidget(m_error);
    layout->addWidget(m_view, 1);
    layout->addWidget(buildActions());

    m_typing.setSingleShot(true);
    m_typing.setInterval(kTypingPauseMs);
    connect(&m_typing, &QTimer::timeout, this, &SearchPanel::runSearch);
    connect(m_query, &QLineEdit::textChanged, this, &SearchPanel::queryEdited);
    connect(m_query, &QLineEdit::returnPressed, this, &SearchPanel::runSearch);
    connect(m_branch, &QLineEdit::returnPressed, this, &SearchPanel::runSearch);
    connect(&m_search, &BackgroundSearch::hitsFound, this, &SearchPanel::showHits);
    connect(&m_search, &BackgroundSearch::progressed, this, &SearchPanel::showProgress);
    connect(&m_search, &BackgroundSearch::finished, this, &SearchPanel::showOutcome);
    (void)new QShortcut(QKeySequence(Qt::Key_Escape), this, this, [this] { m_search.cancel(); }, Qt::WidgetWithChildrenShortcut);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        m_query->setPlaceholderText(placeholderFor(SearchKind(m_kind->currentData().toInt())));
        queryEdited();
    });
}

void SearchPanel::queryEdited()
{
    if (checkQuery()) {
        m_typing.start();
        return;
    }
    // Hits listed under a query that no longer parses would read as its results.
    m_typing.stop();
    m_search.cancel();
    m_results.setHits({});
    m_count->setText(QString());
}

QWidget *SearchPanel::buildQueryRow()
{
    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("searchKind"));
    m_kind->addItem(tr("Text"), int(SearchKind::Text));
    m_kind->addItem(tr("Regular expression"), int(SearchKind::RegularExpression));
    m_kind->addItem(tr("Field condition"), int(SearchKind::FieldCondition));
    m_query = new QLineEdit(this);
    m_query->setObjectName(QStringLiteral("searchQuery"));
    m_query->setClearButtonEnabled(true);
    m_query->setPlaceholderText(placeholderFor(SearchKind::Text));
    m_branch = new QLineEdit(this);
    m_branch->setObjectName(QStringLiteral("searchBranch"));
    m_branch->setPlaceholderText(tr("all topics"));
    m_branch->setToolTip(tr("Search only this topic and the topics below it, e.g. plant/line1"));
    m_branch->setClearButtonEnabled(true);
    m_branch->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("plant/line1/oven")) + 3 * fontMetrics().height()); // a typical branch, and the clear button
    auto *go = new QPushButton(tr("&Search"), this);
    connect(go, &QPushButton::clicked, this, &SearchPanel::runSearch);

    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_kind);
    row->addWidget(m_query, 3);
    row->addWidget(new QLabel(tr("under"), this));
    row->addWidget(m_branch, 1);
    row->addWidget(go);
    return box;
}

QWidget *SearchPanel::buildActions()
{
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("searchCount"));
    m_count->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // cut rather than widen the window
    m_progressBar = new QProgressBar(this);
    m_progressBar->setObjectName(QStringLiteral("searchProgress"));
    m_progressBar->setMaximumWidth(fontMetrics().horizontalAdvance(QStringLiteral("0000000 messages")));
    m_progressBar->hide();
    m_stop = new QPushButton(tr("Stop (Esc)"), this);
    m_stop->setObjectName(QStringLiteral("searchStop"));
    m_stop->setToolTip(tr("Stop the search; the hits found so far stay listed"));
    m_stop->hide();
    connect(m_stop, &QPushButton::clicked, &m_search, &BackgroundSearch::cancel);
    auto *exportButton = new QPushButton(tr("&Export"), this);
    exportButton->setObjectName(QStringLiteral("searchExport"));
    auto *menu = new QMenu(exportButton);
    m_exportHits = {menu->addAction(tr("Results as JSON Lines…"), this, [this] { chooseExport(true, QStringLiteral("jsonl")); }),
                    menu->addAction(tr("Results as CSV…"), this, [this] { chooseExport(true, QStringLiteral("csv")); })};
    // No hits, nothing to export: an empty file would only look like a failed export.
    const auto offerHits = [this] {
        for (QAction *a : m_exportHits)
            a->setEnabled(m_results.rowCount() > 0);
    };
    connect(&m_results, &QAbstractItemModel::rowsInserted, this, offerHits);
    connect(&m_results, &QAbstractItemModel::rowsRemoved, this, offerHits);
    connect(&m_results, &QAbstractItemModel::modelReset, this, offerHits);
    offerHits();
    menu->addSeparator();
    menu->addAction(tr("Topic or branch as JSON Lines…"), this, [this] { chooseExport(false, QStringLiteral("jsonl")); });
    menu->addAction(tr("Topic or branch as CSV…"), this, [this] { chooseExport(false, QStringLiteral("csv")); });
    exportButton->setMenu(menu);
    auto *replay = new QPushButton(tr("&Import and replay…"), this);
    replay->setToolTip(tr("Publish the messages of a JSON Lines export again through the current connection"));
    connect(replay, &QPushButton::clicked, this, &SearchPanel::chooseReplay);

    auto *box = new QWidget(this);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_count, 1);
    row->addWidget(m_progressBar);
    row->addWidget(m_stop);
    row->addWidget(exportButton);
    row->addWidget(replay);
    return box;
}

std::optional<MessageQuery> SearchPanel::checkQuery()
{
    const QString text = m_query->text();
    auto query = MessageQuery::make(SearchKind(m_kind->currentData().toInt()), text);
    m_error->setVisible(!query && !text.isEmpty());
    m_error->setText(query.sentence());
    if (!query)
        return std::nullopt;
    return std::move(*query);
}

void SearchPanel::runSearch()
{
    m_typing.stop();
    auto query = checkQuery();
    m_results.setHits({});
    if (!query) {
        m_search.cancel();
        m_count->setText(QString());
        return;
    }
    m_search.start(searchSnapshot(m_workbench.messages(), m_branch->text().trimmed()), std::move(*query), m_workbench.sharedDecoders(), kMostHits);
}

void SearchPanel::showHits(const std::vector<SearchHit> &hits)
{
    const bool first = m_results.rowCount() == 0;
    m_results.appendHits(hits);
    if (first)
        m_view->selectRow(0);
}

void SearchPanel::showProgress(int scanned, int total)
{
    m_progressBar->setRange(0, std::max(total, 1));
    m_progressBar->setValue(scanned);
    m_progressBar->setFormat(tr("%p% of %1").arg(QLocale().toString(total)));
    m_progressBar->show();
    m_stop->show();
    const quint64 matches = m_search.outcome().matches;
    m_count->setText((matches == 1 ? tr("Searching… %1 match so far") : tr("Searching… %1 matches so far")).arg(QLocale().toString(matches)));
}

void SearchPanel::showOutcome(const SearchOutcome &outcome)
{
    m_progressBar->hide();
    m_stop->hide();
    const QLocale locale;
    if (outcome.cancelled)
        m_count->setText(tr("Stopped after %1 of %2 messages: %3 matches so far")
                             .arg(locale.toString(outcome.scanned), locale.toString(outcome.total), locale.toString(outcome.matches)));
    else if (outcome.matches > quint64(outcome.listed))
        m_count->setText(tr("First %1 of %2 matches shown (in %3 messages); export the topic or branch for all of them")
                             .arg(locale.toString(outcome.listed), locale.toString(outcome.matches), locale.toString(outcome.total)));
    else
        m_count->setText((outcome.matches == 1 ? tr("%1 match in %2 kept messages") : tr("%1 matches in %2 kept messages"))
                             .arg(locale.toString(outcome.matches), locale.toString(outcome.total)));
}

bool SearchPanel::search(SearchKind kind, const QString &text, const QString &branch)
{
    m_kind->setCurrentIndex(m_kind->findData(int(kind)));
    m_branch->setText(branch);
    m_query->setText(text);
    runSearch();
    return !m_error->isVisible();
}

Status SearchPanel::exportHits(const QString &path) const
{
    std::vector<const StoredMessage *> messages;
    for (const SearchHit &h : m_results.hits())
        if (const StoredMessage *m = m_workbench.messages().find(h.topic, h.serial))
            messages.push_back(m);
    return exportMessages(path, messages, m_workbench.decoders());
}

Status SearchPanel::exportBranch(const QString &path) const
{
    return exportMessages(path, messagesUnder(m_workbench.messages(), m_branch->text().trimmed()), m_workbench.decoders());
}

void SearchPanel::chooseExport(bool hitsOnly, const QString &suffix)
{
    const QString filter = suffix == u"csv" ? tr("CSV (*.csv)") : tr("JSON Lines (*.jsonl)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export messages"), QStringLiteral("messages.") + suffix, filter);
    if (path.isEmpty())
        return;
    const Status written = hitsOnly ? exportHits(path) : exportBranch(path);
    m_error->setVisible(!written);
    m_error->setText(written.sentence());
}

Status SearchPanel::replayFile(const QString &path, Connection *connection, const ReplayPace &pace)
{
    if (!connection)
        return Problem{ProblemKind::State, tr("Choose a connection to publish through first.")};
    auto records = importJsonLines(path);
    if (!records)
        return records.problem();
    return replayRecords(std::move(*records), connection, pace);
}

Status SearchPanel::replayRecords(std::vector<MessageRecord> records, Connection *connection, const ReplayPace &pace)
{
    if (!m_progress) {
        m_progress = new QProgressDialog(this);
        m_progress->setWindowTitle(tr("Replay"));
        m_progress->setAutoClose(false);
        m_progress->setAutoReset(false);
        connect(m_progress, &QProgressDialog::canceled, &m_replay, &MessageReplay::cancel);
        connect(&m_replay, &MessageReplay::progressed, m_progress, [this](int done, int total) {
            m_progress->setMaximum(total);
            m_progress->setValue(done);
        });
        connect(&m_replay, &MessageReplay::finished, m_progress, [this](const Status &outcome) {
            m_progress->hide();
            m_error->setVisible(!outcome && outcome.problem().kind != ProblemKind::State);
            m_error->setText(outcome.sentence());
        });
    }
    m_progress->setLabelText(tr("Publishing %1 messages through %2 at %3…")
                                 .arg(QLocale().toString(qulonglong(records.size())), connection->settings().name, replayPaceText(pace)));
    m_progress->show();
    m_replay.start(connection, std::move(records), pace);
    return {};
}

void SearchPanel::chooseReplay()
{
    const Status outcome = askAndReplay();
    m_error->setVisible(!outcome);
    m_error->setText(outcome.sentence());
}

Status SearchPanel::askAndReplay()
{
    Connection *connection = m_workbench.current();
    if (!connection)
        return Problem{ProblemKind::State, tr("Choose a connection to publish through first.")};
    const QString path = QFileDialog::getOpenFileName(this, tr("Import and replay"), QString(), tr("JSON Lines (*.jsonl *.json);;All files (*)"));
    if (path.isEmpty())
        return {};
    auto records = importJsonLines(path);
    if (!records)
        return records.problem();
    const auto pace = ReplayPaceDialog::ask(int(records->size()), this);
    return pace ? replayRecords(std::move(*records), connection, *pace) : Status{};
}

} // namespace mqs
