// The Search tab over many kept messages: the search runs on a pool thread over a copy of them,
// hits fill the list in chunks while the window keeps turning, Esc stops it, more matches than
// are listed are counted and said; queries that cannot work still say where they broke. Also the
// replay's pace, typed.
#include "replay_pace_dialog.h"
#include "search_panel.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;

namespace {

// Enough that a search takes a visible while, as the issue's "search over 200,000 kept messages".
constexpr int kKept = 200'000;
constexpr int kTopics = 4;

} // namespace

class TstSearchPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<Workbench> m_workbench;

private slots:
    void initTestCase()
    {
        m_workbench = std::make_unique<Workbench>(m_dir.filePath(QStringLiteral("store.db")));
        m_workbench->messages().setLimits({.perTopic = kKept, .total = kKept});
        for (int i = 0; i < kKept; ++i) {
            StoredMessage m;
            m.message.topic = QStringLiteral("plant/line%1/temp").arg(i % kTopics);
            m.message.payload = QStringLiteral(R"({"temperature": %1, "n": %2})").arg(i % 50).arg(i).toUtf8();
            m.timeMs = 1'764'550'000'000 + i;
            m_workbench->messages().add(std::move(m));
        }
        QCOMPARE(m_workbench->messages().size(), kKept);
    }

    void manyMessagesAreSearchedWhileTheWindowTurns()
    {
        SearchPanel panel(*m_workbench);
        panel.show();
        int insertedWhileSearching = 0;
        connect(&panel.results(), &QAbstractItemModel::rowsInserted, this, [&] { insertedWhileSearching += panel.searching(); });

        QVERIFY(panel.search(SearchKind::FieldCondition, QStringLiteral("$.temperature >= 0")));
        QVERIFY(panel.searching()); // started, not done: search() came back at once
        // The event loop turns (QTRY polls through it) while hits come in and the search goes on.
        QTRY_VERIFY(panel.searching() && panel.results().rowCount() > 0);
        QVERIFY(panel.findChild<QPushButton *>(QStringLiteral("searchStop"))->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!panel.searching(), 120'000);
        QVERIFY2(insertedWhileSearching >= 2, qPrintable(QString::number(insertedWhileSearching))); // in chunks

        // Every message matches; the list stops at its limit and says how many there were.
        QCOMPARE(panel.results().rowCount(), SearchPanel::kMostHits);
        QCOMPARE(panel.backgroundSearch().outcome().matches, quint64(kKept));
        const QLocale locale;
        QVERIFY2(panel.countLabel()->text().startsWith(QStringLiteral("First %1 of %2 matches shown")
                                                           .arg(locale.toString(SearchPanel::kMostHits), locale.toString(kKept))),
                 qPrintable(panel.countLabel()->text()));
        QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("searchStop"))->isVisible());
        // Oldest first, as kept.
        QCOMPARE(panel.results().hits().front().timeMs, 1'764'550'000'000);
        QCOMPARE(panel.results().hits().back().timeMs, 1'764'550'000'000 + SearchPanel::kMostHits - 1);
    }

    void escStopsASearchAndTheNextOneListsOnlyItsOwnHits()
    {
        SearchPanel panel(*m_workbench);
        panel.show();
        QVERIFY(QTest::qWaitForWindowActive(&panel));
        QVERIFY(panel.search(SearchKind::FieldCondition, QStringLiteral("$.n >= 0")));
        QVERIFY(panel.searching());
        QTest::keyClick(panel.queryField(), Qt::Key_Escape);
        QVERIFY(!panel.searching());
        QVERIFY(panel.backgroundSearch().outcome().cancelled);
        QVERIFY(panel.backgroundSearch().outcome().scanned < kKept);
        QVERIFY2(panel.countLabel()->text().startsWith(QStringLiteral("Stopped after ")), qPrintable(panel.countLabel()->text()));

        // The stopped search's chunks still in flight are not mixed into the next one's list.
        QVERIFY(panel.search(SearchKind::Text, QStringLiteral("plant/line1/"), QStringLiteral("plant/line1")));
        QTRY_VERIFY_WITH_TIMEOUT(!panel.searching(), 120'000);
        QCOMPARE(panel.results().rowCount(), kKept / kTopics);
        for (const SearchHit &hit : panel.results().hits())
            QCOMPARE(hit.topic, QStringLiteral("plant/line1/temp"));
        QVERIFY2(panel.countLabel()->text().startsWith(QLocale().toString(kKept / kTopics) + QStringLiteral(" matches in ")),
                 qPrintable(panel.countLabel()->text()));
    }

    void anInvalidQueryStopsTheSearchAndSaysWhere()
    {
        SearchPanel panel(*m_workbench);
        panel.show();
        QVERIFY(panel.search(SearchKind::Text, QStringLiteral("temperature")));
        QVERIFY(panel.searching());
        QVERIFY(!panel.search(SearchKind::RegularExpression, QStringLiteral("temp(erature")));
        QVERIFY(!panel.searching());
        QCOMPARE(panel.results().rowCount(), 0);
        QVERIFY(panel.errorLabel()->isVisible());
        QVERIFY2(panel.errorLabel()->text().startsWith(QStringLiteral("Character 13 of the regular expression: ")),
                 qPrintable(panel.errorLabel()->text()));
        QVERIFY(!panel.search(SearchKind::FieldCondition, QStringLiteral("$.temperature[ > 30")));
        QVERIFY2(panel.errorLabel()->text().startsWith(QStringLiteral("Character 15 of \"$.temperature[ > 30\"")),
                 qPrintable(panel.errorLabel()->text()));
        QVERIFY(!panel.searching());
    }

    void hitsOfTheLastQueryGoAsTheQueryTurnsInvalid()
    {
        SearchPanel panel(*m_workbench);
        panel.resize(1366, 700);
        panel.show();
        QVERIFY(panel.search(SearchKind::FieldCondition, QStringLiteral("$.temperature == 7"), QStringLiteral("plant/line1/temp")));
        QTRY_VERIFY_WITH_TIMEOUT(!panel.searching(), 60'000);
        QVERIFY(panel.results().rowCount() > 0);
        for (QAction *exportHits : panel.exportHitsActions())
            QVERIFY2(exportHits->isEnabled(), qPrintable(exportHits->text()));
        panel.queryField()->setText(QStringLiteral("$.temperature == ")); // typed on, not yet whole
        QVERIFY(panel.errorLabel()->isVisible());
        QCOMPARE(panel.results().rowCount(), 0);
        QVERIFY(panel.countLabel()->text().isEmpty());
        for (QAction *exportHits : panel.exportHitsActions())
            QVERIFY2(!exportHits->isEnabled(), qPrintable(exportHits->text())); // nothing to export
    }

    void resultsCannotBeExportedBeforeThereAreAny()
    {
        SearchPanel panel(*m_workbench);
        panel.show();
        for (QAction *exportHits : panel.exportHitsActions())
            QVERIFY2(exportHits && !exportHits->isEnabled(), qPrintable(exportHits->text()));
        QVERIFY(panel.search(SearchKind::Text, QStringLiteral("no such text anywhere"), QStringLiteral("plant/line2/temp")));
        QTRY_VERIFY_WITH_TIMEOUT(!panel.searching(), 60'000);
        QCOMPARE(panel.results().rowCount(), 0);
        for (QAction *exportHits : panel.exportHitsActions())
            QVERIFY2(!exportHits->isEnabled(), qPrintable(exportHits->text()));
    }

    void theReplayPaceIsTypedAndCheckedAsItIsTyped()
    {
        ReplayPaceDialog dialog(20);
        dialog.show();
        QVERIFY(dialog.canAccept()); // the original spacing, offered first
        QCOMPARE(dialog.pace(), std::optional<ReplayPace>(SpacingFactor{1}));
        const struct {
            const char *typed;
            const char *sentence;
        } refused[] = {
            {"0", "A rate must be above 0 messages/s."},
            {"-5", "A rate must be above 0 messages/s."},
            {"0x", "A speed factor must be above 0"},
            {"soon", "\"soon\" is not a pace"},
        };
        for (const auto &r : refused) {
            dialog.paceField()->setEditText(QString::fromUtf8(r.typed));
            QVERIFY2(!dialog.canAccept(), r.typed);
            QVERIFY(dialog.errorLabel()->isVisible());
            QVERIFY2(dialog.errorLabel()->text().startsWith(QString::fromUtf8(r.sentence)), qPrintable(dialog.errorLabel()->text()));
            // The sentence has its room: whole, below the hint, above the buttons.
            QLabel *error = dialog.errorLabel();
            QTRY_VERIFY(error->height() >= error->heightForWidth(error->width()));
            QVERIFY(error->geometry().top() > dialog.findChild<QLabel *>(QStringLiteral("replayPaceHint"))->geometry().bottom());
            QVERIFY(error->geometry().bottom() < dialog.findChild<QDialogButtonBox *>()->geometry().top());
        }
        dialog.paceField()->setEditText(QStringLiteral("2x"));
        QVERIFY(dialog.canAccept());
        QVERIFY(!dialog.errorLabel()->isVisible());
        QCOMPARE(dialog.pace(), std::optional<ReplayPace>(SpacingFactor{2}));
        dialog.paceField()->setEditText(QStringLiteral("250"));
        QCOMPARE(dialog.pace(), std::optional<ReplayPace>(MessagesPerSecond{250}));
        dialog.paceField()->setCurrentIndex(dialog.paceField()->findText(QStringLiteral("0.5×")));
        QCOMPARE(dialog.pace(), std::optional<ReplayPace>(SpacingFactor{0.5}));
    }
};

QTEST_MAIN(TstSearchPanel)
#include "tst_search_panel.moc"
