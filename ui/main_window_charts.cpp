// The Charts and Search tabs of the main window: "Chart this" in the message view adds a series;
// a search hit opens its message in the Messages tab.
#include "main_window.h"

#include "chart_panel.h"
#include "messages_view.h"
#include "search_panel.h"

#include <QTabWidget>

namespace mqs {

void MainWindow::buildChartsAndSearch()
{
    m_charts = new ChartPanel(*m_workbench, this);
    m_search = new SearchPanel(*m_workbench, this);
    m_tabs->addTab(m_charts, tr("Charts"));
    m_tabs->addTab(m_search, tr("Search"));
    connect(m_messages, &MessagesView::chartRequested, this, [this](const QString &topic, const QString &path) {
        m_tabs->setCurrentWidget(m_charts);
        const Status added = m_charts->addField(topic, path); // a problem shows under the chart's path field
        (void)added;
    });
    connect(m_search, &SearchPanel::openMessage, this, [this](const QString &topic, quint64 serial) {
        m_tabs->setCurrentWidget(m_messages);
        m_messages->showStoredMessage(topic, serial);
    });
}

} // namespace mqs
