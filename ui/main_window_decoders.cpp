// The main window's decoder table: the saved "decode as" setup loaded at start, edited in the
// DecoderTableDialog, applied to the workbench (every view decodes again) and saved.

#include "decoder_table_dialog.h"
#include "main_window.h"

#include <QPushButton>
#include <QStatusBar>

namespace mqs {

void MainWindow::loadDecoders()
{
    m_workbench->setDecoderSetup(m_settings.decoderSetup());
    if (!m_workbench->schemaProblems().isEmpty())
        showProblem(tr("A Protobuf schema did not load (View ▸ Decode payloads as… lists them): %1")
                        .arg(m_workbench->schemaProblems().front()));
}

void MainWindow::chooseDecoders(const QString &topic, const DecoderChoice &decoder)
{
    DecoderTableDialog dialog(m_workbench->decoderSetup(), this);
    if (!topic.isEmpty())
        dialog.startRuleFor(topic, decoder);
    if (dialog.exec() == QDialog::Accepted)
        applyDecoderSetup(dialog.setup());
}

void MainWindow::applyDecoderSetup(const DecoderSetup &setup)
{
    m_settings.setDecoderSetup(setup);
    m_workbench->setDecoderSetup(setup);
    statusBar()->showMessage(tr("Payloads are decoded with %n rule(s).", nullptr, int(setup.rules.size())), 5000);
}

} // namespace mqs
