#include "decoded_payload_view.h"

#include "message_payload.h"
#include "theme.h"

#include <QCborArray>
#include <QCborMap>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>

#include <algorithm>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace mqs {
namespace {

// A tree this big is left collapsed: expanding it all would stall the window.
constexpr int kMostRowsExpanded = 2000;
// A Sparkplug payload's metrics are what one reads it for: this many rows stay in sight even in
// the short detail pane of a 768-pixel screen, where the splitter left a row and a half.
constexpr int kMetricRowsInSight = 4;
// The widest the name and value columns are sized to, in average characters: a long path or a
// Template's summary is elided there (whole in its tooltip) rather than pushing the datatype out
// of the narrow pane of a 1366-px screen. The user can still drag a column wider.
constexpr int kWidestMetricNameChars = 30;
constexpr int kWidestMetricValueChars = 18;

int rowsOf(const QCborValue &v)
{
    int rows = 1;
    if (v.isMap())
        for (const auto &[key, child] : v.toMap())
            rows += rowsOf(child);
    else if (v.isArray())
        for (const QCborValue &child : v.toArray())
            rows += rowsOf(child);
    return rows;
}

} // namespace

QString decoderTitle(const DecoderChoice &decoder)
{
    switch (decoder.kind) {
    case DecoderKind::Text: return DecodedPayloadView::tr("Text");
    case DecoderKind::Json: return QStringLiteral("JSON");
    case DecoderKind::Hex: return DecodedPayloadView::tr("Hex");
    case DecoderKind::Base64: return QStringLiteral("Base64");
    case DecoderKind::Cbor: return QStringLiteral("CBOR");
    case DecoderKind::MessagePack: return QStringLiteral("MessagePack");
    case DecoderKind::Protobuf: return QStringLiteral("Protobuf %1").arg(decoder.messageType);
    case DecoderKind::SparkplugB: return QStringLiteral("Sparkplug B");
    }
    return {};
}

DecodedPayloadView::DecodedPayloadView(QWidget *parent) : QWidget(parent)
{
    m_decoder = new QLabel(this);
    m_decoder->setObjectName(QStringLiteral("decoderUsed"));
    m_decoder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_decoder->setWordWrap(true); // a long rule filter wraps rather than widening the window
    m_raw = new QToolButton(this);
    m_raw->setObjectName(QStringLiteral("rawBytes"));
    m_raw->setText(tr("Raw bytes"));
    m_raw->setCheckable(true);
    m_raw->setToolTip(tr("Show the payload's bytes as a hex dump instead of the decoded form"));
    m_decodeAs = new QToolButton(this);
    m_decodeAs->setObjectName(QStringLiteral("decodeAs"));
    m_decodeAs->setText(tr("Decode as…"));
    m_decodeAs->setToolTip(tr("Choose the decoder for this topic's payloads (a rule in the decoder table)"));
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("decodeProblem"));
    m_problem->setWordWrap(true);
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();

    m_findings = new QLabel(this);
    m_findings->setObjectName(QStringLiteral("sparkplugFindings"));
    m_findings->setWordWrap(true);
    m_findings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_findings->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_findings->hide();
    m_treeView = new QTreeView(this);
    m_treeView->setObjectName(QStringLiteral("decodedTree"));
    m_treeView->setModel(&m_tree);
    m_treeView->setUniformRowHeights(true);
    m_metricsView = new QTableView(this);
    m_metricsView->setObjectName(QStringLiteral("sparkplugMetrics"));
    m_metricsView->setModel(&m_metrics);
    m_metricsView->verticalHeader()->hide();
    m_metricsView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    // Sized to what they hold, and what is read first first: the name and value stay in sight in
    // the narrow pane of a 1366-px screen; the alias and the timestamp are a scroll away there.
    QHeaderView *columns = m_metricsView->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setStretchLastSection(false); // stretched, the timestamp would shrink below its text in a narrow pane
    m_metricsView->setTextElideMode(Qt::ElideRight);
    columns->moveSection(columns->visualIndex(SparkplugMetricsModel::Value), 1);
    columns->moveSection(columns->visualIndex(SparkplugMetricsModel::Datatype), 2);
    m_metricsView->setMinimumHeight(columns->sizeHint().height() + kMetricRowsInSight * m_metricsView->verticalHeader()->defaultSectionSize()
                                    + m_metricsView->horizontalScrollBar()->sizeHint().height() + 2 * m_metricsView->frameWidth());
    m_metricsView->hide();
    auto *treePage = new QSplitter(Qt::Vertical, this); // a Sparkplug payload: its metrics above its whole tree
    treePage->addWidget(m_metricsView);
    treePage->addWidget(m_treeView);
    treePage->setChildrenCollapsible(false);
    treePage->setStretchFactor(0, 1);
    treePage->setStretchFactor(1, 1);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("decodedText"));
    m_text->setReadOnly(true);
    m_hex = new QPlainTextEdit(this);
    m_hex->setObjectName(QStringLiteral("decodedHex"));
    m_hex->setReadOnly(true);
    m_hex->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_pages = new QStackedWidget(this);
    m_pages->insertWidget(TreePage, treePage);
    m_pages->insertWidget(TextPage, m_text);
    m_pages->insertWidget(HexPage, m_hex);

    auto *top = new QHBoxLayout;
    top->addWidget(m_decoder, 1);
    top->addWidget(m_decodeAs);
    top->addWidget(m_raw);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_problem);
    layout->addWidget(m_findings);
    layout->addWidget(m_pages, 1);
    connect(m_raw, &QToolButton::toggled, this, &DecodedPayloadView::showPage);
    connect(m_decodeAs, &QToolButton::clicked, this, &DecodedPayloadView::decodeAsRequested);
}

void DecodedPayloadView::showPayload(const DecodedPayload &decoded, const QByteArray &raw, const QString &rule,
                                     const SparkplugBirthNames &aliases)
{
    const QString title = decoderTitle(decoded.decoder);
    m_decoder->setText(decoded.automatic ? tr("Decoded as <b>%1</b> (auto)").arg(title.toHtmlEscaped())
                                         : tr("Decoded as <b>%1</b> by the rule for %2").arg(title.toHtmlEscaped(), rule.toHtmlEscaped()));
    m_problem->setText(decoded.problem ? tr("%1 The payload is shown as hex.").arg(decoded.problem->sentence) : QString());
    m_problem->setVisible(decoded.problem.has_value());
    m_hex->setPlainText(hexDump(raw.left(kShownBytes)));
    const bool sparkplug = decoded.decoder.kind == DecoderKind::SparkplugB && !decoded.problem;
    m_metrics.setPayload(sparkplug ? decoded.value : QCborValue(), aliases);
    m_metricsView->setVisible(sparkplug);
    showFindings({});
    if (sparkplug) {
        m_metricsView->resizeColumnsToContents();
        const int charWidth = fontMetrics().averageCharWidth();
        for (const auto [column, chars] : {std::pair{int(SparkplugMetricsModel::Name), kWidestMetricNameChars},
                                           std::pair{int(SparkplugMetricsModel::Value), kWidestMetricValueChars}})
            m_metricsView->setColumnWidth(column, std::min(m_metricsView->columnWidth(column), chars * charWidth));
    }
    const bool tree = !decoded.problem && (decoded.value.isMap() || decoded.value.isArray());
    m_tree.clear();
    if (tree)
        showTree(decoded.value);
    else
        m_tree.setHorizontalHeaderLabels({tr("Field"), tr("Value")});
    m_text->setPlainText(decoded.text.left(kShownBytes));
    m_decodedPage = decoded.problem ? HexPage : tree ? TreePage : decoded.decoder.kind == DecoderKind::Hex ? HexPage : TextPage;
    showPage();
}

void DecodedPayloadView::showTree(const QCborValue &value)
{
    m_tree.setHorizontalHeaderLabels({tr("Field"), tr("Value")});
    appendFieldTree(m_tree.invisibleRootItem(), value, tr("payload"));
    if (rowsOf(value) < kMostRowsExpanded)
        m_treeView->expandAll();
    else
        m_treeView->expandToDepth(0);
    m_treeView->resizeColumnToContents(0);
}

void DecodedPayloadView::showFindings(const QStringList &sentences)
{
    m_findings->setText(sentences.join(QLatin1Char('\n')));
    m_findings->setVisible(!sentences.isEmpty());
}

QString DecodedPayloadView::findingsText() const
{
    return m_findings->isVisible() ? m_findings->text() : QString();
}

void DecodedPayloadView::clear(const QString &note)
{
    showFindings({});
    m_decoder->setText(note);
    m_problem->hide();
    m_problem->clear();
    m_tree.clear();
    m_metrics.setPayload({});
    m_metricsView->hide();
    m_text->clear();
    m_hex->clear();
    m_decodedPage = TextPage;
    showPage();
}

void DecodedPayloadView::showPage()
{
    m_pages->setCurrentIndex(m_raw->isChecked() ? HexPage : m_decodedPage);
}

QString DecodedPayloadView::decoderText() const
{
    return m_decoder->text();
}

QString DecodedPayloadView::problemText() const
{
    return m_problem->text();
}

QString DecodedPayloadView::shownText() const
{
    return m_pages->currentIndex() == HexPage ? m_hex->toPlainText() : m_text->toPlainText();
}

bool DecodedPayloadView::showsTree() const
{
    return m_pages->currentIndex() == TreePage;
}

bool DecodedPayloadView::showsRawBytes() const
{
    return m_raw->isChecked();
}

void DecodedPayloadView::setShowsRawBytes(bool raw)
{
    m_raw->setChecked(raw);
}

} // namespace mqs
