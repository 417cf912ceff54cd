#include "subscribe_form.h"

#include "subscription_model.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace mqs {

SubscribeForm::SubscribeForm(SubscriptionModel &subscriptions, QWidget *parent)
    : QWidget(parent), m_subscriptions(subscriptions)
{
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("subscribeFilter"));
    m_filter->setPlaceholderText(tr("Topic filter, e.g. sensors/#"));
    m_qos = new QComboBox(this);
    m_qos->addItems({QStringLiteral("QoS 0"), QStringLiteral("QoS 1"), QStringLiteral("QoS 2")});
    m_qos->setCurrentIndex(2);
    m_noLocal = new QCheckBox(tr("No local"), this);
    m_noLocal->setToolTip(tr("MQTT 5.0: the broker does not send back what this connection publishes."));
    m_retainAsPublished = new QCheckBox(tr("Retain as published"), this);
    m_retainAsPublished->setToolTip(tr("MQTT 5.0: messages keep the retain flag they were published with."));
    m_retainHandling = new QComboBox(this);
    m_retainHandling->addItems({tr("Retained: send"), tr("Retained: if new"), tr("Retained: never")});
    auto *subscribeButton = new QPushButton(tr("&Subscribe"), this);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *row1 = new QHBoxLayout;
    row1->addWidget(m_filter, 1);
    row1->addWidget(m_qos);
    layout->addLayout(row1);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(m_noLocal);
    row2->addWidget(m_retainAsPublished);
    layout->addLayout(row2);
    auto *row3 = new QHBoxLayout;
    row3->addWidget(m_retainHandling, 1);
    row3->addWidget(subscribeButton);
    layout->addLayout(row3);
    layout->addWidget(m_problem);
    connect(subscribeButton, &QPushButton::clicked, this, &SubscribeForm::subscribe);
    connect(m_filter, &QLineEdit::returnPressed, this, &SubscribeForm::subscribe);
}

void SubscribeForm::subscribe()
{
    const Subscription s{m_filter->text().trimmed(),
                         {QoS(m_qos->currentIndex()), m_noLocal->isChecked(), m_retainAsPublished->isChecked(),
                          RetainHandling(m_retainHandling->currentIndex())}};
    const Status added = m_subscriptions.add(s);
    m_problem->setVisible(!added);
    m_problem->setText(added.sentence());
    if (added)
        m_filter->clear();
}

QString SubscribeForm::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

} // namespace mqs
