// MainWindow, continued: the proxies. Created and edited with the proxy dialog, listed with their
// devices beneath them in the connections list, started, stopped and removed from there (the
// same buttons and menu entries as a connection), kept in the settings and started again at
// launch when they were running.

#include "main_window.h"

#include "connection_list_model.h"
#include "fault_rules_panel.h"
#include "proxy_dialog.h"
#include "sequence_diagram_view.h"

#include <QMessageBox>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>

namespace mqs {

void MainWindow::followProxies()
{
    connect(m_workbench.get(), &Workbench::proxyAdded, this, &MainWindow::updateFaultTargets);
    connect(m_workbench.get(), &Workbench::proxyRemoved, this, [this](WindowProxy *proxy) {
        updateFaultTargets();
        for (const ProxyDevice &d : proxy->proxy().devices()) // its lanes go, as a removed connection's do
            m_diagram->retireConnection(d.connection);
    });
    connect(m_connectionList, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent, int first, int last) {
        if (!parent.isValid())
            for (int row = first; row <= last; ++row)
                m_connectionView->expand(m_connectionList->index(row, 0)); // a proxy shows its devices
    });
    connect(m_connectionList, &QAbstractItemModel::modelReset, this, [this] { m_connectionView->expandAll(); });
    connect(m_faults, &FaultRulesPanel::rulesChanged, this, &MainWindow::saveProxies);
    // the status bar speaks of the selected proxy, as it does of the current connection
    connect(m_connectionView->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::updateStatus);
    connect(m_workbench.get(), &Workbench::proxyChanged, this, &MainWindow::updateStatus);
}

void MainWindow::loadProxies()
{
    auto loaded = loadProxyProfiles(m_settings);
    if (!loaded) {
        showProblem(loaded.sentence());
        return;
    }
    for (const ProxyProfile &profile : *loaded) {
        WindowProxy *proxy = m_workbench->addProxy(profile);
        if (profile.startAtLaunch)
            startProxy(proxy);
    }
}

void MainWindow::saveProxies()
{
    std::vector<ProxyProfile> profiles;
    for (const WindowProxy *p : m_workbench->proxies())
        profiles.push_back(p->profile());
    if (Status saved = saveProxyProfiles(m_settings, profiles); !saved)
        showProblem(saved.sentence());
}

void MainWindow::startProxy(WindowProxy *proxy)
{
    if (Status started = proxy->start(); !started)
        showProblem(tr("%1 could not start: %2 Choose another address with Edit… and start it again.")
                        .arg(proxy->title(), proxy->lastProblem()));
    else
        statusBar()->showMessage(tr("%1 listens on %2: point your device there.")
                                     .arg(proxy->title(), listenAddressText(proxy->profile().settings)),
                                 5000);
}

WindowProxy *MainWindow::addProxy(const ProxyProfile &profile, bool start)
{
    WindowProxy *proxy = m_workbench->addProxy(profile);
    m_connectionView->setCurrentIndex(m_connectionList->indexOf(proxy));
    if (start)
        startProxy(proxy);
    saveProxies();
    return proxy;
}

void MainWindow::newProxy()
{
    ProxyDialog dialog(ProxyDialog::blankProfile(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    addProxy(*dialog.profile(), true);
}

void MainWindow::editProxy(WindowProxy *proxy)
{
    ProxyDialog dialog(proxy->profile(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (Status applied = proxy->setProfile(*dialog.profile()); !applied)
        showProblem(tr("%1 could not start again: %2").arg(proxy->title(), proxy->lastProblem()));
    updateFaultTargets(); // its name may have changed, and its rules did
    saveProxies();
}

void MainWindow::removeProxy(WindowProxy *proxy)
{
    if (QMessageBox::question(this, tr("Remove proxy"), tr("Remove %1? Its devices are disconnected.").arg(proxy->title()))
        != QMessageBox::Yes)
        return;
    m_workbench->removeProxy(proxy);
    saveProxies();
}

void MainWindow::toggleProxy(WindowProxy *proxy)
{
    const bool start = !proxy->isRunning();
    if (start)
        startProxy(proxy);
    else
        proxy->stop();
    proxy->setStartAtLaunch(start); // it comes back at launch as the user leaves it
    saveProxies();
}

QString MainWindow::proxyStatusText(WindowProxy *proxy) const
{
    const QString problem = proxy->lastProblem().isEmpty() ? QString() : QStringLiteral(" — ") + proxy->lastProblem();
    return tr("%1: %2%3").arg(proxy->title(), proxy->stateText(), problem);
}

WindowProxy *MainWindow::selectedProxy() const
{
    return m_connectionList->proxy(m_connectionView->currentIndex());
}

std::optional<ConnectionId> MainWindow::selectedDevice() const
{
    return m_connectionList->device(m_connectionView->currentIndex());
}

bool MainWindow::cutSelectedDevice()
{
    WindowProxy *proxy = selectedProxy();
    const auto device = selectedDevice();
    if (!proxy || !device)
        return false;
    if (Status cut = proxy->proxy().cut(*device); !cut)
        showProblem(cut.sentence());
    return true;
}

} // namespace mqs
