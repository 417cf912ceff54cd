#pragma once
// Reads packet captures (pcap and pcapng, through libpcap) and reassembles each TCP stream
// in order per direction, numbering streams as Wireshark's tcp.stream does.

#include "protocol/result.h"

#include <QByteArray>

#include <QString>

#include <functional>
#include <optional>

namespace mqs {

struct TcpPayload {
    quint64 frame = 0; // 1-based frame number in the capture
    double time = 0; // seconds since the first frame
    quint32 stream = 0; // 0-based, in order of first appearance
    QString sourceAddress{};
    quint16 sourcePort = 0;
    QString destinationAddress{};
    quint16 destinationPort = 0;
    QByteArray bytes{}; // new in-order bytes of this direction, as this frame completes them
};

// Feeds every in-order TCP payload of `path` to `sink`. A File problem says why it could not
// ("FILE is not a packet capture (libpcap says: ...)", unsupported link type, ...).
Status readTcpPayloads(const QString &path, const std::function<void(const TcpPayload &)> &sink,
                       quint64 *framesRead = nullptr);

} // namespace mqs
