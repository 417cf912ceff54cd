#pragma once
// A Sparkplug B payload's metrics as a table: name (resolved by alias from the edge node's or
// device's last BIRTH when the DATA message carries only the alias), alias, datatype, value and
// timestamp. A Template is followed by its parameters ("Motor1 ▸ parameter rpmLimit"), then its
// members, named by path ("Motor1/Speed"), indented. Read from the decoded tree
// (decodeSparkplugPayload's: field names as in sparkplug_b.proto, the value oneof as one "value",
// the datatype by name).

#include "payload/sparkplug.h"

#include <QAbstractTableModel>
#include <QCborValue>
#include <QHash>

#include <optional>
#include <vector>

namespace mqs {

// The BIRTH topic whose metrics name the aliases a message on `topic` uses (NBIRTH for node
// messages, DBIRTH for device ones); empty when `topic` is not Sparkplug.
QString sparkplugBirthTopic(const QString &topic);
// What a BIRTH says of the metrics DATA messages send by alias only: alias → name (a Template
// member's is its path, "Motor1/Speed"), and each name's datatype.
struct SparkplugBirthNames {
    QHash<quint64, QString> byAlias;
    QHash<QString, QString> datatypes;
};
SparkplugBirthNames sparkplugAliases(const QCborValue &birth);
// How a Template's parameter is named in the table: "Motor1 ▸ parameter rpmLimit", apart from
// the members' paths ("Motor1/Speed"), which are metric names.
QString sparkplugParameterName(const QString &templatePath, const QString &parameter);

class SparkplugMetricsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Alias, Datatype, Value, Timestamp, ColumnCount };
    struct Metric {
        QString name;
        bool nameFromBirth = false;
        std::optional<quint64> alias;
        QString datatype;
        QString value;
        QString timestamp;
        int depth = 0; // a Template's member: 1, its members' members: 2
        QString chartPath{}; // the JSON path a chart reads the value by
        bool numeric = false; // a chart can draw it: not a Template, text or bytes
        bool parameter = false; // a Template's parameter, not a metric
    };

    using QAbstractTableModel::QAbstractTableModel;
    // The metrics of `payload` (a decoded Sparkplug payload); `aliases` names those sent by alias only.
    void setPayload(const QCborValue &payload, const SparkplugBirthNames &aliases = {});
    const std::vector<Metric> &metrics() const { return m_metrics; }
    const Metric *metric(int row) const { return row >= 0 && row < int(m_metrics.size()) ? &m_metrics[std::size_t(row)] : nullptr; }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_metrics.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    // The rows of a Template's parameters, after its own.
    void addParameters(const SparkplugMetricEntry &templateEntry);

    std::vector<Metric> m_metrics;
};

} // namespace mqs
