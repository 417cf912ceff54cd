#pragma once
// What the proxy benchmarks share: a raw blocking MQTT client (the least a client can add to the
// figures) and the proxy in a thread of its own, whose counters are read inside that thread.

#include "protocol/encoder.h"
#include "proxy/proxy.h"

#include <QThread>

#include <optional>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

namespace mqs::bench {

// A blocking MQTT 3.1.1 client on a raw socket: the least a client can add to the figures.
class RawClient
{
public:
    bool open(quint16 port, const QString &clientId)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            ::close(m_fd); // a caller may try again
            m_fd = -1;
            return false;
        }
        send(Connect{.version = ProtocolVersion::V311, .clientId = clientId});
        return readPacket() == PacketType::ConnAck;
    }
    ~RawClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    void send(const Packet &packet) { sendBytes(encode(packet, ProtocolVersion::V311)); }
    void sendBytes(const QByteArray &bytes)
    {
        for (qsizetype done = 0; done < bytes.size();) {
            const auto n = ::write(m_fd, bytes.constData() + done, size_t(bytes.size() - done));
            if (n <= 0)
                return;
            done += n;
        }
    }
    // The type of the next whole packet (its bytes skipped); nothing when the connection ended.
    std::optional<PacketType> readPacket()
    {
        quint8 header = 0;
        if (!readExactly(&header, 1))
            return std::nullopt;
        quint32 length = 0;
        for (int shift = 0;; shift += 7) {
            quint8 byte = 0;
            if (!readExactly(&byte, 1))
                return std::nullopt;
            length |= quint32(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                break;
        }
        std::vector<char> body(length);
        if (length && !readExactly(body.data(), length))
            return std::nullopt;
        return PacketType(header >> 4);
    }
    void shutdownBoth() { ::shutdown(m_fd, SHUT_RDWR); }

private:
    bool readExactly(void *into, size_t size)
    {
        auto *bytes = static_cast<char *>(into);
        for (size_t done = 0; done < size;) {
            const auto n = ::read(m_fd, bytes + done, size - done);
            if (n <= 0)
                return false;
            done += size_t(n);
        }
        return true;
    }
    int m_fd = -1;
};

// The proxy thread's counters at one moment.
struct ProxySample {
    double cpuSeconds = 0; // CLOCK_THREAD_CPUTIME_ID: user + kernel time of the proxy's thread only
    double kernelSeconds = 0; // of which in the kernel (getrusage's ru_stime, to the microsecond)
    quint64 forwarded = 0; // packets forwarded, both directions
    quint64 sleeps = 0; // voluntary context switches: each time its event loop waited for a socket
    quint64 preemptions = 0; // involuntary ones: the machine's other work took the core from it
};

// The proxy, in a thread of its own; its CPU time read from inside that thread.
struct ProxyThread {
    QThread thread;
    TraceLog trace; // trace on: every packet recorded, as in the window
    FaultRuleSet rules;
    Proxy *proxy = nullptr;

    quint16 start(quint16 brokerPort)
    {
        ProxySettings settings;
        settings.listenPort = 0;
        settings.upstream = ServerUrl::parse(QStringLiteral("mqtt://127.0.0.1:%1").arg(brokerPort)).value();
        proxy = new Proxy(settings, rules, trace);
        proxy->moveToThread(&thread);
        thread.start();
        quint16 port = 0;
        QMetaObject::invokeMethod(proxy, [&] { port = proxy->start().ok() ? proxy->port() : 0; }, Qt::BlockingQueuedConnection);
        return port;
    }
    // What the proxy's thread has used so far, read inside that thread.
    ProxySample sample()
    {
        ProxySample result;
        QMetaObject::invokeMethod(proxy, [&] {
            timespec cpu{};
            ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
            rusage usage{};
            ::getrusage(RUSAGE_THREAD, &usage);
            result = ProxySample{.cpuSeconds = double(cpu.tv_sec) + double(cpu.tv_nsec) / 1e9,
                                 .kernelSeconds = double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) / 1e6,
                                 .forwarded = proxy->forwardedPackets(),
                                 .sleeps = quint64(usage.ru_nvcsw),
                                 .preemptions = quint64(usage.ru_nivcsw)};
        }, Qt::BlockingQueuedConnection);
        return result;
    }
    void stop()
    {
        QMetaObject::invokeMethod(proxy, [this] { delete proxy; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
};

} // namespace mqs::bench
