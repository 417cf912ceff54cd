#pragma once
// The decoder table, as Wireshark's "Decode As…": rules topic filter → decoder, first match
// wins, edited in a row of fields under the table (a wrong filter is marked as it is typed), and
// the .proto files with the folders their imports are found in; a file that does not load says
// where (file:line). View ▸ Decode payloads as… and "Decode as…" in the Messages view open it.

#include "decoder_rules_model.h"
#include "decoder_setup.h"

#include <QDialog>
#include <QStringListModel>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QTableView;

namespace mqs {

class DecoderTableDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecoderTableDialog)
public:
    explicit DecoderTableDialog(const DecoderSetup &setup, QWidget *parent = nullptr);

    DecoderSetup setup() const;
    // Starts a rule for `topic` decoded with `decoder` (or selects the rule with that filter).
    void startRuleFor(const QString &topic, const DecoderChoice &decoder);
    // As "Add .proto file…" and "Add import folder…" do after their file dialogs.
    void addProtoFile(const QString &path);
    void addImportPath(const QString &folder);

    DecoderRulesModel &rules() { return m_rules; }
    QTableView *ruleTable() const { return m_table; }
    QLineEdit *filterField() const { return m_filter; }
    QComboBox *decoderBox() const { return m_decoder; }
    QComboBox *messageTypeBox() const { return m_messageType; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    QPushButton *upButton() const { return m_up; }
    QPushButton *downButton() const { return m_down; }
    QPushButton *okButton() const;
    // What is wrong with the rules as typed (empty: nothing).
    QString ruleProblem() const;
    // The .proto files that did not load, one sentence each.
    QString schemaProblems() const;
    QStringList messageTypes() const { return m_messageTypes; }

private:
    QWidget *buildRules();
    QWidget *buildSchemas();
    void showRule(int row); // the selected rule in the fields
    void editRule(); // the fields into the selected rule
    void reloadSchemas();
    void updateProblems();
    int currentRow() const;
    void selectRow(int row);

    DecoderRulesModel m_rules;
    QStringListModel m_protoFiles;
    QStringListModel m_importPaths;
    QStringList m_messageTypes;
    QStringList m_schemaProblems;
    bool m_showing = false; // showRule() at work: the fields change, the rule must not
    QTableView *m_table = nullptr;
    QLineEdit *m_filter = nullptr;
    QComboBox *m_decoder = nullptr;
    QComboBox *m_messageType = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_up = nullptr;
    QPushButton *m_down = nullptr;
    QLabel *m_ruleProblem = nullptr;
    QListView *m_protoView = nullptr;
    QListView *m_importView = nullptr;
    QLabel *m_schemaProblem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace mqs
