// Workbench, continued: the window's proxies. Each traces its devices into the workbench's one
// TraceLog, so the diagram, the Flows tab and the exports read them like any connection.

#include "workbench.h"

namespace mqs {

WindowProxy *Workbench::addProxy(const ProxyProfile &profile)
{
    auto proxy = std::make_unique<WindowProxy>(profile, m_trace);
    WindowProxy *raw = proxy.get();
    m_ownedProxies.push_back(std::move(proxy));
    m_proxyList.push_back(raw);
    connect(raw, &WindowProxy::changed, this, [this, raw] { emit proxyChanged(raw); });
    connect(raw, &WindowProxy::heldPacketsChanged, this, &Workbench::heldPacketsChanged);
    connect(raw, &WindowProxy::faultRuleActed, this, &Workbench::faultRuleActed);
    connect(raw, &WindowProxy::problem, this, &Workbench::problem);
    emit proxyAdded(raw);
    return raw;
}

void Workbench::removeProxy(WindowProxy *proxy)
{
    const auto it = std::find(m_proxyList.begin(), m_proxyList.end(), proxy);
    if (it == m_proxyList.end())
        return;
    m_proxyList.erase(it);
    emit proxyRemoved(proxy);
    proxy->stop();
    const auto owned = std::find_if(m_ownedProxies.begin(), m_ownedProxies.end(), [proxy](const auto &p) { return p.get() == proxy; });
    owned->release()->deleteLater();
    m_ownedProxies.erase(owned);
    emit heldPacketsChanged();
}

WindowProxy *Workbench::proxyOf(ConnectionId id) const
{
    for (WindowProxy *proxy : m_proxyList)
        if (proxy->device(id))
            return proxy;
    return nullptr;
}

} // namespace mqs
