#pragma once
// Writes a live capture to a pcapng file (Wireshark's format): a section header, one interface
// description with its link type and snapshot length, and an enhanced packet block per frame
// with microsecond timestamps. libpcap 1.10 can only write classic pcap, hence this.

#include "capture_source.h"

#include <QFile>

namespace mqs {

class PcapngWriter
{
public:
    // Creates `path` (replacing it) for frames of `linkType`.
    [[nodiscard]] Status open(const QString &path, int linkType, int snapLength);
    [[nodiscard]] Status write(const SourceFrame &frame);
    // Flushes and closes; what was written stays a valid capture even without it.
    [[nodiscard]] Status close();

private:
    Status failed(const QString &doing) const;

    QFile m_file;
};

} // namespace mqs
