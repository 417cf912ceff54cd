#pragma once
// The rules a passive observer can see broken from outside, each with the statement id that
// names it in MQTT 5.0 and in 3.1.1 (the two number their statements differently), and which
// side of a connection each binds.

#include "protocol/types.h"

#include <QString>

namespace mqs {

// Who sent a packet on an observed connection: the device (the MQTT client) or the broker.
enum class ObservedSide : quint8 { Client, Broker };

inline ObservedSide otherSide(ObservedSide side)
{
    return side == ObservedSide::Client ? ObservedSide::Broker : ObservedSide::Client;
}
// "client" / "broker"
QString sideName(ObservedSide side);

enum class ObservedRule : quint8 {
    FirstPacketNotConnect, // the client's first packet on a connection
    SecondConnect,
    FirstBrokerPacketNotConnAck,
    SecondConnAck,
    SessionPresentOnCleanStart,
    KeepAliveExceeded,
    OverMaximumPacketSize, // by whichever side sent it, over its peer's limit
    QoSOverMaximum,
    RetainNotAvailable,
    DupOnQoS0,
    TopicAliasZero,
    TopicAliasOverMaximum,
    IdInUse, // a new PUBLISH (DUP = 0) with an id whose flow has not finished
    OverReceiveMaximum,
    PublishAfterPubRel,
    PubRelWithoutPubRec,
    AckForNothing, // PUBACK or PUBREC for no PUBLISH of that QoS in flight
    PubCompWithoutPubRel,
    ResentOnLiveConnection,
    NotResentOnResume,
    PublishResentOutOfOrder,
    PubAckOutOfOrder,
    PubRecOutOfOrder,
    PubRelOutOfOrder,
    PacketAfterDisconnect,
};

// "MQTT-4.3.3-4": the statement `rule` breaks when `side` breaks it on a `version` connection;
// empty when that version has no such statement (3.1.1 has no Receive Maximum, no Topic Alias,
// no Maximum Packet Size, and allows resending on a live connection).
QString observedRuleId(ObservedRule rule, ObservedSide side, ProtocolVersion version);

} // namespace mqs
