#pragma once
// MQTT 5.0 reason codes (spec 2.4) with their spec names. MQTT 3.1.1 CONNACK return
// codes and SUBACK results map onto the 5.0 codes of the same meaning (see below).

#include "types.h"

#include <QString>

namespace mqs {

enum class ReasonCode : quint8 {
    Success = 0x00,
    NormalDisconnection = 0x00, // the name of 0x00 in DISCONNECT
    GrantedQoS0 = 0x00, // the name of 0x00 in SUBACK
    GrantedQoS1 = 0x01,
    GrantedQoS2 = 0x02,
    DisconnectWithWillMessage = 0x04,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18,
    ReAuthenticate = 0x19,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QoSNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
};

inline quint8 reasonValue(ReasonCode code) { return static_cast<quint8>(code); }
// 0x80 and above mean failure in every packet that carries a reason code.
inline bool isFailure(ReasonCode code) { return reasonValue(code) >= 0x80; }

// True when the spec defines `code` for `type` (table 2-6); used by the decoder.
bool isReasonCodeAllowed(PacketType type, quint8 code);

// The spec name of a code as it reads in `type`: 0x00 is "Success" in PUBREC,
// "Normal disconnection" in DISCONNECT and "Granted QoS 0" in SUBACK.
QString reasonName(ReasonCode code, PacketType type = PacketType::PubAck);
// "0x92 Packet Identifier not found"
QString reasonText(ReasonCode code, PacketType type = PacketType::PubAck);

// MQTT 3.1.1 CONNACK return codes 0..5 <-> the 5.0 reason codes of the same meaning.
std::optional<ReasonCode> connAckReasonFromV311(quint8 returnCode);
std::optional<quint8> connAckReturnCodeV311(ReasonCode code);
// The 3.1.1 spec name of a CONNACK return code ("Connection Refused, identifier rejected").
QString connAckReturnCodeNameV311(quint8 returnCode);

// A CONNACK's code as it was on the wire of `version`: the 3.1.1 return code (0x05 for
// NotAuthorized, table 3.1) or the 5.0 reason code (0x87), with that version's name.
quint8 connAckWireValue(ReasonCode reason, ProtocolVersion version);
QString connAckReasonName(ReasonCode reason, ProtocolVersion version);
// "0x05 Connection Refused, not authorized" (3.1.1), "0x87 Not authorized" (5.0)
QString connAckReasonText(ReasonCode reason, ProtocolVersion version);

} // namespace mqs
