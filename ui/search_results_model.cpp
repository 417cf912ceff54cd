#include "search_results_model.h"

#include <QApplication>
#include <QDateTime>
#include <QPainter>

namespace mqs {

void SearchResultsModel::setHits(std::vector<SearchHit> hits)
{
    beginResetModel();
    m_hits = std::move(hits);
    endResetModel();
}

void SearchResultsModel::appendHits(const std::vector<SearchHit> &hits)
{
    if (hits.empty())
        return;
    beginInsertRows({}, int(m_hits.size()), int(m_hits.size() + hits.size()) - 1);
    m_hits.insert(m_hits.end(), hits.begin(), hits.end());
    endInsertRows();
}

QVariant SearchResultsModel::data(const QModelIndex &index, int role) const
{
    const SearchHit *h = hit(index.row());
    if (!h)
        return {};
    if (role == MatchStartRole)
        return qlonglong(h->matchStart);
    if (role == MatchLengthRole)
        return qlonglong(h->matchLength);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time: return QDateTime::fromMSecsSinceEpoch(h->timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    case Topic: return h->topic;
    case Match: return h->excerpt;
    case ColumnCount: break;
    }
    return {};
}

QVariant SearchResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time: return tr("Time");
    case Topic: return tr("Topic");
    case Match: return tr("Match");
    case ColumnCount: break;
    }
    return {};
}

void MatchHighlightDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem item = option;
    initStyleOption(&item, index);
    const QString text = item.text;
    item.text.clear();
    QStyle *style = item.widget ? item.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &item, painter, item.widget); // background and focus
    const qsizetype start = index.data(SearchResultsModel::MatchStartRole).toLongLong();
    const qsizetype length = index.data(SearchResultsModel::MatchLengthRole).toLongLong();
    const QRect area = style->subElementRect(QStyle::SE_ItemViewItemText, &item, item.widget)
                           .adjusted(item.fontMetrics.averageCharWidth() / 2, 0, 0, 0);
    const QString before = text.left(start);
    const QString matched = text.mid(start, length);
    const QFontMetrics &metrics = item.fontMetrics;
    painter->save();
    painter->setClipRect(area);
    const bool selected = item.state & QStyle::State_Selected;
    const QColor ink = item.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const int x0 = area.left();
    const int xMatch = x0 + metrics.horizontalAdvance(before);
    QFont bold = item.font;
    bold.setBold(true);
    const int matchWidth = QFontMetrics(bold).horizontalAdvance(matched);
    // The match on the palette's link colour, boxed: visible on a selected row too.
    painter->fillRect(QRect(xMatch, area.top() + 1, matchWidth, area.height() - 2),
                      selected ? item.palette.color(QPalette::HighlightedText) : item.palette.color(QPalette::Highlight));
    painter->setPen(ink);
    painter->drawText(QRect(x0, area.top(), xMatch - x0, area.height()), Qt::AlignVCenter | Qt::AlignLeft, before);
    painter->setPen(item.palette.color(selected ? QPalette::Highlight : QPalette::HighlightedText));
    painter->setFont(bold);
    painter->drawText(QRect(xMatch, area.top(), matchWidth + metrics.averageCharWidth(), area.height()), Qt::AlignVCenter | Qt::AlignLeft, matched);
    painter->setFont(item.font);
    painter->setPen(ink);
    painter->drawText(QRect(xMatch + QFontMetrics(bold).horizontalAdvance(matched), area.top(), area.width(), area.height()),
                      Qt::AlignVCenter | Qt::AlignLeft, text.mid(start + length));
    painter->restore();
}

} // namespace mqs
