#include "capture_source.h"

#include <QFile>
#include <QFileInfo>

#include <pcap/pcap.h>

#include <cstdio>

namespace mqs {
namespace {

// Enough for any MQTT segment on any link (the largest jumbo frame and then some).
constexpr int kLiveSnapLength = 262144;
// Frames are handed over as they come (immediate mode); the timeout only bounds a read's wait.
constexpr int kLiveReadTimeoutMs = 100;
constexpr qint64 kMicrosPerSecond = 1'000'000; // pcap timestamps are seconds and microseconds

QString libpcapLinkName(int linkType)
{
    const char *name = pcap_datalink_val_to_name(linkType);
    return QString::fromLatin1(name ? name : "?");
}

Problem unsupportedLink(const QString &path, int linkType)
{
    return problem(ProblemKind::File, QStringLiteral("%1 uses link type %2 (%3), which carries no IP that MQTT Scope reads; "
                                                     "captures of Ethernet, Linux cooked (v1 or v2), loopback or raw IP are.")
                                          .arg(path)
                                          .arg(linkType)
                                          .arg(libpcapLinkName(linkType)));
}

} // namespace

CaptureSource::~CaptureSource()
{
    if (m_pcap)
        pcap_close(m_pcap);
}

Result<std::unique_ptr<CaptureSource>> CaptureSource::openFile(const QString &path)
{
    if (!QFileInfo::exists(path))
        return problem(ProblemKind::File, QStringLiteral("%1 does not exist.").arg(path));
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap_t *pcap = pcap_open_offline(QFile::encodeName(path).constData(), errorBuffer);
    if (!pcap)
        return problem(ProblemKind::File, QStringLiteral("%1 is not a packet capture (libpcap says: %2).")
                                              .arg(path, QString::fromLocal8Bit(errorBuffer)));
    std::unique_ptr<CaptureSource> source(new CaptureSource);
    source->m_pcap = pcap;
    source->m_name = path;
    source->m_linkType = pcap_datalink(pcap);
    source->m_fileSize = QFileInfo(path).size();
    if (!isSupportedLinkType(source->m_linkType))
        return unsupportedLink(path, source->m_linkType);
    return source;
}

Result<std::unique_ptr<CaptureSource>> CaptureSource::openLive(const QString &interfaceName, const std::vector<quint16> &ports)
{
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap_t *pcap = pcap_create(interfaceName.toLocal8Bit().constData(), errorBuffer);
    if (!pcap)
        return liveCaptureProblem(interfaceName, PCAP_ERROR, QString::fromLocal8Bit(errorBuffer));
    std::unique_ptr<CaptureSource> source(new CaptureSource);
    source->m_pcap = pcap;
    source->m_name = interfaceName;
    source->m_live = true;
    pcap_set_snaplen(pcap, kLiveSnapLength);
    pcap_set_timeout(pcap, kLiveReadTimeoutMs);
    pcap_set_immediate_mode(pcap, 1);
    if (const int status = pcap_activate(pcap); status < 0)
        return liveCaptureProblem(interfaceName, status, QString::fromLocal8Bit(pcap_geterr(pcap)));
    bpf_program program{};
    const QByteArray filter = captureFilter(ports).toLatin1();
    if (pcap_compile(pcap, &program, filter.constData(), 1, PCAP_NETMASK_UNKNOWN) != 0
        || pcap_setfilter(pcap, &program) != 0) {
        pcap_freecode(&program);
        return problem(ProblemKind::InvalidInput, QStringLiteral("The kernel filter '%1' was refused (libpcap says: %2).")
                                                      .arg(QString::fromLatin1(filter), QString::fromLocal8Bit(pcap_geterr(pcap))));
    }
    pcap_freecode(&program);
    pcap_setnonblock(pcap, 1, errorBuffer);
    source->m_linkType = pcap_datalink(pcap);
    if (!isSupportedLinkType(source->m_linkType))
        return unsupportedLink(interfaceName, source->m_linkType);
    return source;
}

CaptureSource::Next CaptureSource::next()
{
    pcap_pkthdr *header = nullptr;
    const uchar *data = nullptr;
    const int status = pcap_next_ex(m_pcap, &header, &data);
    if (status == 0)
        return NoFrameYet{};
    if (status == PCAP_ERROR_BREAK)
        return EndOfCapture{};
    if (status < 0)
        return damaged(QString::fromLocal8Bit(pcap_geterr(m_pcap)));
    ++m_frames;
    return SourceFrame{.frame = {.linkType = m_linkType, .data = data, .capturedLength = qsizetype(header->caplen),
                                 .wireLength = qsizetype(header->len)},
                       .timeUs = qint64(header->ts.tv_sec) * kMicrosPerSecond + header->ts.tv_usec};
}

Problem CaptureSource::damaged(const QString &libpcapText) const
{
    if (m_live)
        return problem(ProblemKind::Network, QStringLiteral("Capturing on %1 stopped after frame %2 (libpcap says: %3).")
                                                 .arg(m_name).arg(m_frames).arg(libpcapText));
    return problem(ProblemKind::File, QStringLiteral("%1 ends in the middle of frame %2: the file is truncated or damaged "
                                                     "(libpcap says: %3). The %4 frames before it were read.")
                                          .arg(m_name).arg(m_frames + 1).arg(libpcapText).arg(m_frames));
}

int CaptureSource::snapLength() const
{
    return pcap_snapshot(m_pcap);
}

qint64 CaptureSource::bytesRead() const
{
    if (m_live)
        return 0;
    FILE *file = pcap_file(m_pcap);
    return file ? qint64(std::ftell(file)) : 0;
}

int CaptureSource::selectableHandle() const
{
    return m_live ? pcap_get_selectable_fd(m_pcap) : -1;
}

QString captureFilter(const std::vector<quint16> &ports)
{
    QStringList parts;
    for (quint16 port : ports)
        parts << QStringLiteral("tcp port %1").arg(port);
    return parts.join(QStringLiteral(" or "));
}

Problem liveCaptureProblem(const QString &interfaceName, int pcapStatus, const QString &libpcapText)
{
    const bool denied = pcapStatus == PCAP_ERROR_PERM_DENIED || pcapStatus == PCAP_ERROR_PROMISC_PERM_DENIED
        || libpcapText.contains(QLatin1String("Operation not permitted")) || libpcapText.contains(QLatin1String("permission"));
    if (denied)
        return problem(ProblemKind::Privileges, QStringLiteral("Capturing on %1 needs the right to capture packets, which this "
                                                               "user lacks (libpcap says: %2).")
                                                    .arg(interfaceName, libpcapText));
    if (pcapStatus == PCAP_ERROR_NO_SUCH_DEVICE)
        return problem(ProblemKind::InvalidInput, QStringLiteral("There is no interface %1 to capture on (libpcap says: %2).")
                                                      .arg(interfaceName, libpcapText));
    return problem(ProblemKind::Network, QStringLiteral("Capturing on %1 could not start (libpcap says: %2).")
                                             .arg(interfaceName, libpcapText));
}

QString captureRightsAdvice(const QString &program)
{
    return QStringLiteral("Run it as root, or give it the right once with "
                          "'sudo setcap cap_net_raw,cap_net_admin+eip %1', or join a group allowed to capture "
                          "(wireshark or pcap, as your system sets it up) and log in again.")
        .arg(program);
}

} // namespace mqs
