#pragma once
// MQTT 5.0 properties (spec 2.2.2): every identifier with its data type and the packets
// it may appear in. A property list keeps wire order and duplicates (user properties),
// so a decoded packet re-encodes byte for byte.

#include "types.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace mqs {

enum class PropertyId : quint8 {
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQoS = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
};

// The spec's data representations (1.5).
enum class PropertyType : quint8 {
    Byte,
    TwoByteInteger,
    FourByteInteger,
    VariableByteInteger,
    Utf8String,
    BinaryData,
    Utf8StringPair,
};

// Where a property may stand: the packet types, plus the Will Properties of CONNECT.
enum class PropertyContext : quint8 {
    Connect = 1, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp,
    Subscribe, SubAck, Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth,
    Will = 16,
};

inline PropertyContext contextOf(PacketType type) { return static_cast<PropertyContext>(type); }

struct StringPair {
    QString name;
    QString value;
    bool operator==(const StringPair &) const = default;
};

// Integers of every width are held as quint32; the table says how many bytes they take.
using PropertyValue = std::variant<quint32, QString, QByteArray, StringPair>;

struct Property {
    PropertyId id;
    PropertyValue value;
    bool operator==(const Property &) const = default;
};

struct PropertyInfo {
    PropertyId id;
    const char *name; // spec name, e.g. "Session Expiry Interval"
    PropertyType type;
    quint32 contexts; // bit (1 << PropertyContext)
};

// The table entry for `id`, or nullptr for an identifier the spec does not define.
const PropertyInfo *propertyInfo(quint8 id);
const PropertyInfo &propertyInfo(PropertyId id);
bool isPropertyAllowed(PropertyId id, PropertyContext context);
// Only User Property (anywhere) and Subscription Identifier (in PUBLISH) may repeat.
bool mayRepeat(PropertyId id, PropertyContext context);
QString propertyName(PropertyId id);
// The value as a person reads it: numbers in decimal, binary data in hex, pairs as name=value.
QString propertyValueText(const Property &property);

// An ordered property list with typed accessors.
class Properties
{
public:
    Properties() = default;
    Properties(std::initializer_list<Property> items) : m_items(items) {}

    const std::vector<Property> &items() const { return m_items; }
    bool isEmpty() const { return m_items.empty(); }
    std::size_t size() const { return m_items.size(); }
    bool contains(PropertyId id) const;

    std::optional<quint32> integer(PropertyId id) const;
    std::optional<QString> string(PropertyId id) const;
    std::optional<QByteArray> binary(PropertyId id) const;
    std::vector<StringPair> userProperties() const;
    std::vector<quint32> subscriptionIdentifiers() const;

    // Replaces the first property with this id (keeping its place) or appends.
    void set(PropertyId id, PropertyValue value);
    // Appends; for properties that may repeat.
    void append(Property property) { m_items.push_back(std::move(property)); }
    void addUserProperty(const QString &name, const QString &value);
    void remove(PropertyId id);

    bool operator==(const Properties &) const = default;

private:
    std::vector<Property> m_items;
};

} // namespace mqs
