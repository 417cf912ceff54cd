#pragma once
// Reads packet captures (pcap and pcapng files, or a live interface) and reassembles each TCP
// stream in order per direction, numbering streams as Wireshark's tcp.stream does.

#include "capture_source.h"
#include "tcp_reassembler.h"

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
    qint64 missingBefore = 0; // bytes of this direction the capture lacks just before `bytes`
    bool streamStart = false; // the direction's first bytes after its captured SYN
    qint64 timeUs = 0; // the frame's capture timestamp, microseconds since the Unix epoch
};

// What reading a capture met on the way that did not stop it.
struct CaptureReadReport {
    quint64 frames = 0;
    quint64 framesCut = 0; // frames the snapshot length cut short inside a TCP payload
    int snapLength = 0;
    qint64 firstTimeUs = 0; // capture timestamp of the first frame
    qint64 lastTimeUs = 0; // and of the last one read
    std::optional<Problem> damage{}; // the file ended in the middle of a frame, or the capture stopped
    // "412 frames were cut to the capture's snapshot length of 96 bytes: ...", or empty.
    QString cutSentence() const;
};

// A capture's TCP payloads, a few frames at a time: the window reads a big file in slices between
// paints, a live capture whenever its handle is readable.
class TcpPayloadReader
{
public:
    using Sink = std::function<void(const TcpPayload &)>;
    // Sees every frame as it is read, before it is taken apart (to save a live capture).
    using FrameTap = std::function<void(const SourceFrame &)>;
    explicit TcpPayloadReader(std::unique_ptr<CaptureSource> source, FrameTap tap = {});

    // Reads up to `maxFrames` frames; false once the capture has ended (the file's end, or damage,
    // in report().damage), after what still waited behind gaps was delivered.
    [[nodiscard]] bool read(quint64 maxFrames, const Sink &sink);
    // Ends a live capture: what still waits behind gaps is delivered.
    void finish(const Sink &sink);
    const CaptureReadReport &report() const { return m_report; }
    CaptureSource &source() { return *m_source; }
    const CaptureSource &source() const { return *m_source; }

private:
    void readFrame(const SourceFrame &frame, const Sink &sink);

    std::unique_ptr<CaptureSource> m_source;
    FrameTap m_tap;
    TcpReassembler m_reassembler;
    CaptureReadReport m_report;
    TcpPayload m_last; // the frame whose segment is being delivered (addresses, time)
    bool m_ended = false;
};

// Feeds every in-order TCP payload of `path` to `sink`. A Problem when the file cannot be read
// at all; damage part-way is in the report, after everything before it was delivered.
[[nodiscard]] Result<CaptureReadReport> readTcpPayloads(const QString &path, const TcpPayloadReader::Sink &sink);

} // namespace mqs
