#pragma once
// The "decode as" rules as the decoder table edits them: topic filter → decoder (a Protobuf
// message type for Protobuf), first match wins. A rule whose filter is not a valid MQTT filter,
// or whose message type no loaded .proto file defines, is marked with the reason.

#include "payload/payload_decoding.h"

#include <QAbstractTableModel>
#include <QStringList>

#include <vector>

namespace mqs {

class DecoderRulesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Filter, Decoder, MessageType, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;
    void setRules(std::vector<DecodeRule> rules);
    const std::vector<DecodeRule> &rules() const { return m_rules; }
    // The message types the loaded .proto files define: a Protobuf rule must name one of them.
    void setMessageTypes(const QStringList &types);

    int addRule(const DecodeRule &rule); // the new row
    void removeRule(int row);
    // Moves the rule at `row` one place up (-1) or down (+1); its new row.
    int moveRule(int row, int delta);
    void setRule(int row, const DecodeRule &rule);

    // What is wrong with the rule at `row` (empty: nothing).
    QString problemAt(int row) const;
    // The first wrong rule's problem, with its row ("Rule 2: …"); empty when all are right.
    QString firstProblem() const;

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rules.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QString filterProblem(const DecodeRule &rule) const;
    QString messageTypeProblem(const DecodeRule &rule) const;

    std::vector<DecodeRule> m_rules;
    QStringList m_messageTypes;
};

} // namespace mqs
