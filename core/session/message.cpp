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

namespace {

// The message a PUBLISH or a will carries, without the one property that belongs to its carrier.
template<class Carrier>
ApplicationMessage messageOf(const Carrier &carrier, PropertyId carriersOwn)
{
    ApplicationMessage m;
    m.topic = carrier.topic;
    m.payload = carrier.payload;
    m.qos = carrier.qos;
    m.retain = carrier.retain;
    m.properties = carrier.properties;
    m.properties.remove(carriersOwn);
    return m;
}

} // namespace

ApplicationMessage toMessage(const Publish &publish)
{
    return messageOf(publish, PropertyId::TopicAlias);
}

ApplicationMessage toMessage(const Will &will)
{
    return messageOf(will, PropertyId::WillDelayInterval);
}

} // namespace mqs
