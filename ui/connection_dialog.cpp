#include "connection_dialog.h"

#include "theme.h"
#include "tls_fields.h"
#include "user_properties_editor.h"
#include "wheel_guard.h"
#include "protocol/topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mqs {
namespace {

constexpr int kPreferredWidth = 640;
constexpr int kPreferredHeight = 760;
constexpr int kScreenMargin = 60; // room for the window frame and the desktop's panels

QLabel *problemText(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    label->hide();
    return label;
}

QSpinBox *spinBox(QWidget *parent, int minimum, int maximum, int value, const QString &tip)
{
    auto *box = new QSpinBox(parent);
    box->setRange(minimum, maximum);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
}

} // namespace

ConnectionDialog::ConnectionDialog(const Profile &profile, QWidget *parent, bool live)
    : QDialog(parent), m_initial(profile)
{
    const ConnectionSettings &s = profile.settings;
    setWindowTitle(s.name.isEmpty() ? tr("New connection") : tr("Connection %1").arg(s.name));
    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    auto *form = new QFormLayout;
    buildWhere(profile, form);
    buildIdentity(profile, form);
    buildTls(s, form);
    contentLayout->addLayout(form);
    contentLayout->addWidget(buildWill(s));
    contentLayout->addWidget(buildLimits(s));
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_problem = problemText(this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_problem);
    buildButtons(live);
    WheelGuard::guardChildren(this);
    fitScreen();
    checkUrl();
    showMaximumPacketSizeNote(m_maximumPacketSize->value());
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::checkUrl);
    connect(m_maximumPacketSize, &QSpinBox::valueChanged, this, &ConnectionDialog::showMaximumPacketSizeNote);
}

void ConnectionDialog::buildWhere(const Profile &profile, QFormLayout *form)
{
    const ConnectionSettings &s = profile.settings;
    m_name = new QLineEdit(s.name, this);
    m_url = new QLineEdit(s.url.toString(), this);
    m_url->setObjectName(QStringLiteral("url"));
    m_url->setPlaceholderText(QStringLiteral("mqtt://broker:1883, mqtts://broker:8883, ws://broker:80/mqtt"));
    m_urlProblem = problemText(this);
    m_urlProblem->setObjectName(QStringLiteral("urlProblem"));
    m_version = new QComboBox(this);
    m_version->addItems({QStringLiteral("MQTT 5.0"), QStringLiteral("MQTT 3.1.1")});
    m_version->setCurrentIndex(s.version == ProtocolVersion::V5 ? 0 : 1);
    m_autoReconnect = new QCheckBox(tr("Reconnect automatically (with back-off)"), this);
    m_autoReconnect->setChecked(s.autoReconnect);
    m_connectAtStart = new QCheckBox(tr("Connect (and subscribe) when MQTT Scope starts"), this);
    m_connectAtStart->setObjectName(QStringLiteral("connectAtStart"));
    m_connectAtStart->setChecked(profile.connectAtStart);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Broker URL"), m_url);
    form->addRow(QString(), m_urlProblem);
    form->addRow(tr("&Protocol"), m_version);
    form->addRow(QString(), m_autoReconnect);
    form->addRow(QString(), m_connectAtStart);
}

void ConnectionDialog::buildIdentity(const Profile &profile, QFormLayout *form)
{
    const ConnectionSettings &s = profile.settings;
    m_clientId = new QLineEdit(s.clientId, this);
    auto *generate = new QPushButton(tr("Generate"), this);
    auto *idRow = new QHBoxLayout;
    idRow->addWidget(m_clientId, 1);
    idRow->addWidget(generate);
    auto *idLabel = new QLabel(tr("&Client id"), this); // a row of a layout gets no buddy from the form: set it here
    idLabel->setBuddy(m_clientId);
    m_cleanStart = new QCheckBox(tr("Clean start (discard the session)"), this);
    m_cleanStart->setChecked(s.cleanStart);
    m_expiry = spinBox(this, 0, 0x7FFFFFFF, int(std::min<quint32>(s.sessionExpiry, 0x7FFFFFFF)),
                       tr("How long the broker keeps the session (subscriptions, unfinished messages) after the "
                          "connection ends. 0: it ends with the connection."));
    m_expiry->setSuffix(tr(" s"));
    m_expiry->setSpecialValueText(tr("0 — ends with the connection"));
    m_keepAlive = spinBox(this, 0, 65535, s.keepAlive, tr("Seconds of silence after which a ping checks the connection."));
    m_keepAlive->setSuffix(tr(" s"));
    m_keepAlive->setSpecialValueText(tr("off"));
    m_username = new QLineEdit(s.username.value_or(QString()), this);
    m_password = new QLineEdit(QString::fromUtf8(s.password.value_or(QByteArray())), this);
    m_password->setEchoMode(QLineEdit::Password);
    m_plain = new QCheckBox(ProfileStore::keychainBuiltIn() ? tr("Store the password in plain text (if no keychain is available)")
                                                            : tr("Store the password in plain text in the settings file"),
                            this);
    m_plain->setChecked(profile.storePasswordInPlainText);
    form->addRow(idLabel, idRow);
    form->addRow(QString(), m_cleanStart);
    form->addRow(tr("Session &expiry"), m_expiry);
    form->addRow(tr("&Keep alive"), m_keepAlive);
    form->addRow(tr("&User name"), m_username);
    form->addRow(tr("Pass&word"), m_password);
    form->addRow(QString(), m_plain);
    connect(generate, &QPushButton::clicked, this, [this] { m_clientId->setText(generateClientId()); });
}

void ConnectionDialog::buildTls(const ConnectionSettings &s, QFormLayout *form)
{
    m_tls = new TlsFields(s.tls, form, this);
}

QGroupBox *ConnectionDialog::buildWill(const ConnectionSettings &s)
{
    m_willBox = new QGroupBox(tr("Will message"), this);
    m_willBox->setCheckable(true);
    m_willBox->setChecked(s.will.has_value());
    m_willBox->setToolTip(tr("A message the broker publishes for this client when its connection ends without DISCONNECT."));
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
    return m_willBox;
}

QGroupBox *ConnectionDialog::buildLimits(const ConnectionSettings &s)
{
    auto *limits = new QGroupBox(tr("MQTT 5.0 connect properties and limits"), this);
    m_receiveMaximum = spinBox(limits, 1, 65535, s.session.receiveMaximum,
                               tr("How many QoS 1 and 2 messages the broker may send us at once before we acknowledge "
                                  "them. Lower it to slow a busy broker down. Applies at the next connect."));
    m_receiveMaximum->setObjectName(QStringLiteral("receiveMaximum"));
    m_maximumPacketSize = spinBox(limits, 0, 268435455, int(s.session.maximumPacketSize), QString());
    m_maximumPacketSize->setSpecialValueText(tr("not announced"));
    m_maximumPacketSize->setSuffix(tr(" bytes"));
    m_maximumPacketSize->setGroupSeparatorShown(true);
    m_maximumPacketSize->setObjectName(QStringLiteral("maximumPacketSize"));
    m_maximumPacketSizeNote = new QLabel(limits);
    m_maximumPacketSizeNote->setObjectName(QStringLiteral("maximumPacketSizeNote"));
    m_maximumPacketSizeNote->setWordWrap(true);
    m_maximumPacketSizeNote->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum); // no taller than its text
    m_receiveLimit = spinBox(limits, 64, int(kMaximumPossiblePacketSize), int(s.receiveLimit),
                             tr("Packets from the broker larger than this are refused (DISCONNECT 0x95) before they are "
                                "held in memory. Not announced to the broker, so it drops nothing because of it. "
                                "Default %L1 bytes.").arg(kDefaultReceiveLimit));
    m_receiveLimit->setObjectName(QStringLiteral("receiveLimit"));
    m_receiveLimit->setSuffix(tr(" bytes"));
    m_receiveLimit->setGroupSeparatorShown(true); // 67,108,864 reads; 67108864 does not
    m_topicAliasMaximum = spinBox(limits, 0, 65535, s.session.topicAliasMaximum,
                                  tr("How many short numbers the broker may use in place of topic names it sends us. "
                                     "0: the broker always sends the full topic."));
    m_userProperties = new UserPropertiesEditor(limits);
    m_userProperties->model().setPairs(s.connectProperties);
    m_userProperties->setToolTip(tr("Name/value pairs sent with CONNECT, for brokers and plugins that read them."));
    m_inboundMethod = new QComboBox(limits);
    m_inboundMethod->addItems({tr("B: deliver at PUBLISH, keep the id until PUBREL"), tr("A: keep the message, deliver at PUBREL")});
    m_inboundMethod->setCurrentIndex(s.session.inboundMethod == InboundMethod::A ? 1 : 0);
    m_inboundMethod->setToolTip(tr("When a QoS 2 message we receive is handed to the Messages view: B at once, when it "
                                   "arrives (we remember its id so a resend is not shown twice); A only once the broker "
                                   "has released it (PUBREL), keeping the message until then. Either way it is shown once."));
    auto *form = new QFormLayout(limits);
    form->addRow(tr("Receive maximum"), m_receiveMaximum);
    form->addRow(tr("Maximum packet size"), m_maximumPacketSize);
    form->addRow(QString(), m_maximumPacketSizeNote);
    form->addRow(tr("Receive limit"), m_receiveLimit);
    form->addRow(tr("Topic alias maximum"), m_topicAliasMaximum);
    form->addRow(tr("QoS 2 receive method"), m_inboundMethod);
    form->addRow(tr("User properties"), m_userProperties);
    for (QWidget *field : {static_cast<QWidget *>(m_receiveMaximum), static_cast<QWidget *>(m_receiveLimit),
                           static_cast<QWidget *>(m_topicAliasMaximum), static_cast<QWidget *>(m_inboundMethod)})
        if (auto *label = qobject_cast<QLabel *>(form->labelForField(field)))
            label->setToolTip(field->toolTip());
    return limits;
}

void ConnectionDialog::buildButtons(bool live)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(live ? tr("Save for the next connect") : tr("OK"));
    if (live) {
        m_reconnect = buttons->addButton(tr("Save and reconnect now"), QDialogButtonBox::AcceptRole);
        m_reconnect->setObjectName(QStringLiteral("reconnectNow"));
        m_reconnect->setDefault(true);
        connect(m_reconnect, &QPushButton::clicked, this, [this] { m_reconnectNow = true; });
    }
    auto *note = new QLabel(live ? tr("Changes apply when the connection next connects.") : QString(), this);
    note->setVisible(live);
    layout()->addWidget(note);
    layout()->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
}

void ConnectionDialog::fitScreen()
{
    const QScreen *where = parentWidget() ? parentWidget()->screen() : screen();
    const QSize available = where ? where->availableSize() : QSize(kPreferredWidth, kPreferredHeight);
    resize(std::min(kPreferredWidth, available.width() - kScreenMargin), std::min(kPreferredHeight, available.height() - kScreenMargin));
}

void ConnectionDialog::checkUrl()
{
    const auto url = ServerUrl::parse(m_url->text());
    m_urlProblem->setText(url.sentence());
    m_urlProblem->setVisible(!url);
    m_url->setStyleSheet(!url ? QStringLiteral("QLineEdit { border: 1px solid %1; }").arg(problemColor().name()) : QString());
}

Result<Profile> ConnectionDialog::profile() const
{
    Profile p = m_initial;
    p.settings = ConnectionSettings{};
    ConnectionSettings &s = p.settings;
    auto url = ServerUrl::parse(m_url->text());
    if (!url)
        return url.problem();
    s.url = *url;
    s.name = m_name->text().trimmed().isEmpty() ? s.url.hostAndPort() : m_name->text().trimmed();
    // What the dialog does not show is kept.
    s.peerName = m_initial.settings.peerName;
    s.connectTimeoutMs = m_initial.settings.connectTimeoutMs;
    s.reconnectMinimumMs = m_initial.settings.reconnectMinimumMs;
    s.reconnectMaximumMs = m_initial.settings.reconnectMaximumMs;
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
    p.connectAtStart = m_connectAtStart->isChecked();
    s.tls = m_tls->options(m_initial.settings.tls);
    if (m_willBox->isChecked()) {
        if (const Status problem = checkTopicName(m_willTopic->text()); !problem)
            return Problem{ProblemKind::InvalidInput, tr("Will topic: ") + problem.sentence()};
        s.will = Will{m_willTopic->text(), m_willPayload->text().toUtf8(), QoS(m_willQos->currentIndex()), m_willRetain->isChecked(), {}};
    }
    readLimits(s);
    s.autoReconnect = m_autoReconnect->isChecked();
    if (s.clientId.isEmpty() && s.version == ProtocolVersion::V311 && s.cleanStart)
        s.clientId = generateClientId(); // 3.1.1 brokers may refuse an empty id
    if (Status settings = s.check(); !settings)
        return settings.problem();
    return p;
}

void ConnectionDialog::readLimits(ConnectionSettings &s) const
{
    s.session = m_initial.settings.session;
    s.session.receiveMaximum = quint16(m_receiveMaximum->value());
    s.session.maximumPacketSize = quint32(m_maximumPacketSize->value());
    s.receiveLimit = quint32(m_receiveLimit->value());
    s.session.topicAliasMaximum = quint16(m_topicAliasMaximum->value());
    s.session.inboundMethod = m_inboundMethod->currentIndex() == 1 ? InboundMethod::A : InboundMethod::B;
    m_userProperties->model().addTo(s.connectProperties);
}

void ConnectionDialog::showMaximumPacketSizeNote(int bytes)
{
    const QString note = bytes == 0
        ? QString()
        : tr("The broker will drop messages larger than %L1 bytes for this connection without telling anyone "
             "[MQTT-3.1.2-25]; a larger packet that still arrives closes the connection (DISCONNECT 0x95).").arg(bytes);
    m_maximumPacketSizeNote->setText(note);
    m_maximumPacketSizeNote->setVisible(bytes != 0);
    m_maximumPacketSize->setToolTip(bytes == 0 ? tr("The largest packet we accept, announced to the broker (MQTT 5.0) only "
                                                    "when set; the broker then drops larger messages for us.")
                                               : note);
}

void ConnectionDialog::accept()
{
    const auto result = profile();
    if (!result) {
        m_problem->setText(result.sentence());
        m_problem->show();
        m_reconnectNow = false;
        return;
    }
    QDialog::accept();
}

} // namespace mqs
