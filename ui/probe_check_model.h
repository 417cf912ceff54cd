#pragma once
// The probe dialog's table: one row per check run, its verdict coloured by meaning, the rule a
// deviation broke and the sentence that is its evidence; and the report saved as JSON (the shape
// of `mqttscope-cli probe --json`).

#include "scenario/probe.h"

#include <QAbstractTableModel>
#include <QJsonDocument>

namespace mqs {

class ProbeCheckModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProbeCheckModel)
public:
    enum Column { Verdict, Check, Rule, Evidence, ColumnCount };

    // A check, with the trace events it ran between (its packets in the window's trace).
    struct Row {
        ProbeCheck check;
        quint64 firstEvent = 0;
        quint64 endEvent = 0;
    };

    explicit ProbeCheckModel(QObject *parent = nullptr);

    void clear();
    void add(Row row);
    const Row &row(int r) const { return m_rows.at(std::size_t(r)); }
    int count(ProbeVerdict verdict) const;
    std::vector<ProbeCheck> checks() const; // in the order they ran, for the HTML report

    // {"broker", "version", "checks": [{id, name, verdict, spec, why, evidence}]}
    QJsonDocument report(const QString &brokerUrl, ProtocolVersion version) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<Row> m_rows;
};

} // namespace mqs
