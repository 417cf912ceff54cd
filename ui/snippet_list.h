#pragma once
// Saved messages ("snippets"): a named copy of the message form's fields, kept in the Settings,
// that can be used again, renamed in place, reordered and deleted.

#include "settings.h"

#include <QStandardItemModel>
#include <QWidget>

#include <functional>

class QListView;

namespace mqs {

class SnippetList : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnippetList)
public:
    // `current` gives the fields to save when the user saves a snippet.
    SnippetList(Settings &settings, std::function<QVariantMap()> current, QWidget *parent = nullptr);

    QStandardItemModel &model() { return m_snippets; }

signals:
    void chosen(const QVariantMap &fields);

private:
    void saveCurrent();
    void useSelected();
    void move(int by);
    void save();
    void load();

    Settings &m_settings;
    std::function<QVariantMap()> m_current;
    QStandardItemModel m_snippets;
    QListView *m_list = nullptr;
};

} // namespace mqs
