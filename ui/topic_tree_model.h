#pragma once
// The topic tree: one node per topic level, with the number of messages, the last value and a
// retained marker, for all connections or for the one chosen (counted per connection, so two
// connections' topics can be told apart). Grows in batches from the MessageStore.

#include "message_store.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QSortFilterProxyModel>

#include <functional>
#include <map>
#include <memory>

namespace mqs {

class TopicTreeModel : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopicTreeModel)
public:
    enum Column { Topic, Messages, LastValue, ColumnCount };
    enum Role {
        TopicRole = Qt::UserRole + 1,
        ShownRole, // bool: messages of the chosen connection arrived here or below
    };

    explicit TopicTreeModel(const MessageStore &store, QObject *parent = nullptr);
    ~TopicTreeModel() override;

    // Takes in the messages stored since the last call.
    void refresh();
    QModelIndex indexOf(const QString &topic) const;
    // Counts, last values and markers of the connection named `name` only; empty: of all.
    void setConnection(const QString &name);
    QString connection() const { return m_connection; }
    // How the Last value column shows a topic's newest payload (its decoded form); applied to
    // the values shown already too. Without one: the payload's first bytes as text.
    using LastValueText = std::function<QString(const QString &topic, const QByteArray &payload)>;
    void setLastValueText(LastValueText text);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.column() > 0 ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    // The newest message on a topic, of one connection or of all.
    struct Last {
        QByteArray payload; // shared with the store: no copy
        bool retained = false;
        bool whole = true; // false: `payload` holds the first bytes of a large one
        QString shown{}; // as the Last value column shows it
    };
    struct Node {
        QString name;
        QString topic; // full topic of this level
        Node *parent = nullptr;
        std::vector<std::unique_ptr<Node>> children; // sorted by name
        quint64 messages = 0; // here and below
        QHash<QString, quint64> messagesBy; // here and below, per connection name
        std::optional<Last> last; // set when messages arrived on exactly this topic
        QHash<QString, Last> lastBy; // per connection name
        int row() const;
    };

    Node *nodeFor(const QString &topic);
    QModelIndex indexOf(Node *node) const;
    void takeIn(const QString &topic, const std::deque<StoredMessage> &messages);
    quint64 shownMessages(const Node &node) const;
    const Last *shownLast(const Node &node) const;
    QString perConnectionText(const Node &node) const;
    void announceAll(Node &node); // every row below `node` changed
    Last lastOf(const Node &node, const StoredMessage &message) const;
    void reshowLast(Node &node);
    QString lastValueText(const QString &topic, const Last &last) const;

    const MessageStore &m_store;
    std::unique_ptr<Node> m_root;
    quint64 m_seen = 0; // store serials taken in
    std::map<QString, quint64> m_lastSerial; // per topic
    QString m_connection; // empty: all
    LastValueText m_lastValueText;
};

// The tree as shown: the chosen connection's topics whose path contains the search text.
class TopicTreeFilter : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TopicTreeFilter)
public:
    explicit TopicTreeFilter(TopicTreeModel &tree, QObject *parent = nullptr);
    void setSearch(const QString &text);
    void setConnection(const QString &name);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    TopicTreeModel &m_tree;
    QString m_search;
};

} // namespace mqs
