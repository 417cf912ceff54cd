#include "probe_check_model.h"

#include "theme.h"

#include <QBrush>
#include <QJsonArray>
#include <QJsonObject>
#include <QPalette>

namespace mqs {
namespace {

QColor verdictColor(ProbeVerdict verdict)
{
    switch (verdict) {
    case ProbeVerdict::Conforms: return successColor();
    case ProbeVerdict::Deviates: return problemColor();
    case ProbeVerdict::Inconclusive: return warningColor();
    case ProbeVerdict::NotSupported: return QPalette().color(QPalette::Disabled, QPalette::Text);
    }
    return {};
}

QString evidenceSentence(const ProbeCheck &check)
{
    if (check.verdict == ProbeVerdict::Conforms)
        return check.description;
    return check.why;
}

} // namespace

ProbeCheckModel::ProbeCheckModel(QObject *parent) : QAbstractTableModel(parent) {}

void ProbeCheckModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void ProbeCheckModel::add(Row row)
{
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.push_back(std::move(row));
    endInsertRows();
}

std::vector<ProbeCheck> ProbeCheckModel::checks() const
{
    std::vector<ProbeCheck> checks;
    checks.reserve(m_rows.size());
    for (const Row &row : m_rows)
        checks.push_back(row.check);
    return checks;
}

int ProbeCheckModel::count(ProbeVerdict verdict) const
{
    return int(std::count_if(m_rows.begin(), m_rows.end(), [verdict](const Row &r) { return r.check.verdict == verdict; }));
}

QJsonDocument ProbeCheckModel::report(const QString &brokerUrl, ProtocolVersion version) const
{
    QJsonArray checks;
    for (const Row &r : m_rows)
        checks.append(QJsonObject{{QStringLiteral("id"), r.check.id},
                                  {QStringLiteral("name"), r.check.name},
                                  {QStringLiteral("verdict"), probeVerdictName(r.check.verdict)},
                                  {QStringLiteral("spec"), r.check.spec},
                                  {QStringLiteral("why"), r.check.why},
                                  {QStringLiteral("evidence"), QJsonArray::fromStringList(r.check.evidence)}});
    return QJsonDocument(QJsonObject{{QStringLiteral("broker"), brokerUrl},
                                     {QStringLiteral("version"), versionName(version)},
                                     {QStringLiteral("checks"), checks}});
}

int ProbeCheckModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ProbeCheckModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProbeCheckModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const ProbeCheck &check = m_rows[std::size_t(index.row())].check;
    if (role == Qt::ForegroundRole && index.column() == Verdict)
        return QBrush(verdictColor(check.verdict));
    if (role == Qt::ToolTipRole && index.column() == Evidence)
        return check.evidence.isEmpty() ? evidenceSentence(check) : evidenceSentence(check) + QLatin1Char('\n') + check.evidence.join(QLatin1Char('\n'));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Verdict: return probeVerdictName(check.verdict);
    case Check: return check.name.isEmpty() ? check.id : check.name;
    case Rule: return check.spec;
    case Evidence: return evidenceSentence(check);
    case ColumnCount: break;
    }
    return {};
}

QVariant ProbeCheckModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Verdict: return tr("Verdict");
    case Check: return tr("Check");
    case Rule: return tr("Rule");
    case Evidence: return tr("Evidence");
    case ColumnCount: break;
    }
    return {};
}

} // namespace mqs
