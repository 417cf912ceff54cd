#include "reading_generator_form.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mqs {
namespace {
constexpr int kMostReadings = 10'000'000;
constexpr int kLongestIntervalMs = 3'600'000; // an hour between readings
} // namespace

ReadingGeneratorForm::ReadingGeneratorForm(QWidget *parent)
    : QWidget(parent)
{
    m_count = new QSpinBox(this);
    m_count->setObjectName(QStringLiteral("generatorCount"));
    m_count->setRange(1, kMostReadings);
    m_count->setValue(10);
    m_count->setPrefix(tr("× "));
    m_interval = new QSpinBox(this);
    m_interval->setObjectName(QStringLiteral("generatorInterval"));
    m_interval->setRange(0, kLongestIntervalMs);
    m_interval->setValue(1000);
    m_interval->setSuffix(tr(" ms"));
    m_interval->setSpecialValueText(tr("no pause"));
    m_start = new QPushButton(tr("Start"), this);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setValue(0);
    m_rate = new QLabel(this);
    m_rate->setWordWrap(true);
    m_audit = new QLabel(this);
    m_audit->setObjectName(QStringLiteral("generatorAudit"));
    m_audit->setWordWrap(true);
    m_audit->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_audit->hide();

    auto *box = new QGroupBox(tr("Test readings"), this);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(box);
    auto *layout = new QVBoxLayout(box);
    auto *plan = new QHBoxLayout;
    plan->addWidget(m_count);
    plan->addWidget(new QLabel(tr("every"), box));
    plan->addWidget(m_interval, 1);
    layout->addLayout(plan);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_progress, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_rate);
    layout->addWidget(m_audit);
    connect(m_start, &QPushButton::clicked, this, &ReadingGeneratorForm::startClicked);
    connect(m_stop, &QPushButton::clicked, this, &ReadingGeneratorForm::stopClicked);
    connect(m_count, &QSpinBox::valueChanged, this, &ReadingGeneratorForm::planEdited);
    connect(m_interval, &QSpinBox::valueChanged, this, &ReadingGeneratorForm::planEdited);
}

int ReadingGeneratorForm::count() const
{
    return m_count->value();
}

int ReadingGeneratorForm::intervalMs() const
{
    return m_interval->value();
}

void ReadingGeneratorForm::setPlan(int count, int intervalMs)
{
    m_count->setValue(count);
    m_interval->setValue(intervalMs);
}

void ReadingGeneratorForm::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
}

void ReadingGeneratorForm::showProgress(int done, int target)
{
    m_progress->setRange(0, target);
    m_progress->setValue(done);
}

void ReadingGeneratorForm::showRunText(const QString &text)
{
    m_rate->setText(text);
}

QString ReadingGeneratorForm::runText() const
{
    return m_rate->text();
}

void ReadingGeneratorForm::showAuditText(const QString &text)
{
    m_audit->setText(text);
    m_audit->setVisible(!text.isEmpty());
}

QString ReadingGeneratorForm::auditText() const
{
    return m_audit->text();
}

} // namespace mqs
