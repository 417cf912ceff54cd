#include "user_properties_editor.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace mqs {

void UserPropertiesModel::setPairs(const Properties &properties)
{
    beginResetModel();
    m_pairs.clear();
    for (const auto &pair : properties.userProperties())
        m_pairs.emplace_back(pair.name, pair.value);
    endResetModel();
}

void UserPropertiesModel::addTo(Properties &properties) const
{
    for (const auto &[name, value] : m_pairs)
        if (!name.isEmpty())
            properties.addUserProperty(name, value);
}

void UserPropertiesModel::appendEmpty()
{
    beginInsertRows({}, rowCount(), rowCount());
    m_pairs.emplace_back();
    endInsertRows();
}

void UserPropertiesModel::removeAt(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    m_pairs.erase(m_pairs.begin() + row);
    endRemoveRows();
}

int UserPropertiesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_pairs.size());
}

QVariant UserPropertiesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || (role != Qt::DisplayRole && role != Qt::EditRole))
        return {};
    const auto &[name, value] = m_pairs[std::size_t(index.row())];
    return index.column() == Name ? name : value;
}

bool UserPropertiesModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.row() >= rowCount() || role != Qt::EditRole)
        return false;
    auto &pair = m_pairs[std::size_t(index.row())];
    (index.column() == Name ? pair.first : pair.second) = value.toString();
    emit dataChanged(index, index);
    return true;
}

Qt::ItemFlags UserPropertiesModel::flags(const QModelIndex &index) const
{
    return QAbstractTableModel::flags(index) | Qt::ItemIsEditable;
}

QVariant UserPropertiesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == Name ? tr("Name") : tr("Value");
}

UserPropertiesEditor::UserPropertiesEditor(QWidget *parent)
    : QWidget(parent), m_model(this)
{
    constexpr int kVisibleRows = 3; // enough to see a few pairs; the table scrolls past that
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("userProperties"));
    m_view->setModel(&m_model);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->verticalHeader()->hide();
    m_view->setMaximumHeight(m_view->horizontalHeader()->sizeHint().height()
                             + kVisibleRows * m_view->verticalHeader()->defaultSectionSize() + 2 * m_view->frameWidth());
    auto *add = new QPushButton(tr("Add user property"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, [this] {
        m_model.appendEmpty();
        m_view->edit(m_model.index(m_model.rowCount() - 1, UserPropertiesModel::Name));
    });
    connect(remove, &QPushButton::clicked, this, [this] { m_model.removeAt(m_view->currentIndex().row()); });
}

} // namespace mqs
