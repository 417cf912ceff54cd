// TcpTransport over plain TCP against a real mosquitto on loopback: bytes both ways, the three
// ways a connection ends (we close, we cut, the peer closes) and the sentences for failures.

#include "mosquitto_fixture.h"
#include "transport_probe.h"

#include "transport/tcp_transport.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

class TestTcpTransport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exchangesPacketsWithMosquitto_data();
    void exchangesPacketsWithMosquitto();
    void closeFlushesWhatWasWritten();
    void abortCutsAtOnce();
    void peerCloseIsReported();
    void refusedConnectionIsExplained();
    void unknownHostIsExplained();
    void connectTimeoutIsExplained();
    void writeBeforeOpenSendsNothing();
    void writeNowSendsWithoutWaitingForTheEventLoop();

private:
    QString url() const { return QStringLiteral("mqtt://127.0.0.1:%1").arg(m_broker.port()); }

    MosquittoBroker m_broker;
};

void TestTcpTransport::initTestCase()
{
    if (const Status started = m_broker.start(); !started)
        QFAIL(qPrintable(started.sentence()));
}

void TestTcpTransport::exchangesPacketsWithMosquitto_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1") << ProtocolVersion::V311;
    QTest::newRow("5.0") << ProtocolVersion::V5;
}

void TestTcpTransport::exchangesPacketsWithMosquitto()
{
    QFETCH(ProtocolVersion, version);
    std::unique_ptr<Transport> transport(makeTransport(url(), {}, nullptr));
    QVERIFY(transport);
    QVERIFY(qobject_cast<TcpTransport *>(transport.get()));
    QCOMPARE(transport->peerDescription(), QStringLiteral("tcp 127.0.0.1:%1").arg(m_broker.port()));
    TransportProbe probe(transport.get(), version);
    QVERIFY(!transport->isOpen());
    transport->open();
    QVERIFY2(probe.waitOpened(), qPrintable(probe.closeMessage()));
    QVERIFY(transport->isOpen());
    QCOMPARE(probe.opened, 1);

    const auto connAck = probe.connect(QStringLiteral("tcp-exchange"), version);
    QVERIFY2(connAck, probe.bytes.toHex().constData());
    QCOMPARE(connAck->reason, ReasonCode::Success);

    // A round trip through the broker: subscribe, publish to ourselves, receive it.
    transport->write(encode(Subscribe{.packetId = PacketId{1}, .subscriptions = {{QStringLiteral("tcp/echo"), {}}}}, version));
    auto packet = probe.nextPacket();
    QVERIFY(packet && std::holds_alternative<SubAck>(*packet));
    transport->write(encode(Publish{.topic = QStringLiteral("tcp/echo"), .payload = "hello over tcp"}, version));
    packet = probe.nextPacket();
    QVERIFY(packet && std::holds_alternative<Publish>(*packet));
    QCOMPARE(std::get<Publish>(*packet).payload, QByteArray("hello over tcp"));

    transport->close();
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, false);
    QCOMPARE(probe.closed[0].byPeer, false);
    QCOMPARE(probe.closed[0].message, QStringLiteral("Connection to tcp 127.0.0.1:%1 closed.").arg(m_broker.port()));
    QVERIFY(!transport->isOpen());
}

void TestTcpTransport::closeFlushesWhatWasWritten()
{
    // close() is graceful: a CONNECT written just before it still reaches the broker.
    std::unique_ptr<Transport> transport(makeTransport(url(), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    Connect c;
    c.clientId = QStringLiteral("flushed-before-close");
    transport->write(encode(c, ProtocolVersion::V5));
    transport->close();
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed[0].error, false);
    QTRY_VERIFY2(m_broker.logText().contains(QLatin1String("as flushed-before-close")), qPrintable(m_broker.logText()));
}

void TestTcpTransport::abortCutsAtOnce()
{
    std::unique_ptr<Transport> transport(makeTransport(url(), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    QVERIFY(probe.connect(QStringLiteral("cut-by-abort")));
    QTRY_VERIFY(m_broker.logText().contains(QLatin1String("as cut-by-abort")));

    Connect late;
    late.clientId = QStringLiteral("never-sent");
    transport->write(encode(late, ProtocolVersion::V5));
    transport->abort();
    // Signalled before abort() returns, once, as a cut by us.
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, true);
    QCOMPARE(probe.closed[0].byPeer, false);
    QCOMPARE(probe.closed[0].message, QStringLiteral("Connection to tcp 127.0.0.1:%1 cut.").arg(m_broker.port()));
    QVERIFY(!transport->isOpen());
    // The broker sees the connection drop without a DISCONNECT; the unsent bytes never arrive.
    QTRY_VERIFY2(m_broker.logText().contains(QLatin1String("Client cut-by-abort closed its connection")),
                 qPrintable(m_broker.logText()));
    QTest::qWait(50);
    QCOMPARE(probe.closed.size(), size_t(1));
    QVERIFY(!m_broker.logText().contains(QLatin1String("never-sent")));
}

void TestTcpTransport::peerCloseIsReported()
{
    std::unique_ptr<Transport> transport(makeTransport(url(), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    QVERIFY(probe.connect(QStringLiteral("peer-closes")));
    // A second CONNECT is a protocol violation [MQTT-3.1.0-2]: mosquitto drops the connection.
    Connect again;
    again.clientId = QStringLiteral("peer-closes");
    transport->write(encode(again, ProtocolVersion::V5));
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, false);
    QCOMPARE(probe.closed[0].byPeer, true);
    QCOMPARE(probe.closed[0].message, QStringLiteral("tcp 127.0.0.1:%1 closed the connection.").arg(m_broker.port()));
    QVERIFY(!transport->isOpen());
}

void TestTcpTransport::refusedConnectionIsExplained()
{
    const quint16 closedPort = freePort();
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtt://127.0.0.1:%1").arg(closedPort), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("Connection refused by 127.0.0.1:%1: nothing is listening there. Check the port, or start the "
                            "broker.")
                 .arg(closedPort));
}

void TestTcpTransport::unknownHostIsExplained()
{
    // .invalid never resolves (RFC 6761), so no DNS server is needed to know the answer.
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtt://no-such-broker.invalid:1883"), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(10000),
             QStringLiteral("Host 'no-such-broker.invalid' not found. Check the spelling, or use an IP address."));
}

void TestTcpTransport::connectTimeoutIsExplained()
{
    // A listener whose accept queue is full drops further SYNs, so a connect neither succeeds
    // nor fails: the transport's own timeout has to end it.
    QTcpServer stuck;
    stuck.setListenBacklogSize(0);
    QVERIFY(stuck.listen(QHostAddress::LocalHost, 0));
    stuck.pauseAccepting();
    std::vector<std::unique_ptr<QTcpSocket>> fillers;
    for (int i = 0; i < 8; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, stuck.serverPort());
        const bool connected = socket->waitForConnected(150);
        fillers.push_back(std::move(socket));
        if (!connected)
            break; // the queue is full now
    }
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtt://127.0.0.1:%1").arg(stuck.serverPort()), {}, nullptr));
    transport->setConnectTimeout(300);
    QCOMPARE(transport->connectTimeout(), 300);
    TransportProbe probe(transport.get());
    QElapsedTimer clock;
    clock.start();
    transport->open();
    QVERIFY(probe.waitClosed(5000));
    QVERIFY2(clock.elapsed() >= 250, QByteArray::number(clock.elapsed()).constData());
    QCOMPARE(probe.opened, 0);
    QCOMPARE(probe.closed[0].error, true);
    QCOMPARE(probe.closed[0].message,
             QStringLiteral("Could not connect to 127.0.0.1:%1 within 0.3 s: no answer. Check the address, the port and "
                            "any firewall between.")
                 .arg(stuck.serverPort()));
}

void TestTcpTransport::writeBeforeOpenSendsNothing()
{
    // Bytes written before the pipe is open are dropped, not queued for a later connection.
    std::unique_ptr<Transport> transport(makeTransport(url(), {}, nullptr));
    TransportProbe probe(transport.get());
    Connect early;
    early.clientId = QStringLiteral("written-too-early");
    transport->write(encode(early, ProtocolVersion::V5));
    transport->open();
    QVERIFY(probe.waitOpened());
    QVERIFY(probe.connect(QStringLiteral("written-in-time")));
    QVERIFY(!m_broker.logText().contains(QLatin1String("written-too-early")));
    transport->close();
    QVERIFY(probe.waitClosed());
}

void TestTcpTransport::writeNowSendsWithoutWaitingForTheEventLoop()
{
    // The proxy writes a chunk's packets with writeNow(): they must be on the wire when it
    // returns (no wait for a write notifier), and never overtake bytes write() queued before.
    QTcpServer peer;
    QVERIFY(peer.listen(QHostAddress::LocalHost));
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtt://127.0.0.1:%1").arg(peer.serverPort()), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    QTRY_VERIFY(peer.hasPendingConnections());
    std::unique_ptr<QTcpSocket> accepted(peer.nextPendingConnection());

    transport->writeNow("now");
    // Only the peer's socket is waited on: the transport's thread runs no event loop meanwhile.
    QVERIFY(accepted->waitForReadyRead(2000));
    QCOMPARE(accepted->readAll(), QByteArray("now"));

    transport->write("queued,");
    transport->writeNow("after");
    QByteArray arrived;
    QTRY_VERIFY((arrived += accepted->readAll()).size() >= 12);
    QCOMPARE(arrived, QByteArray("queued,after"));
    transport->close();
    QVERIFY(probe.waitClosed());
}

QTEST_GUILESS_MAIN(TestTcpTransport)
#include "tst_tcp_transport.moc"
