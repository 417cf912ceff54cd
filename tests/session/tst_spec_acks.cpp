// What the engine puts into the packets it answers with and the topic aliases it chooses, held to
// the peer's limits (MQTT 5.0 3.4.2 to 3.7.2 and the CONNECT properties of 3.1.2.11), in both
// roles: each test named after the statements it asserts. Sans-IO, fake clock.

#include "session_fixture.h"

#include <set>

namespace mqs {

namespace {

// The smallest Maximum Packet Size every acknowledgement with a reason code still fits (5 bytes:
// fixed header, packet id, reason); a Reason String or a User Property would not.
constexpr quint32 kTightLimit = 8;

Properties maximumPacketSize(quint32 bytes)
{
    Properties p;
    p.set(PropertyId::MaximumPacketSize, bytes);
    return p;
}

Session clientTalkingTo(const Properties &connAckProperties)
{
    Session session;
    connectClient(session, {.connAckProperties = connAckProperties});
    return session;
}

Session serverTalkingTo(const Properties &connectProperties, bool useTopicAliases = false)
{
    SessionOptions options;
    options.role = SessionRole::Server;
    options.useTopicAliases = useTopicAliases;
    Session session(options);
    Connect c = connectPacket();
    c.properties = connectProperties;
    session.accept(c, ConnAck{}, t0);
    return session;
}

// Every acknowledgement a session sends in a QoS 1 and a QoS 2 exchange each way, with the
// failures it can answer with: an unknown PUBREC (PUBREL 0x92), an unknown PUBREL (PUBCOMP
// 0x92), a refused message (PUBACK and PUBREC 0x97).
Packets acknowledgementsOf(Session &session)
{
    Packets sent;
    const auto take = [&sent](const SessionOutput &out) { sent.insert(sent.end(), out.sent.begin(), out.sent.end()); };
    take(session.receive(incoming(1, QoS::AtLeastOnce), t0 + 1ms));
    take(session.receive(incoming(2, QoS::ExactlyOnce), t0 + 2ms));
    take(session.receive(PubRel{.packetId = 2}, t0 + 3ms));
    take(session.receive(PubRel{.packetId = 77}, t0 + 4ms));
    // The smallest QoS 2 PUBLISH (topic "t", no payload) is 8 bytes: it fits.
    const auto published = session.publish(reading(QStringLiteral("t"), QoS::ExactlyOnce, QByteArray()), t0 + 5ms);
    if (!published.ticket)
        qFatal("the PUBLISH was refused: %s", qPrintable(published.ticket.sentence()));
    take(session.receive(PubRec{.packetId = *published.ticket->packetId}, t0 + 6ms));
    take(session.receive(PubRec{.packetId = 78}, t0 + 7ms));
    session.inbound().setAcceptance([](const ApplicationMessage &) { return ReasonCode::QuotaExceeded; });
    take(session.receive(incoming(3, QoS::AtLeastOnce), t0 + 8ms));
    take(session.receive(incoming(4, QoS::ExactlyOnce), t0 + 9ms));
    std::erase_if(sent, [](const Packet &p) { return std::holds_alternative<Publish>(p); });
    return sent;
}

// An acknowledgement's properties and reason; other packets have none here (the test fails on
// their type first).
template<PacketType Type>
Properties propertiesOf(const Acknowledgement<Type> &ack)
{
    return ack.properties;
}
template<typename P>
Properties propertiesOf(const P &)
{
    return {};
}
template<PacketType Type>
ReasonCode reasonOf(const Acknowledgement<Type> &ack)
{
    return ack.reason;
}
template<typename P>
ReasonCode reasonOf(const P &)
{
    return ReasonCode::Success;
}

std::vector<Publish> publishesOf(const SessionOutput &out)
{
    std::vector<Publish> found;
    for (const Packet &p : out.sent)
        if (const auto *publish = std::get_if<Publish>(&p))
            found.push_back(*publish);
    return found;
}

// Each of five topics twice, from a server session with outbound aliases on.
std::vector<Publish> aliasedPublishes(Session &session)
{
    std::vector<Publish> sent;
    for (int round = 0; round < 2; ++round)
        for (const char *room : {"kitchen", "hall", "attic", "cellar", "garage"}) {
            const auto r = session.publish(reading(QStringLiteral("home/%1/temperature").arg(QLatin1String(room)), QoS::AtMostOnce),
                                           t0 + 1ms);
            const auto found = publishesOf(r.output);
            sent.insert(sent.end(), found.begin(), found.end());
        }
    return sent;
}

} // namespace

class TestSpecAcks : public QObject
{
    Q_OBJECT

private slots:
    void acknowledgementsFitTheReceiversMaximumPacketSize_data()
    {
        QTest::addColumn<bool>("server");
        QTest::newRow("client role, limit in CONNACK") << false;
        QTest::newRow("server role, limit in CONNECT") << true;
    }

    void acknowledgementsFitTheReceiversMaximumPacketSize()
    {
        // [MQTT-3.4.2-2] [MQTT-3.4.2-3] PUBACK, [MQTT-3.5.2-2] [MQTT-3.5.2-3] PUBREC,
        // [MQTT-3.6.2-2] [MQTT-3.6.2-3] PUBREL, [MQTT-3.7.2-2] [MQTT-3.7.2-3] PUBCOMP: no Reason
        // String and no User Property that would take the packet past the receiver's Maximum
        // Packet Size. The engine sends neither on acknowledgements, failures included, so every
        // one of them fits a limit that leaves no room for either.
        QFETCH(bool, server);
        Session session = server ? serverTalkingTo(maximumPacketSize(kTightLimit)) : clientTalkingTo(maximumPacketSize(kTightLimit));
        const Packets acks = acknowledgementsOf(session);
        QVERIFY2(acks.size() == 8, qPrintable(describePackets(acks)));
        std::set<PacketType> types;
        bool failures = false;
        for (const Packet &ack : acks) {
            const PacketType type = packetType(ack);
            QVERIFY2(type == PacketType::PubAck || type == PacketType::PubRec || type == PacketType::PubRel || type == PacketType::PubComp,
                     qPrintable(describe(ack)));
            types.insert(type);
            const Properties properties = std::visit([](const auto &p) { return propertiesOf(p); }, ack);
            QVERIFY2(!properties.contains(PropertyId::ReasonString), qPrintable(describe(ack)));
            QVERIFY2(properties.userProperties().empty(), qPrintable(describe(ack)));
            QVERIFY2(encode(ack, ProtocolVersion::V5).size() <= qsizetype(kTightLimit), qPrintable(describe(ack)));
            failures = failures || std::visit([](const auto &p) { return reasonOf(p); }, ack) != ReasonCode::Success;
        }
        QCOMPARE(types.size(), 4u);
        QVERIFY(failures);
    }

    // The engine's own outbound aliases (what the broker's sessions would send with aliases on).
    void serverSessionAliasesWithinTheClientsMaximum_MQTT_3_1_2_26()
    {
        Properties announced;
        announced.set(PropertyId::TopicAliasMaximum, quint32(2));
        Session session = serverTalkingTo(announced, true);
        const std::vector<Publish> sent = aliasedPublishes(session);
        QCOMPARE(sent.size(), 10u);
        int aliased = 0;
        for (const Publish &p : sent) {
            const auto alias = p.properties.integer(PropertyId::TopicAlias);
            QVERIFY2(!alias || (*alias >= 1 && *alias <= 2), qPrintable(describe(p)));
            aliased += alias ? 1 : 0;
        }
        QVERIFY(aliased > 0); // aliases are in use, within the limit
    }

    void serverSessionSendsNoAliasesWhenTheClientAllowsNone_MQTT_3_1_2_27()
    {
        Properties zero;
        zero.set(PropertyId::TopicAliasMaximum, quint32(0));
        for (const Properties &announced : {Properties{}, zero}) {
            Session session = serverTalkingTo(announced, true);
            for (const Publish &p : aliasedPublishes(session)) {
                QVERIFY2(!p.properties.contains(PropertyId::TopicAlias), qPrintable(describe(p)));
                QVERIFY(!p.topic.isEmpty());
            }
        }
    }
};

} // namespace mqs

QTEST_GUILESS_MAIN(mqs::TestSpecAcks)
#include "tst_spec_acks.moc"
