#include "server_url.h"

#include <QUrl>

namespace mqs {

quint16 ServerUrl::defaultPort(Scheme scheme)
{
    switch (scheme) {
    case Scheme::Mqtt: return 1883;
    case Scheme::Mqtts: return 8883;
    case Scheme::Ws: return 80;
    case Scheme::Wss: return 443;
    }
    return 1883;
}

std::variant<ServerUrl, QString> ServerUrl::parse(const QString &input)
{
    QString text = input.trimmed();
    if (text.isEmpty())
        return QStringLiteral("The broker address is empty; enter e.g. mqtt://127.0.0.1:1883.");
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("mqtt://"));
    const QString schemeText = text.left(text.indexOf(QLatin1String("://"))).toLower();
    ServerUrl url;
    if (schemeText == QLatin1String("mqtt") || schemeText == QLatin1String("tcp"))
        url.scheme = Scheme::Mqtt;
    else if (schemeText == QLatin1String("mqtts") || schemeText == QLatin1String("ssl") || schemeText == QLatin1String("tls"))
        url.scheme = Scheme::Mqtts;
    else if (schemeText == QLatin1String("ws"))
        url.scheme = Scheme::Ws;
    else if (schemeText == QLatin1String("wss"))
        url.scheme = Scheme::Wss;
    else
        return QStringLiteral("'%1' has an unknown scheme '%2'; use mqtt://, mqtts://, ws:// or wss://.").arg(input, schemeText);

    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid())
        return QStringLiteral("'%1' is not a valid URL: %2.").arg(input, parsed.errorString());
    url.host = parsed.host();
    if (url.host.isEmpty())
        return QStringLiteral("'%1' names no host; enter e.g. mqtt://127.0.0.1:1883.").arg(input);
    // QUrl reads ports above 65535 as invalid (-1); check the text so the message is right.
    const int port = parsed.port(-1);
    const QString authority = parsed.authority(QUrl::FullyEncoded);
    const qsizetype colon = authority.lastIndexOf(QLatin1Char(':'));
    const bool hasPortText = colon > authority.lastIndexOf(QLatin1Char(']'));
    if (hasPortText && port <= 0)
        return QStringLiteral("'%1' has an invalid port '%2'; ports are 1 to 65535.").arg(input, authority.mid(colon + 1));
    url.port = port > 0 ? quint16(port) : defaultPort(url.scheme);
    if (url.isWebSocket())
        url.path = parsed.path().isEmpty() ? QStringLiteral("/mqtt") : parsed.path();
    else if (!parsed.path().isEmpty() && parsed.path() != QLatin1String("/"))
        return QStringLiteral("'%1' has a path, but only ws:// and wss:// URLs take one.").arg(input);
    if (!parsed.userName().isEmpty())
        url.username = parsed.userName();
    if (!parsed.password().isEmpty())
        url.password = parsed.password();
    return url;
}

QString ServerUrl::hostAndPort() const
{
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("%1:%2").arg(h).arg(port);
}

QString ServerUrl::toString() const
{
    static const char *const kSchemes[] = {"mqtt", "mqtts", "ws", "wss"};
    QString text = QStringLiteral("%1://%2").arg(QLatin1String(kSchemes[int(scheme)]), hostAndPort());
    if (isWebSocket())
        text += path.isEmpty() ? QStringLiteral("/mqtt") : path;
    return text;
}

} // namespace mqs
