#pragma once
// A proxy as the window keeps it: its name, its settings, its fault rules and whether it runs
// when MQTT Scope starts; saved as JSON in the window's Settings beside the connection profiles.

#include "settings.h"

#include "faults/fault_rule.h"
#include "protocol/result.h"
#include "proxy/proxy_settings.h"

#include <QJsonObject>

#include <vector>

namespace mqs {

struct ProxyProfile {
    QString name{};
    ProxySettings settings{};
    std::vector<FaultRule> faultRules{};
    bool startAtLaunch = true; // listening again when the window opens
    bool operator==(const ProxyProfile &) const = default;
};

// "proxy to broker.example:1883", for a profile the user did not name.
QString defaultProxyName(const ProxySettings &settings);
// "127.0.0.1:1884", "[::1]:1884"
QString listenAddressText(const ProxySettings &settings);
// Reads "host:port" (an IP address, or "localhost") into `settings`; a sentence when it is not one.
[[nodiscard]] Status parseListenAddress(const QString &text, ProxySettings &settings);

QJsonObject proxyProfileToJson(const ProxyProfile &profile);
[[nodiscard]] Result<ProxyProfile> proxyProfileFromJson(const QJsonObject &json);

// The proxies in `settings`, or what keeps them from being read (then none is returned).
[[nodiscard]] Result<std::vector<ProxyProfile>> loadProxyProfiles(const Settings &settings);
[[nodiscard]] Status saveProxyProfiles(Settings &settings, const std::vector<ProxyProfile> &profiles);

} // namespace mqs
