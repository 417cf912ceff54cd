#pragma once
// The message the publish panel sends: topic (with history), QoS, retain, payload in text, JSON,
// hex or base64, an optional template, and 5.0 properties. It checks what is typed as it is
// typed (the field is marked, the sentence shown, both cleared once fixed) and previews the
// next reading of a template. A file's bytes, or a paste too large for the editor, are sent as
// they are: the form shows their summary in place of the editor (PayloadBlobBar).

#include "payload_blob.h"
#include "payload_text_edit.h"
#include "settings.h"

#include "client/payload_format.h"
#include "client/reading_template.h"
#include "session/message.h"

#include <QWidget>

#include <functional>

class QCheckBox;
class QFormLayout;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace mqs {

class UserPropertiesEditor;

struct ReadingPreset {
    QString name;
    QString topic;
    QString payload;
    PayloadFormat format;
    QoS qos;
};

class MessageForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageForm)
public:
    MessageForm(Settings &settings, QWidget *parent = nullptr);

    // The payload format after Text, JSON, Hex and Base64: JSON encoded as a Protobuf message type.
    static constexpr int kProtobufFormat = 4;
    using ProtobufEncoder = std::function<Result<QByteArray>(const QString &messageType, const QByteArray &json)>;
    // How "JSON → Protobuf" encodes, and the message types it offers (the loaded .proto files').
    void setProtobufEncoding(ProtobufEncoder encoder, const QStringList &messageTypes);
    QComboBox *messageType() const { return m_messageType; }

    static std::vector<ReadingPreset> presets();
    void applyPreset(int index);

    // The next message (a template's next reading), or a sentence saying what to fix.
    Result<ApplicationMessage> build();
    // What is wrong with the fields as typed (empty: nothing); shown under them already.
    QString fieldProblem() const;
    // The next reading of the template, as build() would make it; empty without a template.
    QString preview() const;
    void rememberTopic(const QString &topic);
    // The next reading of each template is {{seq}} 1 again.
    void restartSeq();

    // Takes the file's bytes as the payload (the editor keeps its text for Clear), or says why not.
    [[nodiscard]] Status loadPayloadFile(const QString &path);
    // Bytes sent as they are, shown by their summary instead of in the editor.
    void takePayload(PayloadBlob blob);
    // Back to the editor's text.
    void clearPayloadBlob();
    const std::optional<PayloadBlob> &payloadBlob() const { return m_blob; }
    PayloadBlobBar *blobBar() const { return m_blobBar; }
    QPushButton *fromFileButton() const { return m_fromFile; }

    // The fields a snippet or a saved generator keeps.
    QVariantMap fields() const;
    void setFields(const QVariantMap &fields);

    QComboBox *topic() const { return m_topic; }
    QComboBox *qos() const { return m_qos; }
    QCheckBox *retain() const { return m_retain; }
    QComboBox *format() const { return m_format; }
    QPlainTextEdit *payload() const { return m_payload; }
    QCheckBox *templated() const { return m_templated; }
    QPushButton *restartSeqButton() const { return m_restartSeq; }

signals:
    // A field a snippet or a saved generator keeps was changed (by the user or by setFields).
    void fieldsEdited();
    // A payload blob was taken or cleared.
    void payloadBlobChanged();

private:
    QLayout *buildMessageFields();
    QGroupBox *buildProperties();
    Properties properties() const;
    // Checks the fields as typed: marks the wrong one, says why, shows the template's preview.
    void validate();
    void mark(QWidget *field, bool wrong);
    // Asks for a file and takes its bytes as the payload.
    void chooseFile();
    // A paste too large for the editor: its bytes in the chosen format, taken as a blob.
    void takePastedText(const QString &text);
    void showFieldProblem(const QString &problem);
    // The bytes `text` stands for in the chosen format (encoded, for JSON → Protobuf).
    Result<QByteArray> payloadBytes(const QString &text) const;

    Settings &m_settings;
    QComboBox *m_topic = nullptr;
    QComboBox *m_qos = nullptr;
    QCheckBox *m_retain = nullptr;
    QComboBox *m_format = nullptr;
    QComboBox *m_presets = nullptr;
    QComboBox *m_messageType = nullptr;
    QFormLayout *m_fieldRows = nullptr;
    ProtobufEncoder m_encodeProtobuf;
    PayloadTextEdit *m_payload = nullptr;
    PayloadBlobBar *m_blobBar = nullptr;
    QPushButton *m_fromFile = nullptr;
    std::optional<PayloadBlob> m_blob;
    QString m_lastFileFolder; // where "Payload from file…" opens next
    QCheckBox *m_templated = nullptr;
    QPushButton *m_restartSeq = nullptr;
    QLabel *m_preview = nullptr;
    QLabel *m_problem = nullptr;
    QGroupBox *m_propertiesBox = nullptr;
    QLineEdit *m_contentType = nullptr;
    QCheckBox *m_utf8 = nullptr;
    QSpinBox *m_expiry = nullptr;
    QLineEdit *m_responseTopic = nullptr;
    QLineEdit *m_correlation = nullptr;
    UserPropertiesEditor *m_userProperties = nullptr;
    // Templates keep counting across Publish clicks and generator runs (ReadingSeries).
    ReadingSeries m_payloadSeries;
    ReadingSeries m_topicSeries;
};

} // namespace mqs
