#pragma once
// The window as tests and benchmarks open it: its own settings and session store in a temporary
// folder, with a placeholder profile saved so that the demo does not start on its own.

#include "flow_inspector.h"
#include "main_window.h"
#include "profile_store.h"

#include <QAction>
#include <QMenu>
#include <QStandardPaths>
#include <QToolButton>
#include <QTemporaryDir>

#include <memory>

namespace mqs::test {

// A profile named after its client id, for `url`.
inline Profile profileFor(const QString &url, const QString &clientId)
{
    Profile p;
    p.settings.name = clientId;
    p.settings.url = ServerUrl::parse(url).value();
    p.settings.clientId = clientId;
    return p;
}

class TestWindows
{
public:
    // Anything that still reads QSettings' default place reads a test one (~/.qttest), not the user's.
    TestWindows() { QStandardPaths::setTestModeEnabled(true); }

    // A new window, shown, with settings and store of its own unless `options` names them.
    std::unique_ptr<MainWindow> open(MainWindow::Options options = {})
    {
        ++m_windows;
        if (options.settingsPath.isEmpty())
            options.settingsPath = m_dir.filePath(QStringLiteral("settings-%1.ini").arg(m_windows));
        if (options.storePath.isEmpty())
            options.storePath = m_dir.filePath(QStringLiteral("store-%1.db").arg(m_windows));
        if (const Status saved = ProfileStore(options.settingsPath)
                                     .save({profileFor(QStringLiteral("mqtt://127.0.0.1:1"), QStringLiteral("placeholder"))});
            !saved)
            qFatal("The placeholder profile was not saved: %s", qPrintable(saved.sentence()));
        auto w = std::make_unique<MainWindow>(options);
        w->show();
        return w;
    }

private:
    QTemporaryDir m_dir;
    int m_windows = 0;
};

// Triggers the entry of a "… all held" menu of the Flows tab whose text starts with `prefix`.
inline bool triggerBulk(FlowInspector &inspector, const QString &button, const QString &prefix)
{
    auto *tool = inspector.findChild<QToolButton *>(button);
    if (!tool || !tool->menu())
        return false;
    emit tool->menu()->aboutToShow();
    for (QAction *a : tool->menu()->actions())
        if (a->text().startsWith(prefix)) {
            a->trigger();
            return true;
        }
    return false;
}

} // namespace mqs::test
