#include "subscription_model.h"

#include "theme.h"
#include "protocol/topic.h"

namespace mqs {

SubscriptionModel::SubscriptionModel(Workbench &workbench, QObject *parent)
    : QAbstractTableModel(parent), m_workbench(workbench)
{
    for (Connection *c : workbench.connections())
        watch(c);
    connect(&workbench, &Workbench::connectionAdded, this, &SubscriptionModel::watch);
    connect(&workbench, &Workbench::connectionRemoved, this, [this](Connection *c) {
        beginResetModel();
        m_entries.erase(c);
        endResetModel();
    });
    connect(&workbench, &Workbench::currentChanged, this, [this] {
        beginResetModel();
        endResetModel();
    });
}

void SubscriptionModel::watch(Connection *connection)
{
    connect(connection, &Connection::sessionEvent, this, [this, connection](const SessionEvent &event) {
        if (const auto *connected = std::get_if<Connected>(&event)) {
            if (!connected->sessionPresent)
                sendAll(connection); // the broker forgot them
            return;
        }
        const auto *ack = std::get_if<SubscribeAcknowledged>(&event);
        if (!ack)
            return;
        auto &list = m_entries[connection];
        const bool shown = connection == m_workbench.current();
        if (shown)
            beginResetModel();
        for (std::size_t i = 0; i < ack->subscriptions.size() && i < ack->reasons.size(); ++i) {
            auto it = std::find_if(list.begin(), list.end(),
                                   [&](const SubscriptionEntry &e) { return e.subscription.filter == ack->subscriptions[i].filter; });
            if (it == list.end()) // subscribed elsewhere (the demo, a script): list it too
                it = list.insert(list.end(), SubscriptionEntry{ack->subscriptions[i], nextColor(), std::nullopt});
            it->result = ack->reasons[i];
        }
        if (shown)
            endResetModel();
    });
}

QColor SubscriptionModel::nextColor()
{
    static const QColor kColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                     QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b)};
    return kColors[m_colors++ % 6];
}

void SubscriptionModel::sendAll(Connection *connection)
{
    auto &list = m_entries[connection];
    if (list.empty())
        return;
    std::vector<Subscription> subscriptions;
    for (SubscriptionEntry &e : list) {
        e.result.reset();
        subscriptions.push_back(e.subscription);
    }
    connection->subscribe(subscriptions);
}

Status SubscriptionModel::add(const Subscription &subscription)
{
    Connection *c = m_workbench.current();
    if (!c)
        return Problem{ProblemKind::InvalidInput, tr("Add a connection first (Ctrl+N), or run the demo (Ctrl+D).")};
    if (const Status problem = checkTopicFilter(subscription.filter); !problem)
        return problem;
    auto &list = m_entries[c];
    for (const SubscriptionEntry &e : list)
        if (e.subscription.filter == subscription.filter)
            return Problem{ProblemKind::InvalidInput, tr("'%1' is already subscribed on %2.").arg(subscription.filter, c->settings().name)};
    beginInsertRows({}, int(list.size()), int(list.size()));
    list.push_back(SubscriptionEntry{subscription, nextColor(), std::nullopt});
    endInsertRows();
    if (c->state() == ConnectionState::Connected)
        c->subscribe({subscription});
    emit subscriptionsChanged(c);
    return {};
}

void SubscriptionModel::restore(Connection *connection, const std::vector<Subscription> &subscriptions)
{
    const bool shown = connection == m_workbench.current();
    if (shown)
        beginResetModel();
    auto &list = m_entries[connection];
    for (const Subscription &s : subscriptions)
        list.push_back(SubscriptionEntry{s, nextColor(), std::nullopt});
    if (shown)
        endResetModel();
}

std::vector<Subscription> SubscriptionModel::subscriptions(Connection *connection) const
{
    std::vector<Subscription> list;
    for (const SubscriptionEntry &e : entries(connection))
        list.push_back(e.subscription);
    return list;
}

void SubscriptionModel::remove(int row)
{
    Connection *c = m_workbench.current();
    if (!c || row < 0 || row >= rowCount())
        return;
    auto &list = m_entries[c];
    const QString filter = list[std::size_t(row)].subscription.filter;
    beginRemoveRows({}, row, row);
    list.erase(list.begin() + row);
    endRemoveRows();
    if (c->state() == ConnectionState::Connected)
        c->unsubscribe({filter});
    emit subscriptionsChanged(c);
}

const std::vector<SubscriptionEntry> &SubscriptionModel::entries(Connection *connection) const
{
    static const std::vector<SubscriptionEntry> kNone;
    const auto it = m_entries.find(connection);
    return it == m_entries.end() ? kNone : it->second;
}

std::optional<QColor> SubscriptionModel::colorFor(Connection *connection, const QString &topic) const
{
    for (const SubscriptionEntry &e : entries(connection))
        if (topicMatches(e.subscription.filter, topic))
            return e.color;
    return std::nullopt;
}

int SubscriptionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(entries(m_workbench.current()).size());
}

QVariant SubscriptionModel::data(const QModelIndex &index, int role) const
{
    const auto &list = entries(m_workbench.current());
    if (!index.isValid() || index.row() >= int(list.size()))
        return {};
    const SubscriptionEntry &e = list[std::size_t(index.row())];
    if (role == ColorRole || (role == Qt::DecorationRole && index.column() == Filter))
        return e.color;
    if (role == Qt::ForegroundRole && index.column() == Granted && e.result && isFailure(*e.result))
        return problemColor();
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const SubscribeOptions &o = e.subscription.options;
    switch (index.column()) {
    case Filter: return e.subscription.filter;
    case Requested: {
        QString text = QStringLiteral("QoS %1").arg(qosValue(o.maximumQoS));
        if (o.noLocal)
            text += tr(", no local");
        if (o.retainAsPublished)
            text += tr(", retain as published");
        if (o.retainHandling != RetainHandling::SendAtSubscribe)
            text += tr(", retain handling %1").arg(int(o.retainHandling));
        return text;
    }
    case Granted:
        if (!e.result)
            return tr("waiting…");
        return isFailure(*e.result) ? reasonText(*e.result, PacketType::SubAck) : tr("QoS %1").arg(reasonValue(*e.result));
    default: return {};
    }
}

QVariant SubscriptionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"Filter", "Requested", "Granted"};
    return tr(kNames[section]);
}

} // namespace mqs
