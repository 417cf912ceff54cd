#include "payload_blob.h"

#include "theme.h"

#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStringDecoder>
#include <QVBoxLayout>

namespace mqs {
namespace {

// The largest payload a PUBLISH can carry is a little under the Remaining Length's bound of
// 268,435,455 bytes (MQTT 5.0 section 2.1.4, 3.1.1 section 2.2.3); a larger file can never be sent.
constexpr qint64 kLargestRemainingLength = 268'435'455;
// Enough of the start to tell text from binary without reading 5 MB twice.
constexpr qsizetype kSniffBytes = 64 * 1024;
// The preview is one line of the publish dock at its usual width (about 50 fixed-width characters).
constexpr qsizetype kPreviewTextCharacters = 48;
constexpr qsizetype kPreviewHexBytes = 16;

bool looksBinary(const QByteArray &bytes)
{
    const QByteArrayView sample = QByteArrayView(bytes).first(std::min(bytes.size(), kSniffBytes));
    for (const char c : sample)
        if (const auto u = uchar(c); u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f')
            return true;
    QStringDecoder utf8(QStringDecoder::Utf8); // stateful: a sequence cut at the sample's end is not an error
    const QString decoded = utf8(sample);
    Q_UNUSED(decoded);
    return utf8.hasError();
}

} // namespace

Result<PayloadBlob> payloadBlobFromFile(const QString &path)
{
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    if (!file.open(QIODevice::ReadOnly))
        return Problem{ProblemKind::File, QObject::tr("%1 could not be read: %2.").arg(name, file.errorString())};
    if (file.size() > kLargestRemainingLength)
        return Problem{ProblemKind::Limit, QObject::tr("%1 is %2: an MQTT packet carries at most 268,435,455 bytes (its "
                                                       "Remaining Length), so it cannot be one payload.")
                                               .arg(name, payloadSizeText(file.size()))};
    PayloadBlob blob{.bytes = file.readAll(), .origin = name};
    if (file.error() != QFileDevice::NoError)
        return Problem{ProblemKind::File, QObject::tr("%1 could not be read: %2.").arg(name, file.errorString())};
    blob.binary = looksBinary(blob.bytes);
    return blob;
}

PayloadBlob payloadBlobFromPaste(QByteArray bytes)
{
    const bool binary = looksBinary(bytes);
    return PayloadBlob{.bytes = std::move(bytes), .origin = {}, .binary = binary};
}

QString payloadSizeText(qint64 bytes)
{
    // 1024-based with the familiar names ("5.0 MB" for 5 × 1024 × 1024), as file managers show them.
    return QLocale(QLocale::English).formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString payloadBlobSummary(const PayloadBlob &blob)
{
    const QString kind = blob.binary ? QObject::tr("binary") : QObject::tr("text");
    if (blob.origin.isEmpty())
        return QObject::tr("%1 pasted (%2)").arg(payloadSizeText(blob.bytes.size()), kind);
    return QObject::tr("%1 from %2 (%3)").arg(payloadSizeText(blob.bytes.size()), blob.origin, kind);
}

QString payloadBlobPreview(const PayloadBlob &blob)
{
    if (blob.binary) {
        const QByteArray head = blob.bytes.first(std::min(blob.bytes.size(), kPreviewHexBytes));
        return QString::fromLatin1(head.toHex(' ')) + (head.size() < blob.bytes.size() ? QStringLiteral(" …") : QString());
    }
    QString head = QString::fromUtf8(blob.bytes.first(std::min(blob.bytes.size(), kPreviewTextCharacters * 4))).left(kPreviewTextCharacters);
    for (QChar &c : head)
        if (c.isSpace())
            c = QLatin1Char(' '); // one line: line breaks and tabs become spaces
    return head.size() < blob.bytes.size() ? head + QStringLiteral("…") : head;
}

PayloadBlobBar::PayloadBlobBar(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("payloadBlobSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    m_clear = new QPushButton(tr("Clear"), this);
    m_clear->setObjectName(QStringLiteral("clearPayloadBlob"));
    m_clear->setToolTip(tr("Forget these bytes and edit the payload as text again."));
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("payloadBlobPreview"));
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setMinimumWidth(0);
    m_preview->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long line is cut, the panel stays narrow
    m_warning = new QLabel(this);
    m_warning->setObjectName(QStringLiteral("payloadBlobWarning"));
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("color: %1;").arg(problemColor().name()));
    m_warning->hide();
    auto *row = new QHBoxLayout;
    row->addWidget(m_summary, 1);
    row->addWidget(m_clear, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_preview);
    layout->addWidget(m_warning);
    layout->addStretch();
    connect(m_clear, &QPushButton::clicked, this, &PayloadBlobBar::clearClicked);
}

void PayloadBlobBar::showBlob(const PayloadBlob &blob)
{
    m_summary->setText(payloadBlobSummary(blob));
    m_preview->setText(payloadBlobPreview(blob));
    m_preview->setToolTip(tr("The first bytes of the payload; Publish sends all %L1 bytes as they are.").arg(blob.bytes.size()));
    QWidget::show();
}

void PayloadBlobBar::setWarning(const QString &text)
{
    m_warning->setText(text);
    m_warning->setVisible(!text.isEmpty());
}

QString PayloadBlobBar::summary() const
{
    return m_summary->text();
}

QString PayloadBlobBar::warning() const
{
    return m_warning->isHidden() ? QString() : m_warning->text();
}

} // namespace mqs
