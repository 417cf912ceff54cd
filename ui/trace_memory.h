#pragma once
// What the user sees of the trace's memory bound: a status-bar label (used of limit, events
// dropped) and, once the trace is nearly full and before anything is dropped, a bar offering to
// save it or raise the limit.

#include "trace/trace_log.h"

#include <QFrame>
#include <QLabel>

namespace mqs {

class TraceMemoryLabel : public QLabel
{
    Q_OBJECT
public:
    explicit TraceMemoryLabel(QWidget *parent = nullptr);
    void update(const TraceLog &log);
};

class TraceFullBar : public QFrame
{
    Q_OBJECT
public:
    // The bar appears when the trace passes this share of its limit, once per limit.
    static constexpr double kOfferAt = 0.8;

    explicit TraceFullBar(QWidget *parent = nullptr);
    // Shows the offer when the trace is nearly full and nothing has been dropped yet.
    void update(const TraceLog &log);

signals:
    void saveRequested();
    void raiseLimitRequested();

private:
    QLabel *m_text;
    qint64 m_offeredForLimit = 0; // the limit the offer was made (or dismissed) for
};

QString mebibytes(qint64 bytes);

} // namespace mqs
