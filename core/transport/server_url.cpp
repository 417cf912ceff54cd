#include "server_url.h"

#include <QHostAddress>
#include <QUrl>

#include <algorithm>

namespace mqs {
namespace {

std::optional<Scheme> schemeFromName(const QString &name)
{
    if (name == QLatin1String("mqtt") || name == QLatin1String("tcp"))
        return Scheme::Mqtt;
    if (name == QLatin1String("mqtts") || name == QLatin1String("ssl") || name == QLatin1String("tls"))
        return Scheme::Mqtts;
    if (name == QLatin1String("ws"))
        return Scheme::Ws;
    if (name == QLatin1String("wss"))
        return Scheme::Wss;
    return std::nullopt;
}

// A host name may hold letters, digits, '-', '.', '_' and (internationalised names) non-ASCII letters.
std::optional<QChar> invalidHostCharacter(const QString &host)
{
    for (const QChar c : host) {
        if (c.unicode() > 127 ? !c.isLetterOrNumber()
                              : !(c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('.') || c == QLatin1Char('_')))
            return c;
    }
    return std::nullopt;
}

QString decoded(QStringView text)
{
    return QUrl::fromPercentEncoding(text.toUtf8());
}

} // namespace

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

QString ServerUrl::schemeName(Scheme scheme)
{
    switch (scheme) {
    case Scheme::Mqtt: return QStringLiteral("mqtt");
    case Scheme::Mqtts: return QStringLiteral("mqtts");
    case Scheme::Ws: return QStringLiteral("ws");
    case Scheme::Wss: return QStringLiteral("wss");
    }
    return QStringLiteral("mqtt");
}

// "mqtt//host:1883" or "mqtt:/host": a scheme whose "://" lost a character, which would otherwise
// read as the host "mqtt" with a path.
static Status checkSchemeColon(const QString &text)
{
    for (const char *name : {"mqtts", "mqtt", "wss", "ws"}) {
        const QString scheme = QLatin1String(name);
        if (text.startsWith(scheme + QStringLiteral("//"), Qt::CaseInsensitive))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' is missing the ':' after '%2'; write %2://%3.").arg(text, scheme, text.mid(scheme.size() + 2))};
        if (text.startsWith(scheme + QStringLiteral(":/"), Qt::CaseInsensitive))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' is missing a '/' after '%2:'; write %2://%3.").arg(text, scheme, text.mid(scheme.size() + 2))};
    }
    return {};
}

Result<ServerUrl> ServerUrl::parse(const QString &input)
{
    const QString text = input.trimmed();
    if (text.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The broker address is empty; enter e.g. mqtt://127.0.0.1:1883.")};

    ServerUrl url;
    QStringView rest = text;
    if (const qsizetype separator = text.indexOf(QLatin1String("://")); separator >= 0) {
        const QString name = text.left(separator).toLower();
        if (name.isEmpty())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has no scheme before '://'; use mqtt://, mqtts://, ws:// or wss://.").arg(input)};
        const auto scheme = schemeFromName(name);
        if (!scheme)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has an unknown scheme '%2'; use mqtt://, mqtts://, ws:// or wss://.").arg(input, name)};
        url.scheme = *scheme;
        rest = rest.mid(separator + 3);
    } else if (Status colon = checkSchemeColon(text); !colon) {
        return colon.problem();
    } // else a bare "host[:port]": mqtt://

    if (rest.contains(QLatin1Char('#')))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has a fragment ('#...'); a broker URL takes none. Remove it.").arg(input)};
    // Authority, then the path (with any query) from the first '/' or '?'.
    qsizetype pathStart = rest.size();
    for (const QChar stop : {QLatin1Char('/'), QLatin1Char('?')}) {
        const qsizetype at = rest.indexOf(stop);
        if (at >= 0 && at < pathStart)
            pathStart = at;
    }
    QStringView authority = rest.left(pathStart);
    const QString path = rest.mid(pathStart).toString();

    if (const qsizetype at = authority.lastIndexOf(QLatin1Char('@')); at >= 0) {
        const QStringView userInfo = authority.left(at);
        authority = authority.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        url.username = decoded(colon >= 0 ? userInfo.left(colon) : userInfo);
        if (colon >= 0)
            url.password = decoded(userInfo.mid(colon + 1));
        if (url.username->isEmpty() && !url.password)
            url.username.reset(); // "@host"
    }

    QStringView portText;
    bool hasPort = false;
    if (authority.startsWith(QLatin1Char('['))) {
        const qsizetype close = authority.indexOf(QLatin1Char(']'));
        if (close < 0)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' opens an IPv6 address with '[' but never closes it with ']'.").arg(input)};
        url.host = authority.mid(1, close - 1).toString();
        const QStringView after = authority.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(QLatin1Char(':')))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has '%2' after the IPv6 address; only ':port' may follow ']'.").arg(input, after.toString())};
        hasPort = !after.isEmpty();
        portText = after.mid(1);
        if (QHostAddress(url.host).protocol() != QAbstractSocket::IPv6Protocol)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has '%2' in brackets, which is not an IPv6 address; write a host name without brackets.").arg(input, url.host)};
    } else {
        if (authority.count(QLatin1Char(':')) > 1)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' looks like an IPv6 address without brackets; write it as mqtt://[::1]:1883.").arg(input)};
        const qsizetype colon = authority.indexOf(QLatin1Char(':'));
        hasPort = colon >= 0;
        url.host = (hasPort ? authority.left(colon) : authority).toString().toLower();
        if (hasPort)
            portText = authority.mid(colon + 1);
        if (const auto bad = invalidHostCharacter(url.host))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has the character '%2' in its host name '%3'; a host name has only letters, "
                                  "digits, '-' and '.'.")
                .arg(input, *bad, url.host)};
    }
    if (url.host.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' names no host; enter e.g. mqtt://127.0.0.1:1883.").arg(input)};

    url.port = defaultPort(url.scheme);
    if (hasPort) {
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (portText.isEmpty())
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has ':' but no port after it; give a port from 1 to 65535, or leave out the ':'.")
                .arg(input)};
        const bool digitsOnly = std::all_of(portText.begin(), portText.end(), [](QChar c) { return c.isDigit(); });
        if (!ok || !digitsOnly || port < 1 || port > 65535)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has the port '%2', which is out of range; ports are 1 to 65535.")
                .arg(input, portText.toString())};
        url.port = quint16(port);
    }

    if (url.isWebSocket())
        url.path = path.isEmpty() ? QStringLiteral("/mqtt") : (path.startsWith(QLatin1Char('?')) ? QLatin1Char('/') + path : path);
    else if (!path.isEmpty() && path != QLatin1String("/"))
        return Problem{ProblemKind::InvalidInput, QStringLiteral("'%1' has the path '%2', but only ws:// and wss:// URLs take a path. Remove it, or use "
                              "ws://.")
            .arg(input, path)};
    return url;
}

QString ServerUrl::hostAndPort() const
{
    const QString h = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("%1:%2").arg(h).arg(port);
}

QString ServerUrl::toString() const
{
    QString text = QStringLiteral("%1://%2").arg(schemeName(scheme), hostAndPort());
    if (isWebSocket())
        text += path.isEmpty() ? QStringLiteral("/mqtt") : path;
    return text;
}

} // namespace mqs
