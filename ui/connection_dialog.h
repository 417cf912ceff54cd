#pragma once
// New or edited connection: where (URL, or host and port), how (3.1.1 or 5.0, TLS files, the
// insecure switch in red), as whom (client id, user, password), the session, the will, 5.0
// limits and user properties, automatic reconnect.

#include "profile_store.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace mqs {

class ConnectionDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)
public:
    explicit ConnectionDialog(const Profile &profile, QWidget *parent = nullptr);

    // The profile the fields describe, or a sentence saying which field is wrong.
    [[nodiscard]] std::variant<Profile, QString> profile() const;
    QLineEdit *urlField() const { return m_url; }
    QLabel *problemLabel() const { return m_problem; }

    void accept() override;

private:
    // Under the Maximum Packet Size field: what the broker does once a size is announced.
    void showMaximumPacketSizeNote(int bytes);
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_version = nullptr;
    QLineEdit *m_clientId = nullptr;
    QCheckBox *m_cleanStart = nullptr;
    QSpinBox *m_expiry = nullptr;
    QSpinBox *m_keepAlive = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_plain = nullptr;
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_certFile = nullptr;
    QLineEdit *m_keyFile = nullptr;
    QCheckBox *m_insecure = nullptr;
    QGroupBox *m_willBox = nullptr;
    QLineEdit *m_willTopic = nullptr;
    QLineEdit *m_willPayload = nullptr;
    QComboBox *m_willQos = nullptr;
    QCheckBox *m_willRetain = nullptr;
    QSpinBox *m_receiveMaximum = nullptr;
    QSpinBox *m_maximumPacketSize = nullptr;
    QLabel *m_maximumPacketSizeNote = nullptr; // what a broker does with larger messages once one is announced
    QSpinBox *m_receiveLimit = nullptr;
    QSpinBox *m_topicAliasMaximum = nullptr;
    QTableWidget *m_userProperties = nullptr;
    QComboBox *m_inboundMethod = nullptr;
    QCheckBox *m_autoReconnect = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace mqs
