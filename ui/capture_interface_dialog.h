#pragma once
// File ▸ Capture on interface…: which interface, and on which TCP ports MQTT runs there (a
// broker on another port than 1883 and 8883 is common on a test bench).

#include <QDialog>

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace mqs {

class CaptureInterfaceDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CaptureInterfaceDialog(QWidget *parent = nullptr);

    QString interfaceName() const;
    // The ports typed, in order; empty when the field is empty (1883 and 8883) or not valid.
    std::vector<quint16> ports() const;
    void setPortsText(const QString &text);
    // What is wrong with the ports field, shown next to it; empty when it reads well.
    QString portsProblem() const;

private:
    void checkPorts();

    QComboBox *m_interface = nullptr;
    QLineEdit *m_ports = nullptr;
    QLabel *m_portsProblem = nullptr;
    QPushButton *m_ok = nullptr;
};

// "18841, 1883" → {18841, 1883}; std::nullopt when a part is not a port number (1 to 65535).
[[nodiscard]] std::optional<std::vector<quint16>> parsePorts(const QString &text);

} // namespace mqs
