#include "connection_settings.h"

#include "protocol/topic.h"

#include <QRandomGenerator>

namespace mqs {

Connect ConnectionSettings::connectPacket() const
{
    Connect c;
    c.version = version;
    c.cleanStart = cleanStart;
    c.keepAlive = keepAlive;
    c.clientId = clientId;
    c.will = will;
    c.username = username;
    c.password = password;
    if (version == ProtocolVersion::V5) {
        c.properties = connectProperties;
        if (sessionExpiry > 0)
            c.properties.set(PropertyId::SessionExpiryInterval, sessionExpiry);
    } else if (c.will) {
        c.will->properties = {};
    }
    return c;
}

QString ConnectionSettings::storeScope() const
{
    ServerUrl plain = url;
    plain.username.reset();
    plain.password.reset();
    return plain.toString();
}

std::optional<QString> ConnectionSettings::problem() const
{
    if (version == ProtocolVersion::V311 && clientId.isEmpty() && !cleanStart)
        return QStringLiteral("MQTT 3.1.1 needs a client id for a persistent session (Clean Session off) "
                              "[MQTT-3.1.3-7]. Enter a client id or turn Clean Session on.");
    if (clientId.toUtf8().size() > 65535)
        return QStringLiteral("The client id is longer than 65,535 bytes.");
    if (will) {
        if (const auto problem = topicNameProblem(will->topic))
            return QStringLiteral("Will topic: ") + *problem;
    }
    if (password && !username && version == ProtocolVersion::V311)
        return QStringLiteral("MQTT 3.1.1 sends a password only with a user name [MQTT-3.1.2-22]. Enter a user name.");
    if (keepAlive > 0 && keepAlive < 1)
        return QStringLiteral("Keep alive must be 0 (off) or at least 1 s.");
    return std::nullopt;
}

QString generateClientId()
{
    return QStringLiteral("mqttscope-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

} // namespace mqs
