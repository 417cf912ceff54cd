#pragma once
// The Capture tab: what a capture held, in numbers (connections, messages per QoS, completed,
// failed and unfinished flows, resends, violations), then each flow still open at its end as a
// stall sentence, then what a reader should know (mid-session, encrypted, gaps, cut frames).

#include "capture_trace.h"

#include <QWidget>

class QLabel;
class QTextBrowser;

namespace mqs {

class CaptureSummaryView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureSummaryView)
public:
    explicit CaptureSummaryView(QWidget *parent = nullptr);
    void show(const CaptureSummary &summary);
    void showLoading(const QString &source, double fraction);
    QString text() const;

private:
    QLabel *m_heading = nullptr;
    QTextBrowser *m_body = nullptr;
};

// The summary as HTML, for the tab and for tests that read it.
QString captureSummaryHtml(const CaptureSummary &summary);

} // namespace mqs
