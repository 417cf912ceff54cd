#include "message_form.h"

#include "theme.h"
#include "user_properties_editor.h"
#include "protocol/topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace mqs {
namespace {

constexpr int kTopicHistory = 50;
const QKeySequence kPayloadFromFileKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_O); // Ctrl+O opens a capture
constexpr int kPreviewCharacters = 160; // a line or two of the panel; the whole reading is in the tooltip

// A message as the fields describe it, or what is wrong and in which field.
struct Draft {
    QString topic{};
    QByteArray payload{};
    QString payloadText{};
    QString problem{};
    QWidget *field = nullptr;
};

} // namespace

std::vector<ReadingPreset> MessageForm::presets()
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

MessageForm::MessageForm(Settings &settings, QWidget *parent)
    : QWidget(parent), m_settings(settings)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(buildMessageFields());
    layout->addWidget(m_payload, 1);
    layout->addWidget(m_blobBar, 1);
    layout->addWidget(m_fromFile, 0, Qt::AlignLeft);
    auto *templateRow = new QHBoxLayout;
    templateRow->addWidget(m_templated, 1);
    templateRow->addWidget(m_restartSeq);
    layout->addLayout(templateRow);
    layout->addWidget(m_preview);
    layout->addWidget(m_problem);
    layout->addWidget(buildProperties());

    connect(m_topic, &QComboBox::editTextChanged, this, &MessageForm::validate);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &MessageForm::validate);
    connect(m_format, &QComboBox::currentIndexChanged, this, &MessageForm::validate);
    connect(m_format, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_fieldRows->setRowVisible(m_messageType, index == kProtobufFormat); });
    connect(m_messageType, &QComboBox::currentTextChanged, this, &MessageForm::validate);
    connect(m_messageType, &QComboBox::currentTextChanged, this, &MessageForm::fieldsEdited);
    connect(m_templated, &QCheckBox::toggled, this, &MessageForm::validate);
    connect(m_restartSeq, &QPushButton::clicked, this, &MessageForm::restartSeq);
    connect(m_fromFile, &QPushButton::clicked, this, &MessageForm::chooseFile);
    auto *fromFile = new QShortcut(kPayloadFromFileKeys, this);
    fromFile->setContext(Qt::WindowShortcut);
    connect(fromFile, &QShortcut::activated, this, &MessageForm::chooseFile);
    connect(m_payload, &PayloadTextEdit::largePaste, this, &MessageForm::takePastedText);
    connect(m_payload, &PayloadTextEdit::fileDropped, this, [this](const QString &path) {
        if (const Status loaded = loadPayloadFile(path); !loaded)
            showFieldProblem(loaded.sentence());
    });
    connect(m_blobBar, &PayloadBlobBar::clearClicked, this, &MessageForm::clearPayloadBlob);
    connect(m_topic, &QComboBox::editTextChanged, this, &MessageForm::fieldsEdited);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &MessageForm::fieldsEdited);
    connect(m_format, &QComboBox::currentIndexChanged, this, &MessageForm::fieldsEdited);
    connect(m_templated, &QCheckBox::toggled, this, &MessageForm::fieldsEdited);
    connect(m_qos, &QComboBox::currentIndexChanged, this, &MessageForm::fieldsEdited);
    connect(m_retain, &QCheckBox::toggled, this, &MessageForm::fieldsEdited);
    connect(m_presets, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            applyPreset(index - 1);
        m_presets->setCurrentIndex(0);
    });
    applyPreset(0);
}

QLayout *MessageForm::buildMessageFields()
{
    m_topic = new QComboBox(this);
    m_topic->setObjectName(QStringLiteral("publishTopic"));
    m_topic->setEditable(true);
    m_topic->setInsertPolicy(QComboBox::NoInsert);
    m_topic->lineEdit()->setPlaceholderText(tr("sensors/temperature/livingroom"));
    m_topic->addItems(m_settings.publishTopics());
    m_topic->completer()->setCaseSensitivity(Qt::CaseSensitive);
    m_qos = new QComboBox(this);
    m_qos->addItems({tr("QoS 0 — at most once"), tr("QoS 1 — at least once"), tr("QoS 2 — exactly once")});
    m_qos->setCurrentIndex(2);
    m_retain = new QCheckBox(tr("Retain"), this);
    m_format = new QComboBox(this);
    m_format->addItems({tr("Text"), tr("JSON"), tr("Hex"), tr("Base64")}); // in PayloadFormat's order
    m_format->insertItem(kProtobufFormat, tr("JSON → Protobuf"));
    m_format->setItemData(kProtobufFormat, tr("Type the message as JSON; it is sent encoded as the chosen Protobuf message type"),
                          Qt::ToolTipRole);
    m_messageType = new QComboBox(this);
    m_messageType->setObjectName(QStringLiteral("publishMessageType"));
    m_messageType->setEditable(true);
    m_messageType->setInsertPolicy(QComboBox::NoInsert);
    m_messageType->lineEdit()->setPlaceholderText(tr("add .proto files in View ▸ Decode payloads as…"));
    m_presets = new QComboBox(this);
    m_presets->addItem(tr("Presets…"));
    for (const ReadingPreset &p : presets())
        m_presets->addItem(p.name);
    m_payload = new PayloadTextEdit(this);
    m_payload->setObjectName(QStringLiteral("publishPayload"));
    m_payload->setPlaceholderText(tr("Payload"));
    m_payload->setTabChangesFocus(true);
    m_payload->setMinimumHeight(fontMetrics().lineSpacing() * 4);
    m_blobBar = new PayloadBlobBar(this);
    m_blobBar->setObjectName(QStringLiteral("payloadBlob"));
    m_blobBar->hide();
    m_fromFile = new QPushButton(tr("Payload from &file…"), this);
    m_fromFile->setObjectName(QStringLiteral("payloadFromFile"));
    m_fromFile->setToolTip(tr("Send a file's bytes as the payload, exactly as they are (%1)")
                               .arg(kPayloadFromFileKeys.toString(QKeySequence::NativeText)));
    m_templated = new QCheckBox(tr("Template ({{seq}}, …)"), this); // the fields are in the tooltip: the panel stays narrow
    m_templated->setToolTip(tr("Fields: {{seq}} {{counter}} {{now}} {{uuid}} {{random 18..26 step 0.1}} {{walk 21.5 ±0.2}} "
                               "{{pick a,b,c}} — in the payload and in the topic."));
    m_restartSeq = new QPushButton(tr("Restart {{seq}}"), this);
    m_restartSeq->setObjectName(QStringLiteral("restartSeq"));
    m_restartSeq->setToolTip(tr("{{seq}} counts on across Publish clicks and runs until the template changes; "
                                "this starts it at 1 again."));
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("templatePreview"));
    m_preview->setWordWrap(true);
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("fieldProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();

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
    formatRow->addWidget(m_presets, 1);
    form->addRow(payloadLabel, formatRow);
    form->addRow(tr("&Message type"), m_messageType);
    m_fieldRows = form;
    form->setRowVisible(m_messageType, false);
    return form;
}

QGroupBox *MessageForm::buildProperties()
{
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
    m_userProperties = new UserPropertiesEditor(m_propertiesBox);
    auto *form = new QFormLayout(m_propertiesBox);
    form->addRow(tr("Content type"), m_contentType);
    form->addRow(m_utf8);
    form->addRow(tr("Message expiry"), m_expiry);
    form->addRow(tr("Response topic"), m_responseTopic);
    form->addRow(tr("Correlation data"), m_correlation);
    form->addRow(m_userProperties);
    for (QWidget *w : m_propertiesBox->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly))
        w->setVisible(false);
    connect(m_propertiesBox, &QGroupBox::toggled, this, [this](bool on) {
        for (QWidget *w : m_propertiesBox->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly))
            w->setVisible(on);
    });
    return m_propertiesBox;
}

void MessageForm::applyPreset(int index)
{
    const auto list = presets();
    if (index < 0 || index >= int(list.size()))
        return;
    const ReadingPreset &p = list[std::size_t(index)];
    m_topic->setCurrentText(p.topic);
    clearPayloadBlob();
    m_format->setCurrentIndex(int(p.format));
    m_payload->setPlainText(p.payload);
    m_qos->setCurrentIndex(qosValue(p.qos));
    m_templated->setChecked(true);
    validate();
}

Properties MessageForm::properties() const
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
    m_userProperties->model().addTo(props);
    return props;
}

namespace {

// `blob`: bytes sent as they are, instead of the payload text (no template, no format).
Draft draft(const QString &topicText, const QString &payloadText, bool templated,
            const std::function<Result<QByteArray>(const QString &)> &bytesOf, ReadingSeries &topicSeries, ReadingSeries &payloadSeries, QWidget *topicField, QWidget *payloadField,
            const PayloadBlob *blob)
{
    Draft d{topicText.trimmed(), {}, payloadText, {}, nullptr};
    if (templated) {
        auto topic = topicSeries.next(d.topic);
        if (!topic)
            return Draft{.problem = MessageForm::tr("Topic template: ") + topic.sentence(), .field = topicField};
        d.topic = *topic;
    }
    if (d.topic.isEmpty())
        return Draft{.problem = MessageForm::tr("Enter a topic to publish to, e.g. sensors/temperature/livingroom."), .field = topicField};
    if (const Status problem = checkTopicName(d.topic); !problem)
        return Draft{.problem = problem.sentence(), .field = topicField};
    if (blob) {
        d.payload = blob->bytes;
        d.payloadText = payloadBlobSummary(*blob);
        return d;
    }
    if (templated) {
        auto payload = payloadSeries.next(payloadText);
        if (!payload)
            return Draft{.problem = MessageForm::tr("Payload template: ") + payload.sentence(), .field = payloadField};
        d.payloadText = *payload;
    }
    auto payload = bytesOf(d.payloadText);
    if (!payload)
        return Draft{.problem = payload.sentence(), .field = payloadField};
    d.payload = *payload;
    return d;
}

} // namespace

Result<ApplicationMessage> MessageForm::build()
{
    const Draft d = draft(m_topic->currentText(), m_payload->toPlainText(), m_templated->isChecked(),
                          [this](const QString &text) { return payloadBytes(text); }, m_topicSeries, m_payloadSeries, m_topic, m_payload,
                          m_blob ? &*m_blob : nullptr);
    validate(); // the preview moves on to the reading after this one
    if (!d.problem.isEmpty())
        return Problem{ProblemKind::InvalidInput, d.problem};
    return ApplicationMessage{d.topic, d.payload, QoS(m_qos->currentIndex()), m_retain->isChecked(), properties()};
}

void MessageForm::validate()
{
    ReadingSeries topicSeries = m_topicSeries; // copies: checking must not use up a reading
    ReadingSeries payloadSeries = m_payloadSeries;
    const bool typing = m_topic->currentText().trimmed().isEmpty(); // an empty topic is being typed, not wrong yet
    const Draft d = draft(m_topic->currentText(), m_payload->toPlainText(), m_templated->isChecked(),
                          [this](const QString &text) { return payloadBytes(text); }, topicSeries, payloadSeries, m_topic, m_payload,
                          m_blob ? &*m_blob : nullptr);
    const QString problem = typing && d.field == m_topic ? QString() : d.problem;
    mark(m_topic, !problem.isEmpty() && d.field == m_topic);
    mark(m_payload, !problem.isEmpty() && d.field == m_payload);
    showFieldProblem(problem);
    const bool showPreview = m_templated->isChecked() && d.problem.isEmpty();
    const QString next = showPreview ? tr("Next: %1  ←  %2").arg(d.topic, d.payloadText) : QString();
    m_preview->setText(next.size() > kPreviewCharacters ? next.left(kPreviewCharacters) + QStringLiteral("…") : next);
    m_preview->setToolTip(next);
    m_preview->setVisible(showPreview);
}

void MessageForm::showFieldProblem(const QString &problem)
{
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
}

void MessageForm::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Payload from file"), m_lastFileFolder);
    if (path.isEmpty())
        return;
    m_lastFileFolder = QFileInfo(path).absolutePath();
    if (const Status loaded = loadPayloadFile(path); !loaded)
        showFieldProblem(loaded.sentence());
}

Status MessageForm::loadPayloadFile(const QString &path)
{
    auto blob = payloadBlobFromFile(path);
    if (!blob)
        return blob.problem();
    takePayload(std::move(*blob));
    return {};
}

void MessageForm::setProtobufEncoding(ProtobufEncoder encoder, const QStringList &messageTypes)
{
    m_encodeProtobuf = std::move(encoder);
    const QString typed = m_messageType->currentText();
    const QSignalBlocker quiet(m_messageType); // the same choice, offered again: not an edit
    m_messageType->clear();
    m_messageType->addItems(messageTypes);
    m_messageType->setCurrentText(typed.isEmpty() && !messageTypes.isEmpty() ? messageTypes.front() : typed);
    validate();
}

Result<QByteArray> MessageForm::payloadBytes(const QString &text) const
{
    if (m_format->currentIndex() != kProtobufFormat)
        return payloadFromText(text, PayloadFormat(m_format->currentIndex()));
    auto json = payloadFromText(text, PayloadFormat::Json);
    if (!json)
        return json;
    const QString type = m_messageType->currentText().trimmed();
    if (type.isEmpty() || !m_encodeProtobuf)
        return Problem{ProblemKind::InvalidInput, tr("Choose the Protobuf message type to encode the JSON as.")};
    auto encoded = m_encodeProtobuf(type, *json);
    if (!encoded)
        return Problem{ProblemKind::InvalidInput, tr("As %1: %2").arg(type, encoded.sentence())};
    return encoded;
}

void MessageForm::takePastedText(const QString &text)
{
    auto bytes = payloadBytes(text);
    if (!bytes) {
        mark(m_payload, true);
        showFieldProblem(tr("The pasted %1 were not taken: %2").arg(payloadSizeText(text.size()), bytes.sentence()));
        return;
    }
    takePayload(payloadBlobFromPaste(std::move(*bytes)));
}

void MessageForm::takePayload(PayloadBlob blob)
{
    m_blob = std::move(blob);
    m_blobBar->showBlob(*m_blob);
    m_payload->hide();
    m_format->setEnabled(false); // the bytes are sent as they are
    validate();
    emit payloadBlobChanged();
}

void MessageForm::clearPayloadBlob()
{
    if (!m_blob)
        return;
    m_blob.reset();
    m_blobBar->hide();
    m_blobBar->setWarning(QString());
    m_payload->show();
    m_format->setEnabled(true);
    m_payload->setFocus();
    validate();
    emit payloadBlobChanged();
}

void MessageForm::mark(QWidget *field, bool wrong)
{
    field->setProperty("invalid", wrong);
    const QString kind = QLatin1String(field->metaObject()->className());
    field->setStyleSheet(wrong ? QStringLiteral("%1 { border: 2px solid %2; }").arg(kind, problemColor().name()) : QString());
}

QString MessageForm::fieldProblem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

QString MessageForm::preview() const
{
    return m_preview->isVisible() ? m_preview->toolTip() : QString();
}

void MessageForm::restartSeq()
{
    m_topicSeries.restart();
    m_payloadSeries.restart();
    validate();
}

void MessageForm::rememberTopic(const QString &topic)
{
    if (topic.isEmpty() || m_topic->findText(topic) >= 0)
        return;
    m_topic->insertItem(0, topic);
    QStringList topics;
    for (int i = 0; i < m_topic->count() && i < kTopicHistory; ++i)
        topics << m_topic->itemText(i);
    m_settings.setPublishTopics(topics);
}

QVariantMap MessageForm::fields() const
{
    return {{QStringLiteral("topic"), m_topic->currentText()},
            {QStringLiteral("payload"), m_payload->toPlainText()},
            {QStringLiteral("format"), m_format->currentIndex()},
            {QStringLiteral("messageType"), m_messageType->currentText()},
            {QStringLiteral("qos"), m_qos->currentIndex()},
            {QStringLiteral("retain"), m_retain->isChecked()},
            {QStringLiteral("template"), m_templated->isChecked()},
            {QStringLiteral("contentType"), m_contentType->text()}};
}

void MessageForm::setFields(const QVariantMap &fields)
{
    if (fields.value(QStringLiteral("payload")).toString() != m_payload->toPlainText())
        clearPayloadBlob(); // another payload was chosen; the same one (a connection's saved generator) keeps the blob
    m_topic->setCurrentText(fields.value(QStringLiteral("topic")).toString());
    m_format->setCurrentIndex(fields.value(QStringLiteral("format")).toInt());
    m_messageType->setCurrentText(fields.value(QStringLiteral("messageType")).toString());
    m_payload->setPlainText(fields.value(QStringLiteral("payload")).toString());
    m_qos->setCurrentIndex(fields.value(QStringLiteral("qos")).toInt());
    m_retain->setChecked(fields.value(QStringLiteral("retain")).toBool());
    m_templated->setChecked(fields.value(QStringLiteral("template")).toBool());
    m_contentType->setText(fields.value(QStringLiteral("contentType")).toString());
    validate();
}

} // namespace mqs
