#include "message_list_model.h"

#include <QDateTime>

namespace mqs {

MessageListModel::MessageListModel(const MessageStore &store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store)
{
}

void MessageListModel::setTopic(const QString &topic, bool subtree)
{
    m_topic = topic;
    m_subtree = subtree;
    rebuild();
}

void MessageListModel::setFilter(const QString &text)
{
    m_filter = text;
    rebuild();
}

void MessageListModel::setConnectionFilter(const QString &connectionName)
{
    m_connection = connectionName;
    rebuild();
}

void MessageListModel::refresh()
{
    if (m_store.changes() != m_seen)
        rebuild();
}

void MessageListModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    m_seen = m_store.changes();
    if (!m_topic.isNull()) {
        for (const QString &topic : m_store.topics()) {
            if (topic != m_topic && !(m_subtree && topic.startsWith(m_topic + QLatin1Char('/'))))
                continue;
            for (const StoredMessage &m : m_store.messages(topic)) {
                if (!m_connection.isEmpty() && m.connectionName != m_connection)
                    continue;
                if (m_filter.isEmpty() || QString::fromUtf8(m.message.payload).contains(m_filter, Qt::CaseInsensitive)
                    || m.message.topic.contains(m_filter, Qt::CaseInsensitive))
                    m_rows.push_back(&m);
            }
        }
        std::sort(m_rows.begin(), m_rows.end(), [](const StoredMessage *a, const StoredMessage *b) { return a->serial > b->serial; });
    }
    endResetModel();
}

const StoredMessage *MessageListModel::message(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[std::size_t(row)] : nullptr;
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
    const StoredMessage *m = message(index.row());
    if (!m || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    switch (index.column()) {
    case Time: return QDateTime::fromMSecsSinceEpoch(m->timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case Connection: return m->connectionName;
    case Topic: return m->message.topic;
    case QoS_: return qosValue(m->message.qos);
    case Id: return m->packetId ? QVariant(m->packetId->value) : QVariant();
    case Retained: return m->message.retain ? tr("retained") : QString();
    case Size: return QStringLiteral("%L1 B").arg(m->message.payload.size());
    case Payload: {
        const QString text = QString::fromUtf8(m->message.payload.left(300));
        return role == Qt::ToolTipRole ? text : text.simplified();
    }
    default: return {};
    }
}

QVariant MessageListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"Time", "Connection", "Topic", "QoS", "Id", "Retain", "Size", "Payload"};
    return tr(kNames[section]);
}

QString mosquittoPubCommand(const StoredMessage &m, const QString &host, quint16 port)
{
    auto quote = [](QString text) { return QLatin1Char('\'') + text.replace(QLatin1Char('\''), QLatin1String("'\\''")) + QLatin1Char('\''); };
    QString command = QStringLiteral("mosquitto_pub -h %1 -p %2 -t %3 -q %4").arg(host).arg(port).arg(quote(m.message.topic)).arg(qosValue(m.message.qos));
    if (m.message.retain)
        command += QStringLiteral(" -r");
    for (const auto &p : m.message.properties.userProperties())
        command += QStringLiteral(" -D publish user-property %1 %2").arg(quote(p.name), quote(p.value));
    if (const auto contentType = m.message.properties.string(PropertyId::ContentType))
        command += QStringLiteral(" -D publish content-type %1").arg(quote(*contentType));
    if (m.message.payload.isEmpty())
        command += QStringLiteral(" -n");
    else
        command += QStringLiteral(" -m %1").arg(quote(QString::fromUtf8(m.message.payload)));
    return command;
}

} // namespace mqs
