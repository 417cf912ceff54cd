#include "properties.h"

#include "overloaded.h"

#include <algorithm>
#include <array>

namespace mqs {
namespace {

constexpr quint32 ctx(PropertyContext c) { return 1u << static_cast<unsigned>(c); }

using C = PropertyContext;
using T = PropertyType;
using P = PropertyId;

constexpr quint32 kMessage = ctx(C::Publish) | ctx(C::Will);
constexpr quint32 kAcks = ctx(C::PubAck) | ctx(C::PubRec) | ctx(C::PubRel) | ctx(C::PubComp);
constexpr quint32 kEverywhere = ctx(C::Connect) | ctx(C::ConnAck) | ctx(C::Publish) | ctx(C::Will) | kAcks
    | ctx(C::Subscribe) | ctx(C::SubAck) | ctx(C::Unsubscribe) | ctx(C::UnsubAck) | ctx(C::Disconnect)
    | ctx(C::Auth);

// Spec 5.0 table 2-4.
constexpr std::array kProperties{
    PropertyInfo{P::PayloadFormatIndicator, "Payload Format Indicator", T::Byte, kMessage},
    PropertyInfo{P::MessageExpiryInterval, "Message Expiry Interval", T::FourByteInteger, kMessage},
    PropertyInfo{P::ContentType, "Content Type", T::Utf8String, kMessage},
    PropertyInfo{P::ResponseTopic, "Response Topic", T::Utf8String, kMessage},
    PropertyInfo{P::CorrelationData, "Correlation Data", T::BinaryData, kMessage},
    PropertyInfo{P::SubscriptionIdentifier, "Subscription Identifier", T::VariableByteInteger,
                 ctx(C::Publish) | ctx(C::Subscribe)},
    PropertyInfo{P::SessionExpiryInterval, "Session Expiry Interval", T::FourByteInteger,
                 ctx(C::Connect) | ctx(C::ConnAck) | ctx(C::Disconnect)},
    PropertyInfo{P::AssignedClientIdentifier, "Assigned Client Identifier", T::Utf8String, ctx(C::ConnAck)},
    PropertyInfo{P::ServerKeepAlive, "Server Keep Alive", T::TwoByteInteger, ctx(C::ConnAck)},
    PropertyInfo{P::AuthenticationMethod, "Authentication Method", T::Utf8String,
                 ctx(C::Connect) | ctx(C::ConnAck) | ctx(C::Auth)},
    PropertyInfo{P::AuthenticationData, "Authentication Data", T::BinaryData,
                 ctx(C::Connect) | ctx(C::ConnAck) | ctx(C::Auth)},
    PropertyInfo{P::RequestProblemInformation, "Request Problem Information", T::Byte, ctx(C::Connect)},
    PropertyInfo{P::WillDelayInterval, "Will Delay Interval", T::FourByteInteger, ctx(C::Will)},
    PropertyInfo{P::RequestResponseInformation, "Request Response Information", T::Byte, ctx(C::Connect)},
    PropertyInfo{P::ResponseInformation, "Response Information", T::Utf8String, ctx(C::ConnAck)},
    PropertyInfo{P::ServerReference, "Server Reference", T::Utf8String, ctx(C::ConnAck) | ctx(C::Disconnect)},
    PropertyInfo{P::ReasonString, "Reason String", T::Utf8String,
                 ctx(C::ConnAck) | kAcks | ctx(C::SubAck) | ctx(C::UnsubAck) | ctx(C::Disconnect) | ctx(C::Auth)},
    PropertyInfo{P::ReceiveMaximum, "Receive Maximum", T::TwoByteInteger, ctx(C::Connect) | ctx(C::ConnAck)},
    PropertyInfo{P::TopicAliasMaximum, "Topic Alias Maximum", T::TwoByteInteger, ctx(C::Connect) | ctx(C::ConnAck)},
    PropertyInfo{P::TopicAlias, "Topic Alias", T::TwoByteInteger, ctx(C::Publish)},
    PropertyInfo{P::MaximumQoS, "Maximum QoS", T::Byte, ctx(C::ConnAck)},
    PropertyInfo{P::RetainAvailable, "Retain Available", T::Byte, ctx(C::ConnAck)},
    PropertyInfo{P::UserProperty, "User Property", T::Utf8StringPair, kEverywhere},
    PropertyInfo{P::MaximumPacketSize, "Maximum Packet Size", T::FourByteInteger, ctx(C::Connect) | ctx(C::ConnAck)},
    PropertyInfo{P::WildcardSubscriptionAvailable, "Wildcard Subscription Available", T::Byte, ctx(C::ConnAck)},
    PropertyInfo{P::SubscriptionIdentifierAvailable, "Subscription Identifier Available", T::Byte, ctx(C::ConnAck)},
    PropertyInfo{P::SharedSubscriptionAvailable, "Shared Subscription Available", T::Byte, ctx(C::ConnAck)},
};

} // namespace

const PropertyInfo *propertyInfo(quint8 id)
{
    for (const auto &info : kProperties)
        if (static_cast<quint8>(info.id) == id)
            return &info;
    return nullptr;
}

const PropertyInfo &propertyInfo(PropertyId id)
{
    const PropertyInfo *info = propertyInfo(static_cast<quint8>(id));
    // PropertyId only holds the spec's identifiers, all of which are in the table.
    return info ? *info : kProperties.front();
}

bool isPropertyAllowed(PropertyId id, PropertyContext context)
{
    return propertyInfo(id).contexts & ctx(context);
}

bool mayRepeat(PropertyId id, PropertyContext context)
{
    return id == PropertyId::UserProperty
        || (id == PropertyId::SubscriptionIdentifier && context == PropertyContext::Publish);
}

QString propertyName(PropertyId id)
{
    return QString::fromLatin1(propertyInfo(id).name);
}

QString propertyValueText(const Property &property)
{
    return std::visit(
        overloaded{
            [](quint32 v) -> QString { return QString::number(v); },
            [](const QString &v) -> QString { return QLatin1Char('"') + v + QLatin1Char('"'); },
            [](const QByteArray &v) -> QString { return QStringLiteral("0x") + QString::fromLatin1(v.toHex()); },
            [](const StringPair &v) -> QString { return QStringLiteral("%1=%2").arg(v.name, v.value); },
        },
        property.value);
}

bool Properties::contains(PropertyId id) const
{
    return std::any_of(m_items.begin(), m_items.end(), [id](const Property &p) { return p.id == id; });
}

template<typename V>
static std::optional<V> firstOf(const std::vector<Property> &items, PropertyId id)
{
    for (const auto &p : items)
        if (p.id == id)
            if (const V *v = std::get_if<V>(&p.value))
                return *v;
    return std::nullopt;
}

std::optional<quint32> Properties::integer(PropertyId id) const { return firstOf<quint32>(m_items, id); }
std::optional<QString> Properties::string(PropertyId id) const { return firstOf<QString>(m_items, id); }
std::optional<QByteArray> Properties::binary(PropertyId id) const { return firstOf<QByteArray>(m_items, id); }

std::vector<StringPair> Properties::userProperties() const
{
    std::vector<StringPair> pairs;
    for (const auto &p : m_items)
        if (const auto *pair = std::get_if<StringPair>(&p.value))
            pairs.push_back(*pair);
    return pairs;
}

std::vector<quint32> Properties::subscriptionIdentifiers() const
{
    std::vector<quint32> ids;
    for (const auto &p : m_items)
        if (p.id == PropertyId::SubscriptionIdentifier)
            if (const auto *v = std::get_if<quint32>(&p.value))
                ids.push_back(*v);
    return ids;
}

void Properties::set(PropertyId id, PropertyValue value)
{
    for (auto &p : m_items) {
        if (p.id == id) {
            p.value = std::move(value);
            return;
        }
    }
    m_items.push_back(Property{id, std::move(value)});
}

void Properties::addUserProperty(const QString &name, const QString &value)
{
    m_items.push_back(Property{PropertyId::UserProperty, StringPair{name, value}});
}

void Properties::remove(PropertyId id)
{
    std::erase_if(m_items, [id](const Property &p) { return p.id == id; });
}

} // namespace mqs
