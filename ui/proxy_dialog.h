#pragma once
// New or edited proxy: where devices connect (address and port, optionally WebSocket, optionally
// TLS with a certificate and key the devices must trust), the broker it forwards to (URL with
// the same TLS fields as a connection), and fault rules for the proxied packets. Every field is
// checked as it is typed; a port in use is reported when the proxy starts.

#include "proxy_profile.h"

#include <QDialog>

class QCheckBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace mqs {

class TlsFields;

class ProxyDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyDialog)
public:
    static constexpr quint16 kDefaultListenPort = 1884; // beside a broker's 1883
    // A new proxy's profile: 127.0.0.1:1884 to a broker on this machine.
    static ProxyProfile blankProfile();

    explicit ProxyDialog(const ProxyProfile &profile, QWidget *parent = nullptr);

    // The profile the fields describe, or the first field's problem.
    [[nodiscard]] Result<ProxyProfile> profile() const;

    QLineEdit *nameField() const { return m_name; }
    QLineEdit *listenField() const { return m_listen; }
    QLineEdit *upstreamField() const { return m_upstream; }
    QPlainTextEdit *rulesField() const { return m_rules; }
    QGroupBox *listenTlsBox() const { return m_listenTls; }
    QLineEdit *certificateField() const { return m_certificate; }
    QLineEdit *keyField() const { return m_key; }
    QPushButton *okButton() const { return m_ok; }
    // The sentence under the form naming what is wrong (hidden when nothing is).
    QLabel *problemLabel() const { return m_problem; }

    void accept() override;

private:
    QWidget *buildListen(const ProxySettings &s);
    QGroupBox *buildListenTls(const ProxySettings &s);
    QGroupBox *buildUpstream(const ProxySettings &s);
    QGroupBox *buildRules(const ProxyProfile &profile);
    void buildButtons();
    // Checks every field as it is typed: the first problem shows and OK waits for a fix.
    void check();
    [[nodiscard]] Status readListen(ProxySettings &s) const;
    [[nodiscard]] Status readUpstream(ProxySettings &s) const;
    [[nodiscard]] Result<std::vector<FaultRule>> readRules() const;

    ProxyProfile m_initial;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_listen = nullptr;
    QCheckBox *m_webSocket = nullptr;
    QSpinBox *m_webSocketPort = nullptr;
    QGroupBox *m_listenTls = nullptr;
    QLineEdit *m_certificate = nullptr;
    QLineEdit *m_key = nullptr;
    QLineEdit *m_upstream = nullptr;
    TlsFields *m_upstreamTls = nullptr;
    QCheckBox *m_connAck = nullptr;
    QPlainTextEdit *m_rules = nullptr;
    QCheckBox *m_startAtLaunch = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace mqs
