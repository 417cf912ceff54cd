// How long a paste into the publish form's payload editor blocks the window (offscreen), by
// size: into a plain QPlainTextEdit, as the form's editor was, and into the form as it is, which
// takes a paste over PayloadTextEdit::kLargePasteCharacters as a payload blob. The time runs from
// Ctrl+V until the form has painted. Prints one `name value` line per figure.
// Usage: bench_payload_paste

#include "message_form.h"

#include <QApplication>
#include <QClipboard>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace mqs;

namespace {

QString pastedText(qsizetype size)
{
    QString text(size, QLatin1Char('t'));
    for (qsizetype i = 79; i < size; i += 80)
        text[i] = QLatin1Char('\n'); // lines of a log or a JSON dump
    return text;
}

// Milliseconds from Ctrl+V in `editor` until `window` has painted.
double pasteMs(QWidget &window, QPlainTextEdit &editor, const QString &text)
{
    editor.clear();
    QApplication::clipboard()->setText(text);
    editor.setFocus();
    QElapsedTimer clock;
    clock.start();
    QTest::keyClick(&editor, Qt::Key_V, Qt::ControlModifier);
    window.repaint();
    QCoreApplication::processEvents();
    return double(clock.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("settings.ini")));
    MessageForm form(settings);
    form.resize(360, 600); // the publish dock's width
    form.show();
    QPlainTextEdit plain;
    plain.resize(360, 300);
    plain.show();
    for (const qsizetype kib : {64, 256, 1024, 5120}) {
        const QString text = pastedText(kib * 1024);
        std::printf("paste_plain_editor_%lldKiB_ms %.1f\n", static_cast<long long>(kib), pasteMs(plain, plain, text));
        form.clearPayloadBlob();
        std::printf("paste_publish_form_%lldKiB_ms %.1f\n", static_cast<long long>(kib), pasteMs(form, *form.payload(), text));
        std::fflush(stdout);
    }
    return 0;
}
