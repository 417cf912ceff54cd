#include "snippet_list.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonObject>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace mqs {
namespace {
constexpr int kFieldsRole = Qt::UserRole + 1;
constexpr int kVisibleSnippets = 4; // the list scrolls past that
} // namespace

SnippetList::SnippetList(Settings &settings, std::function<QVariantMap()> current, QWidget *parent)
    : QWidget(parent), m_settings(settings), m_current(std::move(current)), m_snippets(this)
{
    m_list = new QListView(this);
    m_list->setObjectName(QStringLiteral("snippets"));
    m_list->setModel(&m_snippets);
    m_list->setMaximumHeight(fontMetrics().lineSpacing() * (kVisibleSnippets + 1) + 2 * m_list->frameWidth());
    m_list->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    auto *saveSnippet = new QPushButton(tr("Save…"), this);
    saveSnippet->setToolTip(tr("Save the topic, payload and options as a snippet"));
    auto *use = new QPushButton(tr("Use"), this);
    auto *up = new QPushButton(QStringLiteral("↑"), this);
    auto *down = new QPushButton(QStringLiteral("↓"), this);
    auto *remove = new QPushButton(tr("Delete"), this);
    up->setAccessibleName(tr("Move snippet up"));
    down->setAccessibleName(tr("Move snippet down"));
    for (QPushButton *arrow : {up, down})
        arrow->setMaximumWidth(arrow->fontMetrics().horizontalAdvance(QStringLiteral("↑")) * 4);

    auto *box = new QGroupBox(tr("Snippets"), this);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(box);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_list);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {saveSnippet, use, up, down, remove})
        buttons->addWidget(b);
    buttons->setSpacing(4);
    layout->addLayout(buttons);

    connect(saveSnippet, &QPushButton::clicked, this, &SnippetList::saveCurrent);
    connect(use, &QPushButton::clicked, this, &SnippetList::useSelected);
    connect(m_list, &QListView::activated, this, &SnippetList::useSelected);
    connect(up, &QPushButton::clicked, this, [this] { move(-1); });
    connect(down, &QPushButton::clicked, this, [this] { move(1); });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_list->currentIndex().row();
        if (row >= 0) {
            m_snippets.removeRow(row);
            save();
        }
    });
    connect(&m_snippets, &QStandardItemModel::itemChanged, this, &SnippetList::save);
    load();
}

void SnippetList::saveCurrent()
{
    const QVariantMap fields = m_current();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save snippet"), tr("Name"), QLineEdit::Normal,
                                               fields.value(QStringLiteral("topic")).toString(), &ok);
    if (!ok || name.isEmpty())
        return;
    auto *item = new QStandardItem(name);
    item->setData(fields, kFieldsRole);
    m_snippets.appendRow(item);
    save();
}

void SnippetList::useSelected()
{
    const QModelIndex i = m_list->currentIndex();
    if (i.isValid())
        emit chosen(i.data(kFieldsRole).toMap());
}

void SnippetList::move(int by)
{
    const int row = m_list->currentIndex().row();
    if (row < 0 || row + by < 0 || row + by >= m_snippets.rowCount())
        return;
    const QList<QStandardItem *> taken = m_snippets.takeRow(row);
    m_snippets.insertRow(row + by, taken);
    m_list->setCurrentIndex(m_snippets.index(row + by, 0));
    save();
}

void SnippetList::save()
{
    QJsonArray list;
    for (int r = 0; r < m_snippets.rowCount(); ++r) {
        QJsonObject o = QJsonObject::fromVariantMap(m_snippets.item(r)->data(kFieldsRole).toMap());
        o.insert(QStringLiteral("name"), m_snippets.item(r)->text());
        list.append(o);
    }
    m_settings.setSnippets(list);
}

void SnippetList::load()
{
    const QSignalBlocker block(&m_snippets);
    for (const QJsonValue &v : m_settings.snippets()) {
        const QJsonObject o = v.toObject();
        auto *item = new QStandardItem(o.value(QStringLiteral("name")).toString());
        item->setData(o.toVariantMap(), kFieldsRole);
        m_snippets.appendRow(item);
    }
}

} // namespace mqs
