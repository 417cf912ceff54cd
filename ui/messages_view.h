#pragma once
// Messages received: the topic tree (with a search box), the selected topic's messages (newest
// first, with the connection they came through; a filter by connection applies to both), and one message in
// full: decoded by the topic's "decode as" rule or the automatic choice (a field tree in the
// payload's order, Sparkplug metrics, or text), its raw bytes one click away, 5.0 properties, and
// the fields changed since the previous message on its topic. Long payloads say how much is shown
// and can be copied or saved whole.

#include "decoded_payload_view.h"
#include "message_list_model.h"
#include "settings.h"
#include "topic_tree_model.h"
#include "workbench.h"

#include <QStandardItemModel>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;
class QTableView;
class QTreeView;

namespace mqs {

class MessagesView : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessagesView)
public:
    static constexpr int kShownBytes = DecodedPayloadView::kShownBytes;

    MessagesView(Workbench &workbench, Settings &settings, QWidget *parent = nullptr);
    void refresh();
    void showTopic(const QString &topic);

    TopicTreeModel &tree() { return m_tree; }
    MessageListModel &list() { return m_list; }
    QTreeView *treeView() const { return m_treeView; }
    QLineEdit *treeSearch() const { return m_treeSearch; }
    QComboBox *connectionFilter() const { return m_connection; }
    DecodedPayloadView *decodedView() const { return m_decoded; }
    QTreeView *jsonView() const { return m_decoded->treeView(); }
    QString shownText() const;
    QString hexText() const;
    QString diffText() const;
    QString diffHtml() const { return m_diffHtml; }
    // The name "Save payload…" offers for the message on show.
    QString suggestedFileName() const;
    QString truncationNote() const;
    QStandardItemModel &jsonModel() { return m_decoded->treeModel(); }
    // The caps on kept messages (saved in the settings, applied at once).
    void setLimits(MessageStore::Limits limits);
    // Shows message `serial` of `topic` (its topic selected in the tree, its row in the list).
    void showStoredMessage(const QString &topic, quint64 serial);
    // The JSON path of a row of the field tree ("$.a.b[2]"), for "Chart this".
    QString fieldPath(const QModelIndex &index) const;

    // The topic of the message on show, or of the topic selected in the tree.
    QString selectedTopic() const;

signals:
    // "Chart this" on a row of the field tree.
    void chartRequested(const QString &topic, const QString &path);
    // "Decode topic as…": the user wants a rule for `topic`, starting from the decoder used now.
    void decodeTopicAsRequested(const QString &topic, const mqs::DecoderChoice &decoder);

private:
    QWidget *buildTree();
    QWidget *buildList();
    QWidget *buildDetail();
    void updateConnectionChoices();
    // The list and the tree show the messages of the connection named `name` (empty: all).
    void showConnection(const QString &name);
    void showMessage(const StoredMessage *message);
    void showDecoded(const StoredMessage &message);
    // The decoders changed: the message on show and the tree's last values are decoded again.
    void redecode();
    void requestDecodeAs();
    void savePayload();
    void clearRetained();

    Workbench &m_workbench;
    Settings &m_settings;
    TopicTreeModel m_tree;
    TopicTreeFilter *m_treeFilter = nullptr;
    MessageListModel m_list;
    QStandardItemModel m_properties;
    // The message on show, by topic and serial: the store may drop it under its caps, so no
    // pointer into it outlives a batch.
    const StoredMessage *shown() const;
    void showLimits(); // the store's caps, in the spin boxes
    QString m_shownTopic;
    quint64 m_shownSerial = 0;
    QTreeView *m_treeView = nullptr;
    QTableView *m_listView = nullptr;
    QLineEdit *m_filter = nullptr;
    QLineEdit *m_treeSearch = nullptr;
    QComboBox *m_connection = nullptr;
    QString m_diffHtml;
    QLabel *m_header = nullptr;
    QLabel *m_truncated = nullptr;
    QTabWidget *m_tabs = nullptr;
    DecodedPayloadView *m_decoded = nullptr;
    QPlainTextEdit *m_diff = nullptr;
    QLabel *m_caps = nullptr;
    QSpinBox *m_perTopicCap = nullptr;
    QSpinBox *m_totalCap = nullptr;
};

} // namespace mqs
