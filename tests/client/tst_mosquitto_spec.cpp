// What a real mosquitto does with the server statements the sandbox broker's tests name
// (tests/broker/tst_broker_spec_*): overlapping subscriptions and ordered topics, seen through
// Connection over loopback, so a user comparing the two brokers knows what each one does.

#include "client/connection.h"
#include "mosquitto_fixture.h"

#include <QList>
#include <QSignalSpy>
#include <QTest>

#include <set>

using namespace mqs;
using namespace mqs::test;

namespace {

ConnectionSettings settingsFor(const QString &url, const QString &clientId, ProtocolVersion version)
{
    ConnectionSettings s;
    s.name = clientId;
    s.url = ServerUrl::parse(url).value();
    s.clientId = clientId;
    s.version = version;
    s.connectTimeoutMs = 5000;
    return s;
}

std::vector<Delivery> deliveriesOf(const QSignalSpy &spy)
{
    std::vector<Delivery> found;
    for (const QList<QVariant> &args : spy)
        found.push_back(args.at(0).value<Delivery>());
    return found;
}

QList<QByteArray> payloadsAt(const std::vector<Delivery> &deliveries, QoS qos)
{
    QList<QByteArray> payloads;
    for (const Delivery &d : deliveries)
        if (d.message.qos == qos)
            payloads << d.message.payload;
    return payloads;
}

} // namespace

class TestMosquittoSpec : public QObject
{
    Q_OBJECT

    std::unique_ptr<MosquittoBroker> m_broker;
    TraceLog m_trace;

    void open(Connection &c)
    {
        c.open();
        QTRY_COMPARE_WITH_TIMEOUT(c.state(), ConnectionState::Connected, 10000);
    }

    void subscribe(Connection &c, const QString &filter, QoS qos, Properties properties = {})
    {
        QSignalSpy events(&c, &Connection::sessionEvent);
        c.subscribe({Subscription{filter, {qos}}}, std::move(properties));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.begin(), events.end(),
                                             [](const QList<QVariant> &args) {
                                                 return std::holds_alternative<SubscribeAcknowledged>(args.at(0).value<SessionEvent>());
                                             }),
                                 5000);
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        qRegisterMetaType<Delivery>();
        qRegisterMetaType<SessionEvent>();
        m_broker = std::make_unique<MosquittoBroker>();
        const Status started = m_broker->start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
    }

    // mosquitto sends one copy per matching subscription, each at that subscription's QoS and
    // with its identifier: the highest QoS is among them ([MQTT-3.3.4-2] allows further copies),
    // and every identifier comes with the copy its subscription caused ([MQTT-3.3.4-3]).
    void overlappingSubscriptionsGetTheirQosAndIdentifiers_MQTT_3_3_4_2_MQTT_3_3_4_3()
    {
        Connection display(settingsFor(m_broker->url(), QStringLiteral("spec-display"), ProtocolVersion::V5), m_trace, nullptr);
        Connection sensor(settingsFor(m_broker->url(), QStringLiteral("spec-sensor"), ProtocolVersion::V5), m_trace, nullptr);
        open(display);
        open(sensor);
        Properties seven, nine;
        seven.set(PropertyId::SubscriptionIdentifier, quint32(7));
        nine.set(PropertyId::SubscriptionIdentifier, quint32(9));
        subscribe(display, QStringLiteral("spec/overlap/#"), QoS::AtLeastOnce, seven);
        subscribe(display, QStringLiteral("spec/overlap/+/temperature"), QoS::ExactlyOnce, nine);
        QSignalSpy received(&display, &Connection::messageReceived);
        const auto sent = sensor.publish(ApplicationMessage{QStringLiteral("spec/overlap/hall/temperature"), "21.5", QoS::ExactlyOnce, false, {}});
        QVERIFY2(sent.ticket, qPrintable(sent.ticket.sentence()));
        // A last message behind it: once that arrived, every copy of the first one has.
        QVERIFY(sensor.publish(ApplicationMessage{QStringLiteral("spec/overlap/end"), "", QoS::ExactlyOnce, false, {}}).ticket);
        QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty() && deliveriesOf(received).back().message.topic.endsWith(QStringLiteral("/end")), 5000);
        std::vector<Delivery> copies = deliveriesOf(received);
        copies.pop_back();
        std::set<quint32> identifiers;
        bool atHighest = false;
        for (const Delivery &d : copies) {
            const auto ids = d.message.properties.subscriptionIdentifiers();
            QVERIFY2(!ids.empty(), "a copy without the identifier of the subscription that caused it");
            identifiers.insert(ids.begin(), ids.end());
            atHighest = atHighest || d.message.qos == QoS::ExactlyOnce;
        }
        QVERIFY(atHighest);
        QCOMPARE(identifiers, (std::set<quint32>{7, 9}));
        QCOMPARE(copies.size(), 2u); // mosquitto 2.0: one copy per subscription
        display.close();
        sensor.close();
    }

    void eachTopicIsOrdered_MQTT_4_6_0_5_MQTT_4_6_0_6_data()
    {
        QTest::addColumn<int>("version");
        QTest::newRow("5.0") << int(ProtocolVersion::V5);
        QTest::newRow("3.1.1") << int(ProtocolVersion::V311);
    }

    // 40 messages, QoS 1 and 2 interleaved on one topic, through mosquitto's window of 20.
    void eachTopicIsOrdered_MQTT_4_6_0_5_MQTT_4_6_0_6()
    {
        // The 3.1.1 row: 3.1.1 [MQTT-4.6.0-5] [MQTT-4.6.0-6], the same two rules numbered the other way round.
        QFETCH(int, version);
        constexpr int kEach = 20;
        const auto v = ProtocolVersion(version);
        const QString tag = QString::fromLatin1(QTest::currentDataTag()).remove(QLatin1Char('.'));
        Connection display(settingsFor(m_broker->url(), QStringLiteral("order-display-") + tag, v), m_trace, nullptr);
        Connection sensor(settingsFor(m_broker->url(), QStringLiteral("order-sensor-") + tag, v), m_trace, nullptr);
        open(display);
        open(sensor);
        const QString topic = QStringLiteral("spec/order/") + tag;
        subscribe(display, topic, QoS::ExactlyOnce);
        QSignalSpy received(&display, &Connection::messageReceived);
        QList<QByteArray> q1, q2;
        for (int i = 1; i <= kEach; ++i) {
            q1 << "q1-" + QByteArray::number(i);
            q2 << "q2-" + QByteArray::number(i);
            QVERIFY(sensor.publish(ApplicationMessage{topic, q1.back(), QoS::AtLeastOnce, false, {}}).ticket);
            QVERIFY(sensor.publish(ApplicationMessage{topic, q2.back(), QoS::ExactlyOnce, false, {}}).ticket);
        }
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2 * kEach, 10000);
        const std::vector<Delivery> deliveries = deliveriesOf(received);
        QCOMPARE(payloadsAt(deliveries, QoS::AtLeastOnce), q1);
        QCOMPARE(payloadsAt(deliveries, QoS::ExactlyOnce), q2);
        display.close();
        sensor.close();
    }
};

QTEST_GUILESS_MAIN(TestMosquittoSpec)
#include "tst_mosquitto_spec.moc"
