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
    : QWidget(parent), m_workbench(workbench), m_snippets(this), m_last(workbench)
{
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
    m_restartSeq = new QPushButton(tr("Restart {{seq}}"), this);
    m_restartSeq->setObjectName(QStringLiteral("restartSeq"));
    m_restartSeq->setToolTip(tr("{{seq}} counts on across Publish clicks and runs until the template changes; "
                                "this starts it at 1 again."));
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
    auto *templateRow = new QHBoxLayout;
    templateRow->addWidget(m_templated, 1);
    templateRow->addWidget(m_restartSeq);
    layout->addLayout(templateRow);
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
    setTabOrder(m_templated, m_restartSeq);
    setTabOrder(m_restartSeq, m_publish);

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, &PublishPanel::publish);
    connect(m_publish, &QPushButton::clicked, this, &PublishPanel::publish);
    connect(m_start, &QPushButton::clicked, this, &PublishPanel::startGenerator);
    connect(m_stop, &QPushButton::clicked, this, &PublishPanel::stopGenerator);
    connect(m_restartSeq, &QPushButton::clicked, this, &PublishPanel::restartSeq);
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
        auto renderedTopic = m_topicSeries.next(topic);
        if (const auto *problem = std::get_if<TemplateProblem>(&renderedTopic))
            return tr("Topic template: ") + problem->sentence;
        auto renderedPayload = m_payloadSeries.next(payloadText);
        if (const auto *problem = std::get_if<TemplateProblem>(&renderedPayload))
            return tr("Payload template: ") + problem->sentence;
        topic = std::get<QString>(renderedTopic);
        payloadText = std::get<QString>(renderedPayload);
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

void PublishPanel::restartSeq()
{
    m_topicSeries.restart();
    m_payloadSeries.restart();
}

void PublishPanel::publish()
{
    m_target = 1;
    m_generated = 0;
    publishOne();
}

void PublishPanel::startGenerator()
{
    m_target = m_count->value();
    m_generated = 0;
    m_run = Run{.target = m_target};
    m_run.clock.start();
    m_progress->setRange(0, m_target);
    m_progress->setValue(0);
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
    if (m_run.target > 1 && !m_run.seconds) {
        m_run.seconds = double(m_run.clock.elapsed()) / 1000.0;
        updateRun();
    }
}

QString PublishPanel::runText() const
{
    return m_rate->text();
}

void PublishPanel::updateRun()
{
    if (m_run.target <= 1)
        return;
    const PublishTally &t = m_run.tally;
    // What became of them, not just how many the session took: some may wait behind the send window.
    QString fate = tr("%1 sent, %2 completed, %3 still queued").arg(t.sent()).arg(t.completed()).arg(t.queued());
    if (t.failed() > 0)
        fate += tr(", %1 failed").arg(t.failed());
    if (m_run.seconds) {
        m_rate->setText(tr("%1 of %2 readings in %3 s: %4.").arg(t.handed()).arg(m_run.target).arg(*m_run.seconds, 0, 'f', 1).arg(fate));
        return;
    }
    const double seconds = double(m_run.clock.elapsed()) / 1000.0;
    m_rate->setText(tr("%1 of %2 · %3 readings/s: %4.")
                        .arg(t.handed())
                        .arg(m_run.target)
                        .arg(seconds > 0 ? t.handed() / seconds : 0, 0, 'f', 1)
                        .arg(fate));
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
        const quint64 traceEnd = m_workbench.trace().endSequence();
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
        track(c, message, *result.ticket, traceEnd);
        emit published(result.ticket->serial);
    }
    updateOutcome();
    if (m_target > 1) {
        m_progress->setValue(m_generated);
        updateRun();
    }
    if (m_generated >= m_target && m_generator.isActive())
        stopGenerator();
}

void PublishPanel::track(Connection *connection, const ApplicationMessage &message, const PublishTicket &ticket, quint64 traceEnd)
{
    m_last.published(connection, message, ticket, traceEnd);
    if (m_target <= 1 || (m_run.connection && m_run.connection != connection))
        return;
    m_run.connection = connection;
    const FlowState now = ticket.packetId ? connection->session().flowState(Direction::Outbound, *ticket.packetId) : FlowState::None;
    m_run.tally.add(ticket, message.qos, now);
}

void PublishPanel::onFlow(Connection *connection, const FlowUpdate &update)
{
    if (m_last.update(connection, update))
        updateOutcome();
    if (connection == m_run.connection && m_run.tally.update(update))
        updateRun();
}

void PublishPanel::updateOutcome()
{
    if (m_last.isEmpty())
        return;
    const LastPublish::Sentence sentence = m_last.sentence();
    m_outcome->setStyleSheet(sentence.color.isValid() ? QStringLiteral("color: %1;").arg(sentence.color.name()) : QString());
    m_outcome->setText(sentence.text);
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
