#pragma once
// Every field of one packet with its byte range, a hex dump with the selected field highlighted,
// and a PUBLISH's payload decoded as the Messages view decodes it.

#include "protocol/byte_reader.h"
#include "trace/trace_log.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
class QSplitter;
class QPlainTextEdit;
class QTableView;

namespace mqs {

class DecodedPayloadView;
class Workbench;

class PacketFieldModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Field, Value, Bytes, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    void setLayout(PacketLayout layout);
    const PacketLayout &layout() const { return m_layout; }
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_layout.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    PacketLayout m_layout;
};

class PacketDetailView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PacketDetailView)
public:
    PacketDetailView(const TraceLog &log, QWidget *parent = nullptr);
    void showPacket(quint64 sequence);
    const PacketFieldModel &fields() const { return m_fields; }
    QString hexText() const;
    // The packet's line above its fields: trace time (traceSeconds), parties, what it says.
    QString heading() const { return m_heading; }
    // Decodes PUBLISH payloads with the workbench's decoders (again when they change).
    void decodePayloadsWith(const Workbench &workbench);
    // The payload pane; hidden unless the packet on show is a PUBLISH.
    DecodedPayloadView *payloadView() const { return m_payload; }

private:
    void highlight(int row);
    void showPayload();

    const TraceLog &m_log;
    PacketFieldModel m_fields;
    QByteArray m_raw;
    QString m_heading;
    QLabel *m_title = nullptr;
    QTableView *m_table = nullptr;
    QPlainTextEdit *m_hex = nullptr;
    DecodedPayloadView *m_payload = nullptr;
    const Workbench *m_workbench = nullptr;
    ProtocolVersion m_version = ProtocolVersion::V5;
};

} // namespace mqs
