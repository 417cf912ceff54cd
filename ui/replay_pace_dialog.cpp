#include "replay_pace_dialog.h"

#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace mqs {
namespace {

// What the list offers; anything else can be typed in the same spelling.
// Characters a line of the hint and the problem hold.
constexpr int kTextColumns = 56;

const char *const kOfferedPaces[] = {"original spacing", "0.5×", "2×", "10×", "10 messages/s", "100 messages/s", "1,000 messages/s"};

} // namespace

ReplayPaceDialog::ReplayPaceDialog(int messages, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Replay"));
    auto *question = new QLabel(tr("Publish the %1 messages at:").arg(QLocale().toString(messages)), this);
    m_field = new QComboBox(this);
    m_field->setObjectName(QStringLiteral("replayPace"));
    m_field->setEditable(true);
    m_field->setInsertPolicy(QComboBox::NoInsert);
    for (const char *pace : kOfferedPaces)
        m_field->addItem(QString::fromUtf8(pace));
    m_field->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("1,000 messages/s")) + 4 * fontMetrics().height());
    auto *hint = new QLabel(tr("A factor of the recorded spacing (0.5× half speed, 2× twice as fast), "
                               "or messages a second (250, 2,500/s)."),
                            this);
    hint->setWordWrap(true);
    hint->setObjectName(QStringLiteral("replayPaceHint"));
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("replayPaceError"));
    m_error->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_error->setWordWrap(true);
    m_error->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_field, &QComboBox::currentTextChanged, this, &ReplayPaceDialog::check);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(question);
    layout->addWidget(m_field);
    layout->addWidget(hint);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    // The dialog takes the height a problem needs as it comes and goes, rather than letting the
    // sentence run over the hint and the buttons; wide enough that it stays a few lines.
    layout->setSizeConstraint(QLayout::SetFixedSize);
    for (QLabel *label : {hint, m_error})
        label->setFixedWidth(fontMetrics().averageCharWidth() * kTextColumns);
    check(m_field->currentText());
}

bool ReplayPaceDialog::canAccept() const
{
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

void ReplayPaceDialog::check(const QString &text)
{
    const auto parsed = parseReplayPace(text);
    m_pace = parsed ? std::optional(*parsed) : std::nullopt;
    m_error->setText(parsed.sentence());
    m_error->setVisible(!parsed);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(parsed.ok());
}

std::optional<ReplayPace> ReplayPaceDialog::ask(int messages, QWidget *parent)
{
    ReplayPaceDialog dialog(messages, parent);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return dialog.pace();
}

} // namespace mqs
