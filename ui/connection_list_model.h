#pragma once
// The app's connections, each with a status light, then its proxies, each with its devices
// beneath it (a tree of two levels).

#include "workbench.h"

#include <QAbstractItemModel>

#include <map>

namespace mqs {

class ConnectionListModel : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionListModel)
public:
    explicit ConnectionListModel(Workbench &workbench, QObject *parent = nullptr);
    Connection *connection(const QModelIndex &index) const;
    QModelIndex indexOf(Connection *connection) const;
    // The proxy of a proxy's row or of one of its devices' rows.
    WindowProxy *proxy(const QModelIndex &index) const;
    QModelIndex indexOf(WindowProxy *proxy) const;
    // The device of a device's row (its trace connection), or nothing.
    std::optional<ConnectionId> device(const QModelIndex &index) const;
    QModelIndex indexOfDevice(WindowProxy *proxy, ConnectionId device) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    void watch(Connection *connection);
    // The proxy's devices as the rows beneath it show them: rows go and come to match.
    void followDevices(WindowProxy *proxy);
    int proxyRow(const WindowProxy *proxy) const;
    QVariant connectionData(Connection *c, int role) const;
    QVariant proxyData(WindowProxy *proxy, int role) const;
    QVariant deviceData(WindowProxy *proxy, ConnectionId device, int role) const;

    Workbench &m_workbench;
    std::map<const WindowProxy *, std::vector<ConnectionId>> m_devices; // the rows beneath each proxy
};

} // namespace mqs
