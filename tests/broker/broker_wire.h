#pragma once
// A broker and its clients wired together in memory: client Sessions on one side, the
// BrokerCore on the other, every packet encoded and decoded on the way (no sockets, fake
// clock). The log records each packet as "<client> -> broker: <describe()>" and back.

#include "broker/broker_core.h"
#include "protocol/decoder.h"
#include "protocol/describe.h"
#include "protocol/encoder.h"
#include "store/memory_session_store.h"

#include <QStringList>
#include <QTest>

#include <deque>
#include <map>

namespace mqs {

using namespace std::chrono_literals;

class BrokerWire
{
public:
    struct Client {
        QString name;
        Session session;
        ClientHandle handle = 0;
        bool connected = false;
        std::vector<Delivery> received{};
        std::vector<SessionEvent> events{};
    };

    explicit BrokerWire(BrokerOptions options = {}) : broker(std::move(options)) {}

    BrokerCore broker;
    MemorySessionStore store;
    Millis now{1'000'000};
    QStringList log;

    Client &client(const QString &name, SessionOptions options = {})
    {
        auto [it, inserted] = m_clients.try_emplace(name, Client{name, Session(options)});
        return it->second;
    }

    // Opens a network connection for `client`; nothing crosses it yet.
    void open(Client &c)
    {
        c.handle = ++m_nextHandle;
        c.connected = true;
        m_byHandle[c.handle] = c.name;
    }

    // Opens a connection for `client` and runs the CONNECT/CONNACK exchange.
    void connect(Client &c, Connect connect)
    {
        open(c);
        fromClient(c, c.session.connect(std::move(connect), now));
        run();
    }

    void fromClient(Client &c, SessionOutput out)
    {
        c.received.insert(c.received.end(), out.delivered.begin(), out.delivered.end());
        c.events.insert(c.events.end(), out.events.begin(), out.events.end());
        for (const Packet &p : out.sent)
            m_queue.push_back(Hop{c.name, true, reencode(p, c.session.link().version)});
        if (out.close)
            m_queue.push_back(Hop{c.name, true, std::nullopt});
    }

    // The network fails under `client`: nothing more crosses; the broker notices.
    void drop(Client &c)
    {
        c.connected = false;
        c.session.connectionLost(now);
        apply(broker.disconnected(c.handle, now));
        run();
    }

    void advance(Millis by)
    {
        now += by;
        for (auto &[name, c] : m_clients)
            if (c.connected)
                fromClient(c, c.session.tick(now));
        apply(broker.tick(now));
        run();
    }

    void publish(Client &c, const QString &topic, QoS qos, const QByteArray &payload, bool retain = false,
                 Properties properties = {})
    {
        ApplicationMessage m{topic, payload, qos, retain, std::move(properties)};
        PublishResult r = c.session.publish(m, now);
        QVERIFY2(r.ticket, qPrintable(r.ticket.sentence()));
        fromClient(c, std::move(r.output));
        run();
    }

    void subscribe(Client &c, std::vector<Subscription> subscriptions, Properties properties = {})
    {
        fromClient(c, c.session.subscribe(std::move(subscriptions), now, std::move(properties)));
        run();
    }

    // Delivers everything in flight until nothing moves.
    void run()
    {
        int guard = 0;
        while (!m_queue.empty() && ++guard < 100000) {
            Hop hop = std::move(m_queue.front());
            m_queue.pop_front();
            Client &c = m_clients.at(hop.client);
            if (hop.toBroker) {
                if (!c.connected)
                    continue;
                if (!hop.packet) { // the client closes
                    c.connected = false;
                    apply(broker.disconnected(c.handle, now));
                    continue;
                }
                log << QStringLiteral("%1 -> broker: %2").arg(c.name, describe(*hop.packet));
                apply(broker.received(c.handle, *hop.packet, now));
            } else {
                if (!c.connected)
                    continue;
                if (!hop.packet) { // the broker closes
                    c.connected = false;
                    c.session.connectionLost(now);
                    apply(broker.disconnected(c.handle, now));
                    continue;
                }
                log << QStringLiteral("broker -> %1: %2").arg(c.name, describe(*hop.packet));
                fromClient(c, c.session.receive(*hop.packet, now));
            }
        }
    }

    // Only the lines about `client`, for compact assertions.
    QStringList logOf(const QString &client) const
    {
        QStringList lines;
        for (const QString &line : log)
            if (line.startsWith(client + QStringLiteral(" ->")) || line.startsWith(QStringLiteral("broker -> ") + client + QLatin1Char(':')))
                lines << line;
        return lines;
    }

private:
    struct Hop {
        QString client;
        bool toBroker;
        std::optional<Packet> packet; // nothing: close the connection
    };

    void apply(BrokerStep step)
    {
        for (auto &[key, changes] : step.store)
            QVERIFY(store.apply(key, changes).ok());
        for (ClientOutput &co : step.clients) {
            QVERIFY(store.apply(co.key, co.output.store).ok());
            const auto name = m_byHandle.find(co.client);
            if (co.client == 0 || name == m_byHandle.end())
                continue;
            Client &c = m_clients.at(name->second);
            if (c.handle != co.client || !c.connected)
                continue;
            for (const Packet &p : co.output.sent)
                m_queue.push_back(Hop{c.name, false, reencode(p, c.session.link().version)});
            if (co.output.close)
                m_queue.push_back(Hop{c.name, false, std::nullopt});
        }
        notes.insert(notes.end(), step.notes.begin(), step.notes.end());
    }

    static Packet reencode(const Packet &p, ProtocolVersion version)
    {
        const auto decoded = decodePacket(encode(p, version), version);
        if (const auto *error = std::get_if<ProtocolError>(&decoded))
            qFatal("the wire could not decode its own packet: %s", qPrintable(error->toString()));
        return std::get<Packet>(decoded);
    }

    std::map<QString, Client> m_clients;
    std::map<ClientHandle, QString> m_byHandle;
    std::deque<Hop> m_queue;
    ClientHandle m_nextHandle = 0;

public:
    std::vector<QString> notes;
};

// The CONNECT fields a test varies, named at the call site: connectAs(id, {.cleanStart = false}).
struct ConnectOptions {
    ProtocolVersion version = ProtocolVersion::V5;
    bool cleanStart = true;
    quint32 sessionExpiry = 0; // 5.0 Session Expiry Interval, sent when non-zero
    quint16 keepAlive = 60;
};

inline Connect connectAs(const QString &clientId, ConnectOptions options = {})
{
    Connect c;
    c.version = options.version;
    c.clientId = clientId;
    c.cleanStart = options.cleanStart;
    c.keepAlive = options.keepAlive;
    if (options.version == ProtocolVersion::V5 && options.sessionExpiry)
        c.properties.set(PropertyId::SessionExpiryInterval, options.sessionExpiry);
    return c;
}

// A 5.0 client with a persistent session (expiry 1 h) subscribed to `filter`, then offline.
// Returns the CONNECT that resumes it.
inline Connect leaveSubscribedOffline(BrokerWire &wire, BrokerWire::Client &client, const QString &filter, QoS qos)
{
    const Connect persistent = connectAs(client.name, {.cleanStart = false, .sessionExpiry = 3600});
    wire.connect(client, persistent);
    wire.subscribe(client, {Subscription{filter, {qos}}});
    wire.drop(client);
    return persistent;
}

} // namespace mqs
