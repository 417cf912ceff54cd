#pragma once
// The app's connections, each with a status light.

#include "workbench.h"

#include <QAbstractListModel>

namespace mqs {

class ConnectionListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionListModel)
public:
    explicit ConnectionListModel(Workbench &workbench, QObject *parent = nullptr);
    Connection *connection(const QModelIndex &index) const;
    QModelIndex indexOf(Connection *connection) const;
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

private:
    void watch(Connection *connection);
    Workbench &m_workbench;
};

} // namespace mqs
