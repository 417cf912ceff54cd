#include "packet_detail_view.h"

#include "decoded_payload_view.h"
#include "message_payload.h"
#include "workbench.h"

#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "trace/trace_text.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace mqs {
namespace {
constexpr int kBytesPerLine = 16;
// "0000  30 1c 00 1e 73 65 ...  0.....se"
int hexColumnOf(int byteInLine) { return 6 + byteInLine * 3; }
} // namespace

void PacketFieldModel::setLayout(PacketLayout layout)
{
    beginResetModel();
    m_layout = std::move(layout);
    endResetModel();
}

QVariant PacketFieldModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const PacketField &f = m_layout[std::size_t(index.row())];
    switch (index.column()) {
    case Field: return QString(f.depth * 4, QLatin1Char(' ')) + f.name;
    case Value: return f.value;
    case Bytes:
        return f.length == 0 ? QString()
            : f.length == 1  ? QString::number(f.offset)
                             : QStringLiteral("%1–%2").arg(f.offset).arg(f.offset + f.length - 1);
    default: return {};
    }
}

QVariant PacketFieldModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const kNames[] = {"Field", "Value", "Bytes"};
    return tr(kNames[section]);
}

PacketDetailView::PacketDetailView(const TraceLog &log, QWidget *parent)
    : QWidget(parent), m_log(log), m_fields(this)
{
    m_title = new QLabel(tr("Select a packet in the diagram."), this);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableView(this);
    m_table->setModel(&m_fields);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setColumnWidth(PacketFieldModel::Field, fontMetrics().averageCharWidth() * 28);
    m_table->setColumnWidth(PacketFieldModel::Value, fontMetrics().averageCharWidth() * 40);
    m_hex = new QPlainTextEdit(this);
    m_hex->setReadOnly(true);
    m_hex->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_hex);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    m_payload = new DecodedPayloadView(this);
    m_payload->setObjectName(QStringLiteral("packetPayload"));
    m_payload->decodeAsButton()->hide(); // rules are made from the Messages view, where topics are listed
    m_payload->hide();
    auto *fieldsAndPayload = new QSplitter(Qt::Vertical, this);
    fieldsAndPayload->addWidget(split);
    fieldsAndPayload->addWidget(m_payload);
    fieldsAndPayload->setStretchFactor(0, 3);
    fieldsAndPayload->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(fieldsAndPayload, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { highlight(current.row()); });
}

void PacketDetailView::showPacket(quint64 sequence)
{
    if (!m_log.contains(sequence) || m_log.kindOf(sequence) != TraceKind::Packet)
        return;
    const auto connection = m_log.connection(m_log.connectionOf(sequence)).value_or(TraceConnection{});
    m_raw = m_log.rawView(sequence).toByteArray();
    m_heading = traceLine(m_log, sequence).trimmed();
    m_title->setText(QStringLiteral("<b>%1</b> — %2 bytes").arg(m_heading.toHtmlEscaped()).arg(m_raw.size()));
    m_version = connection.version;
    m_fields.setLayout(breakdown(m_raw, connection.version));
    QString text;
    for (qsizetype at = 0; at < m_raw.size(); at += kBytesPerLine) {
        const QByteArray line = m_raw.mid(at, kBytesPerLine);
        QString hex = QString::fromLatin1(line.toHex(' '));
        hex = hex.leftJustified(kBytesPerLine * 3, QLatin1Char(' '));
        QString ascii;
        for (char ch : line)
            ascii += (ch >= 32 && ch < 127) ? QLatin1Char(ch) : QLatin1Char('.');
        text += QStringLiteral("%1  %2 %3\n").arg(at, 4, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    m_hex->setPlainText(text);
    highlight(-1);
    showPayload();
}

void PacketDetailView::decodePayloadsWith(const Workbench &workbench)
{
    m_workbench = &workbench;
    connect(&workbench, &Workbench::decodersChanged, this, &PacketDetailView::showPayload);
}

void PacketDetailView::showPayload()
{
    const auto decoded = decodePacket(m_raw, m_version);
    const auto *packet = std::get_if<Packet>(&decoded);
    const auto *publish = packet ? std::get_if<Publish>(packet) : nullptr;
    m_payload->setVisible(publish && m_workbench);
    if (!publish || !m_workbench)
        return;
    const PayloadDecoders &decoders = m_workbench->decoders();
    m_payload->showPayload(decodeInOrder(decoders, publish->topic, publish->payload), publish->payload,
                           ruleFilterFor(decoders, publish->topic));
}

QString PacketDetailView::hexText() const
{
    return m_hex->toPlainText();
}

void PacketDetailView::highlight(int row)
{
    QList<QTextEdit::ExtraSelection> selections;
    if (row >= 0 && row < int(m_fields.layout().size())) {
        const PacketField &f = m_fields.layout()[std::size_t(row)];
        QTextCharFormat format;
        format.setBackground(palette().color(QPalette::Highlight));
        format.setForeground(palette().color(QPalette::HighlightedText));
        for (qsizetype b = f.offset; b < f.offset + std::max<qsizetype>(f.length, 1) && b < m_raw.size(); ++b) {
            const QTextBlock block = m_hex->document()->findBlockByNumber(int(b / kBytesPerLine));
            QTextCursor cursor(block);
            cursor.setPosition(block.position() + hexColumnOf(int(b % kBytesPerLine)));
            cursor.setPosition(cursor.position() + 2, QTextCursor::KeepAnchor);
            selections.append({cursor, format});
        }
        if (!selections.isEmpty())
            m_hex->setTextCursor(QTextCursor(selections.front().cursor.block()));
    }
    m_hex->setExtraSelections(selections);
}

} // namespace mqs
