#include "message.h"

namespace mqs {

Publish toPublish(const ApplicationMessage &message)
{
    Publish p;
    p.topic = message.topic;
    p.payload = message.payload;
    p.qos = message.qos;
    p.retain = message.retain;
    p.properties = message.properties;
    return p;
}

ApplicationMessage toMessage(const Publish &publish)
{
    ApplicationMessage m;
    m.topic = publish.topic;
    m.payload = publish.payload;
    m.qos = publish.qos;
    m.retain = publish.retain;
    m.properties = publish.properties;
    m.properties.remove(PropertyId::TopicAlias);
    return m;
}

} // namespace mqs
