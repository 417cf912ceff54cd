#include "topic_tree_model.h"

#include <QFont>

namespace mqs {
namespace {
// Enough of the newest payload for the Last value column as text; the message view shows it whole.
constexpr qsizetype kLastValueBytes = 200;
// Payloads up to this size are kept whole (shared with the store, no copy) so the column can show
// them decoded; larger ones keep their first bytes only, so the tree never holds big payloads alive.
constexpr qsizetype kDecodedLastValueBytes = 64 * 1024;
} // namespace

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
    for (const QString &topic : m_store.topics())
        takeIn(topic, m_store.messages(topic));
    m_seen = m_store.received();
}

// Counts the messages of `topic` not yet taken in, per connection, into its node and the levels above.
void TopicTreeModel::takeIn(const QString &topic, const std::deque<StoredMessage> &messages)
{
    quint64 &lastSerial = m_lastSerial[topic];
    if (messages.empty() || messages.back().serial <= lastSerial)
        return;
    QHash<QString, quint64> fresh;
    quint64 freshInAll = 0;
    Node *node = nodeFor(topic);
    for (auto it = messages.rbegin(); it != messages.rend() && it->serial > lastSerial; ++it) {
        ++freshInAll;
        if (++fresh[it->connectionName] == 1) // newest first: this connection's newest
            node->lastBy.insert(it->connectionName, lastOf(*node, *it));
    }
    lastSerial = messages.back().serial;
    node->last = lastOf(*node, messages.back());
    for (Node *n = node; n && n != m_root.get(); n = n->parent) {
        n->messages += freshInAll;
        for (auto f = fresh.cbegin(); f != fresh.cend(); ++f)
            n->messagesBy[f.key()] += f.value();
        const QModelIndex i = indexOf(n);
        emit dataChanged(i.siblingAtColumn(0), i.siblingAtColumn(ColumnCount - 1));
    }
}

TopicTreeModel::Last TopicTreeModel::lastOf(const Node &node, const StoredMessage &message) const
{
    const QByteArray &payload = message.message.payload;
    const bool whole = payload.size() <= kDecodedLastValueBytes;
    Last last{whole ? payload : payload.left(kLastValueBytes), message.message.retain, whole};
    last.shown = lastValueText(node.topic, last);
    return last;
}

QString TopicTreeModel::lastValueText(const QString &topic, const Last &last) const
{
    if (m_lastValueText && last.whole)
        return m_lastValueText(topic, last.payload);
    return QString::fromUtf8(last.payload.left(kLastValueBytes)).simplified();
}

void TopicTreeModel::setLastValueText(LastValueText text)
{
    m_lastValueText = std::move(text);
    reshowLast(*m_root);
    announceAll(*m_root);
}

void TopicTreeModel::reshowLast(Node &node)
{
    const auto reshow = [&](Last &last) {
        last.shown = lastValueText(node.topic, last);
    };
    if (node.last)
        reshow(*node.last);
    for (Last &last : node.lastBy)
        reshow(last);
    for (const auto &child : node.children)
        reshowLast(*child);
}

void TopicTreeModel::setConnection(const QString &name)
{
    if (name == m_connection)
        return;
    m_connection = name;
    announceAll(*m_root);
}

void TopicTreeModel::announceAll(Node &node)
{
    if (node.children.empty())
        return;
    const QModelIndex parent = indexOf(&node);
    emit dataChanged(index(0, 0, parent), index(int(node.children.size()) - 1, ColumnCount - 1, parent));
    for (const auto &child : node.children)
        announceAll(*child);
}

quint64 TopicTreeModel::shownMessages(const Node &node) const
{
    return m_connection.isEmpty() ? node.messages : node.messagesBy.value(m_connection);
}

const TopicTreeModel::Last *TopicTreeModel::shownLast(const Node &node) const
{
    if (m_connection.isEmpty())
        return node.last ? &*node.last : nullptr;
    const auto it = node.lastBy.constFind(m_connection);
    return it == node.lastBy.cend() ? nullptr : &it.value();
}

// "sensors/a — living-room sensor: 12, dashboard: 5": whose messages a level holds.
QString TopicTreeModel::perConnectionText(const Node &node) const
{
    QStringList names = node.messagesBy.keys();
    names.sort();
    QStringList parts;
    for (const QString &name : names)
        parts << tr("%1: %2").arg(name).arg(node.messagesBy.value(name));
    return parts.isEmpty() ? node.topic : tr("%1 — %2").arg(node.topic, parts.join(QStringLiteral(", ")));
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
    const Last *last = shownLast(*n);
    switch (role) {
    case TopicRole: return n->topic;
    case ShownRole: return shownMessages(*n) > 0;
    case Qt::ToolTipRole: return perConnectionText(*n);
    case Qt::FontRole:
        if (last && index.column() == Topic) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::DisplayRole: break;
    default: return {};
    }
    switch (index.column()) {
    case Topic: return last && last->retained ? n->name + QStringLiteral("  (retained)") : n->name;
    case Messages: return QVariant::fromValue(shownMessages(*n));
    case LastValue: return last ? last->shown : QString();
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

TopicTreeFilter::TopicTreeFilter(TopicTreeModel &tree, QObject *parent)
    : QSortFilterProxyModel(parent), m_tree(tree)
{
    setSourceModel(&tree);
    setRecursiveFilteringEnabled(true); // a match keeps its parents, so the path shows
}

void TopicTreeFilter::setSearch(const QString &text)
{
    m_search = text;
    invalidateFilter();
}

void TopicTreeFilter::setConnection(const QString &name)
{
    m_tree.setConnection(name);
    invalidateFilter();
}

bool TopicTreeFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex row = m_tree.index(sourceRow, 0, sourceParent);
    return row.data(TopicTreeModel::ShownRole).toBool()
        && row.data(TopicTreeModel::TopicRole).toString().contains(m_search, Qt::CaseInsensitive);
}

} // namespace mqs
