#include "window_proxy.h"

#include "window_wording.h"

namespace mqs {

WindowProxy::WindowProxy(const ProxyProfile &profile, TraceLog &trace, QObject *parent)
    : QObject(parent), m_profile(profile), m_trace(trace)
{
    for (const FaultRule &rule : profile.faultRules)
        m_rules.add(rule);
    build();
}

WindowProxy::~WindowProxy()
{
    m_proxy->stop();
}

void WindowProxy::build()
{
    m_proxy = std::make_unique<Proxy>(m_profile.settings, m_rules, m_trace);
    Proxy *proxy = m_proxy.get();
    connect(proxy, &Proxy::deviceOpened, this, &WindowProxy::changed);
    connect(proxy, &Proxy::deviceChanged, this, &WindowProxy::changed);
    connect(proxy, &Proxy::deviceClosed, this, &WindowProxy::changed);
    connect(proxy, &Proxy::heldChanged, this, &WindowProxy::heldPacketsChanged);
    connect(proxy, &Proxy::faultRuleActed, this, &WindowProxy::faultRuleActed);
    connect(proxy, &Proxy::problem, this, [this, proxy](ConnectionId id, const Problem &p) {
        const auto device = proxy->device(id);
        // A device's own TLS failure with the proxy (no lane yet) is the device's to fix, not the upstream fields'.
        const QString sentence = id != 0 ? withWindowAdvice(p) : p.sentence;
        m_lastProblem = device ? tr("%1: %2").arg(deviceName(*device), sentence) : sentence;
        emit problem(tr("%1: %2").arg(title(), m_lastProblem));
        emit changed();
    });
}

ProxyProfile WindowProxy::profile() const
{
    ProxyProfile p = m_profile;
    p.faultRules = m_rules.rules();
    return p;
}

Status WindowProxy::setProfile(const ProxyProfile &profile)
{
    if (profile.settings == m_profile.settings) { // a new name or rules: the devices stay connected
        m_profile = profile;
        m_rules.clear();
        for (const FaultRule &rule : profile.faultRules)
            m_rules.add(rule);
        emit changed();
        return {};
    }
    const bool wasRunning = isRunning();
    m_proxy->stop();
    m_profile = profile;
    m_rules.clear();
    for (const FaultRule &rule : profile.faultRules)
        m_rules.add(rule);
    m_proxy.reset(); // its listening port is free before the new one takes it
    build();
    emit heldPacketsChanged();
    emit changed();
    return wasRunning ? start() : Status{};
}

Status WindowProxy::start()
{
    Status started = m_proxy->start();
    m_lastProblem = started.sentence();
    emit changed();
    return started;
}

void WindowProxy::stop()
{
    m_proxy->stop();
    emit heldPacketsChanged();
    emit changed();
}

QString WindowProxy::title() const
{
    return name().startsWith(QLatin1String("proxy"), Qt::CaseInsensitive) ? name() : tr("proxy %1").arg(name());
}

QString WindowProxy::stateText() const
{
    if (!isRunning())
        return tr("stopped");
    const auto devices = m_proxy->devices();
    const auto open = std::count_if(devices.begin(), devices.end(), [](const ProxyDevice &d) { return d.state != ProxyDeviceState::Closed; });
    return tr("listening on %1 · %2").arg(listenAddressText(m_profile.settings), open == 1 ? tr("1 device") : tr("%1 devices").arg(open));
}

QString WindowProxy::deviceName(const ProxyDevice &device)
{
    return device.clientId.isEmpty() ? device.address : device.clientId;
}

} // namespace mqs
