#pragma once
// One prologue for the proxy's integration tests: a real mosquitto, a Proxy in this process in
// front of it (its trace and fault rules at hand), and the devices as real client programs
// (mosquitto_pub/sub, mqttscope-cli pub/sub) run against the proxy's port. The proxy lives in
// this process, so nothing here blocks the event loop: waits are QTRY_ conditions.

#include "mosquitto_fixture.h"

#include "proxy/proxy.h"
#include "trace/trace_export.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

namespace mqs::test {

enum class Upstream { Tcp, WebSocket, Tls };

struct ProxyRig {
    std::unique_ptr<MosquittoBroker> broker;
    TraceLog trace;
    FaultRuleSet rules;
    std::unique_ptr<Proxy> proxy;

    // Starts mosquitto (with the listener `upstream` needs) and the proxy in front of it.
    [[nodiscard]] Status start(Upstream upstream = Upstream::Tcp, MosquittoBroker::Options options = {})
    {
        options.webSocket = upstream == Upstream::WebSocket;
        options.tls = upstream == Upstream::Tls;
        broker = std::make_unique<MosquittoBroker>(options);
        if (Status started = broker->start(); !started)
            return started;
        return startProxy(upstream);
    }

    [[nodiscard]] Status startProxy(Upstream upstream)
    {
        ProxySettings settings;
        settings.listenPort = 0;
        // As a user types them into --upstream.
        const auto url = [](const QString &text) { return ServerUrl::parse(text).value(); };
        switch (upstream) {
        case Upstream::Tcp: settings.upstream = url(QStringLiteral("mqtt://127.0.0.1:%1").arg(broker->port())); break;
        case Upstream::WebSocket:
            settings.upstream = url(QStringLiteral("ws://127.0.0.1:%1/mqtt").arg(broker->webSocketPort()));
            break;
        case Upstream::Tls:
            settings.upstream = url(QStringLiteral("mqtts://127.0.0.1:%1").arg(broker->tlsPort()));
            settings.upstreamTls.caFile = broker->certificates().caFile;
            break;
        }
        return startProxy(settings);
    }

    [[nodiscard]] Status startProxy(const ProxySettings &settings)
    {
        proxy = std::make_unique<Proxy>(settings, rules, trace);
        return proxy->start();
    }

    QStringList hostPort() const
    {
        return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(proxy->port())};
    }

    bool allDevicesClosed(std::size_t expected) const
    {
        const auto devices = proxy->devices();
        return devices.size() == expected
            && std::all_of(devices.begin(), devices.end(), [](const ProxyDevice &d) { return d.state == ProxyDeviceState::Closed; });
    }

    // The lanes of a device, by its client id, in the order it connected.
    std::vector<ConnectionId> lanesOf(const QString &clientId) const
    {
        std::vector<ConnectionId> lanes;
        for (const TraceConnection &c : trace.connections())
            if (c.clientId == clientId)
                lanes.push_back(c.id);
        return lanes;
    }

    // Packets of `lane` that crossed (not held or dropped), by type, one direction.
    std::map<PacketType, int> crossed(ConnectionId lane, TraceDirection direction) const
    {
        std::map<PacketType, int> count;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.connectionOf(s) == lane && trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == direction
                && trace.markOf(s) != TraceMark::Held && trace.markOf(s) != TraceMark::Dropped)
                ++count[trace.typeOf(s)];
        return count;
    }

    // Packets of `lane` as its device sent or received them: crossed, or dropped (by a rule, or
    // because the other side had closed); a held packet counts once, when released.
    std::map<PacketType, int> traced(ConnectionId lane, TraceDirection direction) const
    {
        std::map<PacketType, int> count;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.connectionOf(s) == lane && trace.kindOf(s) == TraceKind::Packet && trace.directionOf(s) == direction
                && trace.markOf(s) != TraceMark::Held)
                ++count[trace.typeOf(s)];
        return count;
    }

    bool sawPacket(const QString &clientId, PacketType type, TraceDirection direction) const
    {
        for (ConnectionId lane : lanesOf(clientId))
            if (crossed(lane, direction).count(type))
                return true;
        return false;
    }

    // The notes of every event of `kind` (on `lane`, or on any).
    QStringList notes(TraceKind kind, std::optional<ConnectionId> lane = {}) const
    {
        QStringList found;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            if (trace.kindOf(s) == kind && (!lane || trace.connectionOf(s) == *lane))
                found << trace.noteOf(s);
        return found;
    }

    int packetsInTrace() const
    {
        int n = 0;
        for (quint64 s = trace.firstSequence(); s < trace.endSequence(); ++s)
            n += trace.kindOf(s) == TraceKind::Packet && trace.markOf(s) != TraceMark::Held && trace.markOf(s) != TraceMark::Dropped;
        return n;
    }

    // The trace as pcap in `dir`; its path, or empty when it could not be written.
    QString exportPcap(const QTemporaryDir &dir) const
    {
        const QString path = dir.filePath(QStringLiteral("proxy.pcap"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || !writePcap(trace, file).ok())
            return {};
        return path;
    }
};

inline QString programOf(bool ours)
{
    return ours ? QStringLiteral(MQTTSCOPE_CLI) : QStringLiteral("mosquitto_sub");
}

// A subscriber program (mosquitto_sub or mqttscope-cli sub) through the proxy.
inline QStringList subscriberArguments(bool ours, const QStringList &hostPort, const QString &clientId, const QString &topic,
                                       int qos, const QString &version, int count)
{
    QStringList arguments = ours ? QStringList{QStringLiteral("sub")} : QStringList{};
    arguments << hostPort << QStringLiteral("-i") << clientId << QStringLiteral("-t") << topic << QStringLiteral("-q")
              << QString::number(qos) << QStringLiteral("-V") << version << QStringLiteral("-C") << QString::number(count)
              << (ours ? QStringLiteral("--trace") : QStringLiteral("-d")); // each packet on its output, to compare
    return arguments;
}

inline QStringList publisherArguments(bool ours, const QStringList &hostPort, const QString &clientId, const QString &topic,
                                      int qos, const QString &version)
{
    QStringList arguments = ours ? QStringList{QStringLiteral("pub")} : QStringList{};
    arguments << hostPort << QStringLiteral("-i") << clientId << QStringLiteral("-t") << topic << QStringLiteral("-q")
              << QString::number(qos) << QStringLiteral("-V") << version << QStringLiteral("-l")
              << (ours ? QStringLiteral("--trace") : QStringLiteral("-d"));
    return arguments;
}

} // namespace mqs::test

Q_DECLARE_METATYPE(mqs::test::Upstream)
