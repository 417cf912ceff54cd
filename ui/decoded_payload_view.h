#pragma once
// One payload as its decoder gave it: a line naming the decoder (and "auto" or the rule that
// chose it), a field tree for maps and arrays, the text otherwise, a Sparkplug B payload's metrics
// as a table, the problem sentence and the hex when the chosen decoder failed, and the raw bytes
// one click away. The Messages view and the Packet tab both show payloads through it.

#include "payload/payload_decoding.h"
#include "sparkplug_metrics_model.h"

#include <QStandardItemModel>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTableView;
class QToolButton;
class QTreeView;

namespace mqs {

class DecodedPayloadView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecodedPayloadView)
public:
    // Text and hex beyond this many bytes are cut (the caller says so): the editor stays quick.
    static constexpr int kShownBytes = 64 * 1024;

    explicit DecodedPayloadView(QWidget *parent = nullptr);

    // `rule`: the filter of the rule that chose the decoder (empty: the automatic choice);
    // `aliases`: Sparkplug metric names by alias, from the last BIRTH.
    void showPayload(const DecodedPayload &decoded, const QByteArray &raw, const QString &rule = QString(),
                     const SparkplugBirthNames &aliases = {});
    void clear(const QString &note = QString());
    // The Sparkplug rules the message on show broke (SparkplugMonitor's sentences), under its metrics.
    void showFindings(const QStringList &sentences);
    QString findingsText() const;

    // "Decoded as JSON (auto)", "Decoded as CBOR by the rule for cbor/#".
    QString decoderText() const;
    // The failed decoder's sentence; empty when decoding worked.
    QString problemText() const;
    // What the pane shows as text now: the decoded text, or the hex dump (raw bytes, or a failure).
    QString shownText() const;
    bool showsTree() const;
    bool showsRawBytes() const;
    void setShowsRawBytes(bool raw);
    QToolButton *rawBytesButton() const { return m_raw; }
    // "Decode as…" beside the decoder's name; it emits decodeAsRequested().
    QToolButton *decodeAsButton() const { return m_decodeAs; }
    QTreeView *treeView() const { return m_treeView; }
    QStandardItemModel &treeModel() { return m_tree; }
    const SparkplugMetricsModel &metrics() const { return m_metrics; }
    QTableView *metricsView() const { return m_metricsView; }

signals:
    void decodeAsRequested();

private:
    enum Page { TreePage, TextPage, HexPage };
    void showTree(const QCborValue &value);
    void showPage();

    QStandardItemModel m_tree;
    SparkplugMetricsModel m_metrics;
    Page m_decodedPage = TextPage; // the page the decoded form uses, when the raw bytes are not asked for
    QLabel *m_decoder = nullptr;
    QLabel *m_problem = nullptr;
    QLabel *m_findings = nullptr;
    QToolButton *m_raw = nullptr;
    QToolButton *m_decodeAs = nullptr;
    QStackedWidget *m_pages = nullptr;
    QTreeView *m_treeView = nullptr;
    QTableView *m_metricsView = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPlainTextEdit *m_hex = nullptr;
};

// "JSON", "CBOR", "Protobuf factory.Reading", "Sparkplug B": how the window names a decoder.
QString decoderTitle(const DecoderChoice &decoder);

} // namespace mqs
