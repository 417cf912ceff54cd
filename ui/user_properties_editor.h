#pragma once
// MQTT 5.0 user properties (name/value pairs, in order, names may repeat) as a table model and
// the small editor over it that the connection dialog (CONNECT) and the publish panel share.

#include "protocol/properties.h"

#include <QAbstractTableModel>
#include <QWidget>

class QTableView;

namespace mqs {

class UserPropertiesModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UserPropertiesModel)
public:
    enum Column { Name, Value, ColumnCount };

    explicit UserPropertiesModel(QObject *parent = nullptr) : QAbstractTableModel(parent) {}

    void setPairs(const Properties &properties);
    // Adds the pairs with a name to `properties`, in order.
    void addTo(Properties &properties) const;
    void appendEmpty();
    void removeAt(int row);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<std::pair<QString, QString>> m_pairs;
};

class UserPropertiesEditor : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UserPropertiesEditor)
public:
    explicit UserPropertiesEditor(QWidget *parent = nullptr);

    UserPropertiesModel &model() { return m_model; }
    const UserPropertiesModel &model() const { return m_model; }

private:
    UserPropertiesModel m_model;
    QTableView *m_view = nullptr;
};

} // namespace mqs
