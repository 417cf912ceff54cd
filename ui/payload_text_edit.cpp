#include "payload_text_edit.h"

#include <QMimeData>
#include <QUrl>

namespace mqs {
namespace {

QString droppedFile(const QMimeData *source)
{
    if (!source->hasUrls() || source->urls().size() != 1)
        return {};
    const QUrl url = source->urls().constFirst();
    return url.isLocalFile() ? url.toLocalFile() : QString();
}

} // namespace

PayloadTextEdit::PayloadTextEdit(QWidget *parent)
    : QPlainTextEdit(parent)
{
}

bool PayloadTextEdit::canInsertFromMimeData(const QMimeData *source) const
{
    return !droppedFile(source).isEmpty() || QPlainTextEdit::canInsertFromMimeData(source);
}

void PayloadTextEdit::insertFromMimeData(const QMimeData *source)
{
    if (const QString file = droppedFile(source); !file.isEmpty()) {
        emit fileDropped(file);
        return;
    }
    if (source->hasText()) {
        if (const QString text = source->text(); text.size() > kLargePasteCharacters) {
            emit largePaste(text);
            return;
        }
    }
    QPlainTextEdit::insertFromMimeData(source);
}

} // namespace mqs
