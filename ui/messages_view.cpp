#include "messages_view.h"

#include "message_payload.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QComboBox>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace mqs {
namespace {

// Wide enough for `sample` (a typical longest value) and for the column's title.
int columnWidth(const QFontMetrics &metrics, const QString &sample, const QString &title)
{
    constexpr int kPaddingCharacters = 3; // cell margins and the sort indicator
    return std::max(metrics.horizontalAdvance(sample), metrics.horizontalAdvance(title))
        + kPaddingCharacters * metrics.averageCharWidth();
}

} // namespace

MessagesView::MessagesView(Workbench &workbench, Settings &settings, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_settings(settings), m_tree(workbench.messages()), m_list(workbench.messages())
{
    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(buildList());
    right->addWidget(buildDetail());
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(buildTree());
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_treeView->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &current) {
        const QString topic = current.data(TopicTreeModel::TopicRole).toString();
        m_list.setTopic(topic, true);
        showMessage(m_list.message(0));
        if (m_list.rowCount() > 0)
            m_listView->selectRow(0);
    });
    connect(m_filter, &QLineEdit::textChanged, &m_list, &MessageListModel::setFilter);
    connect(m_listView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showMessage(m_list.message(current.row())); });
    connect(&workbench, &Workbench::connectionAdded, this, &MessagesView::updateConnectionChoices);
    connect(&workbench, &Workbench::decodersChanged, this, &MessagesView::redecode);
    m_tree.setLastValueText([this](const QString &topic, const QByteArray &payload) {
        return lastValueText(m_workbench.decoders(), topic, payload);
    });
    connect(&workbench, &Workbench::connectionRemoved, this, &MessagesView::updateConnectionChoices);

    // The caps saved last time; applied, shown, and saved again only when changed.
    m_workbench.messages().setLimits(m_settings.messageLimits());
    showLimits();
    for (QSpinBox *box : {m_perTopicCap, m_totalCap})
        connect(box, &QSpinBox::editingFinished, this, [this] { setLimits({m_perTopicCap->value(), m_totalCap->value()}); });
    updateConnectionChoices();
    refresh();
}

QWidget *MessagesView::buildTree()
{
    m_treeSearch = new QLineEdit(this);
    m_treeSearch->setObjectName(QStringLiteral("topicSearch"));
    m_treeSearch->setPlaceholderText(tr("Search topics"));
    m_treeSearch->setClearButtonEnabled(true);
    m_treeFilter = new TopicTreeFilter(m_tree, this);
    m_treeView = new QTreeView(this);
    m_treeView->setModel(m_treeFilter);
    m_treeView->setUniformRowHeights(true);
    m_treeView->header()->setStretchLastSection(true);
    const QFontMetrics metrics = fontMetrics();
    m_treeView->setColumnWidth(TopicTreeModel::Topic, columnWidth(metrics, QStringLiteral("temperature/livingroom"), tr("Topic")));
    m_treeView->setColumnWidth(TopicTreeModel::Messages, columnWidth(metrics, QStringLiteral("100,000"), tr("Messages")));
    connect(m_treeSearch, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_treeFilter->setSearch(text);
        if (!text.isEmpty())
            m_treeView->expandAll();
    });

    m_caps = new QLabel(this);
    m_caps->setWordWrap(true);
    m_perTopicCap = new QSpinBox(this);
    m_perTopicCap->setRange(1, 1'000'000);
    m_perTopicCap->setToolTip(tr("Messages kept per topic; older ones are dropped."));
    m_totalCap = new QSpinBox(this);
    m_totalCap->setRange(1, 10'000'000);
    m_totalCap->setGroupSeparatorShown(true);
    m_totalCap->setToolTip(tr("Messages kept in all; the oldest are dropped first."));
    auto *capsRow = new QFormLayout; // one cap a row: the tree stays narrow beside the list
    capsRow->addRow(tr("&Keep per topic"), m_perTopicCap);
    capsRow->addRow(tr("Keep in &all"), m_totalCap);
    auto *treeBox = new QWidget(this);
    auto *treeLayout = new QVBoxLayout(treeBox);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    treeLayout->addWidget(m_treeSearch);
    treeLayout->addWidget(m_treeView, 1);
    treeLayout->addLayout(capsRow);
    treeLayout->addWidget(m_caps);
    return treeBox;
}

QWidget *MessagesView::buildList()
{
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter messages by text"));
    m_filter->setClearButtonEnabled(true);
    m_connection = new QComboBox(this);
    m_connection->setObjectName(QStringLiteral("messagesConnection"));
    m_connection->setToolTip(tr("Show the messages and topics of one connection only"));
    m_connection->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_listView = new QTableView(this);
    m_listView->setModel(&m_list);
    m_listView->verticalHeader()->hide();
    m_listView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_listView->horizontalHeader()->setStretchLastSection(true);
    m_listView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_listView->setSelectionMode(QAbstractItemView::SingleSelection);
    const QFontMetrics metrics = fontMetrics();
    const std::pair<int, QString> kSamples[] = {
        {MessageListModel::Time, QStringLiteral("00:00:00.000")},
        {MessageListModel::Connection, QStringLiteral("living-room sensor")},
        {MessageListModel::Topic, QStringLiteral("sensors/temperature/livingroom")},
        {MessageListModel::QoS_, QStringLiteral("2")},
        {MessageListModel::Id, QStringLiteral("65535")},
        {MessageListModel::Retained, tr("retained")},
        {MessageListModel::Size, QStringLiteral("1048576 B")},
    };
    for (const auto &[column, sample] : kSamples)
        m_listView->setColumnWidth(column, columnWidth(metrics, sample, m_list.headerData(column, Qt::Horizontal, Qt::DisplayRole).toString()));
    connect(m_connection, &QComboBox::activated, this, [this] { showConnection(m_connection->currentData().toString()); });

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_connection);
    auto *listBox = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listBox);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addLayout(filters);
    listLayout->addWidget(m_listView, 1);
    return listBox;
}

QWidget *MessagesView::buildDetail()
{
    m_header = new QLabel(this);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_truncated = new QLabel(this);
    m_truncated->setStyleSheet(QStringLiteral("color: %1;").arg(warningColor().name()));
    m_truncated->hide();
    m_decoded = new DecodedPayloadView(this);
    m_decoded->setObjectName(QStringLiteral("messagePayload"));
    connect(m_decoded, &DecodedPayloadView::decodeAsRequested, this, &MessagesView::requestDecodeAs);
    m_diff = new QPlainTextEdit(this);
    m_diff->setReadOnly(true);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    QTreeView *fields = m_decoded->treeView();
    fields->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(fields, &QTreeView::customContextMenuRequested, this, [this, fields](const QPoint &at) {
        const QModelIndex index = fields->indexAt(at);
        if (!index.isValid() || !shown())
            return;
        QMenu menu;
        menu.addAction(tr("Chart this"), this, [this, index] { emit chartRequested(m_shownTopic, fieldPath(index)); });
        menu.exec(fields->viewport()->mapToGlobal(at));
    });
    // A Sparkplug metric (or a Template's member) by its name, wherever it sits in the payload.
    QTableView *metrics = m_decoded->metricsView();
    metrics->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(metrics, &QTableView::customContextMenuRequested, this, [this, metrics](const QPoint &at) {
        const SparkplugMetricsModel::Metric *metric = m_decoded->metrics().metric(metrics->indexAt(at).row());
        if (!metric || !shown())
            return;
        QMenu menu;
        QAction *chart = menu.addAction(metric->numeric ? tr("Chart this") : tr("Chart this (not a number)"), this,
                                        [this, path = metric->chartPath] { emit chartRequested(m_shownTopic, path); });
        chart->setEnabled(metric->numeric); // a Template or a text would be an empty series
        menu.exec(metrics->viewport()->mapToGlobal(at));
    });
    auto *propertiesView = new QTableView(this);
    propertiesView->setModel(&m_properties);
    propertiesView->verticalHeader()->hide();
    propertiesView->horizontalHeader()->setStretchLastSection(true);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_decoded, tr("Payload"));
    m_tabs->addTab(propertiesView, tr("Properties"));
    m_tabs->addTab(m_diff, tr("Diff with previous"));

    auto *copy = new QPushButton(tr("Copy payload"), this);
    auto *save = new QPushButton(tr("Save payload…"), this);
    auto *asCommand = new QPushButton(tr("Copy as mosquitto_pub"), this);
    auto *clear = new QPushButton(tr("Clear retained…"), this);
    auto *buttons = new QGridLayout; // two by two: the detail stays narrow enough for a 1366-px screen
    buttons->addWidget(copy, 0, 0);
    buttons->addWidget(save, 0, 1);
    buttons->addWidget(asCommand, 1, 0);
    buttons->addWidget(clear, 1, 1);
    buttons->setColumnStretch(2, 1);
    auto *detail = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_header);
    detailLayout->addWidget(m_truncated);
    detailLayout->addWidget(m_tabs, 1);
    detailLayout->addLayout(buttons);

    connect(copy, &QPushButton::clicked, this, [this] {
        if (const StoredMessage *m = shown())
            QApplication::clipboard()->setText(QString::fromUtf8(m->message.payload));
    });
    connect(save, &QPushButton::clicked, this, &MessagesView::savePayload);
    connect(asCommand, &QPushButton::clicked, this, [this] {
        Connection *c = m_workbench.current();
        if (const StoredMessage *m = shown(); m && c)
            QApplication::clipboard()->setText(mosquittoPubCommand(*m, c->settings().url.host, c->settings().url.port));
    });
    connect(clear, &QPushButton::clicked, this, &MessagesView::clearRetained);
    return detail;
}

void MessagesView::showConnection(const QString &name)
{
    m_list.setConnectionFilter(name);
    m_treeFilter->setConnection(name);
    m_treeSearch->setPlaceholderText(name.isEmpty() ? tr("Search topics") : tr("Search topics of %1").arg(name));
    // The message on show must be one the filter lets through: else the list's newest, or none.
    if (const StoredMessage *m = shown(); m && !name.isEmpty() && m->connectionName != name) {
        showMessage(m_list.message(0));
        if (m_list.rowCount() > 0)
            m_listView->selectRow(0);
    }
}

void MessagesView::updateConnectionChoices()
{
    const QString chosen = m_connection->currentData().toString();
    m_connection->clear();
    m_connection->addItem(tr("All connections"), QString());
    for (const Connection *c : m_workbench.connections())
        m_connection->addItem(c->settings().name, c->settings().name);
    const int again = m_connection->findData(chosen);
    m_connection->setCurrentIndex(std::max(0, again));
    showConnection(again > 0 ? chosen : QString());
}

QString MessagesView::suggestedFileName() const
{
    const StoredMessage *m = shown();
    return m ? mqs::suggestedFileName(*m) : QString();
}

void MessagesView::savePayload()
{
    if (!shown())
        return;
    const QByteArray payload = shown()->message.payload; // the dialog runs the event loop
    const QString path = QFileDialog::getSaveFileName(this, tr("Save payload"), suggestedFileName());
    if (path.isEmpty())
        return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(payload) != payload.size() || !file.commit())
        QMessageBox::warning(this, tr("Save payload"), tr("Could not write %1: %2.").arg(path, file.errorString()));
}

void MessagesView::setLimits(MessageStore::Limits limits)
{
    MessageStore &store = m_workbench.messages();
    if (limits == store.limits())
        return; // editingFinished also comes when the focus merely leaves a box
    store.setLimits(limits);
    showLimits();
    m_settings.setMessageLimits(store.limits());
    refresh();
}

void MessagesView::showLimits()
{
    m_perTopicCap->setValue(m_workbench.messages().limits().perTopic);
    m_totalCap->setValue(m_workbench.messages().limits().total);
}

const StoredMessage *MessagesView::shown() const
{
    return m_shownSerial ? m_workbench.messages().find(m_shownTopic, m_shownSerial) : nullptr;
}

void MessagesView::refresh()
{
    m_tree.refresh();
    const auto previous = m_listView->currentIndex().row();
    const quint64 shownSerial = shown() ? m_shownSerial : 0;
    m_list.refresh();
    if (shownSerial && previous >= 0) {
        for (int r = 0; r < m_list.rowCount(); ++r)
            if (m_list.message(r)->serial == shownSerial) {
                m_listView->selectRow(r);
                break;
            }
    }
    const MessageStore &store = m_workbench.messages();
    const QLocale numbers = locale(); // as the cap fields above show them: "100,000", not "100000"
    m_caps->setText(tr("%1 messages kept (at most %2 per topic, %3 in all)%4")
                        .arg(numbers.toString(qint64(store.size())), numbers.toString(store.limits().perTopic),
                             numbers.toString(store.limits().total),
                             store.dropped() ? tr("; %1 older ones dropped").arg(numbers.toString(qint64(store.dropped()))) : QString()));
}

void MessagesView::showTopic(const QString &topic)
{
    const QModelIndex index = m_treeFilter->mapFromSource(m_tree.indexOf(topic));
    if (index.isValid()) {
        m_treeView->setCurrentIndex(index);
        m_treeView->scrollTo(index);
    }
}

void MessagesView::showStoredMessage(const QString &topic, quint64 serial)
{
    showTopic(topic);
    for (int r = 0; r < m_list.rowCount(); ++r)
        if (m_list.message(r)->serial == serial) {
            m_listView->selectRow(r);
            m_listView->scrollTo(m_list.index(r, 0));
            showMessage(m_list.message(r));
            return;
        }
}

QString MessagesView::fieldPath(const QModelIndex &index) const
{
    // Up from the row to the tree's root item (the payload itself, "$"): each row's first column
    // is its key, "[2]" for an array element.
    QString path;
    for (QModelIndex at = index.siblingAtColumn(0); at.isValid() && at.parent().isValid(); at = at.parent()) {
        const QString key = at.data().toString();
        const bool plain = !key.isEmpty() && std::all_of(key.begin(), key.end(), [](QChar c) { return c.isLetterOrNumber() || c == u'_'; });
        path.prepend(key.startsWith(u'[') ? key : plain ? u'.' + key : QStringLiteral("['%1']").arg(key));
    }
    return u'$' + path;
}

QString MessagesView::shownText() const
{
    return m_decoded->shownText();
}

QString MessagesView::hexText() const
{
    const StoredMessage *m = shown();
    return m ? hexDump(m->message.payload.left(kShownBytes)) : QString();
}

QString MessagesView::selectedTopic() const
{
    if (shown())
        return m_shownTopic;
    return m_treeView->currentIndex().data(TopicTreeModel::TopicRole).toString();
}

void MessagesView::requestDecodeAs()
{
    const QString topic = selectedTopic();
    if (topic.isEmpty())
        return;
    const StoredMessage *m = shown();
    emit decodeTopicAsRequested(topic, m_workbench.decoders().choose(topic, m ? m->message.payload : QByteArray()));
}

void MessagesView::redecode()
{
    m_tree.setLastValueText([this](const QString &topic, const QByteArray &payload) {
        return lastValueText(m_workbench.decoders(), topic, payload);
    });
    showMessage(shown());
}

QString MessagesView::diffText() const
{
    return m_diff->toPlainText();
}

QString MessagesView::truncationNote() const
{
    return m_truncated->isVisible() ? m_truncated->text() : QString();
}

void MessagesView::showMessage(const StoredMessage *m)
{
    m_shownTopic = m ? m->message.topic : QString();
    m_shownSerial = m ? m->serial : 0;
    m_properties.clear();
    m_properties.setHorizontalHeaderLabels({tr("Property"), tr("Value")});
    if (!m) {
        m_header->setText(tr("Select a message."));
        m_decoded->clear();
        m_diff->clear();
        m_diffHtml.clear();
        m_truncated->hide();
        return;
    }
    const QByteArray &payload = m->message.payload;
    m_header->setText(tr("<b>%1</b> · QoS %2%3 · id %4 · %L5 bytes · via %6")
                          .arg(m->message.topic.toHtmlEscaped())
                          .arg(qosValue(m->message.qos))
                          .arg(m->message.retain ? tr(" · retained") : QString())
                          .arg(m->packetId ? QString::number(m->packetId->value) : tr("none"))
                          .arg(payload.size())
                          .arg(m->connectionName.toHtmlEscaped()));
    const bool cut = payload.size() > kShownBytes;
    m_truncated->setVisible(cut);
    m_truncated->setText(tr("Showing the first %L1 KiB of %L2 KiB; copy or save it to get all of it.")
                             .arg(kShownBytes / 1024)
                             .arg((payload.size() + 1023) / 1024));
    showDecoded(*m);
    for (const Property &p : m->message.properties.items())
        m_properties.appendRow({new QStandardItem(propertyName(p.id)), new QStandardItem(propertyValueText(p))});
}

void MessagesView::showDecoded(const StoredMessage &m)
{
    const PayloadDecoders &decoders = m_workbench.decoders();
    const QString &topic = m.message.topic;
    const DecodedPayload decoded = decodeInOrder(decoders, topic, m.message.payload);
    SparkplugBirthNames aliases; // a DATA message's metrics sent by alias: named by the last BIRTH
    if (decoded.decoder.kind == DecoderKind::SparkplugB && !decoded.problem) {
        const auto &births = m_workbench.messages().messages(sparkplugBirthTopic(topic));
        if (!births.empty())
            aliases = sparkplugAliases(decoders.decodeAs(decoded.decoder, births.back().message.payload).value);
    }
    m_decoded->showPayload(decoded, m.message.payload, ruleFilterFor(decoders, topic), aliases);
    QStringList findings; // the Sparkplug rules this message broke
    for (const SparkplugFinding &f : m_workbench.sparkplug().findings())
        if (f.topic == topic && f.receivedAtMs == m.timeMs)
            findings << f.sentence;
    m_decoded->showFindings(findings);
    const StoredMessage *before = m_workbench.messages().previous(topic, m.serial);
    m_diffHtml = before ? differenceHtml(decodeInOrder(decoders, topic, before->message.payload), decoded)
                        : tr("(no earlier message on this topic is kept)").toHtmlEscaped();
    m_diff->clear();
    m_diff->appendHtml(m_diffHtml);
}

void MessagesView::clearRetained()
{
    Connection *c = m_workbench.current();
    const QString topic = shown() ? m_shownTopic : QString();
    if (!c || topic.isEmpty())
        return;
    if (QMessageBox::question(this, tr("Clear retained message"),
                              tr("Publish an empty retained message to '%1' through %2? The broker then forgets the "
                                 "retained message on that topic.")
                                  .arg(topic, c->settings().name))
        != QMessageBox::Yes)
        return;
    const auto result = c->publish(ApplicationMessage{topic, QByteArray(), QoS::AtLeastOnce, true, {}});
    if (!result.ticket)
        QMessageBox::warning(this, tr("Clear retained message"), result.ticket.sentence());
}

} // namespace mqs
