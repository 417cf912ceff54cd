#pragma once
// The publish form's payload editor. A paste or drop too large to lay out as text (laying out
// megabytes blocks the window for seconds) and a dropped file are handed on as bytes instead.

#include <QPlainTextEdit>

namespace mqs {

class PayloadTextEdit : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PayloadTextEdit)
public:
    // Past this many characters a paste is taken as a payload blob: the editor lays out about
    // this much in a blink, and a few MB take seconds (tests/bench/bench_payload_paste).
    static constexpr qsizetype kLargePasteCharacters = 256 * 1024;

    explicit PayloadTextEdit(QWidget *parent = nullptr);

signals:
    // Text over kLargePasteCharacters was pasted or dropped; the editor kept its own text.
    void largePaste(const QString &text);
    // A local file was dropped on the editor.
    void fileDropped(const QString &path);

protected:
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;
};

} // namespace mqs
