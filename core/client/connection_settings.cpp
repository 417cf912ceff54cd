#include "connection_settings.h"

#include "protocol/topic.h"

#include <QRandomGenerator>

namespace mqs {
namespace {
// A CONNACK with a few properties, or a short PUBLISH, fits in this; a smaller limit cuts off every connection.
constexpr quint32 kSmallestUsefulPacketLimit = 64;
} // namespace

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

quint32 ConnectionSettings::incomingPacketLimit() const
{
    return session.maximumPacketSize > 0 ? session.maximumPacketSize : receiveLimit;
}

bool ConnectionSettings::announcesMaximumPacketSize() const
{
    return version == ProtocolVersion::V5 && session.maximumPacketSize > 0;
}

Status ConnectionSettings::check() const
{
    if (version == ProtocolVersion::V311 && clientId.isEmpty() && !cleanStart)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("MQTT 3.1.1 needs a client id for a persistent session (Clean Session off) "
                              "[MQTT-3.1.3-7]. Enter a client id or turn Clean Session on.")};
    if (clientId.toUtf8().size() > 65535)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The client id is longer than 65,535 bytes.")};
    if (will) {
        if (const Status problem = checkTopicName(will->topic); !problem)
            return Problem{ProblemKind::InvalidInput, QStringLiteral("Will topic: ") + problem.sentence()};
    }
    if (password && !username && version == ProtocolVersion::V311)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("MQTT 3.1.1 sends a password only with a user name [MQTT-3.1.2-22]. Enter a user name.")};
    const bool announcedTooSmall = session.maximumPacketSize > 0 && session.maximumPacketSize < kSmallestUsefulPacketLimit;
    if (receiveLimit < kSmallestUsefulPacketLimit || announcedTooSmall)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("A packet size limit below %1 bytes would refuse even a CONNACK with its properties; "
                              "use at least %1.").arg(kSmallestUsefulPacketLimit)};
    if (keepAlive > 0 && keepAlive < 1)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("Keep alive must be 0 (off) or at least 1 s.")};
    return {};
}

QString generateClientId()
{
    return QStringLiteral("mqttscope-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

} // namespace mqs
