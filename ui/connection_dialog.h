#pragma once
// New or edited connection: where (URL, or host and port), how (3.1.1 or 5.0, TLS files, the
// insecure switch in red), as whom (client id, user, password), the session, the will, 5.0
// limits and user properties, automatic reconnect, connect at start. Edits apply at the next
// connect; an edited live connection offers to reconnect now.

#include "profile_store.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace mqs {

class TlsFields;
class UserPropertiesEditor;

class ConnectionDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)
public:
    // `live`: the profile's connection is open, so the dialog offers "Save and reconnect now".
    explicit ConnectionDialog(const Profile &profile, QWidget *parent = nullptr, bool live = false);

    // The profile the fields describe, or a sentence saying which field is wrong.
    Result<Profile> profile() const;
    // Accepted with "Save and reconnect now".
    bool reconnectNow() const { return m_reconnectNow; }
    QLineEdit *urlField() const { return m_url; }
    QLabel *urlProblem() const { return m_urlProblem; }
    QLabel *problemLabel() const { return m_problem; }
    QPushButton *reconnectButton() const { return m_reconnect; }

    void accept() override;

private:
    // The sections of the main form (one form, so their labels line up).
    void buildWhere(const Profile &profile, QFormLayout *form);
    void buildIdentity(const Profile &profile, QFormLayout *form);
    void buildTls(const ConnectionSettings &s, QFormLayout *form);
    QGroupBox *buildWill(const ConnectionSettings &s);
    QGroupBox *buildLimits(const ConnectionSettings &s);
    void buildButtons(bool live);
    void fitScreen();
    // The URL's problem next to its field, as it is typed.
    void checkUrl();
    // Under the Maximum Packet Size field: what the broker does once a size is announced.
    void showMaximumPacketSizeNote(int bytes);
    void readLimits(ConnectionSettings &s) const;

    Profile m_initial; // what the dialog does not edit (subscriptions, rules, generator) is kept
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QLabel *m_urlProblem = nullptr;
    QComboBox *m_version = nullptr;
    QLineEdit *m_clientId = nullptr;
    QCheckBox *m_cleanStart = nullptr;
    QSpinBox *m_expiry = nullptr;
    QSpinBox *m_keepAlive = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_plain = nullptr;
    TlsFields *m_tls = nullptr;
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
    UserPropertiesEditor *m_userProperties = nullptr;
    QComboBox *m_inboundMethod = nullptr;
    QCheckBox *m_autoReconnect = nullptr;
    QCheckBox *m_connectAtStart = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_reconnect = nullptr;
    bool m_reconnectNow = false;
};

} // namespace mqs
