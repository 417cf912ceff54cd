#include "trace_memory.h"

#include "theme.h"

#include <QHBoxLayout>
#include <QLocale>
#include <QPushButton>

namespace mqs {

QString mebibytes(qint64 bytes)
{
    constexpr double kMiB = 1024.0 * 1024.0;
    const double value = double(bytes) / kMiB;
    return QStringLiteral("%1 MiB").arg(value, 0, 'f', value < 10 ? 1 : 0);
}

TraceMemoryLabel::TraceMemoryLabel(QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("traceMemory"));
}

void TraceMemoryLabel::update(const TraceLog &log)
{
    QString text = tr("trace %1 of %2").arg(mebibytes(log.memoryBytes()), mebibytes(log.memoryLimit()));
    const quint64 dropped = log.evictedEvents();
    if (dropped > 0)
        text += tr(", %L1 oldest events dropped").arg(dropped);
    setText(text);
    setStyleSheet(dropped > 0 ? QStringLiteral("color: %1;").arg(warningColor().name()) : QString());
    setToolTip(tr("The trace keeps every packet in memory up to its limit (File ▸ Trace memory limit…); past it, "
                  "the oldest events are dropped and the diagram marks where they were. Save the trace (File ▸ "
                  "Export trace) to keep all of it."));
}

TraceFullBar::TraceFullBar(QWidget *parent)
    : QFrame(parent), m_text(new QLabel(this))
{
    setObjectName(QStringLiteral("traceFullBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setWordWrap(true);
    auto *save = new QPushButton(tr("&Save trace…"), this);
    save->setObjectName(QStringLiteral("saveTrace"));
    auto *raise = new QPushButton(tr("Raise the &limit…"), this);
    auto *dismiss = new QPushButton(tr("Dismiss"), this);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_text, 1);
    layout->addWidget(save);
    layout->addWidget(raise);
    layout->addWidget(dismiss);
    connect(save, &QPushButton::clicked, this, &TraceFullBar::saveRequested);
    connect(raise, &QPushButton::clicked, this, &TraceFullBar::raiseLimitRequested);
    connect(dismiss, &QPushButton::clicked, this, &QWidget::hide);
    hide();
}

void TraceFullBar::update(const TraceLog &log)
{
    const bool nearlyFull = double(log.memoryBytes()) >= kOfferAt * double(log.memoryLimit());
    if (!nearlyFull || log.evictedEvents() > 0) {
        if (log.evictedEvents() > 0)
            hide(); // too late to save all of it; the status bar and the diagram say what went
        return;
    }
    if (m_offeredForLimit == log.memoryLimit())
        return;
    m_offeredForLimit = log.memoryLimit();
    m_text->setText(tr("<b>The trace is nearly full</b> (%1 of %2). When it is full, its oldest packets are dropped "
                       "to make room. Save it now to keep all of it, or raise the limit.")
                        .arg(mebibytes(log.memoryBytes()), mebibytes(log.memoryLimit())));
    show();
}

} // namespace mqs
