#pragma once
// Frames from libpcap: a capture file (pcap or pcapng) or a live interface filtered in the
// kernel to the MQTT ports. Only this file and capture_source.cpp see libpcap; what it says
// goes out as Problems with sentences, its privilege errors as ProblemKind::Privileges.

#include "capture_frame.h"

#include "protocol/result.h"

#include <memory>

struct pcap; // libpcap's pcap_t
#include <variant>
#include <vector>

namespace mqs {

struct SourceFrame {
    CapturedFrame frame{};
    qint64 timeUs = 0; // capture timestamp, microseconds since the Unix epoch
};
struct NoFrameYet {}; // a live capture with nothing new (or a read timeout)
struct EndOfCapture {}; // the file is read to its end

class CaptureSource
{
public:
    using Next = std::variant<SourceFrame, NoFrameYet, EndOfCapture, Problem>;

    ~CaptureSource();
    CaptureSource(const CaptureSource &) = delete;
    CaptureSource &operator=(const CaptureSource &) = delete;

    // A pcap or pcapng file. Problems: it does not exist, is not a capture, uses a link type
    // that carries no IP we read.
    [[nodiscard]] static Result<std::unique_ptr<CaptureSource>> openFile(const QString &path);
    // A live capture on `interfaceName` of TCP on `ports`, non-blocking (poll selectableHandle()).
    [[nodiscard]] static Result<std::unique_ptr<CaptureSource>> openLive(const QString &interfaceName,
                                                                         const std::vector<quint16> &ports);

    // The next frame; its bytes stay valid until the next call. A damaged or truncated file
    // ends with a Problem saying after which frame; the frames before it were good.
    [[nodiscard]] Next next();
    int linkType() const { return m_linkType; }
    int snapLength() const;
    quint64 framesRead() const { return m_frames; }
    // For a file: how far reading has got, for a progress bar.
    qint64 bytesRead() const;
    qint64 fileSize() const { return m_fileSize; }
    // For a live capture: a descriptor that becomes readable when frames arrive, or -1.
    int selectableHandle() const;
    QString name() const { return m_name; }

private:
    CaptureSource() = default;
    Problem damaged(const QString &libpcapText) const;

    ::pcap *m_pcap = nullptr;
    QString m_name; // the file's path or the interface
    bool m_live = false;
    int m_linkType = 0;
    quint64 m_frames = 0;
    qint64 m_fileSize = 0;
};

// The kernel filter for TCP on these ports: "tcp port 1883 or tcp port 8883".
QString captureFilter(const std::vector<quint16> &ports);
// What libpcap said when it could not open an interface, as a sentence. Permission errors
// (PCAP_ERROR_PERM_DENIED, "Operation not permitted") become ProblemKind::Privileges.
[[nodiscard]] Problem liveCaptureProblem(const QString &interfaceName, int pcapStatus, const QString &libpcapText);
// For front ends: the ways to give `program` the right to capture, as one sentence.
QString captureRightsAdvice(const QString &program);

} // namespace mqs
