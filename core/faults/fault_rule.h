#pragma once
// A fault rule at the session/transport boundary: which packets it matches and what it does
// to them (hold until released, drop, delay, duplicate, cut the connection after). It is how a
// user makes a handshake stall on purpose.
//
// Text form (the CLI's --fault, case-insensitive):
//   ACTION DIRECTION TYPE [id N | topic FILTER | every N] [client ID] [limit K]
//   ACTION    hold | drop | delay N(ms|s) | duplicate | cut      (cut: close the connection after it)
//   DIRECTION out | in | any      (relative to the side that owns the rule)
//   TYPE      PUBLISH | PUBACK | PUBREC | PUBREL | PUBCOMP | ... | any
// e.g. "hold out PUBREL", "drop in PUBCOMP every 10", "delay 500ms out PUBLISH topic sensors/#",
//      "cut in PUBREC", "hold out PUBCOMP client dashboard limit 1".

#include "protocol/result.h"
#include "protocol/types.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <variant>

namespace mqs {

enum class FaultDirection : quint8 { Outgoing, Incoming, Both };
enum class FaultAction : quint8 { None, Hold, Drop, Delay, Duplicate, CutAfter };
enum class FaultMatch : quint8 { Any, PacketId, TopicFilter, EveryNth };

struct FaultRule {
    quint32 id = 0; // assigned by FaultRuleSet
    QString name{}; // shown in the trace and the UI; defaults to the text form
    bool enabled = true;
    FaultDirection direction = FaultDirection::Both;
    std::optional<PacketType> type{}; // nothing: every packet type
    FaultMatch match = FaultMatch::Any;
    PacketId packetId{}; // FaultMatch::PacketId
    QString topicFilter{}; // FaultMatch::TopicFilter: the PUBLISH's topic, or the topic of the ack's flow
    quint32 every = 0; // FaultMatch::EveryNth
    FaultAction action = FaultAction::Hold;
    quint32 delayMs = 0; // FaultAction::Delay
    std::optional<quint32> limit{}; // act on the first K matches only
    QString clientId{}; // only packets of this client (the sandbox broker's rules); empty: any

    // The rule, or an InvalidInput problem saying what is wrong and how a rule is written.
    static Result<FaultRule> parse(const QString &text);
    QString toText() const;
    // "Hold outgoing PUBREL until released", for lists and the trace.
    QString describe() const;
    QJsonObject toJson() const;
    static Result<FaultRule> fromJson(const QJsonObject &json);
    bool operator==(const FaultRule &) const = default;
};

QString faultActionName(FaultAction action);

} // namespace mqs
