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

enum class Light { Green, Amber, Red, Grey };

QPixmap lightOf(Light which)
{
    static const QPixmap green = light(QColor(0x2e, 0xb8, 0x4a));
    static const QPixmap amber = light(QColor(0xe0, 0xa0, 0x10));
    static const QPixmap red = light(QColor(0xd0, 0x30, 0x30));
    static const QPixmap grey = light(QColor(0x90, 0x90, 0x90));
    switch (which) {
    case Light::Green: return green;
    case Light::Amber: return amber;
    case Light::Red: return red;
    case Light::Grey: break;
    }
    return grey;
}

QString deviceStateName(ProxyDeviceState state)
{
    switch (state) {
    case ProxyDeviceState::ConnectingUpstream: return QObject::tr("connecting to the broker");
    case ProxyDeviceState::Forwarding: return QObject::tr("forwarding");
    case ProxyDeviceState::Closed: return QObject::tr("closed");
    }
    return {};
}

// One row per device, by client id (by address before its CONNECT): its newest connection, so a
// device that reconnects keeps one row rather than adding one for each connection it made.
std::vector<ConnectionId> shownDevices(const Proxy &proxy)
{
    std::vector<ConnectionId> shown;
    QHash<QString, std::size_t> rowOf;
    for (const ProxyDevice &d : proxy.devices()) {
        const QString key = WindowProxy::deviceName(d);
        if (const auto row = rowOf.constFind(key); row != rowOf.constEnd()) {
            shown[*row] = d.connection;
        } else {
            rowOf.insert(key, shown.size());
            shown.push_back(d.connection);
        }
    }
    return shown;
}

// A device row's internal id: its proxy's row + 1 (0 marks a top-level row).
constexpr quintptr kTopLevel = 0;

} // namespace

ConnectionListModel::ConnectionListModel(Workbench &workbench, QObject *parent)
    : QAbstractItemModel(parent), m_workbench(workbench)
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
    connect(&workbench, &Workbench::proxyAdded, this, [this](WindowProxy *proxy) {
        const int row = proxyRow(proxy);
        beginInsertRows({}, row, row);
        m_devices[proxy] = {};
        endInsertRows();
        followDevices(proxy);
    });
    connect(&workbench, &Workbench::proxyRemoved, this, [this](WindowProxy *proxy) {
        beginResetModel();
        m_devices.erase(proxy);
        endResetModel();
    });
    connect(&workbench, &Workbench::proxyChanged, this, &ConnectionListModel::followDevices);
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

void ConnectionListModel::followDevices(WindowProxy *proxy)
{
    const QModelIndex parent = indexOf(proxy);
    if (!parent.isValid())
        return;
    std::vector<ConnectionId> &rows = m_devices[proxy];
    const std::vector<ConnectionId> now = shownDevices(proxy->proxy());
    for (int row = int(rows.size()) - 1; row >= 0; --row) // devices gone: their rows go
        if (std::find(now.begin(), now.end(), rows[std::size_t(row)]) == now.end()) {
            beginRemoveRows(parent, row, row);
            rows.erase(rows.begin() + row);
            endRemoveRows();
        }
    for (ConnectionId id : now) // devices new: rows at the end, in the order they came
        if (std::find(rows.begin(), rows.end(), id) == rows.end()) {
            beginInsertRows(parent, int(rows.size()), int(rows.size()));
            rows.push_back(id);
            endInsertRows();
        }
    emit dataChanged(parent, parent);
    if (!rows.empty())
        emit dataChanged(index(0, 0, parent), index(int(rows.size()) - 1, 0, parent));
}

int ConnectionListModel::proxyRow(const WindowProxy *proxy) const
{
    const auto &list = m_workbench.proxies();
    const auto it = std::find(list.begin(), list.end(), proxy);
    return it == list.end() ? -1 : int(m_workbench.connections().size()) + int(it - list.begin());
}

Connection *ConnectionListModel::connection(const QModelIndex &index) const
{
    const auto &list = m_workbench.connections();
    return index.isValid() && index.internalId() == kTopLevel && index.row() < int(list.size()) ? list[std::size_t(index.row())] : nullptr;
}

QModelIndex ConnectionListModel::indexOf(Connection *connection) const
{
    const auto &list = m_workbench.connections();
    const auto it = std::find(list.begin(), list.end(), connection);
    return it == list.end() ? QModelIndex() : index(int(it - list.begin()), 0);
}

WindowProxy *ConnectionListModel::proxy(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    const int row = index.internalId() == kTopLevel ? index.row() : int(index.internalId() - 1);
    const int position = row - int(m_workbench.connections().size());
    const auto &list = m_workbench.proxies();
    return position >= 0 && position < int(list.size()) ? list[std::size_t(position)] : nullptr;
}

QModelIndex ConnectionListModel::indexOf(WindowProxy *proxy) const
{
    const int row = proxyRow(proxy);
    return row < 0 || !m_devices.contains(proxy) ? QModelIndex() : index(row, 0);
}

std::optional<ConnectionId> ConnectionListModel::device(const QModelIndex &index) const
{
    WindowProxy *owner = index.isValid() && index.internalId() != kTopLevel ? proxy(index) : nullptr;
    const auto rows = owner ? m_devices.find(owner) : m_devices.end();
    if (rows == m_devices.end() || index.row() >= int(rows->second.size()))
        return std::nullopt;
    return rows->second[std::size_t(index.row())];
}

QModelIndex ConnectionListModel::indexOfDevice(WindowProxy *proxy, ConnectionId device) const
{
    const auto rows = m_devices.find(proxy);
    if (rows == m_devices.end())
        return {};
    const auto it = std::find(rows->second.begin(), rows->second.end(), device);
    return it == rows->second.end() ? QModelIndex() : index(int(it - rows->second.begin()), 0, indexOf(proxy));
}

QModelIndex ConnectionListModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0 || row >= rowCount(parent))
        return {};
    return createIndex(row, column, parent.isValid() ? quintptr(parent.row() + 1) : kTopLevel);
}

QModelIndex ConnectionListModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kTopLevel);
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_workbench.connections().size() + m_devices.size());
    if (parent.internalId() != kTopLevel)
        return 0;
    const auto rows = m_devices.find(proxy(parent));
    return rows == m_devices.end() ? 0 : int(rows->second.size());
}

int ConnectionListModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (Connection *c = connection(index))
        return connectionData(c, role);
    WindowProxy *owner = proxy(index);
    if (!owner)
        return {};
    if (const auto d = device(index))
        return deviceData(owner, *d, role);
    return proxyData(owner, role);
}

QVariant ConnectionListModel::connectionData(Connection *c, int role) const
{
    const ConnectionState state = c->state();
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1\n%2 · %3").arg(c->settings().name, c->settings().url.toString(), connectionStateName(state));
    case Qt::DecorationRole:
        if (state == ConnectionState::Connected)
            return lightOf(Light::Green);
        if (state == ConnectionState::Connecting || state == ConnectionState::WaitingToReconnect)
            return lightOf(Light::Amber);
        return lightOf(c->lastError().isEmpty() ? Light::Grey : Light::Red);
    case Qt::ToolTipRole: {
        QString tip = c->lastProblem() ? withWindowAdvice(*c->lastProblem()) : c->peerDescription();
        if (c->settings().announcesMaximumPacketSize())
            tip += tr("\nMaximum Packet Size %L1 bytes announced: the broker drops larger messages for this "
                      "connection without notice [MQTT-3.1.2-25].").arg(c->settings().session.maximumPacketSize);
        return tip;
    }
    default:
        return {};
    }
}

QVariant ConnectionListModel::proxyData(WindowProxy *p, int role) const
{
    const ProxySettings &s = p->profile().settings;
    const bool running = p->isRunning();
    switch (role) {
    case Qt::DisplayRole: {
        // an mqtt:// broker by its address alone, so the line fits the dock
        const QString upstream = s.upstream.scheme == Scheme::Mqtt ? s.upstream.hostAndPort() : s.upstream.toString();
        return tr("%1\nproxy %2 → %3\n%4").arg(p->name(), listenAddressText(s), upstream, p->stateText());
    }
    case Qt::DecorationRole:
        return lightOf(running ? Light::Green : p->lastProblem().isEmpty() ? Light::Grey : Light::Red);
    case Qt::ToolTipRole:
        return p->lastProblem().isEmpty()
            ? tr("Devices connect to %1 instead of the broker; each gets its own connection to %2.")
                  .arg(listenAddressText(s), s.upstream.toString())
            : p->lastProblem();
    default:
        return {};
    }
}

QVariant ConnectionListModel::deviceData(WindowProxy *p, ConnectionId id, int role) const
{
    const auto d = p->device(id);
    if (!d)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1\n%2 · %3 · %L4 ↑ %L5 ↓")
            .arg(WindowProxy::deviceName(*d), d->address, deviceStateName(d->state))
            .arg(d->packetsToBroker)
            .arg(d->packetsToDevice);
    case Qt::DecorationRole:
        return lightOf(d->state == ProxyDeviceState::Forwarding ? Light::Green
                       : d->state == ProxyDeviceState::ConnectingUpstream ? Light::Amber
                                                                          : Light::Grey);
    case Qt::ToolTipRole:
        return tr("A device through proxy %1: ↑ packets toward the broker, ↓ toward the device.").arg(p->name());
    default:
        return {};
    }
}

} // namespace mqs
