#pragma once
// The search's hits as a table (time, topic, match), and a delegate that marks the matched part
// of each excerpt.

#include "message_search.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

namespace mqs {

class SearchResultsModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SearchResultsModel)
public:
    enum Column { Time, Topic, Match, ColumnCount };
    enum Role { MatchStartRole = Qt::UserRole + 1, MatchLengthRole };

    using QAbstractTableModel::QAbstractTableModel;
    void setHits(std::vector<SearchHit> hits);
    // A chunk of a search still running, after the rows there are.
    void appendHits(const std::vector<SearchHit> &hits);
    const std::vector<SearchHit> &hits() const { return m_hits; }
    const SearchHit *hit(int row) const { return row >= 0 && row < int(m_hits.size()) ? &m_hits[std::size_t(row)] : nullptr; }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_hits.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<SearchHit> m_hits;
};

// Paints the Match column with the matched characters on the highlight colour.
class MatchHighlightDelegate : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MatchHighlightDelegate)
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace mqs
