#pragma once
// The MQTT packets of a capture: every TCP stream with the MQTT port on one side is run
// through one Decoder per direction. Also the CLI's text line and JSON object per packet.

#include "protocol/decoder.h"
#include "protocol/result.h"

#include <QJsonObject>

#include <functional>
#include <variant>
#include <vector>

namespace mqs {

struct CapturedPacket {
    quint64 frame = 0; // the frame in which the packet's last byte arrived
    double time = 0; // seconds since the first frame
    quint32 stream = 0;
    quint16 sourcePort = 0;
    quint16 destinationPort = 0;
    bool fromClient = true; // toward the MQTT port
    ProtocolVersion version = ProtocolVersion::V311;
    Packet packet{};
    QByteArray raw{};
    QString sourceAddress{};
    QString destinationAddress{};
    qint64 timeUs = 0; // capture timestamp, microseconds since the Unix epoch
};

// A direction of a stream that stopped decoding; the rest of the capture goes on.
struct CaptureProblem {
    quint64 frame = 0;
    quint32 stream = 0;
    quint16 sourcePort = 0;
    quint16 destinationPort = 0;
    ProtocolError error{};
    QString sourceAddress{};
    QString destinationAddress{};
    bool fromClient = true; // the direction that broke: toward the broker
    QString toString() const;
};

struct CaptureContents {
    std::vector<CapturedPacket> packets{};
    std::vector<CaptureProblem> problems{};
    // What else a reader should know: streams mid-session, encrypted, with gaps; frames cut by
    // the snapshot length; a file that ends in the middle of a frame.
    std::vector<QString> notes{};
    quint64 frames = 0;
};

// What streamCapture() saw, for the summary line.
struct CaptureTotals {
    quint64 frames = 0;
    quint64 packets = 0;
    quint64 problems = 0;
};

struct CaptureSinks {
    std::function<void(CapturedPacket &&)> packet{};
    std::function<void(const CaptureProblem &)> problem{};
    // What else a reader should know: a stream began mid-session, is encrypted, has a gap; frames
    // were cut by the snapshot length; the file ends in the middle of a frame.
    std::function<void(const QString &)> note{};
};

// Decodes `path`, with MQTT on `ports` (empty: 1883, 8883 and any stream that starts with a
// CONNECT), handing each packet, each stream that stopped decoding and each note to `sinks` as
// the file is read: memory stays bounded by the TCP streams open at once, whatever the file's
// size. A Problem: kind File when the file is not a capture or holds no MQTT, InvalidInput when
// ports were named and none of them holds MQTT.
[[nodiscard]] Result<CaptureTotals> streamCapture(const QString &path, const std::vector<quint16> &ports,
                                                  const CaptureSinks &sinks);
[[nodiscard]] inline Result<CaptureTotals> streamCapture(const QString &path, quint16 port, const CaptureSinks &sinks)
{
    return streamCapture(path, std::vector<quint16>{port}, sinks);
}

// Decodes `path` into memory, as streamCapture(), with the same problems.
[[nodiscard]] Result<CaptureContents> decodeCapture(const QString &path, std::vector<quint16> ports);
[[nodiscard]] inline Result<CaptureContents> decodeCapture(const QString &path, quint16 port = 1883)
{
    return decodeCapture(path, std::vector<quint16>{port});
}

// "  1.001215  stream 1   46184 → 18831  PUBLISH id=1 qos=2 ..."
QString captureLine(const CapturedPacket &packet);
// {"frame":24,"stream":1,"time":1.001215,"src_port":46184,"dst_port":18831,"type":"PUBLISH","id":1,...}
QJsonObject captureJson(const CapturedPacket &packet);

} // namespace mqs
