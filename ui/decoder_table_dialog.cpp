#include "decoder_table_dialog.h"

#include "decoded_payload_view.h"
#include "theme.h"

#include "protocol/topic.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace mqs {
namespace {

constexpr DecoderKind kDecoders[] = {DecoderKind::Text,        DecoderKind::Json,     DecoderKind::Hex,
                                     DecoderKind::Base64,      DecoderKind::Cbor,     DecoderKind::MessagePack,
                                     DecoderKind::Protobuf,    DecoderKind::SparkplugB};

QLabel *problemLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    label->hide();
    return label;
}

void mark(QWidget *field, bool wrong)
{
    field->setProperty("invalid", wrong);
    const QString kind = QLatin1String(field->metaObject()->className());
    field->setStyleSheet(wrong ? QStringLiteral("%1 { border: 2px solid %2; }").arg(kind, problemColor().name()) : QString());
}

void showProblem(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

} // namespace

DecoderTableDialog::DecoderTableDialog(const DecoderSetup &setup, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Decode payloads as"));
    setObjectName(QStringLiteral("decoderTable"));
    m_rules.setRules(setup.rules);
    m_protoFiles.setStringList(setup.protoFiles);
    m_importPaths.setStringList(setup.importPaths);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildRules(), 1); // the rules get the room; the schema lists stay a few lines high
    layout->addWidget(buildSchemas());
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    const QFontMetrics metrics = fontMetrics();
    constexpr int kWidthCharacters = 90; // a long filter, the decoder and a full message type side by side
    constexpr int kHeightLines = 42; // fits a 768-px screen with six rules in view
    resize(metrics.averageCharWidth() * kWidthCharacters, metrics.lineSpacing() * kHeightLines);
    reloadSchemas();
    selectRow(m_rules.rowCount() > 0 ? 0 : -1);
}

QWidget *DecoderTableDialog::buildRules()
{
    auto *box = new QGroupBox(tr("Rules: the first whose topic filter matches decodes the payload; "
                                 "topics no rule matches are decoded automatically"), this);
    m_table = new QTableView(box);
    m_table->setObjectName(QStringLiteral("decoderRules"));
    m_table->setModel(&m_rules);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers); // edited in the fields below
    m_table->horizontalHeader()->setStretchLastSection(true);
    constexpr int kRulesInView = 6;
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * kRulesInView
                              + m_table->horizontalHeader()->sizeHint().height() + 2 * m_table->frameWidth());
    m_table->setColumnWidth(DecoderRulesModel::Filter, fontMetrics().averageCharWidth() * 32);
    m_table->setColumnWidth(DecoderRulesModel::Decoder, fontMetrics().horizontalAdvance(QStringLiteral("MessagePack")) * 3 / 2);
    m_add = new QPushButton(tr("&Add"), box);
    m_remove = new QPushButton(tr("&Remove"), box);
    m_up = new QPushButton(tr("Move &up"), box);
    m_down = new QPushButton(tr("Move do&wn"), box);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_remove, m_up, m_down})
        buttons->addWidget(b);
    buttons->addStretch(1);

    m_filter = new QLineEdit(box);
    m_filter->setObjectName(QStringLiteral("ruleFilter"));
    m_filter->setPlaceholderText(QStringLiteral("factory/+/reading"));
    m_decoder = new QComboBox(box);
    m_decoder->setObjectName(QStringLiteral("ruleDecoder"));
    for (DecoderKind kind : kDecoders)
        m_decoder->addItem(decoderTitle({kind, {}}).trimmed(), int(kind));
    m_messageType = new QComboBox(box);
    m_messageType->setObjectName(QStringLiteral("ruleMessageType"));
    m_messageType->setEditable(true);
    m_messageType->setInsertPolicy(QComboBox::NoInsert);
    m_messageType->setMinimumContentsLength(24);
    m_ruleProblem = problemLabel(QStringLiteral("ruleProblem"), box);
    // A line kept for the problem even while there is none: the fields above do not jump under
    // the pointer as it comes and goes.
    m_ruleProblem->setMinimumHeight(m_ruleProblem->fontMetrics().lineSpacing());
    QSizePolicy keepLine = m_ruleProblem->sizePolicy();
    keepLine.setRetainSizeWhenHidden(true);
    m_ruleProblem->setSizePolicy(keepLine);
    auto *fields = new QFormLayout;
    fields->addRow(tr("Topic &filter"), m_filter);
    auto *decoderRow = new QHBoxLayout;
    decoderRow->addWidget(m_decoder);
    auto *typeLabel = new QLabel(tr("Message &type"), box);
    typeLabel->setBuddy(m_messageType);
    decoderRow->addWidget(typeLabel);
    decoderRow->addWidget(m_messageType, 1);
    auto *decoderLabel = new QLabel(tr("&Decoder"), box);
    decoderLabel->setBuddy(m_decoder);
    fields->addRow(decoderLabel, decoderRow);

    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addLayout(fields);
    layout->addWidget(m_ruleProblem);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &i) { showRule(i.row()); });
    connect(m_filter, &QLineEdit::textEdited, this, &DecoderTableDialog::editRule);
    connect(m_decoder, &QComboBox::currentIndexChanged, this, &DecoderTableDialog::editRule);
    connect(m_messageType, &QComboBox::currentTextChanged, this, &DecoderTableDialog::editRule);
    connect(m_add, &QPushButton::clicked, this, [this] {
        selectRow(m_rules.addRule({QString(), {DecoderKind::Json, {}}}));
        m_filter->setFocus();
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int row = currentRow();
        m_rules.removeRule(row);
        selectRow(std::min(row, m_rules.rowCount() - 1));
    });
    connect(m_up, &QPushButton::clicked, this, [this] { selectRow(m_rules.moveRule(currentRow(), -1)); });
    connect(m_down, &QPushButton::clicked, this, [this] { selectRow(m_rules.moveRule(currentRow(), +1)); });
    return box;
}

QWidget *DecoderTableDialog::buildSchemas()
{
    auto *box = new QGroupBox(tr("Protobuf schemas: .proto files, and the folders their imports are found in"), this);
    m_protoView = new QListView(box);
    m_protoView->setObjectName(QStringLiteral("protoFiles"));
    m_protoView->setModel(&m_protoFiles);
    m_protoView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_importView = new QListView(box);
    m_importView->setObjectName(QStringLiteral("importPaths"));
    m_importView->setModel(&m_importPaths);
    m_importView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    constexpr int kListLines = 4; // a few files and folders in view; more scroll
    for (QListView *list : {m_protoView, m_importView})
        list->setMaximumHeight(fontMetrics().lineSpacing() * kListLines + 2 * list->frameWidth());
    auto *addFile = new QPushButton(tr("Add .&proto file…"), box);
    auto *removeFile = new QPushButton(tr("Remove file"), box);
    auto *addFolder = new QPushButton(tr("Add &import folder…"), box);
    auto *removeFolder = new QPushButton(tr("Remove folder"), box);
    m_schemaProblem = problemLabel(QStringLiteral("schemaProblem"), box);

    auto *files = new QVBoxLayout;
    files->addWidget(m_protoView, 1);
    auto *fileButtons = new QHBoxLayout;
    fileButtons->addWidget(addFile);
    fileButtons->addWidget(removeFile);
    fileButtons->addStretch(1);
    files->addLayout(fileButtons);
    auto *folders = new QVBoxLayout;
    folders->addWidget(m_importView, 1);
    auto *folderButtons = new QHBoxLayout;
    folderButtons->addWidget(addFolder);
    folderButtons->addWidget(removeFolder);
    folderButtons->addStretch(1);
    folders->addLayout(folderButtons);
    auto *lists = new QHBoxLayout;
    lists->addLayout(files, 3);
    lists->addLayout(folders, 2);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(lists, 1);
    layout->addWidget(m_schemaProblem);

    connect(addFile, &QPushButton::clicked, this, [this] {
        for (const QString &path : QFileDialog::getOpenFileNames(this, tr("Add .proto files"), QString(), tr("Protobuf schemas (*.proto)")))
            addProtoFile(path);
    });
    connect(addFolder, &QPushButton::clicked, this, [this] {
        if (const QString folder = QFileDialog::getExistingDirectory(this, tr("Add an import folder")); !folder.isEmpty())
            addImportPath(folder);
    });
    connect(removeFile, &QPushButton::clicked, this, [this] {
        m_protoFiles.removeRow(m_protoView->currentIndex().row());
        reloadSchemas();
    });
    connect(removeFolder, &QPushButton::clicked, this, [this] {
        m_importPaths.removeRow(m_importView->currentIndex().row());
        reloadSchemas();
    });
    return box;
}

DecoderSetup DecoderTableDialog::setup() const
{
    return {m_rules.rules(), m_protoFiles.stringList(), m_importPaths.stringList()};
}

void DecoderTableDialog::startRuleFor(const QString &topic, const DecoderChoice &decoder)
{
    const auto &rules = m_rules.rules();
    const auto same = std::find_if(rules.begin(), rules.end(), [&](const DecodeRule &r) { return r.topicFilter == topic; });
    selectRow(same != rules.end() ? int(same - rules.begin()) : m_rules.addRule({topic, decoder}));
    m_decoder->setFocus();
}

void DecoderTableDialog::addProtoFile(const QString &path)
{
    if (m_protoFiles.stringList().contains(path))
        return;
    m_protoFiles.setStringList(m_protoFiles.stringList() << path);
    reloadSchemas();
}

void DecoderTableDialog::addImportPath(const QString &folder)
{
    if (m_importPaths.stringList().contains(folder))
        return;
    m_importPaths.setStringList(m_importPaths.stringList() << folder);
    reloadSchemas();
}

QPushButton *DecoderTableDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

QString DecoderTableDialog::ruleProblem() const
{
    return m_ruleProblem->isVisible() ? m_ruleProblem->text() : QString();
}

QString DecoderTableDialog::schemaProblems() const
{
    return m_schemaProblems.join(QLatin1Char('\n'));
}

void DecoderTableDialog::showRule(int row)
{
    const bool any = row >= 0 && row < m_rules.rowCount();
    for (QWidget *w : std::initializer_list<QWidget *>{m_filter, m_decoder, m_remove, m_up, m_down})
        w->setEnabled(any);
    m_showing = true;
    const DecodeRule rule = any ? m_rules.rules()[std::size_t(row)] : DecodeRule{};
    m_filter->setText(rule.topicFilter);
    m_decoder->setCurrentIndex(m_decoder->findData(int(rule.decoder.kind)));
    m_messageType->setCurrentText(rule.decoder.messageType);
    m_messageType->setEnabled(any && rule.decoder.kind == DecoderKind::Protobuf);
    m_showing = false;
    updateProblems();
}

void DecoderTableDialog::editRule()
{
    const int row = currentRow();
    if (m_showing || row < 0)
        return;
    const auto kind = DecoderKind(m_decoder->currentData().toInt());
    const QString type = kind == DecoderKind::Protobuf ? m_messageType->currentText().trimmed() : QString();
    m_rules.setRule(row, {m_filter->text().trimmed(), {kind, type}});
    m_messageType->setEnabled(kind == DecoderKind::Protobuf);
    updateProblems();
}

void DecoderTableDialog::reloadSchemas()
{
    PayloadDecoders trial; // loads the files as the window will, to list their types and say which fail
    m_schemaProblems = loadDecoderSetup(trial, setup());
    m_messageTypes = trial.messageTypes();
    m_rules.setMessageTypes(m_messageTypes);
    m_showing = true; // refilling the list is not an edit
    const QString typed = m_messageType->currentText();
    m_messageType->clear();
    m_messageType->addItems(m_messageTypes);
    m_messageType->setCurrentText(typed);
    m_showing = false;
    showProblem(m_schemaProblem, m_schemaProblems.join(QLatin1Char('\n')));
    updateProblems();
}

void DecoderTableDialog::updateProblems()
{
    const int row = currentRow();
    const QString here = m_rules.problemAt(row);
    const DecodeRule rule = row >= 0 ? m_rules.rules()[std::size_t(row)] : DecodeRule{};
    const bool filterWrong = !here.isEmpty() && !rule.topicFilter.isEmpty() && !checkTopicFilter(rule.topicFilter).ok();
    mark(m_filter, filterWrong);
    mark(m_messageType, !here.isEmpty() && !filterWrong && rule.decoder.kind == DecoderKind::Protobuf);
    const QString first = m_rules.firstProblem();
    showProblem(m_ruleProblem, here.isEmpty() ? first : here);
    okButton()->setEnabled(first.isEmpty());
}

int DecoderTableDialog::currentRow() const
{
    return m_table->currentIndex().isValid() ? m_table->currentIndex().row() : -1;
}

void DecoderTableDialog::selectRow(int row)
{
    if (row >= 0)
        m_table->selectRow(row);
    else
        m_table->setCurrentIndex({});
    showRule(row);
}

} // namespace mqs
