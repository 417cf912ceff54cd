#include "fault_rule_set.h"

#include "protocol/topic.h"

namespace mqs {

quint32 FaultRuleSet::add(FaultRule rule)
{
    rule.id = m_nextId++;
    if (rule.name.isEmpty())
        rule.name = rule.toText();
    m_rules.push_back(std::move(rule));
    return m_rules.back().id;
}

bool FaultRuleSet::update(const FaultRule &rule)
{
    for (FaultRule &r : m_rules) {
        if (r.id == rule.id) {
            r = rule;
            m_matches.erase(rule.id);
            return true;
        }
    }
    return false;
}

bool FaultRuleSet::remove(quint32 id)
{
    m_matches.erase(id);
    m_hits.erase(id);
    return std::erase_if(m_rules, [id](const FaultRule &r) { return r.id == id; }) > 0;
}

bool FaultRuleSet::setEnabled(quint32 id, bool enabled)
{
    for (FaultRule &r : m_rules) {
        if (r.id == id) {
            r.enabled = enabled;
            return true;
        }
    }
    return false;
}

bool FaultRuleSet::move(quint32 id, int index)
{
    const auto it = std::find_if(m_rules.begin(), m_rules.end(), [id](const FaultRule &r) { return r.id == id; });
    if (it == m_rules.end() || index < 0 || index >= int(m_rules.size()))
        return false;
    FaultRule rule = std::move(*it);
    m_rules.erase(it);
    m_rules.insert(m_rules.begin() + index, std::move(rule));
    return true;
}

void FaultRuleSet::clear()
{
    m_rules.clear();
    m_matches.clear();
    m_hits.clear();
}

const FaultRule *FaultRuleSet::rule(quint32 id) const
{
    for (const FaultRule &r : m_rules)
        if (r.id == id)
            return &r;
    return nullptr;
}

quint64 FaultRuleSet::hits(quint32 id) const
{
    const auto it = m_hits.find(id);
    return it == m_hits.end() ? 0 : it->second;
}

FaultDecision FaultRuleSet::decide(const FaultSubject &subject)
{
    for (const FaultRule &r : m_rules) {
        if (!r.enabled)
            continue;
        if (r.direction != FaultDirection::Both && r.direction != subject.direction)
            continue;
        if (r.type && *r.type != subject.type)
            continue;
        if (!r.clientId.isEmpty() && r.clientId != subject.clientId)
            continue;
        if (r.match == FaultMatch::PacketId && r.packetId != subject.packetId)
            continue;
        if (r.match == FaultMatch::TopicFilter && (subject.topic.isEmpty() || !topicMatches(r.topicFilter, subject.topic)))
            continue;
        const quint64 matched = ++m_matches[r.id];
        if (r.match == FaultMatch::EveryNth && matched % r.every != 0)
            continue;
        quint64 &hits = m_hits[r.id];
        if (r.limit && hits >= *r.limit)
            continue;
        ++hits;
        return FaultDecision{r.action, r.id, r.name, r.delayMs};
    }
    return {};
}

std::vector<FaultPreset> FaultRuleSet::presets()
{
    return {
        {QStringLiteral("stall at PUBREC"), QStringLiteral("hold in PUBREC"),
         QStringLiteral("The broker's PUBREC is held before our session sees it: our flow waits in AwaitingPubRec.")},
        {QStringLiteral("stall at PUBREL"), QStringLiteral("hold out PUBREL"),
         QStringLiteral("Our PUBREL is held: the broker waits in AwaitingPubRel, we wait for PUBCOMP.")},
        {QStringLiteral("stall at PUBCOMP"), QStringLiteral("hold in PUBCOMP"),
         QStringLiteral("The broker's PUBCOMP is held: our flow waits in AwaitingPubComp with its id in use.")},
        {QStringLiteral("lose the connection after PUBREC"), QStringLiteral("cut in PUBREC"),
         QStringLiteral("The connection drops right after PUBREC: on resume the PUBREL must be resent, not the PUBLISH.")},
        {QStringLiteral("drop every 10th PUBCOMP"), QStringLiteral("drop in PUBCOMP every 10"),
         QStringLiteral("Every 10th PUBCOMP is lost: those flows stay open until a resume resends their PUBREL.")},
    };
}

QJsonArray FaultRuleSet::toJson() const
{
    QJsonArray array;
    for (const FaultRule &r : m_rules)
        array.append(r.toJson());
    return array;
}

Status FaultRuleSet::fromJson(const QJsonArray &json)
{
    std::vector<FaultRule> rules;
    for (qsizetype i = 0; i < json.size(); ++i) {
        auto parsed = FaultRule::fromJson(json.at(i).toObject());
        if (!parsed)
            return Problem{parsed.problem().kind, QStringLiteral("Fault rule %1: %2").arg(i + 1).arg(parsed.sentence())};
        rules.push_back(std::move(parsed).value());
    }
    clear();
    for (FaultRule &r : rules)
        add(std::move(r));
    return {};
}

} // namespace mqs
