#pragma once
// sub's --decode: each received payload through the decoder table, printed as one line of JSON
// (with -v the topic first), a failed decode as its reason and hex, and Sparkplug B messages
// through the Sparkplug state checks, whose findings print as lines of their own.

#include "payload/payload_decoding.h"
#include "payload/sparkplug_monitor.h"

#include <QCommandLineOption>
#include <QStringList>

class QCommandLineParser;

namespace mqs::cli {

struct DecodeFlags {
    QCommandLineOption decode{QStringLiteral("decode"),
                              QStringLiteral("Decode payloads on topics matching FILTER with DECODER: text, json, hex, base64, cbor, "
                                             "msgpack, sparkplug or protobuf:MESSAGE.TYPE (repeatable; first match wins, other "
                                             "topics are decoded automatically). Prints each message as a line of JSON."),
                              QStringLiteral("FILTER=DECODER")};
    QCommandLineOption proto{QStringLiteral("proto"), QStringLiteral("A .proto file defining protobuf message types (repeatable)."),
                             QStringLiteral("FILE")};
    QCommandLineOption protoPath{QStringLiteral("proto-path"),
                                 QStringLiteral("A folder where imports of --proto files are found (repeatable)."), QStringLiteral("DIR")};

    QList<QCommandLineOption> all() const { return {decode, proto, protoPath}; }
    bool anySet(const QCommandLineParser &parser) const;
};

class PayloadPrinter
{
public:
    // The decoder table and schemas from the flags, or what is wrong with them.
    [[nodiscard]] static Result<std::unique_ptr<PayloadPrinter>> fromFlags(const QCommandLineParser &parser, const DecodeFlags &flags);

    // The lines to print for one message (the decoded payload, then any Sparkplug findings).
    QList<QByteArray> linesFor(const QString &topic, const QByteArray &payload, qint64 receivedAtMs, bool withTopic);

private:
    PayloadDecoders m_decoders;
    SparkplugMonitor m_sparkplug;
};

} // namespace mqs::cli
