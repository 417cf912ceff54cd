#include "capture_summary_view.h"

#include <QLabel>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace mqs {
namespace {

QString row(const QString &name, quint64 value)
{
    return QStringLiteral("<tr><td>%1</td><td align=right>%L2</td></tr>").arg(name.toHtmlEscaped()).arg(value);
}

QString list(const QString &heading, const QStringList &items)
{
    if (items.isEmpty())
        return {};
    QString html = QStringLiteral("<p><b>%1</b></p><ul>").arg(heading.toHtmlEscaped());
    for (const QString &item : items)
        html += QStringLiteral("<li>%1</li>").arg(item.toHtmlEscaped());
    return html + QStringLiteral("</ul>");
}

} // namespace

QString captureSummaryHtml(const CaptureSummary &s)
{
    QString html = QStringLiteral("<table cellspacing=0 cellpadding=2>");
    html += row(QObject::tr("Frames"), s.frames);
    html += row(QObject::tr("MQTT connections"), quint64(s.connections));
    for (int qos = 0; qos < 3; ++qos)
        html += row(QObject::tr("Messages at QoS %1").arg(qos), s.messages[std::size_t(qos)]);
    html += row(QObject::tr("Flows completed"), s.completed);
    html += row(QObject::tr("Flows failed"), s.failed);
    html += row(QObject::tr("Flows unfinished at the end"), s.unfinished);
    html += row(QObject::tr("Resends"), s.resends);
    html += row(QObject::tr("Violations"), s.violations);
    html += QStringLiteral("</table>");
    html += list(QObject::tr("Still open when the capture ends"), s.stalls);
    html += list(QObject::tr("Worth knowing"), s.notes);
    return html;
}

CaptureSummaryView::CaptureSummaryView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("captureSummary"));
    auto *layout = new QVBoxLayout(this);
    m_heading = new QLabel(tr("Open a capture with File ▸ Open capture…, or drop a .pcap or .pcapng file on the window."), this);
    m_heading->setWordWrap(true);
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_body = new QTextBrowser(this);
    m_body->setObjectName(QStringLiteral("captureSummaryText"));
    layout->addWidget(m_heading);
    layout->addWidget(m_body, 1);
}

void CaptureSummaryView::show(const CaptureSummary &summary)
{
    m_heading->setText(summary.cancelled ? tr("<b>%1</b> (cancelled: what was read so far)").arg(summary.source.toHtmlEscaped())
                                         : tr("<b>%1</b>").arg(summary.source.toHtmlEscaped()));
    m_body->setHtml(captureSummaryHtml(summary));
}

void CaptureSummaryView::showLoading(const QString &source, double fraction)
{
    m_heading->setText(tr("<b>%1</b>: reading, %2 %").arg(source.toHtmlEscaped()).arg(int(fraction * 100)));
}

QString CaptureSummaryView::text() const
{
    return m_heading->text() + QLatin1Char('\n') + m_body->toPlainText();
}

} // namespace mqs
