#pragma once
// A payload taken as bytes rather than typed: a file's contents, or a paste too large to lay out
// as text. The publish form shows its summary (size, origin, first bytes) in place of the editor.

#include "protocol/result.h"

#include <QByteArray>
#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;

namespace mqs {

struct PayloadBlob {
    QByteArray bytes{};
    QString origin{}; // the file's name; empty for a paste
    bool binary = false; // not text: invalid UTF-8 or control characters
};

// The bytes of the file at `path` as a payload, or why they cannot be one.
[[nodiscard]] Result<PayloadBlob> payloadBlobFromFile(const QString &path);
// Pasted bytes as a payload.
PayloadBlob payloadBlobFromPaste(QByteArray bytes);
// "5.0 MB from reading.bin (binary)", "5.0 MB pasted (text)".
QString payloadBlobSummary(const PayloadBlob &blob);
// The first bytes on one line: as text when the payload is text, else as hex.
QString payloadBlobPreview(const PayloadBlob &blob);
// A size as people read it: "512 bytes", "5.0 MB".
QString payloadSizeText(qint64 bytes);

// Shows a PayloadBlob where the payload editor was: its summary, first bytes, a warning when it
// cannot be sent as it is, and a Clear button that gives the editor back.
class PayloadBlobBar : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayloadBlobBar)
public:
    explicit PayloadBlobBar(QWidget *parent = nullptr);

    void showBlob(const PayloadBlob &blob);
    // A sentence in the problem colour under the summary (empty: none).
    void setWarning(const QString &text);
    QString summary() const;
    QString warning() const;
    QPushButton *clearButton() const { return m_clear; }

signals:
    void clearClicked();

private:
    QLabel *m_summary = nullptr;
    QLabel *m_preview = nullptr;
    QLabel *m_warning = nullptr;
    QPushButton *m_clear = nullptr;
};

} // namespace mqs
