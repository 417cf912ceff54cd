#include "messages_view.h"

#include "theme.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace mqs {
namespace {

void fillJson(QStandardItem *parent, const QJsonValue &value, const QString &key)
{
    auto *name = new QStandardItem(key);
    auto *shown = new QStandardItem;
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        shown->setText(QStringLiteral("{%1}").arg(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it)
            fillJson(name, it.value(), it.key());
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        shown->setText(QStringLiteral("[%1]").arg(a.size()));
        for (qsizetype i = 0; i < a.size(); ++i)
            fillJson(name, a.at(i), QStringLiteral("[%1]").arg(i));
    } else {
        shown->setText(value.isString() ? QLatin1Char('"') + value.toString() + QLatin1Char('"')
                                        : QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
    }
    parent->appendRow({name, shown});
}

bool isText(const QByteArray &bytes)
{
    const QString decoded = QString::fromUtf8(bytes);
    return !decoded.contains(QChar::ReplacementCharacter) && !bytes.contains('\0');
}

} // namespace

MessagesView::MessagesView(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_tree(workbench.messages()), m_list(workbench.messages())
{
    m_treeView = new QTreeView(this);
    m_treeView->setModel(&m_tree);
    m_treeView->setUniformRowHeights(true);
    m_treeView->header()->setStretchLastSection(true);
    m_treeView->setColumnWidth(TopicTreeModel::Topic, fontMetrics().averageCharWidth() * 28);
    m_treeView->setColumnWidth(TopicTreeModel::Messages, fontMetrics().averageCharWidth() * 9);
    m_caps = new QLabel(this);
    m_caps->setWordWrap(true);
    m_perTopicCap = new QSpinBox(this);
    m_perTopicCap->setRange(1, 1'000'000);
    m_perTopicCap->setToolTip(tr("Messages kept per topic; older ones are dropped."));
    m_totalCap = new QSpinBox(this);
    m_totalCap->setRange(1, 10'000'000);
    m_totalCap->setGroupSeparatorShown(true);
    m_totalCap->setToolTip(tr("Messages kept in all; the oldest are dropped first."));
    auto *capsRow = new QHBoxLayout;
    auto *perTopicLabel = new QLabel(tr("&Keep per topic"), this);
    perTopicLabel->setBuddy(m_perTopicCap);
    auto *totalLabel = new QLabel(tr("in &all"), this);
    totalLabel->setBuddy(m_totalCap);
    capsRow->addWidget(perTopicLabel);
    capsRow->addWidget(m_perTopicCap);
    capsRow->addWidget(totalLabel);
    capsRow->addWidget(m_totalCap);
    capsRow->addStretch();
    auto *treeBox = new QWidget(this);
    auto *treeLayout = new QVBoxLayout(treeBox);
    treeLayout->setContentsMargins(0, 0, 0, 0);
    treeLayout->addWidget(m_treeView, 1);
    treeLayout->addLayout(capsRow);
    treeLayout->addWidget(m_caps);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter messages by text"));
    m_filter->setClearButtonEnabled(true);
    m_listView = new QTableView(this);
    m_listView->setModel(&m_list);
    m_listView->verticalHeader()->hide();
    m_listView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_listView->horizontalHeader()->setStretchLastSection(true);
    m_listView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_listView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_listView->setColumnWidth(MessageListModel::Time, fontMetrics().averageCharWidth() * 13);
    m_listView->setColumnWidth(MessageListModel::Topic, fontMetrics().averageCharWidth() * 30);
    m_listView->setColumnWidth(MessageListModel::QoS_, fontMetrics().averageCharWidth() * 5);
    m_listView->setColumnWidth(MessageListModel::Id, fontMetrics().averageCharWidth() * 7);
    m_listView->setColumnWidth(MessageListModel::Retained, fontMetrics().averageCharWidth() * 8);
    m_listView->setColumnWidth(MessageListModel::Size, fontMetrics().averageCharWidth() * 8);

    m_header = new QLabel(this);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_truncated = new QLabel(this);
    m_truncated->setStyleSheet(QStringLiteral("color: %1;").arg(warningColor().name()));
    m_truncated->hide();
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_text = new QPlainTextEdit(this);
    m_text->setReadOnly(true);
    m_hex = new QPlainTextEdit(this);
    m_hex->setReadOnly(true);
    m_hex->setFont(fixed);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff = new QPlainTextEdit(this);
    m_diff->setReadOnly(true);
    m_diff->setFont(fixed);
    auto *jsonView = new QTreeView(this);
    jsonView->setModel(&m_json);
    auto *propertiesView = new QTableView(this);
    propertiesView->setModel(&m_properties);
    propertiesView->verticalHeader()->hide();
    propertiesView->horizontalHeader()->setStretchLastSection(true);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(jsonView, tr("JSON"));
    m_tabs->addTab(m_hex, tr("Hex"));
    m_tabs->addTab(propertiesView, tr("Properties"));
    m_tabs->addTab(m_diff, tr("Diff with previous"));

    auto *copy = new QPushButton(tr("Copy payload"), this);
    auto *save = new QPushButton(tr("Save payload…"), this);
    auto *asCommand = new QPushButton(tr("Copy as mosquitto_pub"), this);
    auto *clear = new QPushButton(tr("Clear retained…"), this);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {copy, save, asCommand, clear})
        buttons->addWidget(b);
    buttons->addStretch();

    auto *detail = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_header);
    detailLayout->addWidget(m_truncated);
    detailLayout->addWidget(m_tabs, 1);
    detailLayout->addLayout(buttons);

    auto *listBox = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listBox);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_filter);
    listLayout->addWidget(m_listView, 1);
    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(listBox);
    right->addWidget(detail);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(treeBox);
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
    connect(copy, &QPushButton::clicked, this, [this] {
        if (const StoredMessage *m = shown())
            QApplication::clipboard()->setText(QString::fromUtf8(m->message.payload));
    });
    connect(save, &QPushButton::clicked, this, [this] {
        if (!shown())
            return;
        const QByteArray payload = shown()->message.payload; // the dialog runs the event loop
        const QString path = QFileDialog::getSaveFileName(this, tr("Save payload"));
        if (path.isEmpty())
            return;
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(payload) != payload.size() || !file.commit())
            QMessageBox::warning(this, tr("Save payload"), tr("Could not write %1: %2.").arg(path, file.errorString()));
    });
    connect(asCommand, &QPushButton::clicked, this, [this] {
        Connection *c = m_workbench.current();
        if (const StoredMessage *m = shown(); m && c)
            QApplication::clipboard()->setText(mosquittoPubCommand(*m, c->settings().url.host, c->settings().url.port));
    });
    connect(clear, &QPushButton::clicked, this, &MessagesView::clearRetained);

    // The caps saved last time; applied, shown, and saved again only when changed.
    const QSettings settings;
    const MessageStore::Limits defaults;
    m_workbench.messages().setLimits({settings.value(QStringLiteral("messages/perTopic"), defaults.perTopic).toInt(),
                                      settings.value(QStringLiteral("messages/total"), defaults.total).toInt()});
    showLimits();
    for (QSpinBox *box : {m_perTopicCap, m_totalCap})
        connect(box, &QSpinBox::editingFinished, this, [this] { setLimits({m_perTopicCap->value(), m_totalCap->value()}); });
    refresh();
}

void MessagesView::setLimits(MessageStore::Limits limits)
{
    MessageStore &store = m_workbench.messages();
    if (limits == store.limits())
        return; // editingFinished also comes when the focus merely leaves a box
    store.setLimits(limits);
    showLimits();
    QSettings settings;
    settings.setValue(QStringLiteral("messages/perTopic"), store.limits().perTopic);
    settings.setValue(QStringLiteral("messages/total"), store.limits().total);
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
    m_caps->setText(tr("%1 messages kept (at most %2 per topic, %3 in all)%4")
                        .arg(store.size())
                        .arg(store.limits().perTopic)
                        .arg(store.limits().total)
                        .arg(store.dropped() ? tr("; %1 older ones dropped").arg(store.dropped()) : QString()));
}

void MessagesView::showTopic(const QString &topic)
{
    const QModelIndex index = m_tree.indexOf(topic);
    if (index.isValid()) {
        m_treeView->setCurrentIndex(index);
        m_treeView->scrollTo(index);
    }
}

QString MessagesView::shownText() const
{
    return m_text->toPlainText();
}

QString MessagesView::truncationNote() const
{
    return m_truncated->isVisible() ? m_truncated->text() : QString();
}

void MessagesView::showMessage(const StoredMessage *m)
{
    m_shownTopic = m ? m->message.topic : QString();
    m_shownSerial = m ? m->serial : 0;
    m_json.clear();
    m_properties.clear();
    m_properties.setHorizontalHeaderLabels({tr("Property"), tr("Value")});
    if (!m) {
        m_header->setText(tr("Select a message."));
        m_text->clear();
        m_hex->clear();
        m_diff->clear();
        m_truncated->hide();
        return;
    }
    const QByteArray &payload = m->message.payload;
    m_header->setText(tr("<b>%1</b> · QoS %2%3 · id %4 · %5 bytes · via %6")
                          .arg(m->message.topic.toHtmlEscaped())
                          .arg(qosValue(m->message.qos))
                          .arg(m->message.retain ? tr(" · retained") : QString())
                          .arg(m->packetId ? QString::number(m->packetId->value) : tr("none"))
                          .arg(payload.size())
                          .arg(m->connectionName.toHtmlEscaped()));
    const bool cut = payload.size() > kShownBytes;
    m_truncated->setVisible(cut);
    m_truncated->setText(tr("Showing the first %1 KiB of %2 KiB; copy or save it to get all of it.")
                             .arg(kShownBytes / 1024)
                             .arg((payload.size() + 1023) / 1024));
    const QByteArray shown = payload.left(kShownBytes);
    const bool text = isText(shown);
    m_text->setPlainText(text ? QString::fromUtf8(shown) : tr("(binary payload: see Hex)"));
    QString hex;
    for (qsizetype at = 0; at < shown.size(); at += 16)
        hex += QStringLiteral("%1  %2\n").arg(at, 6, 16, QLatin1Char('0')).arg(QString::fromLatin1(shown.mid(at, 16).toHex(' ')));
    m_hex->setPlainText(hex);
    m_tabs->setCurrentIndex(text ? m_tabs->currentIndex() == 2 ? 0 : m_tabs->currentIndex() : 2);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &error);
    if (error.error == QJsonParseError::NoError) {
        m_json.setHorizontalHeaderLabels({tr("Key"), tr("Value")});
        fillJson(m_json.invisibleRootItem(), doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array()), tr("payload"));
    } else {
        m_json.setHorizontalHeaderLabels({tr("Not JSON: %1 at byte %2").arg(error.errorString()).arg(error.offset)});
    }
    for (const Property &p : m->message.properties.items())
        m_properties.appendRow({new QStandardItem(propertyName(p.id)), new QStandardItem(propertyValueText(p))});
    const StoredMessage *before = m_workbench.messages().previous(m->message.topic, m->serial);
    if (!before) {
        m_diff->setPlainText(tr("(no earlier message on this topic is kept)"));
    } else {
        const QStringList was = QString::fromUtf8(before->message.payload.left(kShownBytes)).split(QLatin1Char('\n'));
        const QStringList now = QString::fromUtf8(shown).split(QLatin1Char('\n'));
        QString diff;
        for (qsizetype i = 0; i < std::max(was.size(), now.size()); ++i) {
            const QString a = was.value(i);
            const QString b = now.value(i);
            if (a == b)
                diff += QStringLiteral("  ") + b + QLatin1Char('\n');
            else {
                if (i < was.size())
                    diff += QStringLiteral("- ") + a + QLatin1Char('\n');
                if (i < now.size())
                    diff += QStringLiteral("+ ") + b + QLatin1Char('\n');
            }
        }
        m_diff->setPlainText(diff);
    }
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
        QMessageBox::warning(this, tr("Clear retained message"), result.refusal);
}

} // namespace mqs
