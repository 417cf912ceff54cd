#include "decoder_rules_model.h"

#include "decoded_payload_view.h"
#include "theme.h"

#include "protocol/topic.h"

#include <QBrush>

namespace mqs {

void DecoderRulesModel::setRules(std::vector<DecodeRule> rules)
{
    beginResetModel();
    m_rules = std::move(rules);
    endResetModel();
}

void DecoderRulesModel::setMessageTypes(const QStringList &types)
{
    m_messageTypes = types;
    if (!m_rules.empty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int DecoderRulesModel::addRule(const DecodeRule &rule)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rules.push_back(rule);
    endInsertRows();
    return row;
}

void DecoderRulesModel::removeRule(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    m_rules.erase(m_rules.begin() + row);
    endRemoveRows();
}

int DecoderRulesModel::moveRule(int row, int delta)
{
    const int to = row + delta;
    if (row < 0 || row >= rowCount() || to < 0 || to >= rowCount())
        return row;
    // beginMoveRows names the row the moved one goes before: one further when moving down.
    beginMoveRows({}, row, row, {}, delta > 0 ? to + 1 : to);
    std::swap(m_rules[std::size_t(row)], m_rules[std::size_t(to)]);
    endMoveRows();
    return to;
}

void DecoderRulesModel::setRule(int row, const DecodeRule &rule)
{
    if (row < 0 || row >= rowCount() || m_rules[std::size_t(row)] == rule)
        return;
    m_rules[std::size_t(row)] = rule;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

QString DecoderRulesModel::filterProblem(const DecodeRule &rule) const
{
    if (rule.topicFilter.isEmpty())
        return tr("Enter a topic filter, e.g. factory/+/reading or spBv1.0/#.");
    const Status valid = checkTopicFilter(rule.topicFilter);
    return valid ? QString() : valid.sentence();
}

QString DecoderRulesModel::messageTypeProblem(const DecodeRule &rule) const
{
    if (rule.decoder.kind != DecoderKind::Protobuf)
        return {};
    if (rule.decoder.messageType.isEmpty())
        return tr("Choose the Protobuf message type (add the .proto file that defines it below).");
    if (!m_messageTypes.contains(rule.decoder.messageType))
        return tr("No loaded .proto file defines %1.").arg(rule.decoder.messageType);
    return {};
}

QString DecoderRulesModel::problemAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    const DecodeRule &rule = m_rules[std::size_t(row)];
    const QString filter = filterProblem(rule);
    return filter.isEmpty() ? messageTypeProblem(rule) : filter;
}

QString DecoderRulesModel::firstProblem() const
{
    for (int row = 0; row < rowCount(); ++row)
        if (const QString problem = problemAt(row); !problem.isEmpty())
            return tr("Rule %1: %2").arg(row + 1).arg(problem);
    return {};
}

QVariant DecoderRulesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const DecodeRule &rule = m_rules[std::size_t(index.row())];
    const QString problem = index.column() == Filter ? filterProblem(rule) : index.column() == MessageType ? messageTypeProblem(rule) : QString();
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Filter: return rule.topicFilter;
        case Decoder: return decoderTitle({rule.decoder.kind, {}}).trimmed();
        case MessageType: return rule.decoder.messageType;
        case ColumnCount: break;
        }
        return {};
    case Qt::ToolTipRole: return problem.isEmpty() ? QVariant() : problem;
    case Qt::ForegroundRole: return problem.isEmpty() ? QVariant() : QBrush(problemColor());
    default: return {};
    }
}

QVariant DecoderRulesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1; // the order is the meaning: the first matching rule wins
    static const char *const kTitles[] = {"Topic filter", "Decoder", "Protobuf message type"};
    return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
}

} // namespace mqs
