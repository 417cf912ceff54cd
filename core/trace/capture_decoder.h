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
    QString toString() const;
};

struct CaptureContents {
    std::vector<CapturedPacket> packets{};
    std::vector<CaptureProblem> problems{};
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
};

// Decodes `path`, with MQTT on `port`, handing each packet and each stream that stopped decoding
// to `sinks` as the file is read: memory stays bounded by the TCP streams open at once, whatever
// the file's size. A Problem (kind File) when the file is not a capture or holds no MQTT on the port.
[[nodiscard]] Result<CaptureTotals> streamCapture(const QString &path, quint16 port, const CaptureSinks &sinks);

// Decodes `path`, with MQTT on `port`, into memory. Errors as sentences: not a capture, no MQTT on the port.
[[nodiscard]] std::variant<CaptureContents, QString> decodeCapture(const QString &path, quint16 port = 1883);

// "  1.001215  stream 1   46184 → 18831  PUBLISH id=1 qos=2 ..."
QString captureLine(const CapturedPacket &packet);
// {"frame":24,"stream":1,"time":1.001215,"src_port":46184,"dst_port":18831,"type":"PUBLISH","id":1,...}
QJsonObject captureJson(const CapturedPacket &packet);

} // namespace mqs
