#include "capture_interface_dialog.h"

#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QRegularExpression>

namespace mqs {

std::optional<std::vector<quint16>> parsePorts(const QString &text)
{
    std::vector<quint16> ports;
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    for (const QString &part : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const uint port = part.toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return std::nullopt;
        ports.push_back(quint16(port));
    }
    return ports;
}

CaptureInterfaceDialog::CaptureInterfaceDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Capture on interface"));
    m_interface = new QComboBox(this);
    m_interface->setObjectName(QStringLiteral("captureInterface"));
    m_interface->setEditable(true); // a name the list does not know yet (an interface that comes up later)
    for (const QNetworkInterface &i : QNetworkInterface::allInterfaces())
        m_interface->addItem(i.name());
    m_ports = new QLineEdit(this);
    m_ports->setObjectName(QStringLiteral("capturePorts"));
    m_ports->setPlaceholderText(tr("1883, 8883"));
    m_ports->setToolTip(tr("The TCP ports the brokers listen on, separated by commas. Empty: 1883 and 8883. "
                           "Only these ports are captured (the kernel filters the rest)."));
    m_portsProblem = new QLabel(this);
    m_portsProblem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_portsProblem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Start capture"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_ports, &QLineEdit::textChanged, this, &CaptureInterfaceDialog::checkPorts);
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Interface:"), m_interface);
    form->addRow(tr("MQTT &ports:"), m_ports);
    form->addRow(QString(), m_portsProblem);
    form->addRow(buttons);
}

QString CaptureInterfaceDialog::interfaceName() const
{
    return m_interface->currentText().trimmed();
}

std::vector<quint16> CaptureInterfaceDialog::ports() const
{
    return parsePorts(m_ports->text()).value_or(std::vector<quint16>{});
}

void CaptureInterfaceDialog::setPortsText(const QString &text)
{
    m_ports->setText(text);
}

QString CaptureInterfaceDialog::portsProblem() const
{
    return m_portsProblem->isHidden() ? QString() : m_portsProblem->text();
}

void CaptureInterfaceDialog::checkPorts()
{
    const bool valid = parsePorts(m_ports->text()).has_value();
    m_portsProblem->setText(valid ? QString() : tr("Ports are numbers from 1 to 65535, separated by commas."));
    m_portsProblem->setVisible(!valid);
    m_ok->setEnabled(valid);
}

} // namespace mqs
