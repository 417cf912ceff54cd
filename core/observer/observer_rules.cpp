#include "observer_rules.h"

#include <array>

namespace mqs {
namespace {

using R = ObservedRule;

// One row per rule and the side that breaks it: the 5.0 statement, then the 3.1.1 one (empty
// where 3.1.1 has none). tst_connection_observer holds every id to tests/data/spec_ids_*.txt.
struct RuleRow {
    ObservedRule rule;
    ObservedSide side;
    const char *v5;
    const char *v311;
};

constexpr ObservedSide C = ObservedSide::Client;
constexpr ObservedSide B = ObservedSide::Broker;

constexpr std::array kRules{
    RuleRow{R::FirstPacketNotConnect, C, "MQTT-3.1.0-1", "MQTT-3.1.0-1"},
    RuleRow{R::SecondConnect, C, "MQTT-3.1.0-2", "MQTT-3.1.0-2"},
    RuleRow{R::FirstBrokerPacketNotConnAck, B, "MQTT-3.2.0-1", "MQTT-3.2.0-1"},
    RuleRow{R::SecondConnAck, B, "MQTT-3.2.0-2", ""},
    RuleRow{R::SessionPresentOnCleanStart, B, "MQTT-3.2.2-2", "MQTT-3.2.2-1"},
    // The client's duty to send within Keep Alive (5.0 3.1.2-20, 3.1.1 3.1.2-23).
    RuleRow{R::KeepAliveExceeded, C, "MQTT-3.1.2-20", "MQTT-3.1.2-23"},
    // Over the broker's limit from CONNACK; over the client's from CONNECT.
    RuleRow{R::OverMaximumPacketSize, C, "MQTT-3.2.2-15", ""},
    RuleRow{R::OverMaximumPacketSize, B, "MQTT-3.1.2-24", ""},
    RuleRow{R::QoSOverMaximum, C, "MQTT-3.2.2-11", ""},
    RuleRow{R::RetainNotAvailable, C, "MQTT-3.2.2-14", ""},
    RuleRow{R::DupOnQoS0, C, "MQTT-3.3.1-2", "MQTT-3.3.1-2"},
    RuleRow{R::DupOnQoS0, B, "MQTT-3.3.1-2", "MQTT-3.3.1-2"},
    RuleRow{R::TopicAliasZero, C, "MQTT-3.3.2-8", ""},
    RuleRow{R::TopicAliasZero, B, "MQTT-3.3.2-8", ""},
    RuleRow{R::TopicAliasOverMaximum, C, "MQTT-3.3.2-9", ""},
    RuleRow{R::TopicAliasOverMaximum, B, "MQTT-3.3.2-11", ""},
    // A new packet takes an unused id: the client's rule, then the server's.
    RuleRow{R::IdInUse, C, "MQTT-2.2.1-3", "MQTT-2.3.1-2"},
    RuleRow{R::IdInUse, B, "MQTT-2.2.1-4", "MQTT-2.3.1-4"},
    RuleRow{R::OverReceiveMaximum, C, "MQTT-3.3.4-7", ""},
    RuleRow{R::OverReceiveMaximum, B, "MQTT-3.3.4-9", ""},
    // 3.1.1 states the whole sender side of QoS 2 as 4.3.3-1 and the receiver side as 4.3.3-2.
    RuleRow{R::PublishAfterPubRel, C, "MQTT-4.3.3-6", "MQTT-4.3.3-1"},
    RuleRow{R::PublishAfterPubRel, B, "MQTT-4.3.3-6", "MQTT-4.3.3-1"},
    RuleRow{R::PubRelWithoutPubRec, C, "MQTT-4.3.3-4", "MQTT-4.3.3-1"},
    RuleRow{R::PubRelWithoutPubRec, B, "MQTT-4.3.3-4", "MQTT-4.3.3-1"},
    RuleRow{R::AckForNothing, C, "MQTT-2.2.1-5", "MQTT-2.3.1-6"},
    RuleRow{R::AckForNothing, B, "MQTT-2.2.1-5", "MQTT-2.3.1-6"},
    RuleRow{R::PubCompWithoutPubRel, C, "MQTT-4.3.3-11", "MQTT-4.3.3-2"},
    RuleRow{R::PubCompWithoutPubRel, B, "MQTT-4.3.3-11", "MQTT-4.3.3-2"},
    // 5.0 resends only on a resumed session; 3.1.1 allows it at other times too.
    RuleRow{R::ResentOnLiveConnection, C, "MQTT-4.4.0-1", ""},
    RuleRow{R::ResentOnLiveConnection, B, "MQTT-4.4.0-1", ""},
    RuleRow{R::NotResentOnResume, C, "MQTT-4.4.0-1", "MQTT-4.4.0-1"},
    RuleRow{R::NotResentOnResume, B, "MQTT-4.4.0-1", "MQTT-4.4.0-1"},
    RuleRow{R::PublishResentOutOfOrder, C, "MQTT-4.6.0-1", "MQTT-4.6.0-1"},
    RuleRow{R::PublishResentOutOfOrder, B, "MQTT-4.6.0-1", "MQTT-4.6.0-1"},
    RuleRow{R::PubAckOutOfOrder, C, "MQTT-4.6.0-2", "MQTT-4.6.0-2"},
    RuleRow{R::PubAckOutOfOrder, B, "MQTT-4.6.0-2", "MQTT-4.6.0-2"},
    RuleRow{R::PubRecOutOfOrder, C, "MQTT-4.6.0-3", "MQTT-4.6.0-3"},
    RuleRow{R::PubRecOutOfOrder, B, "MQTT-4.6.0-3", "MQTT-4.6.0-3"},
    RuleRow{R::PubRelOutOfOrder, C, "MQTT-4.6.0-4", "MQTT-4.6.0-4"},
    RuleRow{R::PubRelOutOfOrder, B, "MQTT-4.6.0-4", "MQTT-4.6.0-4"},
    // Nothing after DISCONNECT: 5.0 binds either sender (3.14.4-1); 3.1.1 the client (3.14.4-2).
    RuleRow{R::PacketAfterDisconnect, C, "MQTT-3.14.4-1", "MQTT-3.14.4-2"},
    RuleRow{R::PacketAfterDisconnect, B, "MQTT-3.14.4-1", "MQTT-3.14.4-2"},
};

} // namespace

QString sideName(ObservedSide side)
{
    return side == ObservedSide::Client ? QStringLiteral("client") : QStringLiteral("broker");
}

QString observedRuleId(ObservedRule rule, ObservedSide side, ProtocolVersion version)
{
    for (const RuleRow &row : kRules)
        if (row.rule == rule && row.side == side)
            return QString::fromLatin1(version == ProtocolVersion::V5 ? row.v5 : row.v311);
    return QString();
}

} // namespace mqs
