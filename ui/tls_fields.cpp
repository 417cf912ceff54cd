#include "tls_fields.h"

#include "theme.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace mqs {

QWidget *withFilePicker(QLineEdit *edit, QWidget *parent, const QString &title)
{
    auto *box = new QWidget(parent);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    auto *browse = new QPushButton(QObject::tr("Browse…"), box);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, box, [edit, box, title] {
        const QString path = QFileDialog::getOpenFileName(box, title, edit->text(), QObject::tr("PEM files (*.pem *.crt *.key);;All files (*)"));
        if (!path.isEmpty())
            edit->setText(path);
    });
    return box;
}

TlsFields::TlsFields(const TlsOptions &tls, QFormLayout *form, QWidget *parent)
    : QObject(parent)
{
    m_caFile = new QLineEdit(tls.caFile, parent);
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("system CAs"));
    m_certFile = new QLineEdit(tls.clientCertificateFile, parent);
    m_certFile->setObjectName(QStringLiteral("clientCertificateFile"));
    m_keyFile = new QLineEdit(tls.clientKeyFile, parent);
    m_keyFile->setObjectName(QStringLiteral("clientKeyFile"));
    m_insecure = new QCheckBox(tr("Insecure: do not verify the broker's certificate or name"), parent);
    m_insecure->setObjectName(QStringLiteral("insecure"));
    m_insecure->setChecked(tls.insecure);
    m_insecure->setStyleSheet(QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(problemColor().name()));
    form->addRow(tr("CA file"), withFilePicker(m_caFile, parent, tr("CA certificate")));
    form->addRow(tr("Client certificate"), withFilePicker(m_certFile, parent, tr("Client certificate")));
    form->addRow(tr("Client key"), withFilePicker(m_keyFile, parent, tr("Client key")));
    form->addRow(QString(), m_insecure);
}

TlsOptions TlsFields::options(const TlsOptions &initial) const
{
    TlsOptions tls = initial;
    tls.caFile = m_caFile->text().trimmed();
    tls.clientCertificateFile = m_certFile->text().trimmed();
    tls.clientKeyFile = m_keyFile->text().trimmed();
    tls.insecure = m_insecure->isChecked();
    return tls;
}

void TlsFields::setOptions(const TlsOptions &tls)
{
    m_caFile->setText(tls.caFile);
    m_certFile->setText(tls.clientCertificateFile);
    m_keyFile->setText(tls.clientKeyFile);
    m_insecure->setChecked(tls.insecure);
}

} // namespace mqs
