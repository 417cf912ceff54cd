#include "topic_tree_model.h"

#include <QFont>

namespace mqs {

int TopicTreeModel::Node::row() const
{
    if (!parent)
        return 0;
    for (std::size_t i = 0; i < parent->children.size(); ++i)
        if (parent->children[i].get() == this)
            return int(i);
    return 0;
}

TopicTreeModel::TopicTreeModel(const MessageStore &store, QObject *parent)
    : QAbstractItemModel(parent), m_store(store), m_root(std::make_unique<Node>())
{
}

TopicTreeModel::~TopicTreeModel() = default;

TopicTreeModel::Node *TopicTreeModel::nodeFor(const QString &topic)
{
    Node *node = m_root.get();
    QString path;
    for (const QString &level : topic.split(QLatin1Char('/'))) {
        path = path.isNull() ? level : path + QLatin1Char('/') + level;
        auto &children = node->children;
        auto it = std::lower_bound(children.begin(), children.end(), level,
                                   [](const std::unique_ptr<Node> &n, const QString &name) { return n->name < name; });
        if (it == children.end() || (*it)->name != level) {
            const int row = int(it - children.begin());
            beginInsertRows(indexOf(node), row, row);
            auto child = std::make_unique<Node>();
            child->name = level;
            child->topic = path;
            child->parent = node;
            it = children.insert(it, std::move(child));
            endInsertRows();
        }
        node = it->get();
    }
    return node;
}

void TopicTreeModel::refresh()
{
    if (m_store.received() == m_seen)
        return;
    for (const QString &topic : m_store.topics()) {
        const auto &messages = m_store.messages(topic);
        if (messages.empty() || messages.back().serial <= m_lastSerial[topic])
            continue;
        quint64 fresh = 0;
        for (auto it = messages.rbegin(); it != messages.rend() && it->serial > m_lastSerial[topic]; ++it)
            ++fresh;
        m_lastSerial[topic] = messages.back().serial;
        Node *node = nodeFor(topic);
        node->isTopic = true;
        node->lastValue = messages.back().message.payload.left(200);
        node->retained = messages.back().message.retain;
        for (Node *n = node; n && n != m_root.get(); n = n->parent) {
            n->messages += fresh;
            const QModelIndex i = indexOf(n);
            emit dataChanged(i.siblingAtColumn(0), i.siblingAtColumn(ColumnCount - 1));
        }
    }
    m_seen = m_store.received();
}

QModelIndex TopicTreeModel::indexOf(Node *node) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), 0, node);
}

QModelIndex TopicTreeModel::indexOf(const QString &topic) const
{
    Node *node = m_root.get();
    for (const QString &level : topic.split(QLatin1Char('/'))) {
        const auto it = std::find_if(node->children.begin(), node->children.end(), [&](const auto &n) { return n->name == level; });
        if (it == node->children.end())
            return {};
        node = it->get();
    }
    return indexOf(node);
}

QModelIndex TopicTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *p = parent.isValid() ? static_cast<Node *>(parent.internalPointer()) : m_root.get();
    if (row < 0 || row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex TopicTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const Node *n = static_cast<Node *>(child.internalPointer());
    return indexOf(n->parent);
}

int TopicTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    const Node *p = parent.isValid() ? static_cast<Node *>(parent.internalPointer()) : m_root.get();
    return int(p->children.size());
}

QVariant TopicTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *n = static_cast<Node *>(index.internalPointer());
    if (role == TopicRole)
        return n->topic;
    if (role == Qt::ToolTipRole)
        return n->topic;
    if (role == Qt::FontRole && n->isTopic && index.column() == Topic) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Topic: return n->retained ? n->name + QStringLiteral("  (retained)") : n->name;
    case Messages: return QVariant::fromValue(n->messages);
    case LastValue: return n->isTopic ? QString::fromUtf8(n->lastValue).simplified() : QString();
    default: return {};
    }
}

QVariant TopicTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"Topic", "Messages", "Last value"};
    return tr(kNames[section]);
}

} // namespace mqs
