#include "connection_list_model.h"

#include "window_wording.h"

#include <QColor>
#include <QPainter>
#include <QPixmap>

namespace mqs {
namespace {

QPixmap light(const QColor &color)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(color);
    p.setPen(color.darker(140));
    p.drawEllipse(1, 1, 12, 12);
    return pixmap;
}

} // namespace

ConnectionListModel::ConnectionListModel(Workbench &workbench, QObject *parent)
    : QAbstractListModel(parent), m_workbench(workbench)
{
    for (Connection *c : workbench.connections())
        watch(c);
    connect(&workbench, &Workbench::connectionAdded, this, [this](Connection *c) {
        beginResetModel();
        endResetModel();
        watch(c);
    });
    connect(&workbench, &Workbench::connectionRemoved, this, [this] {
        beginResetModel();
        endResetModel();
    });
}

void ConnectionListModel::watch(Connection *connection)
{
    auto changed = [this, connection] {
        const QModelIndex i = indexOf(connection);
        if (i.isValid())
            emit dataChanged(i, i);
    };
    connect(connection, &Connection::stateChanged, this, changed);
    connect(connection, &Connection::errorOccurred, this, changed);
}

Connection *ConnectionListModel::connection(const QModelIndex &index) const
{
    const auto &list = m_workbench.connections();
    return index.isValid() && index.row() < int(list.size()) ? list[std::size_t(index.row())] : nullptr;
}

QModelIndex ConnectionListModel::indexOf(Connection *connection) const
{
    const auto &list = m_workbench.connections();
    const auto it = std::find(list.begin(), list.end(), connection);
    return it == list.end() ? QModelIndex() : index(int(it - list.begin()));
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_workbench.connections().size());
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    Connection *c = connection(index);
    if (!c)
        return {};
    const ConnectionState state = c->state();
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1\n%2 · %3").arg(c->settings().name, c->settings().url.toString(), connectionStateName(state));
    case Qt::DecorationRole: {
        static const QPixmap green = light(QColor(0x2e, 0xb8, 0x4a));
        static const QPixmap amber = light(QColor(0xe0, 0xa0, 0x10));
        static const QPixmap red = light(QColor(0xd0, 0x30, 0x30));
        static const QPixmap grey = light(QColor(0x90, 0x90, 0x90));
        if (state == ConnectionState::Connected)
            return green;
        if (state == ConnectionState::Connecting || state == ConnectionState::WaitingToReconnect)
            return amber;
        return c->lastError().isEmpty() ? grey : red;
    }
    case Qt::ToolTipRole: {
        QString tip = c->lastError().isEmpty() ? c->peerDescription() : inWindowTerms(c->lastError());
        if (c->settings().announcesMaximumPacketSize())
            tip += tr("\nMaximum Packet Size %L1 bytes announced: the broker drops larger messages for this "
                      "connection without notice [MQTT-3.1.2-25].").arg(c->settings().session.maximumPacketSize);
        return tip;
    }
    default:
        return {};
    }
}

} // namespace mqs
