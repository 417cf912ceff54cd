#include "publish_panel.h"

#include "snippet_list.h"
#include "theme.h"
#include "wheel_guard.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QShortcut>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

namespace mqs {
namespace {
constexpr int kMaxQueuedByGenerator = 500; // keep the session's queue short while generating
constexpr int kBurstWithoutPause = 200; // readings per timer turn at "no pause": fast, yet the window keeps up
// Lines the outcome and a refusal may take under the Publish button. Their box keeps this height
// whatever they say, so the button and what follows do not move as the text changes.
constexpr int kResultLines = 4;
} // namespace

PublishPanel::PublishPanel(Workbench &workbench, Settings &settings, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_audit(workbench), m_last(workbench)
{
    m_form = new MessageForm(settings, this);
    m_publish = new QPushButton(tr("&Publish"), this);
    m_publish->setObjectName(QStringLiteral("publish"));
    m_publish->setToolTip(tr("Publish once (Ctrl+Return)"));
    m_publish->setDefault(true);
    m_generatorForm = new ReadingGeneratorForm(this);
    m_snippets = new SnippetList(settings, [this] { return m_form->fields(); }, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_form, 1);
    layout->addWidget(m_publish, 0, Qt::AlignLeft);
    layout->addWidget(buildResult());
    layout->addWidget(m_generatorForm);
    layout->addWidget(m_snippets);
    setTabOrder(m_form->restartSeqButton(), m_publish);
    WheelGuard::guardChildren(this); // the panel scrolls in its dock: the wheel must not change a field on the way

    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, &PublishPanel::publish);
    connect(m_publish, &QPushButton::clicked, this, &PublishPanel::publish);
    connect(m_generatorForm, &ReadingGeneratorForm::startClicked, this, &PublishPanel::startGenerator);
    connect(m_generatorForm, &ReadingGeneratorForm::stopClicked, this, &PublishPanel::stopGenerator);
    connect(&m_generator, &QTimer::timeout, this, &PublishPanel::publishOne);
    connect(&m_audit, &GeneratorAudit::changed, this, [this] { m_generatorForm->showAuditText(m_audit.text()); });
    connect(m_form, &MessageForm::fieldsEdited, this, &PublishPanel::reportGeneratorEdit);
    connect(m_generatorForm, &ReadingGeneratorForm::planEdited, this, &PublishPanel::reportGeneratorEdit);
    connect(m_form->format(), &QComboBox::currentIndexChanged, this, [this](int) { showProblem(QString()); });
    connect(m_snippets, &SnippetList::chosen, m_form, &MessageForm::setFields);
    connect(m_form, &MessageForm::payloadBlobChanged, this, &PublishPanel::checkBlobSize);
    connect(&m_workbench, &Workbench::currentChanged, this, &PublishPanel::checkBlobSize);

    auto follow = [this](Connection *c) {
        connect(c, &Connection::flowUpdated, this, [this, c](const FlowUpdate &u) { onFlow(c, u); });
        connect(c, &Connection::stateChanged, this, &PublishPanel::updateOutcome);
        connect(c, &Connection::stateChanged, this, &PublishPanel::checkBlobSize); // CONNACK brings the broker's limit
    };
    for (Connection *c : m_workbench.connections())
        follow(c);
    connect(&m_workbench, &Workbench::connectionAdded, this, follow);
    connect(&m_workbench, &Workbench::connectionRemoved, this, [this](Connection *c) {
        m_last.forget(c);
        if (m_run.connection == c) {
            stopGenerator();
            m_run.connection = nullptr;
        }
    });
    connect(&m_workbench, &Workbench::heldPacketsChanged, this, &PublishPanel::updateOutcome);
    connect(&m_workbench, &Workbench::batch, this, &PublishPanel::updateOutcome);
}

QWidget *PublishPanel::buildResult()
{
    auto *box = new QWidget(this);
    m_outcomeIcon = new QLabel(box);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_outcomeIcon->setFixedSize(iconSize, iconSize);
    m_outcome = new QLabel(tr("Nothing published yet."), box);
    m_outcome->setObjectName(QStringLiteral("publishOutcome"));
    m_outcome->setWordWrap(true);
    m_outcome->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_outcome->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem = new QLabel(box);
    m_problem->setWordWrap(true);
    m_problem->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_problem->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_problem->hide();
    auto *texts = new QVBoxLayout;
    texts->setContentsMargins(0, 0, 0, 0);
    texts->addWidget(m_outcome);
    texts->addWidget(m_problem);
    texts->addStretch();
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_outcomeIcon, 0, Qt::AlignTop);
    row->addLayout(texts, 1);
    box->setFixedHeight(fontMetrics().lineSpacing() * kResultLines);
    return box;
}

GeneratorSettings PublishPanel::generatorSettings() const
{
    const QVariantMap f = m_form->fields();
    return GeneratorSettings{.topic = f.value(QStringLiteral("topic")).toString(),
                             .payload = f.value(QStringLiteral("payload")).toString(),
                             .format = f.value(QStringLiteral("format")).toInt(),
                             .qos = f.value(QStringLiteral("qos")).toInt(),
                             .retain = f.value(QStringLiteral("retain")).toBool(),
                             .templated = f.value(QStringLiteral("template")).toBool(),
                             .count = m_generatorForm->count(),
                             .intervalMs = m_generatorForm->intervalMs()};
}

void PublishPanel::reportGeneratorEdit()
{
    if (Connection *c = m_workbench.current(); c && !m_restoringGenerator)
        emit generatorEdited(c, generatorSettings());
}

void PublishPanel::setGeneratorSettings(const GeneratorSettings &g)
{
    const QScopedValueRollback restoring(m_restoringGenerator, true);
    QVariantMap f = m_form->fields();
    f.insert({{QStringLiteral("topic"), g.topic},
              {QStringLiteral("payload"), g.payload},
              {QStringLiteral("format"), g.format},
              {QStringLiteral("qos"), g.qos},
              {QStringLiteral("retain"), g.retain},
              {QStringLiteral("template"), g.templated}});
    m_form->setFields(f);
    m_generatorForm->setPlan(g.count, g.intervalMs);
}

void PublishPanel::checkBlobSize()
{
    const std::optional<PayloadBlob> &blob = m_form->payloadBlob();
    Connection *c = m_workbench.current();
    if (!blob || !c)
        return;
    // A payload at the limit already makes a larger packet; one just under it is refused on Publish
    // with the session's exact sizes.
    const quint32 limit = c->session().link().peerMaximumPacketSize;
    const bool tooLarge = limit > 0 && blob->bytes.size() >= qsizetype(limit);
    m_form->blobBar()->setWarning(tooLarge ? tr("Too large for %1: the broker accepts packets of at most %L2 bytes (its Maximum Packet "
                                                "Size), so Publish will refuse these %3.")
                                                 .arg(c->settings().name)
                                                 .arg(limit)
                                                 .arg(payloadSizeText(blob->bytes.size()))
                                           : QString());
}

void PublishPanel::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setToolTip(text);
    m_problem->setVisible(!text.isEmpty());
}

QString PublishPanel::problem() const
{
    if (!m_problem->isHidden())
        return m_problem->text();
    return m_form->fieldProblem();
}

QString PublishPanel::outcome() const
{
    return m_outcome->text();
}

void PublishPanel::publish()
{
    m_target = 1;
    m_generated = 0;
    publishOne();
}

void PublishPanel::startGenerator()
{
    m_target = m_generatorForm->count();
    m_generated = 0;
    m_run = Run{.target = m_target};
    m_run.clock.start();
    m_generatorForm->showProgress(0, m_target);
    m_generatorForm->setRunning(true);
    m_generator.start(m_generatorForm->intervalMs());
    if (Connection *c = m_workbench.current()) {
        m_audit.start(c);
        emit generatorStarted(c, generatorSettings());
    }
    publishOne();
}

void PublishPanel::stopGenerator()
{
    m_generator.stop();
    m_generatorForm->setRunning(false);
    m_audit.generatorStopped();
    if (m_run.target > 1 && !m_run.seconds) {
        m_run.seconds = double(m_run.clock.elapsed()) / 1000.0;
        updateRun();
    }
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
        m_generatorForm->showRunText(
            tr("%1 of %2 readings in %3 s: %4.").arg(t.handed()).arg(m_run.target).arg(*m_run.seconds, 0, 'f', 1).arg(fate));
        return;
    }
    const double seconds = double(m_run.clock.elapsed()) / 1000.0;
    m_generatorForm->showRunText(tr("%1 of %2 · %3 readings/s: %4.")
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
    const int burst = m_generator.isActive() && m_generatorForm->intervalMs() == 0 ? kBurstWithoutPause : 1;
    for (int i = 0; i < burst && m_generated < m_target; ++i) {
        if (m_generator.isActive() && c->queuedMessages() > kMaxQueuedByGenerator)
            break;
        auto built = m_form->build();
        if (!built) {
            showProblem(built.sentence() == m_form->fieldProblem() ? QString() : built.sentence()); // said under the field already
            stopGenerator();
            return;
        }
        const ApplicationMessage &message = *built;
        const quint64 traceEnd = m_workbench.trace().endSequence();
        const PublishResult result = c->publish(message);
        if (!result.ticket) {
            showProblem(QString()); // said once, on the result line: twice did not fit its box
            m_outcome->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
            m_outcome->setText(tr("refused: %1").arg(result.ticket.sentence()));
            m_outcome->setToolTip(m_outcome->text());
            m_outcomeIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(m_outcomeIcon->size()));
            stopGenerator();
            return;
        }
        showProblem(QString());
        ++m_generated;
        m_form->rememberTopic(m_form->topic()->currentText().trimmed());
        track(c, message, *result.ticket, traceEnd);
        emit published(result.ticket->serial);
    }
    updateOutcome();
    if (m_target > 1) {
        m_generatorForm->showProgress(m_generated, m_target);
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
    m_audit.published(message, ticket);
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
    m_outcome->setToolTip(sentence.text);
    m_outcomeIcon->setPixmap(style()->standardIcon(sentence.icon).pixmap(m_outcomeIcon->size()));
}

} // namespace mqs
