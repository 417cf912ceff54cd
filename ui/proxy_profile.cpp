#include "proxy_profile.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace mqs {
namespace {

constexpr int kProxyProfileFormat = 1;

QJsonObject tlsToJson(const TlsOptions &tls)
{
    return {{QStringLiteral("caFile"), tls.caFile},
            {QStringLiteral("certFile"), tls.clientCertificateFile},
            {QStringLiteral("keyFile"), tls.clientKeyFile},
            {QStringLiteral("insecure"), tls.insecure}};
}

TlsOptions tlsFromJson(const QJsonObject &o)
{
    TlsOptions tls;
    tls.caFile = o.value(QStringLiteral("caFile")).toString();
    tls.clientCertificateFile = o.value(QStringLiteral("certFile")).toString();
    tls.clientKeyFile = o.value(QStringLiteral("keyFile")).toString();
    tls.insecure = o.value(QStringLiteral("insecure")).toBool();
    return tls;
}

} // namespace

QString defaultProxyName(const ProxySettings &settings)
{
    return QStringLiteral("proxy to %1").arg(settings.upstream.hostAndPort());
}

QString listenAddressText(const ProxySettings &settings)
{
    const QString host = settings.listenAddress.toString();
    return settings.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]:%2").arg(host).arg(settings.listenPort)
        : QStringLiteral("%1:%2").arg(host).arg(settings.listenPort);
}

Status parseListenAddress(const QString &text, ProxySettings &settings)
{
    const QString trimmed = text.trimmed();
    const qsizetype colon = trimmed.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return problem(ProblemKind::InvalidInput, QStringLiteral("Write the address to listen on as host:port, e.g. 127.0.0.1:1884."));
    QString host = trimmed.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool numeric = false;
    const uint port = trimmed.mid(colon + 1).toUInt(&numeric);
    if (!numeric || port > 65535)
        return problem(ProblemKind::InvalidInput, QStringLiteral("The port must be a number from 1 to 65535 (0: any free port)."));
    const QHostAddress address(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (address.isNull())
        return problem(ProblemKind::InvalidInput,
                       QStringLiteral("'%1' is not an address of this machine: write an IP address such as 127.0.0.1 or 0.0.0.0.").arg(host));
    settings.listenAddress = address;
    settings.listenPort = quint16(port);
    return {};
}

QJsonObject proxyProfileToJson(const ProxyProfile &p)
{
    const ProxySettings &s = p.settings;
    QJsonArray rules;
    for (const FaultRule &r : p.faultRules)
        rules.append(r.toJson());
    QJsonObject o{{QStringLiteral("format"), kProxyProfileFormat},
                  {QStringLiteral("name"), p.name},
                  {QStringLiteral("listen"), listenAddressText(s)},
                  {QStringLiteral("certFile"), s.certificateFile},
                  {QStringLiteral("keyFile"), s.keyFile},
                  {QStringLiteral("upstream"), s.upstream.toString()},
                  {QStringLiteral("upstreamTls"), tlsToJson(s.upstreamTls)},
                  {QStringLiteral("connAckOnUpstreamFailure"), s.synthesizeConnAckOnUpstreamFailure},
                  {QStringLiteral("startAtLaunch"), p.startAtLaunch},
                  {QStringLiteral("faultRules"), rules}};
    if (s.webSocketPort)
        o.insert(QStringLiteral("webSocketPort"), int(*s.webSocketPort));
    return o;
}

Result<ProxyProfile> proxyProfileFromJson(const QJsonObject &o)
{
    ProxyProfile p;
    p.name = o.value(QStringLiteral("name")).toString();
    ProxySettings &s = p.settings;
    if (Status listen = parseListenAddress(o.value(QStringLiteral("listen")).toString(), s); !listen)
        return listen.problem();
    auto upstream = ServerUrl::parse(o.value(QStringLiteral("upstream")).toString());
    if (!upstream)
        return upstream.problem();
    s.upstream = *upstream;
    s.upstreamTls = tlsFromJson(o.value(QStringLiteral("upstreamTls")).toObject());
    s.certificateFile = o.value(QStringLiteral("certFile")).toString();
    s.keyFile = o.value(QStringLiteral("keyFile")).toString();
    if (o.contains(QStringLiteral("webSocketPort")))
        s.webSocketPort = quint16(std::clamp(o.value(QStringLiteral("webSocketPort")).toInt(), 0, 65535));
    s.synthesizeConnAckOnUpstreamFailure = o.value(QStringLiteral("connAckOnUpstreamFailure")).toBool();
    p.startAtLaunch = o.value(QStringLiteral("startAtLaunch")).toBool(true);
    for (const QJsonValue &r : o.value(QStringLiteral("faultRules")).toArray()) {
        auto rule = FaultRule::fromJson(r.toObject());
        if (!rule)
            return problem(rule.problem().kind, QStringLiteral("fault rule: %1").arg(rule.sentence()));
        p.faultRules.push_back(*rule);
    }
    return p;
}

Result<std::vector<ProxyProfile>> loadProxyProfiles(const Settings &settings)
{
    const QString text = settings.proxiesText();
    std::vector<ProxyProfile> profiles;
    if (text.isEmpty())
        return profiles;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return problem(ProblemKind::File, QStringLiteral("The saved proxies in %1 are damaged (%2); none was loaded.")
                                              .arg(settings.fileName(), error.errorString()));
    const QJsonArray list = doc.array();
    for (qsizetype i = 0; i < list.size(); ++i) {
        auto profile = proxyProfileFromJson(list.at(i).toObject());
        if (!profile)
            return problem(ProblemKind::File, QStringLiteral("Saved proxy %1 in %2: %3").arg(i + 1).arg(settings.fileName(), profile.sentence()));
        profiles.push_back(std::move(profile).value());
    }
    return profiles;
}

Status saveProxyProfiles(Settings &settings, const std::vector<ProxyProfile> &profiles)
{
    QJsonArray list;
    for (const ProxyProfile &p : profiles)
        list.append(proxyProfileToJson(p));
    settings.setProxiesText(QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)));
    if (!settings.flush())
        return problem(ProblemKind::File, QStringLiteral("The proxies could not be saved to %1.").arg(settings.fileName()));
    return {};
}

} // namespace mqs
