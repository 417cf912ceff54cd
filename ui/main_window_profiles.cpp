// MainWindow, continued: the saved connections (loaded with their subscriptions, fault rules
// and generator, kept up to date as the user works, edited) and the window's place on screen.

#include "main_window.h"

#include "connection_dialog.h"
#include "fault_rules_panel.h"
#include "publish_panel.h"
#include "subscription_model.h"

#include <QMessageBox>
#include <QPointer>
#include <QScreen>
#include <QShowEvent>
#include <QTimer>
#include <QWindow>

namespace mqs {

void MainWindow::restoreLastGeometry()
{
    constexpr QSize kPreferred(1600, 1000);
    const QByteArray geometry = m_settings.windowGeometry();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(kPreferred);
    else
        restoreState(m_settings.windowState());
}

void MainWindow::keepWithinScreen()
{
    const QScreen *where = screen();
    if (!where)
        return;
    // The last geometry may be from a larger screen, and the preferred size is larger than many:
    // keep the frame, title and status bar included, on this screen's available area.
    const QRect available = where->availableGeometry();
    const QMargins frame = windowHandle() ? windowHandle()->frameMargins() : QMargins();
    const QSize frameExtra(frame.left() + frame.right(), frame.top() + frame.bottom());
    resize(size().boundedTo(available.size() - frameExtra));
    const QSize outer = size() + frameExtra;
    const int left = std::clamp(geometry().left() - frame.left(), available.left(), std::max(available.left(), available.right() + 1 - outer.width()));
    const int top = std::clamp(geometry().top() - frame.top(), available.top(), std::max(available.top(), available.bottom() + 1 - outer.height()));
    move(left, top);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_placed) {
        m_placed = true;
        keepWithinScreen();
    }
}

void MainWindow::loadProfiles()
{
    auto loaded = m_profiles.load();
    if (!loaded) {
        showProblem(loaded.sentence());
        QTimer::singleShot(0, this, [this, text = loaded.sentence()] { QMessageBox::warning(this, tr("Settings"), text); });
        return;
    }
    for (const Profile &p : *loaded)
        restoreConnection(p);
}

void MainWindow::restoreConnection(const Profile &p)
{
    m_savedProfiles.push_back(p);
    Connection *c = m_workbench->addConnection(p.settings);
    for (const FaultRule &rule : p.faultRules)
        c->faults().add(rule);
    m_subscriptions->restore(c, p.subscriptions); // sent when it connects without a session
    if (!p.settings.username || p.storePasswordInPlainText) {
        if (p.connectAtStart)
            c->open();
        return;
    }
    QPointer<Connection> guarded(c);
    m_profiles.readPassword(p.settings.name, [guarded, p](std::optional<QByteArray> password) {
        if (!guarded)
            return;
        if (password) {
            ConnectionSettings settings = p.settings;
            settings.password = *password;
            guarded->setSettings(settings);
        }
        if (p.connectAtStart)
            guarded->open(); // with the password, once the keychain has answered
    });
}

std::vector<Profile> MainWindow::profilesWithPasswords() const
{
    std::vector<Profile> profiles = m_savedProfiles;
    for (Profile &p : profiles)
        for (const Connection *c : m_workbench->connections())
            if (c->settings().name == p.settings.name)
                p.settings = c->settings(); // with the password from the keychain, as editConnection() takes it
    return profiles;
}

Profile *MainWindow::savedProfile(const Connection *connection)
{
    if (!connection)
        return nullptr;
    for (Profile &p : m_savedProfiles)
        if (p.settings.name == connection->settings().name)
            return &p;
    return nullptr;
}

void MainWindow::followWork()
{
    connect(m_subscriptions, &SubscriptionModel::subscriptionsChanged, this, [this](Connection *c) {
        if (Profile *p = savedProfile(c)) {
            p->subscriptions = m_subscriptions->subscriptions(c);
            saveProfiles();
        }
    });
    connect(m_faults, &FaultRulesPanel::rulesChanged, this, [this] {
        for (Connection *c : m_workbench->connections())
            if (Profile *p = savedProfile(c))
                p->faultRules = c->faults().rules();
        saveProfiles();
    });
    // The generator's settings as edited, so a restart brings back what the user last set up,
    // whether or not a run was started; and as started.
    auto keepGenerator = [this](Connection *c, const GeneratorSettings &g) {
        if (Profile *p = savedProfile(c); p && p->generator != g) {
            p->generator = g;
            saveProfiles();
        }
    };
    connect(m_publish, &PublishPanel::generatorEdited, this, keepGenerator);
    connect(m_publish, &PublishPanel::generatorStarted, this, keepGenerator);
}

Connection *MainWindow::addConnection(const Profile &profile, bool open)
{
    Connection *c = m_workbench->addConnection(profile.settings);
    m_workbench->setCurrent(c);
    m_savedProfiles.push_back(profile);
    saveProfiles();
    if (profile.settings.password && !profile.storePasswordInPlainText)
        m_profiles.writePassword(profile.settings.name, *profile.settings.password, [this](const Status &stored) {
            if (!stored)
                showProblem(stored.sentence());
        });
    if (open)
        c->open();
    return c;
}

void MainWindow::saveProfiles()
{
    if (const Status saved = m_profiles.save(m_savedProfiles); !saved)
        showProblem(saved.sentence());
}

void MainWindow::newConnection()
{
    Profile blank;
    blank.settings.url = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:1883")).value();
    blank.settings.clientId = generateClientId();
    ConnectionDialog dialog(blank, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    addConnection(dialog.profile().value(), true);
}

void MainWindow::editConnection()
{
    if (WindowProxy *p = selectedProxy())
        return editProxy(p);
    Connection *c = m_workbench->current();
    if (!c)
        return;
    Profile profile{c->settings(), false};
    if (const Profile *saved = savedProfile(c)) {
        profile = *saved;
        profile.settings = c->settings(); // with the password from the keychain
    }
    ConnectionDialog dialog(profile, this, c->state() != ConnectionState::Disconnected);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applyEdit(c, dialog.profile().value(), dialog.reconnectNow());
}

void MainWindow::applyEdit(Connection *c, const Profile &edited, bool reconnectNow)
{
    const QString oldName = c->settings().name;
    bool saved = false;
    for (Profile &p : m_savedProfiles)
        if (p.settings.name == oldName) {
            p = edited;
            saved = true;
        }
    if (!saved)
        m_savedProfiles.push_back(edited);
    saveProfiles();
    if (reconnectNow && c->state() != ConnectionState::Disconnected) {
        closeThenOpen(c, edited.settings);
        return;
    }
    c->setSettings(edited.settings); // every setting applies at the next connect
    if (reconnectNow)
        c->open();
}

// Ends the live connection as a user's Disconnect does (DISCONNECT, so the broker drops the will
// [MQTT-3.14.4-3]), and only then takes the edited settings and connects with them: the old
// connection's session is never swapped out from under it, whatever the edit changed.
void MainWindow::closeThenOpen(Connection *c, const ConnectionSettings &edited)
{
    auto closed = std::make_shared<QMetaObject::Connection>();
    auto openEdited = [c, edited, closed] {
        QObject::disconnect(*closed);
        c->setSettings(edited);
        c->open();
    };
    *closed = connect(c, &Connection::stateChanged, this, [openEdited](ConnectionState state) {
        if (state == ConnectionState::Disconnected)
            openEdited();
    });
    c->close();
    if (c->state() == ConnectionState::Disconnected && *closed) // closed at once (nothing was open)
        openEdited();
}

} // namespace mqs
