#include "proxy_dialog.h"

#include "theme.h"
#include "tls_fields.h"
#include "wheel_guard.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
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
constexpr int kRuleLines = 4; // the rules field shows a few rules without scrolling

QLabel *note(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    return label;
}

Status readableFile(const QString &path, const QString &what)
{
    if (path.isEmpty())
        return problem(ProblemKind::InvalidInput, QObject::tr("Choose the %1 file.").arg(what));
    if (!QFileInfo(path).isReadable())
        return problem(ProblemKind::File, QObject::tr("The %1 file %2 cannot be read.").arg(what, path));
    return {};
}

} // namespace

ProxyProfile ProxyDialog::blankProfile()
{
    ProxyProfile p;
    p.settings.listenPort = kDefaultListenPort;
    p.settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:1883")).value();
    return p;
}

ProxyDialog::ProxyDialog(const ProxyProfile &profile, QWidget *parent)
    : QDialog(parent), m_initial(profile)
{
    setWindowTitle(profile.name.isEmpty() ? tr("New proxy") : tr("Proxy %1").arg(profile.name));
    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addWidget(note(tr("Point a device at this proxy instead of its broker: MQTT Scope forwards its packets "
                                     "unchanged to the broker and back, draws them on the diagram, and lets fault rules "
                                     "hold, drop or delay them."),
                                  content));
    contentLayout->addWidget(buildListen(profile.settings));
    contentLayout->addWidget(buildListenTls(profile.settings));
    contentLayout->addWidget(buildUpstream(profile.settings));
    contentLayout->addWidget(buildRules(profile));
    m_startAtLaunch = new QCheckBox(tr("Start listening when MQTT Scope starts"), content);
    m_startAtLaunch->setChecked(profile.startAtLaunch);
    contentLayout->addWidget(m_startAtLaunch);
    contentLayout->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the notes wrap to the dialog's width
    m_problem = note(QString(), this);
    m_problem->setObjectName(QStringLiteral("proxyProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_problem);
    buildButtons();
    WheelGuard::guardChildren(this);
    const QScreen *where = parent ? parent->screen() : screen();
    const QSize available = where ? where->availableSize() : QSize(kPreferredWidth, kPreferredHeight);
    resize(std::min(kPreferredWidth, available.width() - kScreenMargin), std::min(kPreferredHeight, available.height() - kScreenMargin));
    for (QLineEdit *field : {m_name, m_listen, m_certificate, m_key, m_upstream})
        connect(field, &QLineEdit::textChanged, this, &ProxyDialog::check);
    connect(m_listenTls, &QGroupBox::toggled, this, &ProxyDialog::check);
    connect(m_rules, &QPlainTextEdit::textChanged, this, &ProxyDialog::check);
    check();
}

QWidget *ProxyDialog::buildListen(const ProxySettings &s)
{
    auto *box = new QGroupBox(tr("Where devices connect"), this);
    m_name = new QLineEdit(m_initial.name, box);
    m_name->setObjectName(QStringLiteral("proxyName"));
    m_name->setPlaceholderText(defaultProxyName(s));
    m_listen = new QLineEdit(listenAddressText(s), box);
    m_listen->setObjectName(QStringLiteral("listen"));
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:%1").arg(kDefaultListenPort));
    m_listen->setToolTip(tr("127.0.0.1 takes devices on this machine only; 0.0.0.0 takes any device that can reach it, "
                            "and forwards its credentials to the broker."));
    m_webSocket = new QCheckBox(tr("Also take devices over WebSocket on port"), box);
    m_webSocket->setChecked(s.webSocketPort.has_value());
    m_webSocketPort = new QSpinBox(box);
    m_webSocketPort->setRange(0, 65535);
    m_webSocketPort->setSpecialValueText(tr("any free port"));
    m_webSocketPort->setValue(s.webSocketPort.value_or(0));
    m_webSocketPort->setEnabled(m_webSocket->isChecked());
    connect(m_webSocket, &QCheckBox::toggled, m_webSocketPort, &QSpinBox::setEnabled);
    auto *form = new QFormLayout(box);
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("&Listen on"), m_listen);
    form->addRow(m_webSocket, m_webSocketPort);
    return box;
}

QGroupBox *ProxyDialog::buildListenTls(const ProxySettings &s)
{
    m_listenTls = new QGroupBox(tr("Devices connect with TLS"), this);
    m_listenTls->setObjectName(QStringLiteral("listenTls"));
    m_listenTls->setCheckable(true);
    m_listenTls->setChecked(s.listensWithTls());
    m_certificate = new QLineEdit(s.certificateFile, m_listenTls);
    m_certificate->setObjectName(QStringLiteral("listenCertificate"));
    m_key = new QLineEdit(s.keyFile, m_listenTls);
    m_key->setObjectName(QStringLiteral("listenKey"));
    auto *form = new QFormLayout(m_listenTls);
    form->addRow(note(tr("<b>The device must then trust this certificate</b> (or the CA that signed it): it is the "
                         "proxy's, not the broker's, so a device that checks the broker's certificate refuses it "
                         "until you add it to the device's trusted CAs."),
                      m_listenTls));
    form->addRow(tr("Certificate"), withFilePicker(m_certificate, m_listenTls, tr("The proxy's certificate")));
    form->addRow(tr("Key"), withFilePicker(m_key, m_listenTls, tr("The proxy's private key")));
    return m_listenTls;
}

QGroupBox *ProxyDialog::buildUpstream(const ProxySettings &s)
{
    auto *box = new QGroupBox(tr("The broker it forwards to"), this);
    m_upstream = new QLineEdit(s.upstream.toString(), box);
    m_upstream->setObjectName(QStringLiteral("upstream"));
    m_upstream->setPlaceholderText(QStringLiteral("mqtt://broker:1883, mqtts://broker:8883, ws://broker:80/mqtt"));
    m_connAck = new QCheckBox(tr("Answer “Server unavailable” when the broker is unreachable"), box);
    m_connAck->setChecked(s.synthesizeConnAckOnUpstreamFailure);
    m_connAck->setToolTip(tr("On: the device gets a CONNACK with “Server unavailable” that the proxy makes up. Off: the "
                             "proxy closes the device's connection, as an unreachable broker would, and invents no packet "
                             "the broker did not send."));
    auto *form = new QFormLayout(box);
    form->addRow(tr("&Broker URL"), m_upstream);
    m_upstreamTls = new TlsFields(s.upstreamTls, form, box);
    form->addRow(QString(), m_connAck);
    return box;
}

QGroupBox *ProxyDialog::buildRules(const ProxyProfile &profile)
{
    auto *box = new QGroupBox(tr("Fault rules on the proxied packets"), this);
    QStringList lines;
    for (const FaultRule &rule : profile.faultRules)
        lines << rule.toText();
    m_rules = new QPlainTextEdit(lines.join(QLatin1Char('\n')), box);
    m_rules->setObjectName(QStringLiteral("proxyRules"));
    m_rules->setPlaceholderText(QStringLiteral("hold out PUBREL client sensor-1"));
    m_rules->setFixedHeight(m_rules->fontMetrics().lineSpacing() * kRuleLines + 2 * m_rules->frameWidth() + 8);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(note(tr("One rule a line, as in the Fault rules tab. Seen from the device: <b>out</b> = toward the "
                              "broker, <b>in</b> = toward the device; <b>client ID</b> acts on that device only. "
                              "E.g. <tt>hold out PUBREL</tt> stalls every device's QoS 2 publish after PUBREC."),
                           box));
    layout->addWidget(m_rules);
    return box;
}

void ProxyDialog::buildButtons()
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(m_initial.name.isEmpty() ? tr("Create and start") : tr("Save"));
    layout()->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ProxyDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProxyDialog::reject);
}

Status ProxyDialog::readListen(ProxySettings &s) const
{
    if (Status listen = parseListenAddress(m_listen->text(), s); !listen)
        return problem(ProblemKind::InvalidInput, tr("Listen on: %1").arg(listen.sentence()));
    s.webSocketPort = m_webSocket->isChecked() ? std::optional<quint16>(quint16(m_webSocketPort->value())) : std::nullopt;
    s.certificateFile.clear();
    s.keyFile.clear();
    if (!m_listenTls->isChecked())
        return {};
    s.certificateFile = m_certificate->text().trimmed();
    s.keyFile = m_key->text().trimmed();
    if (Status certificate = readableFile(s.certificateFile, tr("certificate")); !certificate)
        return problem(certificate.problem().kind, tr("Devices connect with TLS: %1").arg(certificate.sentence()));
    if (Status key = readableFile(s.keyFile, tr("key")); !key)
        return problem(key.problem().kind, tr("Devices connect with TLS: %1").arg(key.sentence()));
    return {};
}

Status ProxyDialog::readUpstream(ProxySettings &s) const
{
    auto url = ServerUrl::parse(m_upstream->text());
    if (!url)
        return problem(url.problem().kind, tr("Broker URL: %1").arg(url.sentence()));
    s.upstream = *url;
    s.upstreamTls = m_upstreamTls->options(m_initial.settings.upstreamTls);
    s.synthesizeConnAckOnUpstreamFailure = m_connAck->isChecked();
    return {};
}

Result<std::vector<FaultRule>> ProxyDialog::readRules() const
{
    std::vector<FaultRule> rules;
    const QStringList lines = m_rules->toPlainText().split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        // A rule kept as it was keeps its name and whether it is on.
        const auto kept = std::find_if(m_initial.faultRules.begin(), m_initial.faultRules.end(),
                                       [&](const FaultRule &r) { return r.toText() == line; });
        if (kept != m_initial.faultRules.end()) {
            rules.push_back(*kept);
            continue;
        }
        auto rule = FaultRule::parse(line);
        if (!rule)
            return problem(rule.problem().kind, tr("Fault rule on line %1: %2").arg(i + 1).arg(rule.sentence()));
        rules.push_back(*rule);
    }
    return rules;
}

Result<ProxyProfile> ProxyDialog::profile() const
{
    ProxyProfile p = m_initial;
    if (Status listen = readListen(p.settings); !listen)
        return listen.problem();
    if (Status upstream = readUpstream(p.settings); !upstream)
        return upstream.problem();
    auto rules = readRules();
    if (!rules)
        return rules.problem();
    p.faultRules = std::move(rules).value();
    p.name = m_name->text().trimmed().isEmpty() ? defaultProxyName(p.settings) : m_name->text().trimmed();
    p.startAtLaunch = m_startAtLaunch->isChecked();
    return p;
}

void ProxyDialog::check()
{
    ProxySettings settings = m_initial.settings;
    const Status listen = readListen(settings);
    const Status upstream = readUpstream(settings);
    const auto rules = readRules();
    if (upstream.ok())
        m_name->setPlaceholderText(defaultProxyName(settings));
    auto mark = [](QWidget *field, bool wrong) {
        field->setStyleSheet(wrong ? QStringLiteral("border: 1px solid %1;").arg(problemColor().name()) : QString());
    };
    ProxySettings address;
    mark(m_listen, !parseListenAddress(m_listen->text(), address).ok());
    mark(m_upstream, !upstream.ok());
    mark(m_rules, !rules.ok());
    const QString first = !listen.ok() ? listen.sentence() : !upstream.ok() ? upstream.sentence() : rules.sentence();
    m_problem->setText(first);
    m_problem->setVisible(!first.isEmpty());
    m_ok->setEnabled(first.isEmpty());
}

void ProxyDialog::accept()
{
    if (!profile().ok()) {
        check();
        return;
    }
    QDialog::accept();
}

} // namespace mqs
