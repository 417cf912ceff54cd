#pragma once
// The messages of one topic (or of a topic and everything below it), newest first, with an
// optional text filter and an optional connection they came through.

#include "message_store.h"

#include <QAbstractTableModel>

namespace mqs {

class MessageListModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageListModel)
public:
    enum Column { Time, Connection, Topic, QoS_, Id, Retained, Size, Payload, ColumnCount };

    explicit MessageListModel(const MessageStore &store, QObject *parent = nullptr);

    // `topic` and, when `subtree`, every topic below it.
    void setTopic(const QString &topic, bool subtree);
    void setFilter(const QString &text);
    // Only messages received by the connection of this name; empty: every connection.
    void setConnectionFilter(const QString &connectionName);
    void refresh();
    const StoredMessage *message(int row) const;
    QString topic() const { return m_topic; }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void rebuild();

    const MessageStore &m_store;
    QString m_topic;
    bool m_subtree = false;
    QString m_filter;
    QString m_connection;
    std::vector<const StoredMessage *> m_rows; // newest first
    quint64 m_seen = 0;
};

// "mosquitto_pub -h HOST -p PORT -t 'topic' -q 2 -m 'payload'" for a message.
QString mosquittoPubCommand(const StoredMessage &message, const QString &host, quint16 port);

} // namespace mqs
