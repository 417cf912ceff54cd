#pragma once
// Subscribing on the selected connection: a topic filter, the requested QoS and the 5.0
// subscription options; a refusal (a bad filter, one subscribed already) is said under it.

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace mqs {

class SubscriptionModel;

class SubscribeForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscribeForm)
public:
    SubscribeForm(SubscriptionModel &subscriptions, QWidget *parent = nullptr);

    QLineEdit *filter() const { return m_filter; }
    QString problem() const;

public slots:
    void subscribe();

private:
    SubscriptionModel &m_subscriptions;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_qos = nullptr;
    QCheckBox *m_noLocal = nullptr;
    QCheckBox *m_retainAsPublished = nullptr;
    QComboBox *m_retainHandling = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace mqs
