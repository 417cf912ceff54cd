#include "publish_panel.h"

#include "theme.h"
#include "protocol/topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mqs {
namespace {
constexpr int kMaxQueuedByGenerator = 500; // keep the session's queue short while generating
} // namespace

std::vector<ReadingPreset> PublishPanel::presets()
{
    return {
        {QStringLiteral("temperature sensor (JSON)"), QStringLiteral("sensors/temperature/livingroom"),
         QStringLiteral("{\"temperature\": {{walk 21.5 ±0.2}}, \"unit\": \"°C\", \"seq\": {{seq}}, \"at\": \"{{now}}\"}"),
         PayloadFormat::Json, QoS::ExactlyOnce},
        {QStringLiteral("temperature, several rooms"), QStringLiteral("sensors/{{pick livingroom,kitchen,attic}}/temperature"),
         QStringLiteral("{{random 18..26 step 0.1}}"), PayloadFormat::Text, QoS::AtLeastOnce},
        {QStringLiteral("humidity (plain number)"), QStringLiteral("sensors/humidity/kitchen"), QStringLiteral("{{random 35..60}}"),
         PayloadFormat::Text, QoS::AtMostOnce},
        {QStringLiteral("event with id"), QStringLiteral("events/door"),
         QStringLiteral("{\"event\": \"opened\", \"id\": \"{{uuid}}\", \"n\": {{counter}}}"), PayloadFormat::Json, QoS::ExactlyOnce},
    };
}

PublishPanel::PublishPanel(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_snippets(this)
{
    m_clock.start();
    m_topic = new QComboBox(this);
    m_topic->setEditable(true);
    m_topic->setInsertPolicy(QComboBox::NoInsert);
    m_topic->lineEdit()->setPlaceholderText(tr("sensors/temperature/livingroom"));
    m_topic->addItems(QSettings().value(QStringLiteral("publish/topics")).toStringList());
    m_topic->setCurrentText(QStringLiteral("sensors/temperature/livingroom"));
    m_topic->completer()->setCaseSensitivity(Qt::CaseSensitive);
    m_qos = new QComboBox(this);
    m_qos->addItems({tr("QoS 0 — at most once"), tr("QoS 1 — at least once"), tr("QoS 2 — exactly once")});
    m_qos->setCurrentIndex(2);
    m_retain = new QCheckBox(tr("Retain"), this);
    m_format = new QComboBox(this);
    m_format->addItems({tr("Text"), tr("JSON"), tr("Hex"), tr("Base64")});
    m_templated = new QCheckBox(tr("Template ({{seq}}, {{walk 21.5 ±0.2}}, …)"), this);
    m_templated->setToolTip(tr("Fields: {{seq}} {{counter}} {{now}} {{uuid}} {{random 18..26 step 0.1}} {{walk 21.5 ±0.2}} "
                               "{{pick a,b,c}} — in the payload and in the topic."));
    m_payload = new QPlainTextEdit(this);
    m_payload->setPlaceholderText(tr("Payload"));
    m_payload->setTabChangesFocus(true);
    m_payload->setMinimumHeight(70);
    auto *presetBox = new QComboBox(this);
    presetBox->addItem(tr("Presets…"));
    for (const ReadingPreset &p : presets())
        presetBox->addItem(p.name);

    // 5.0 properties
    m_propertiesBox = new QGroupBox(tr("MQTT 5.0 properties"), this);
    m_propertiesBox->setCheckable(true);
    m_propertiesBox->setChecked(false);
    m_contentType = new QLineEdit(m_propertiesBox);
    m_contentType->setPlaceholderText(QStringLiteral("application/json"));
    m_utf8 = new QCheckBox(tr("Payload is UTF-8 (Payload Format Indicator 1)"), m_propertiesBox);
    m_expiry = new QSpinBox(m_propertiesBox);
    m_expiry->setRange(0, 86400 * 365);
    m_expiry->setSpecialValueText(tr("never"));
    m_expiry->setSuffix(tr(" s"));
    m_responseTopic = new QLineEdit(m_propertiesBox);
    m_correlation = new QLineEdit(m_propertiesBox);
    m_userProperties = new QTableWidget(0, 2, m_propertiesBox);
    m_userProperties->setHorizontalHeaderLabels({tr("Name"), tr("Value")});
    m_userProperties->horizontalHeader()->setStretchLastSection(true);
    m_userProperties->verticalHeader()->hide();
    m_userProperties->setMaximumHeight(90);
    auto *addProperty = new QPushButton(tr("Add user property"), m_propertiesBox);
    auto *propertiesForm = new QFormLayout(m_propertiesBox);
    propertiesForm->addRow(tr("Content type"), m_contentType);
    propertiesForm->addRow(m_utf8);
    propertiesForm->addRow(tr("Message expiry"), m_expiry);
    propertiesForm->addRow(tr("Response topic"), m_responseTopic);
    propertiesForm->addRow(tr("Correlation data"), m_correlation);
    propertiesForm->addRow(m_userProperties);
    propertiesForm->addRow(addProperty);
    for (QWidget *w : m_propertiesBox->findChildren<QWidget *>())
        w->setVisible(false);
    connect(m_propertiesBox, &QGroupBox::toggled, this, [this](bool on) {
        for (QWidget *w : m_propertiesBox->findChildren<QWidget *>())
            w->setVisible(on);
    });
    connect(addProperty, &QPushButton::clicked, this, [this] { m_userProperties->insertRow(m_userProperties->rowCount()); });

    // publishing and the generator
    m_publish = new QPushButton(tr("&Publish"), this);
    m_publish->setToolTip(tr("Publish once (Ctrl+Return)"));
    m_publish->setDefault(true);
    m_count = new QSpinBox(this);
    m_count->setRange(1, 10'000'000);
    m_count->setValue(10);
    m_count->setPrefix(tr("× "));
    m_interval = new QSpinBox(this);
    m_interval->setRange(0, 3'600'000);
    m_interval->setValue(1000);
    m_interval->setSuffix(tr(" ms"));
    m_interval->setSpecialValueText(tr("no pause"));
    m_start = new QPushButton(tr("Start"), this);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setValue(0);
    m_rate = new QLabel(this);
    m_outcome = new QLabel(tr("Nothing published yet."), this);
    m_outcome->setWordWrap(true);
    m_outcome->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();

    // snippets
    m_snippetList = new QListView(this);
    m_snippetList->setModel(&m_snippets);
    m_snippetList->setMaximumHeight(110);
    m_snippetList->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::DoubleClicked);
    auto *saveSnippet = new QPushButton(tr("Save…"), this);
    saveSnippet->setToolTip(tr("Save the topic, payload and options as a snippet"));
    auto *useSnippet = new QPushButton(tr("Use"), this);
    auto *up = new QPushButton(QStringLiteral("↑"), this);
    auto *down = new QPushButton(QStringLiteral("↓"), this);
    auto *deleteSnippet = new QPushButton(tr("Delete"), this);
    up->setAccessibleName(tr("Move snippet up"));
    down->setAccessibleName(tr("Move snippet down"));
    up->setMaximumWidth(32);
    down->setMaximumWidth(32);

    auto *form = new QFormLayout;
    form->addRow(tr("&Topic"), m_topic);
    auto *qosLabel = new QLabel(tr("&QoS"), this);
    qosLabel->setBuddy(m_qos);
    auto *payloadLabel = new QLabel(tr("Pa&yload"), this);
    payloadLabel->setBuddy(m_format);
    auto *qosRow = new QHBoxLayout;
    qosRow->addWidget(m_qos, 1);
    qosRow->addWidget(m_retain);
    form->addRow(qosLabel, qosRow);
    auto *formatRow = new QHBoxLayout;
    formatRow->addWidget(m_format);
    formatRow->addWidget(presetBox, 1);
    form->addRow(payloadLabel, formatRow);
    auto *generator = new QGroupBox(tr("Test readings"), this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(form);
    layout->addWidget(m_payload, 1);
    layout->addWidget(m_templated);
    layout->addWidget(m_propertiesBox);
    auto *publishRow = new QHBoxLayout;
    publishRow->addWidget(m_publish);
    publishRow->addStretch();
    layout->addLayout(publishRow);
    layout->addWidget(m_outcome);
    layout->addWidget(m_problem);
    auto *genLayout = new QVBoxLayout(generator);
    auto *genRow = new QHBoxLayout;
    genRow->addWidget(m_count);
    genRow->addWidget(new QLabel(tr("every"), generator));
    genRow->addWidget(m_interval, 1);
    genLayout->addLayout(genRow);
    auto *genButtons = new QHBoxLayout;
    genButtons->addWidget(m_start);
    genButtons->addWidget(m_stop);
    genButtons->addWidget(m_progress, 1);
    genLayout->addLayout(genButtons);
    genLayout->addWidget(m_rate);
    layout->addWidget(generator);
    auto *snippets = new QGroupBox(tr("Snippets"), this);
    auto *snippetLayout = new QVBoxLayout(snippets);
    snippetLayout->addWidget(m_snippetList);
    auto *snippetButtons = new QHBoxLayout;
    for (QPushButton *b : {saveSnippet, useSnippet, up, down, deleteSnippet})
        snippetButtons->addWidget(b);
    snippetButtons->setSpacing(4);
    snippetLayout->addLayout(snippetButtons);
    layout->addWidget(snippets);

    setTabOrder(m_topic, m_qos);
    setTabOrder(m_qos, m_retain);
    setTabOrder(m_retain, m_format);
    setTabOrder(m_format, m_payload);
    setTabOrder(m_payload, m_templated);
    setTabOrder(m_templated, m_publish);

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, &PublishPanel::publish);
    connect(m_publish, &QPushButton::clicked, this, &PublishPanel::publish);
    connect(m_start, &QPushButton::clicked, this, &PublishPanel::startGenerator);
    connect(m_stop, &QPushButton::clicked, this, &PublishPanel::stopGenerator);
    connect(&m_generator, &QTimer::timeout, this, &PublishPanel::publishOne);
    connect(presetBox, &QComboBox::activated, this, [this, presetBox](int index) {
        if (index > 0)
            applyPreset(index - 1);
        presetBox->setCurrentIndex(0);
    });
    connect(m_format, &QComboBox::currentIndexChanged, this, [this](int) { m_problem->hide(); });
    connect(saveSnippet, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save snippet"), tr("Name"), QLineEdit::Normal, m_topic->currentText(), &ok);
        if (!ok || name.isEmpty())
            return;
        auto *item = new QStandardItem(name);
        item->setData(QJsonObject{{QStringLiteral("topic"), m_topic->currentText()},
                                  {QStringLiteral("payload"), m_payload->toPlainText()},
                                  {QStringLiteral("format"), m_format->currentIndex()},
                                  {QStringLiteral("qos"), m_qos->currentIndex()},
                                  {QStringLiteral("retain"), m_retain->isChecked()},
                                  {QStringLiteral("template"), m_templated->isChecked()},
                                  {QStringLiteral("contentType"), m_contentType->text()}}
                          .toVariantMap());
        m_snippets.appendRow(item);
        saveSnippets();
    });
    auto applySnippet = [this] {
        const QModelIndex i = m_snippetList->currentIndex();
        if (!i.isValid())
            return;
        const QVariantMap s = i.data(Qt::UserRole + 1).toMap();
        m_topic->setCurrentText(s.value(QStringLiteral("topic")).toString());
        m_format->setCurrentIndex(s.value(QStringLiteral("format")).toInt());
        m_payload->setPlainText(s.value(QStringLiteral("payload")).toString());
        m_qos->setCurrentIndex(s.value(QStringLiteral("qos")).toInt());
        m_retain->setChecked(s.value(QStringLiteral("retain")).toBool());
        m_templated->setChecked(s.value(QStringLiteral("template")).toBool());
        m_contentType->setText(s.value(QStringLiteral("contentType")).toString());
    };
    connect(useSnippet, &QPushButton::clicked, this, applySnippet);
    connect(m_snippetList, &QListView::activated, this, applySnippet);
    auto move = [this](int by) {
        const int row = m_snippetList->currentIndex().row();
        if (row < 0 || row + by < 0 || row + by >= m_snippets.rowCount())
            return;
        const QList<QStandardItem *> taken = m_snippets.takeRow(row);
        m_snippets.insertRow(row + by, taken);
        m_snippetList->setCurrentIndex(m_snippets.index(row + by, 0));
        saveSnippets();
    };
    connect(up, &QPushButton::clicked, this, [move] { move(-1); });
    connect(down, &QPushButton::clicked, this, [move] { move(1); });
    connect(deleteSnippet, &QPushButton::clicked, this, [this] {
        const int row = m_snippetList->currentIndex().row();
        if (row >= 0) {
            m_snippets.removeRow(row);
            saveSnippets();
        }
    });
    connect(&m_snippets, &QStandardItemModel::itemChanged, this, [this] { saveSnippets(); });
    loadSnippets();

    for (Connection *c : m_workbench.connections())
        connect(c, &Connection::flowUpdated, this, [this, c](const FlowUpdate &u) { onFlow(c, u); });
    connect(&m_workbench, &Workbench::connectionAdded, this, [this](Connection *c) {
        connect(c, &Connection::flowUpdated, this, [this, c](const FlowUpdate &u) { onFlow(c, u); });
    });
    connect(&m_workbench, &Workbench::heldPacketsChanged, this, &PublishPanel::updateOutcome);
    connect(&m_workbench, &Workbench::batch, this, &PublishPanel::updateOutcome);
    applyPreset(0);
}

void PublishPanel::applyPreset(int index)
{
    const auto list = presets();
    if (index < 0 || index >= int(list.size()))
        return;
    const ReadingPreset &p = list[std::size_t(index)];
    m_topic->setCurrentText(p.topic);
    m_format->setCurrentIndex(int(p.format));
    m_payload->setPlainText(p.payload);
    m_qos->setCurrentIndex(qosValue(p.qos));
    m_templated->setChecked(true);
}

Properties PublishPanel::properties() const
{
    Properties props;
    if (!m_propertiesBox->isChecked())
        return props;
    if (!m_contentType->text().isEmpty())
        props.set(PropertyId::ContentType, m_contentType->text());
    if (m_utf8->isChecked())
        props.set(PropertyId::PayloadFormatIndicator, quint32(1));
    if (m_expiry->value() > 0)
        props.set(PropertyId::MessageExpiryInterval, quint32(m_expiry->value()));
    if (!m_responseTopic->text().isEmpty())
        props.set(PropertyId::ResponseTopic, m_responseTopic->text());
    if (!m_correlation->text().isEmpty())
        props.set(PropertyId::CorrelationData, m_correlation->text().toUtf8());
    for (int r = 0; r < m_userProperties->rowCount(); ++r) {
        const auto *name = m_userProperties->item(r, 0);
        const auto *value = m_userProperties->item(r, 1);
        if (name && !name->text().isEmpty())
            props.addUserProperty(name->text(), value ? value->text() : QString());
    }
    return props;
}

std::variant<ApplicationMessage, QString> PublishPanel::buildMessage()
{
    QString topic = m_topic->currentText().trimmed();
    QString payloadText = m_payload->toPlainText();
    if (m_templated->isChecked()) {
        if (!m_topicTemplate) {
            auto t = ReadingTemplate::parse(topic);
            if (const auto *error = std::get_if<QString>(&t))
                return tr("Topic template: ") + *error;
            m_topicTemplate = std::get<ReadingTemplate>(t);
        }
        if (!m_payloadTemplate) {
            auto t = ReadingTemplate::parse(payloadText);
            if (const auto *error = std::get_if<QString>(&t))
                return tr("Payload template: ") + *error;
            m_payloadTemplate = std::get<ReadingTemplate>(t);
        }
        topic = m_topicTemplate->render();
        payloadText = m_payloadTemplate->render();
    }
    if (topic.isEmpty())
        return tr("Enter a topic to publish to, e.g. sensors/temperature/livingroom.");
    if (const auto problem = topicNameProblem(topic))
        return *problem;
    auto payload = payloadFromText(payloadText, PayloadFormat(m_format->currentIndex()));
    if (const auto *error = std::get_if<QString>(&payload))
        return *error;
    return ApplicationMessage{topic, std::get<QByteArray>(payload), QoS(m_qos->currentIndex()), m_retain->isChecked(), properties()};
}

void PublishPanel::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

QString PublishPanel::problem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

QString PublishPanel::outcome() const
{
    return m_outcome->text();
}

void PublishPanel::publish()
{
    m_topicTemplate.reset();
    m_payloadTemplate.reset();
    m_target = 1;
    m_generated = 0;
    publishOne();
}

void PublishPanel::startGenerator()
{
    m_topicTemplate.reset();
    m_payloadTemplate.reset();
    m_target = m_count->value();
    m_generated = 0;
    m_progress->setRange(0, m_target);
    m_progress->setValue(0);
    m_generatorClock.start();
    m_start->setEnabled(false);
    m_stop->setEnabled(true);
    m_generator.start(m_interval->value());
    publishOne();
}

void PublishPanel::stopGenerator()
{
    m_generator.stop();
    m_start->setEnabled(true);
    m_stop->setEnabled(false);
    if (m_target > 1)
        m_rate->setText(tr("Published %1 of %2 readings in %3 s.")
                            .arg(m_generated)
                            .arg(m_target)
                            .arg(double(m_generatorClock.elapsed()) / 1000.0, 0, 'f', 1));
}

void PublishPanel::publishOne()
{
    Connection *c = m_workbench.current();
    if (!c) {
        showProblem(tr("No connection: add one (Ctrl+N) or run the demo (Ctrl+D)."));
        stopGenerator();
        return;
    }
    // As fast as possible means: keep the session's queue short, not unbounded.
    const int burst = m_generator.isActive() && m_interval->value() == 0 ? 200 : 1;
    for (int i = 0; i < burst && m_generated < m_target; ++i) {
        if (m_generator.isActive() && c->session().outbound().queued() > kMaxQueuedByGenerator)
            break;
        auto built = buildMessage();
        if (const auto *error = std::get_if<QString>(&built)) {
            showProblem(*error);
            stopGenerator();
            return;
        }
        const ApplicationMessage message = std::get<ApplicationMessage>(built);
        const PublishResult result = c->publish(message);
        if (!result.ticket) {
            showProblem(tr("Refused: %1").arg(result.refusal));
            m_outcome->setText(tr("✖ refused: %1").arg(result.refusal));
            stopGenerator();
            return;
        }
        showProblem(QString());
        ++m_generated;
        rememberTopic(m_topic->currentText().trimmed());
        m_lastConnection = c;
        m_lastSerial = result.ticket->serial;
        m_lastStartMs = m_clock.elapsed();
        m_lastUpdate = FlowUpdate{};
        m_lastUpdate.qos = message.qos;
        m_lastUpdate.topic = message.topic;
        m_lastUpdate.packetId = result.ticket->packetId.value_or(PacketId());
        m_lastUpdate.state = message.qos == QoS::AtMostOnce ? FlowState::None : c->session().flowState(Direction::Outbound, m_lastUpdate.packetId);
        emit published(m_lastSerial);
    }
    updateOutcome();
    if (m_target > 1) {
        m_progress->setValue(m_generated);
        const double seconds = double(m_generatorClock.elapsed()) / 1000.0;
        m_rate->setText(tr("%1 of %2 · %3 readings/s").arg(m_generated).arg(m_target).arg(seconds > 0 ? m_generated / seconds : 0, 0, 'f', 1));
    }
    if (m_generated >= m_target && m_generator.isActive())
        stopGenerator();
}

void PublishPanel::onFlow(Connection *connection, const FlowUpdate &update)
{
    if (connection != m_lastConnection || update.direction != Direction::Outbound || update.serial != m_lastSerial || !m_lastSerial)
        return;
    m_lastUpdate = update;
    updateOutcome();
}

void PublishPanel::updateOutcome()
{
    if (!m_lastConnection)
        return;
    const FlowUpdate &u = m_lastUpdate;
    const double ms = double(m_clock.elapsed() - m_lastStartMs);
    QString text;
    QString color;
    if (u.qos == QoS::AtMostOnce) {
        text = tr("→ %1 sent at QoS 0: no acknowledgement exists for QoS 0.").arg(u.topic);
    } else {
        // held by a fault rule?
        for (const Workbench::Held &h : m_workbench.heldPackets())
            if (h.connection == m_lastConnection && h.packet.packetId == u.packetId)
                text = tr("‖ id %1: %2 held by rule '%3' — release it in the flow inspector.")
                           .arg(u.packetId.value)
                           .arg(packetTypeName(h.packet.type), h.packet.ruleName);
        if (text.isEmpty()) {
            switch (u.state) {
            case FlowState::Complete:
                text = tr("✔ id %1 completed (%2) in %3 ms.").arg(u.packetId.value).arg(u.qos == QoS::ExactlyOnce ? QStringLiteral("PUBCOMP") : QStringLiteral("PUBACK")).arg(ms, 0, 'f', 1);
                color = successColor().name();
                break;
            case FlowState::Failed:
                text = tr("✖ id %1 failed: %2").arg(u.packetId.value).arg(u.note);
                color = problemColor().name();
                break;
            case FlowState::Abandoned:
                text = tr("✖ id %1 abandoned: %2").arg(u.packetId.value).arg(u.note);
                color = problemColor().name();
                break;
            case FlowState::Queued:
                text = tr("⏳ id %1 queued: waiting for send quota or a connection.").arg(u.packetId.value);
                break;
            case FlowState::AwaitingPubAck:
                text = tr("⏳ id %1 waiting for PUBACK (%2 s).").arg(u.packetId.value).arg(ms / 1000, 0, 'f', 1);
                break;
            case FlowState::AwaitingPubRec:
                text = tr("⏳ id %1 waiting for PUBREC (%2 s).").arg(u.packetId.value).arg(ms / 1000, 0, 'f', 1);
                break;
            case FlowState::AwaitingPubComp:
                text = tr("⏳ id %1 PUBREC received; waiting for PUBCOMP (%2 s).").arg(u.packetId.value).arg(ms / 1000, 0, 'f', 1);
                break;
            default:
                text = tr("⏳ id %1 …").arg(u.packetId.value);
            }
        }
    }
    m_outcome->setStyleSheet(color.isEmpty() ? QString() : QStringLiteral("color: %1;").arg(color));
    m_outcome->setText(text);
}

void PublishPanel::rememberTopic(const QString &topic)
{
    if (topic.isEmpty() || m_topic->findText(topic) >= 0)
        return;
    m_topic->insertItem(0, topic);
    QStringList topics;
    for (int i = 0; i < m_topic->count() && i < 50; ++i)
        topics << m_topic->itemText(i);
    QSettings().setValue(QStringLiteral("publish/topics"), topics);
}

void PublishPanel::saveSnippets()
{
    QJsonArray list;
    for (int r = 0; r < m_snippets.rowCount(); ++r) {
        QJsonObject o = QJsonObject::fromVariantMap(m_snippets.item(r)->data(Qt::UserRole + 1).toMap());
        o.insert(QStringLiteral("name"), m_snippets.item(r)->text());
        list.append(o);
    }
    QSettings().setValue(QStringLiteral("publish/snippets"), QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)));
}

void PublishPanel::loadSnippets()
{
    const QJsonArray list = QJsonDocument::fromJson(QSettings().value(QStringLiteral("publish/snippets")).toString().toUtf8()).array();
    const QSignalBlocker block(&m_snippets);
    for (const QJsonValue &v : list) {
        const QJsonObject o = v.toObject();
        auto *item = new QStandardItem(o.value(QStringLiteral("name")).toString());
        item->setData(o.toVariantMap());
        m_snippets.appendRow(item);
    }
}

} // namespace mqs
