#pragma once
// The 15 MQTT control packets as plain structs in one std::variant. Fields the spec
// makes optional are std::optional; MQTT 5.0-only fields are simply empty in 3.1.1.

#include "properties.h"
#include "reason_code.h"
#include "types.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <variant>
#include <vector>

namespace mqs {

struct Will {
    QString topic{};
    QByteArray payload{};
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    Properties properties{}; // 5.0 Will Properties
    bool operator==(const Will &) const = default;
};

struct Connect {
    ProtocolVersion version = ProtocolVersion::V5;
    bool cleanStart = true; // 3.1.1: Clean Session
    quint16 keepAlive = 60; // seconds; 0 disables keep alive
    QString clientId{};
    std::optional<Will> will{};
    std::optional<QString> username{};
    std::optional<QByteArray> password{};
    Properties properties{};
    bool operator==(const Connect &) const = default;
};

struct ConnAck {
    bool sessionPresent = false;
    // 3.1.1 return codes are held as the 5.0 code of the same meaning (connAckReasonFromV311).
    ReasonCode reason = ReasonCode::Success;
    Properties properties{};
    // A 5.0 CONNECT was answered with a 3.1.1 CONNACK (the broker speaks only 3.1.1); it is
    // encoded in that form too, so that it round-trips.
    bool answeredInV311 = false;
    bool operator==(const ConnAck &) const = default;
};

struct Publish {
    bool dup = false;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    QString topic{}; // may be empty in 5.0 when a Topic Alias stands for it
    std::optional<PacketId> packetId{}; // present exactly when qos > 0
    Properties properties{};
    QByteArray payload{};
    bool operator==(const Publish &) const = default;
};

// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape; the tag keeps them distinct types.
template<PacketType Type>
struct Acknowledgement {
    static constexpr PacketType kType = Type;
    PacketId packetId{};
    ReasonCode reason = ReasonCode::Success; // 5.0 only; 3.1.1 carries no reason
    Properties properties{};
    bool operator==(const Acknowledgement &) const = default;
};

using PubAck = Acknowledgement<PacketType::PubAck>;
using PubRec = Acknowledgement<PacketType::PubRec>;
using PubRel = Acknowledgement<PacketType::PubRel>;
using PubComp = Acknowledgement<PacketType::PubComp>;

enum class RetainHandling : quint8 { SendAtSubscribe = 0, SendAtSubscribeIfNew = 1, DoNotSend = 2 };

struct SubscribeOptions {
    QoS maximumQoS = QoS::AtMostOnce;
    bool noLocal = false; // 5.0
    bool retainAsPublished = false; // 5.0
    RetainHandling retainHandling = RetainHandling::SendAtSubscribe; // 5.0
    bool operator==(const SubscribeOptions &) const = default;
};

struct Subscription {
    QString filter{};
    SubscribeOptions options{};
    bool operator==(const Subscription &) const = default;
};

struct Subscribe {
    PacketId packetId{};
    Properties properties{};
    std::vector<Subscription> subscriptions{};
    bool operator==(const Subscribe &) const = default;
};

struct SubAck {
    PacketId packetId{};
    Properties properties{};
    std::vector<ReasonCode> reasons; // one per filter: Granted QoS 0/1/2 or a failure (3.1.1: 0x80)
    bool operator==(const SubAck &) const = default;
};

struct Unsubscribe {
    PacketId packetId{};
    Properties properties{};
    std::vector<QString> filters{};
    bool operator==(const Unsubscribe &) const = default;
};

struct UnsubAck {
    PacketId packetId{};
    Properties properties{};
    std::vector<ReasonCode> reasons{}; // 5.0 only; empty in 3.1.1
    bool operator==(const UnsubAck &) const = default;
};

struct PingReq {
    bool operator==(const PingReq &) const = default;
};

struct PingResp {
    bool operator==(const PingResp &) const = default;
};

struct Disconnect {
    ReasonCode reason = ReasonCode::Success; // 5.0: "Normal disconnection"
    Properties properties{};
    bool operator==(const Disconnect &) const = default;
};

struct Auth {
    ReasonCode reason = ReasonCode::Success;
    Properties properties{};
    bool operator==(const Auth &) const = default;
};

// Alternative index + 1 is the packet type (see packetType()).
using Packet = std::variant<Connect, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck,
                            Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth>;
using Packets = std::vector<Packet>;

PacketType packetType(const Packet &packet);
// The packet identifier, for the packets that carry one.
std::optional<PacketId> packetIdOf(const Packet &packet);
// The reason code, for the packets that carry a single one (SUBACK/UNSUBACK: none).
std::optional<ReasonCode> reasonOf(const Packet &packet);

// A packet list as a person reads it, for test failure messages.
char *toString(const Packet &packet);

} // namespace mqs
