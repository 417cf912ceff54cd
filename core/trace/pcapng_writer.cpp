#include "pcapng_writer.h"

namespace mqs {
namespace {

// Block types and the byte-order magic of the pcapng specification (draft-ietf-opsawg-pcapng).
constexpr quint32 kSectionHeaderBlock = 0x0A0D0D0A;
constexpr quint32 kByteOrderMagic = 0x1A2B3C4D;
constexpr quint32 kInterfaceDescriptionBlock = 1;
constexpr quint32 kEnhancedPacketBlock = 6;
constexpr quint64 kSectionLengthUnknown = ~quint64(0);
constexpr quint32 kSectionHeaderLength = 28;
constexpr quint32 kInterfaceDescriptionLength = 20;
constexpr quint32 kEnhancedPacketFixedLength = 32; // without the padded packet data

void put16(QByteArray &out, quint16 v) { out.append(reinterpret_cast<const char *>(&v), 2); }
void put32(QByteArray &out, quint32 v) { out.append(reinterpret_cast<const char *>(&v), 4); }

QByteArray fileHeader(int linkType, int snapLength)
{
    QByteArray out;
    put32(out, kSectionHeaderBlock);
    put32(out, kSectionHeaderLength);
    put32(out, kByteOrderMagic);
    put16(out, 1); // version 1.0
    put16(out, 0);
    put32(out, quint32(kSectionLengthUnknown));
    put32(out, quint32(kSectionLengthUnknown >> 32));
    put32(out, kSectionHeaderLength);
    put32(out, kInterfaceDescriptionBlock);
    put32(out, kInterfaceDescriptionLength);
    put16(out, quint16(linkType));
    put16(out, 0);
    put32(out, quint32(snapLength));
    put32(out, kInterfaceDescriptionLength);
    return out;
}

} // namespace

Status PcapngWriter::open(const QString &path, int linkType, int snapLength)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return failed(QStringLiteral("create"));
    if (m_file.write(fileHeader(linkType, snapLength)) < 0)
        return failed(QStringLiteral("write"));
    return {};
}

Status PcapngWriter::write(const SourceFrame &frame)
{
    const qsizetype length = frame.frame.capturedLength;
    const qsizetype padded = (length + 3) / 4 * 4; // blocks are 32-bit aligned
    const quint32 total = quint32(kEnhancedPacketFixedLength + padded);
    const quint64 time = quint64(frame.timeUs); // the default resolution: microseconds
    QByteArray block;
    block.reserve(total);
    put32(block, kEnhancedPacketBlock);
    put32(block, total);
    put32(block, 0); // interface 0
    put32(block, quint32(time >> 32));
    put32(block, quint32(time));
    put32(block, quint32(length));
    put32(block, quint32(frame.frame.wireLength));
    block.append(reinterpret_cast<const char *>(frame.frame.data), length);
    block.append(QByteArray(padded - length, '\0'));
    put32(block, total);
    if (m_file.write(block) != block.size())
        return failed(QStringLiteral("write"));
    return {};
}

Status PcapngWriter::close()
{
    if (!m_file.isOpen())
        return {};
    const bool flushed = m_file.flush();
    m_file.close();
    return flushed ? Status{} : failed(QStringLiteral("finish"));
}

Status PcapngWriter::failed(const QString &doing) const
{
    return problem(ProblemKind::File, QStringLiteral("Could not %1 the capture file %2: %3.")
                                          .arg(doing, m_file.fileName(), m_file.errorString()));
}

} // namespace mqs
