#include "connection_dialog.h"

#include "theme.h"
#include "protocol/topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mqs {
namespace {

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

} // namespace

ConnectionDialog::ConnectionDialog(const Profile &profile, QWidget *parent)
    : QDialog(parent)
{
    const ConnectionSettings &s = profile.settings;
    setWindowTitle(s.name.isEmpty() ? tr("New connection") : tr("Connection %1").arg(s.name));
    m_name = new QLineEdit(s.name, this);
    m_url = new QLineEdit(s.url.toString(), this);
    m_url->setPlaceholderText(QStringLiteral("mqtt://broker:1883, mqtts://broker:8883, ws://broker:80/mqtt"));
    m_version = new QComboBox(this);
    m_version->addItems({QStringLiteral("MQTT 5.0"), QStringLiteral("MQTT 3.1.1")});
    m_version->setCurrentIndex(s.version == ProtocolVersion::V5 ? 0 : 1);
    m_clientId = new QLineEdit(s.clientId, this);
    auto *generate = new QPushButton(tr("Generate"), this);
    auto *idRow = new QHBoxLayout;
    idRow->addWidget(m_clientId, 1);
    idRow->addWidget(generate);
    m_cleanStart = new QCheckBox(tr("Clean start (discard the session)"), this);
    m_cleanStart->setChecked(s.cleanStart);
    m_expiry = new QSpinBox(this);
    m_expiry->setRange(0, 0x7FFFFFFF);
    m_expiry->setSuffix(tr(" s"));
    m_expiry->setSpecialValueText(tr("0 — ends with the connection"));
    m_expiry->setValue(int(std::min<quint32>(s.sessionExpiry, 0x7FFFFFFF)));
    m_keepAlive = new QSpinBox(this);
    m_keepAlive->setRange(0, 65535);
    m_keepAlive->setSuffix(tr(" s"));
    m_keepAlive->setSpecialValueText(tr("off"));
    m_keepAlive->setValue(s.keepAlive);
    m_username = new QLineEdit(s.username.value_or(QString()), this);
    m_password = new QLineEdit(QString::fromUtf8(s.password.value_or(QByteArray())), this);
    m_password->setEchoMode(QLineEdit::Password);
    m_plain = new QCheckBox(ProfileStore::keychainBuiltIn() ? tr("Store the password in plain text (if no keychain is available)")
                                                            : tr("Store the password in plain text in the settings file"),
                            this);
    m_plain->setChecked(profile.storePasswordInPlainText);
    m_caFile = new QLineEdit(s.tls.caFile, this);
    m_caFile->setPlaceholderText(tr("system CAs"));
    m_certFile = new QLineEdit(s.tls.clientCertificateFile, this);
    m_keyFile = new QLineEdit(s.tls.clientKeyFile, this);
    m_insecure = new QCheckBox(tr("Insecure: do not verify the broker's certificate or name"), this);
    m_insecure->setChecked(s.tls.insecure);
    m_insecure->setStyleSheet(QStringLiteral("QCheckBox { color: %1; font-weight: bold; }").arg(problemColor().name()));

    m_willBox = new QGroupBox(tr("Will message"), this);
    m_willBox->setCheckable(true);
    m_willBox->setChecked(s.will.has_value());
    m_willTopic = new QLineEdit(s.will ? s.will->topic : QString(), m_willBox);
    m_willPayload = new QLineEdit(s.will ? QString::fromUtf8(s.will->payload) : QString(), m_willBox);
    m_willQos = new QComboBox(m_willBox);
    m_willQos->addItems({QStringLiteral("QoS 0"), QStringLiteral("QoS 1"), QStringLiteral("QoS 2")});
    m_willQos->setCurrentIndex(s.will ? qosValue(s.will->qos) : 0);
    m_willRetain = new QCheckBox(tr("Retain"), m_willBox);
    m_willRetain->setChecked(s.will && s.will->retain);
    auto *willForm = new QFormLayout(m_willBox);
    willForm->addRow(tr("Topic"), m_willTopic);
    willForm->addRow(tr("Payload"), m_willPayload);
    willForm->addRow(m_willQos, m_willRetain);

    auto *limits = new QGroupBox(tr("MQTT 5.0 connect properties and limits"), this);
    m_receiveMaximum = new QSpinBox(limits);
    m_receiveMaximum->setRange(1, 65535);
    m_receiveMaximum->setValue(s.session.receiveMaximum);
    m_maximumPacketSize = new QSpinBox(limits);
    m_maximumPacketSize->setRange(0, 268435455);
    m_maximumPacketSize->setSpecialValueText(tr("not announced"));
    m_maximumPacketSize->setSuffix(tr(" bytes"));
    m_maximumPacketSize->setGroupSeparatorShown(true);
    m_maximumPacketSize->setValue(int(s.session.maximumPacketSize));
    m_maximumPacketSize->setObjectName(QStringLiteral("maximumPacketSize"));
    m_maximumPacketSizeNote = new QLabel(limits);
    m_maximumPacketSizeNote->setObjectName(QStringLiteral("maximumPacketSizeNote"));
    m_maximumPacketSizeNote->setWordWrap(true);
    m_maximumPacketSizeNote->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum); // no taller than its text
    m_receiveLimit = new QSpinBox(limits);
    m_receiveLimit->setObjectName(QStringLiteral("receiveLimit"));
    m_receiveLimit->setRange(64, int(kMaximumPossiblePacketSize));
    m_receiveLimit->setSuffix(tr(" bytes"));
    m_receiveLimit->setGroupSeparatorShown(true); // 67,108,864 reads; 67108864 does not
    m_receiveLimit->setValue(int(s.receiveLimit));
    m_receiveLimit->setToolTip(tr("Packets from the broker larger than this are refused (DISCONNECT 0x95) before they are "
                                  "held in memory. Not announced to the broker, so it drops nothing because of it. "
                                  "Default %L1 bytes.").arg(kDefaultReceiveLimit));
    m_topicAliasMaximum = new QSpinBox(limits);
    m_topicAliasMaximum->setRange(0, 65535);
    m_topicAliasMaximum->setValue(s.session.topicAliasMaximum);
    m_userProperties = new QTableWidget(0, 2, limits);
    m_userProperties->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_userProperties->horizontalHeader()->setStretchLastSection(true);
    m_userProperties->verticalHeader()->hide();
    m_userProperties->setMaximumHeight(90);
    for (const auto &pair : s.connectProperties.userProperties()) {
        const int r = m_userProperties->rowCount();
        m_userProperties->insertRow(r);
        m_userProperties->setItem(r, 0, new QTableWidgetItem(pair.name));
        m_userProperties->setItem(r, 1, new QTableWidgetItem(pair.value));
    }
    auto *addProperty = new QPushButton(tr("Add user property"), limits);
    m_inboundMethod = new QComboBox(limits);
    m_inboundMethod->addItems({tr("B: deliver at PUBLISH, keep the id until PUBREL"), tr("A: keep the message, deliver at PUBREL")});
    m_inboundMethod->setCurrentIndex(s.session.inboundMethod == InboundMethod::A ? 1 : 0);
    auto *limitsForm = new QFormLayout(limits);
    limitsForm->addRow(tr("Receive maximum"), m_receiveMaximum);
    limitsForm->addRow(tr("Maximum packet size"), m_maximumPacketSize);
    limitsForm->addRow(QString(), m_maximumPacketSizeNote);
    limitsForm->addRow(tr("Receive limit"), m_receiveLimit);
    limitsForm->addRow(tr("Topic alias maximum"), m_topicAliasMaximum);
    limitsForm->addRow(tr("QoS 2 receive method"), m_inboundMethod);
    limitsForm->addRow(m_userProperties);
    limitsForm->addRow(addProperty);
    m_autoReconnect = new QCheckBox(tr("Reconnect automatically (with back-off)"), this);
    m_autoReconnect->setChecked(s.autoReconnect);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Broker URL"), m_url);
    form->addRow(tr("&Protocol"), m_version);
    form->addRow(tr("&Client id"), idRow);
    form->addRow(QString(), m_cleanStart);
    form->addRow(tr("Session &expiry"), m_expiry);
    form->addRow(tr("&Keep alive"), m_keepAlive);
    form->addRow(tr("&User name"), m_username);
    form->addRow(tr("Pass&word"), m_password);
    form->addRow(QString(), m_plain);
    form->addRow(tr("CA file"), withFilePicker(m_caFile, this, tr("CA certificate")));
    form->addRow(tr("Client certificate"), withFilePicker(m_certFile, this, tr("Client certificate")));
    form->addRow(tr("Client key"), withFilePicker(m_keyFile, this, tr("Client key")));
    form->addRow(QString(), m_insecure);
    form->addRow(QString(), m_autoReconnect);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addLayout(form);
    contentLayout->addWidget(m_willBox);
    contentLayout->addWidget(limits);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(620, 720);

    showMaximumPacketSizeNote(m_maximumPacketSize->value());
    connect(m_maximumPacketSize, &QSpinBox::valueChanged, this, &ConnectionDialog::showMaximumPacketSizeNote);
    connect(generate, &QPushButton::clicked, this, [this] { m_clientId->setText(generateClientId()); });
    connect(addProperty, &QPushButton::clicked, this, [this] { m_userProperties->insertRow(m_userProperties->rowCount()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
}

std::variant<Profile, QString> ConnectionDialog::profile() const
{
    Profile p;
    ConnectionSettings &s = p.settings;
    auto url = ServerUrl::parse(m_url->text());
    if (const auto *error = std::get_if<QString>(&url))
        return *error;
    s.url = std::get<ServerUrl>(url);
    s.name = m_name->text().trimmed().isEmpty() ? s.url.hostAndPort() : m_name->text().trimmed();
    s.version = m_version->currentIndex() == 0 ? ProtocolVersion::V5 : ProtocolVersion::V311;
    s.clientId = m_clientId->text().trimmed();
    s.cleanStart = m_cleanStart->isChecked();
    s.sessionExpiry = quint32(m_expiry->value());
    s.keepAlive = quint16(m_keepAlive->value());
    if (!m_username->text().isEmpty())
        s.username = m_username->text();
    if (!m_password->text().isEmpty())
        s.password = m_password->text().toUtf8();
    if (s.url.username && !s.username)
        s.username = s.url.username;
    p.storePasswordInPlainText = m_plain->isChecked();
    s.tls.caFile = m_caFile->text().trimmed();
    s.tls.clientCertificateFile = m_certFile->text().trimmed();
    s.tls.clientKeyFile = m_keyFile->text().trimmed();
    s.tls.insecure = m_insecure->isChecked();
    if (m_willBox->isChecked()) {
        if (const auto problem = topicNameProblem(m_willTopic->text()))
            return tr("Will topic: ") + *problem;
        s.will = Will{m_willTopic->text(), m_willPayload->text().toUtf8(), QoS(m_willQos->currentIndex()), m_willRetain->isChecked(), {}};
    }
    s.session.receiveMaximum = quint16(m_receiveMaximum->value());
    s.session.maximumPacketSize = quint32(m_maximumPacketSize->value());
    s.receiveLimit = quint32(m_receiveLimit->value());
    s.session.topicAliasMaximum = quint16(m_topicAliasMaximum->value());
    s.session.inboundMethod = m_inboundMethod->currentIndex() == 1 ? InboundMethod::A : InboundMethod::B;
    for (int r = 0; r < m_userProperties->rowCount(); ++r) {
        const auto *name = m_userProperties->item(r, 0);
        const auto *value = m_userProperties->item(r, 1);
        if (name && !name->text().isEmpty())
            s.connectProperties.addUserProperty(name->text(), value ? value->text() : QString());
    }
    s.autoReconnect = m_autoReconnect->isChecked();
    if (s.clientId.isEmpty() && s.version == ProtocolVersion::V311 && s.cleanStart)
        s.clientId = generateClientId(); // 3.1.1 brokers may refuse an empty id
    if (const auto problem = s.problem())
        return *problem;
    return p;
}

void ConnectionDialog::showMaximumPacketSizeNote(int bytes)
{
    const QString note = bytes == 0
        ? QString()
        : tr("The broker will drop messages larger than %L1 bytes for this connection without telling anyone "
             "[MQTT-3.1.2-25]; a larger packet that still arrives closes the connection (DISCONNECT 0x95).").arg(bytes);
    m_maximumPacketSizeNote->setText(note);
    m_maximumPacketSizeNote->setVisible(bytes != 0);
    m_maximumPacketSize->setToolTip(bytes == 0 ? tr("Announced to the broker (MQTT 5.0) only when set.") : note);
}

void ConnectionDialog::accept()
{
    const auto result = profile();
    if (const auto *problem = std::get_if<QString>(&result)) {
        m_problem->setText(*problem);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace mqs
