#include "cli_payload_printer.h"

#include "payload/ordered_json.h"

#include "protocol/topic.h"

#include <QCborMap>
#include <QCommandLineParser>

namespace mqs::cli {
namespace {

Result<DecodeRule> ruleFromFlag(const QString &flag)
{
    const qsizetype equals = flag.lastIndexOf(QLatin1Char('='));
    if (equals <= 0)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("--decode takes FILTER=DECODER, as in 'factory/#=protobuf:factory.Reading'.")};
    const QString filter = flag.left(equals);
    if (Status valid = checkTopicFilter(filter); !valid)
        return valid.problem();
    auto decoder = decoderFromName(flag.mid(equals + 1));
    if (!decoder)
        return decoder.problem();
    return DecodeRule{filter, *decoder};
}

// The decoded form as a JSON value: the tree, or the text itself for text, hex and base64.
QByteArray jsonOfPayload(const DecodedPayload &decoded)
{
    if (decoded.problem)
        return jsonOfTree(QCborMap{{QStringLiteral("error"), decoded.problem->sentence}, {QStringLiteral("hex"), decoded.text}});
    if (decoded.value.isUndefined())
        return jsonOfTree(decoded.text);
    return jsonOfTree(decoded.value);
}

} // namespace

bool DecodeFlags::anySet(const QCommandLineParser &parser) const
{
    return parser.isSet(decode) || parser.isSet(proto);
}

Result<std::unique_ptr<PayloadPrinter>> PayloadPrinter::fromFlags(const QCommandLineParser &parser, const DecodeFlags &flags)
{
    auto printer = std::make_unique<PayloadPrinter>();
    const QStringList importPaths = parser.values(flags.protoPath);
    for (const QString &file : parser.values(flags.proto))
        if (Status added = printer->m_decoders.addProtoFile(file, importPaths); !added)
            return added.problem();
    std::vector<DecodeRule> rules;
    for (const QString &flag : parser.values(flags.decode)) {
        auto rule = ruleFromFlag(flag);
        if (!rule)
            return rule.problem();
        const QString type = rule->decoder.messageType;
        if (rule->decoder.kind == DecoderKind::Protobuf && !printer->m_decoders.messageTypes().contains(type))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("no --proto file defines %1.").arg(type)};
        rules.push_back(*rule);
    }
    printer->m_decoders.setRules(std::move(rules));
    return printer;
}

QList<QByteArray> PayloadPrinter::linesFor(const QString &topic, const QByteArray &payload, qint64 receivedAtMs, bool withTopic)
{
    const QByteArray prefix = withTopic ? topic.toUtf8() + ' ' : QByteArray();
    DecodedPayload decoded = m_decoders.decode(topic, payload);
    const auto sparkplugTopic = parseSparkplugTopic(topic);
    if (decoded.decoder.kind != DecoderKind::SparkplugB || decoded.problem || !sparkplugTopic)
        return {prefix + jsonOfPayload(decoded)};
    const std::vector<SparkplugFinding> findings = m_sparkplug.observe(topic, decoded.value, receivedAtMs);
    if (sparkplugTopic->type != SparkplugMessageType::STATE)
        decoded.value = m_sparkplug.withMetricNames(sparkplugTopic->edgeNodeKey(), decoded.value);
    QList<QByteArray> lines{prefix + jsonOfPayload(decoded)};
    for (const SparkplugFinding &finding : findings)
        lines << prefix + jsonOfTree(QCborMap{{QStringLiteral("sparkplug_check"), finding.ruleId},
                                              {QStringLiteral("sentence"), finding.sentence}});
    return lines;
}

} // namespace mqs::cli
