#pragma once
// One proxy of the window: the core Proxy with the name the user gave it, its fault rules (kept
// across edits and restarts, so the Fault rules tab can edit them while it runs) and the last
// problem it met, for the connections list.

#include "proxy_profile.h"

#include "proxy/proxy.h"

#include <QObject>

#include <memory>

namespace mqs {

class WindowProxy : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowProxy)
public:
    WindowProxy(const ProxyProfile &profile, TraceLog &trace, QObject *parent = nullptr);
    ~WindowProxy() override;

    QString name() const { return m_profile.name; }
    // How sentences name it: "proxy to broker:1883" (the default name), "proxy sensor bench".
    QString title() const;
    // "listening on 127.0.0.1:1884 · 2 devices", "stopped", for the list and the status bar.
    QString stateText() const;
    // The profile with the rules as they are now.
    ProxyProfile profile() const;
    // New settings take effect now: a running proxy stops and starts again with them. A new name
    // or new rules alone change nothing else: the devices stay connected.
    [[nodiscard]] Status setProfile(const ProxyProfile &profile);

    // Whether it listens again when the window opens; the list's start and stop set it.
    void setStartAtLaunch(bool start) { m_profile.startAtLaunch = start; }

    Proxy &proxy() { return *m_proxy; }
    const Proxy &proxy() const { return *m_proxy; }
    FaultRuleSet &faults() { return m_rules; }
    const FaultRuleSet &faults() const { return m_rules; }

    // Starts listening; the problem (the port is in use, a certificate cannot be read) is kept
    // for the list and returned.
    [[nodiscard]] Status start();
    void stop();
    bool isRunning() const { return m_proxy->isRunning(); }
    // What went wrong last: starting, or for one of its devices. Empty once it starts.
    QString lastProblem() const { return m_lastProblem; }
    // The device on trace connection `id`, if it is this proxy's.
    std::optional<ProxyDevice> device(ConnectionId id) const { return m_proxy->device(id); }
    // "sensor-1 (127.0.0.1:53122)": its client id once CONNECT is seen, its address before.
    static QString deviceName(const ProxyDevice &device);

signals:
    // Started, stopped, a device came, changed or went, or a problem: the list repaints.
    void changed();
    void heldPacketsChanged();
    void faultRuleActed();
    // A sentence for the status bar.
    void problem(const QString &text);

private:
    void build();

    ProxyProfile m_profile; // its rules are in m_rules
    TraceLog &m_trace;
    FaultRuleSet m_rules;
    std::unique_ptr<Proxy> m_proxy;
    QString m_lastProblem;
};

} // namespace mqs
