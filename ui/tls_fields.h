#pragma once
// The TLS part of a connection to a broker (CA file, client certificate and key, the insecure
// switch in red), as rows of a form: the connection dialog, the proxy dialog (its upstream
// broker) and the probe dialog show the same fields and read the same TlsOptions from them.

#include "transport/server_url.h"

#include <QObject>

class QCheckBox;
class QFormLayout;
class QLineEdit;
class QWidget;

namespace mqs {

// A line edit with a Browse… button that picks a PEM file.
QWidget *withFilePicker(QLineEdit *edit, QWidget *parent, const QString &title);

class TlsFields : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsFields)
public:
    // Adds its rows to `form` (whose widget owns them), filled from `tls`.
    TlsFields(const TlsOptions &tls, QFormLayout *form, QWidget *parent);

    // `initial` with the fields' values (what the fields do not show is kept).
    TlsOptions options(const TlsOptions &initial) const;
    // Shows `tls` (a saved connection's, picked in the probe dialog).
    void setOptions(const TlsOptions &tls);
    QLineEdit *caFile() const { return m_caFile; }
    QLineEdit *clientCertificateFile() const { return m_certFile; }
    QLineEdit *clientKeyFile() const { return m_keyFile; }
    QCheckBox *insecure() const { return m_insecure; }

private:
    QLineEdit *m_caFile = nullptr;
    QLineEdit *m_certFile = nullptr;
    QLineEdit *m_keyFile = nullptr;
    QCheckBox *m_insecure = nullptr;
};

} // namespace mqs
