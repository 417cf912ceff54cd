#pragma once
// The ordered rules of one connection (or of the sandbox broker): the first enabled rule that
// matches a packet decides what happens to it. Sans-IO: the owner holds, drops and delays.

#include "fault_rule.h"

#include <QJsonArray>

#include <map>
#include <vector>

namespace mqs {

// The packet a decision is asked for. Direction is relative to the rule set's owner.
struct FaultSubject {
    FaultDirection direction = FaultDirection::Outgoing; // Outgoing or Incoming
    PacketType type = PacketType::Publish;
    PacketId packetId{};
    QString topic{}; // the PUBLISH's topic, or the topic of the flow an acknowledgement belongs to
    QString clientId{};
};

struct FaultDecision {
    FaultAction action = FaultAction::None;
    quint32 ruleId = 0;
    QString ruleName{};
    quint32 delayMs = 0;
};

struct FaultPreset {
    QString name;
    QString rule; // text form
    QString explanation;
};

class FaultRuleSet
{
public:
    // Adds at the end; returns the new rule's id.
    quint32 add(FaultRule rule);
    bool update(const FaultRule &rule);
    bool remove(quint32 id);
    bool setEnabled(quint32 id, bool enabled);
    bool move(quint32 id, int index);
    void clear();

    const std::vector<FaultRule> &rules() const { return m_rules; }
    const FaultRule *rule(quint32 id) const;
    quint64 hits(quint32 id) const; // packets the rule acted on

    FaultDecision decide(const FaultSubject &subject);

    // The presets of the UI, as a publishing client sees them.
    static std::vector<FaultPreset> presets();

    QJsonArray toJson() const;
    // Replaces the rules, or keeps them and says which entry is bad.
    Status fromJson(const QJsonArray &json);

private:
    std::vector<FaultRule> m_rules;
    std::map<quint32, quint64> m_matches; // every matching packet, for every-Nth
    std::map<quint32, quint64> m_hits;
    quint32 m_nextId = 1;
};

} // namespace mqs
