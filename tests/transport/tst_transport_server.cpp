// TransportServer, the sandbox broker's listener: real clients on loopback (a QTcpSocket, and our
// own WebSocketTransport) become Transports, bytes flow both ways, and every close is signalled.

#include "transport_probe.h"

#include "transport/tcp_transport.h"
#include "transport/transport_server.h"
#include "transport/websocket_transport.h"

#include <QPointer>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

// The transports a server accepted, in order.
struct Accepted {
    explicit Accepted(TransportServer &server)
    {
        QObject::connect(&server, &TransportServer::accepted, &context, [this](Transport *t) {
            transports << t;
            probes.push_back(std::make_unique<TransportProbe>(t));
        });
    }
    bool wait(int count = 1) { return QTest::qWaitFor([&] { return transports.size() >= count; }, 5000); }
    QObject context;
    QList<QPointer<Transport>> transports;
    std::vector<std::unique_ptr<TransportProbe>> probes;
};

} // namespace

class TestTransportServer : public QObject
{
    Q_OBJECT
private slots:
    void portZeroPicksAFreePortAndReportsIt();
    void bytesFlowBothWays();
    void peerCloseIsSignalled();
    void serverSideCloseFlushesAndAbortCuts();
    void closeGivesUpOnAPeerThatStopsReading();
    void busyPortIsExplained();
    void stopRefusesNewClients();
    void webSocketClientsAreAcceptedWithTheMqttSubprotocol();
    void unclaimedTransportsGoWithTheServer();
};

void TestTransportServer::portZeroPicksAFreePortAndReportsIt()
{
    TransportServer server;
    QVERIFY(!server.isListening());
    const Status listening = server.listen(0);
    QVERIFY2(listening.ok(), qPrintable(listening.sentence()));
    QVERIFY(server.isListening());
    QVERIFY(server.port() != 0);

    Accepted accepted(server);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(accepted.wait());
    Transport *transport = accepted.transports[0];
    QVERIFY(qobject_cast<TcpTransport *>(transport));
    QVERIFY(transport->isOpen());
    QCOMPARE(transport->parent(), &server);
    QCOMPARE(transport->peerDescription(), QStringLiteral("tcp 127.0.0.1:%1").arg(client.localPort()));
}

void TestTransportServer::bytesFlowBothWays()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    Accepted accepted(server);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(client.waitForConnected(5000));
    // Sent at once, before the server has even wrapped the socket: nothing may be lost.
    Connect c;
    c.clientId = QStringLiteral("to-the-sandbox");
    client.write(encode(c, ProtocolVersion::V5));
    QVERIFY(accepted.wait());
    TransportProbe &probe = *accepted.probes[0];
    const auto packet = probe.nextPacket();
    QVERIFY2(packet && std::holds_alternative<Connect>(*packet), probe.bytes.toHex().constData());
    QCOMPARE(std::get<Connect>(*packet).clientId, QStringLiteral("to-the-sandbox"));

    const QByteArray connAck = encode(ConnAck{}, ProtocolVersion::V5);
    accepted.transports[0]->write(connAck);
    QByteArray answer;
    QVERIFY(QTest::qWaitFor([&] {
        answer += client.readAll();
        return answer.size() >= connAck.size();
    }, 5000));
    QCOMPARE(answer, connAck);

    // A large write arrives whole, in whatever chunks TCP makes of it.
    const QByteArray big(300000, 'x');
    client.write(big);
    QTRY_COMPARE(probe.bytes.size(), encode(c, ProtocolVersion::V5).size() + big.size());
    QVERIFY(probe.bytes.endsWith(big));
}

void TestTransportServer::peerCloseIsSignalled()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    Accepted accepted(server);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(accepted.wait());
    const quint16 clientPort = client.localPort();
    // Last words, then the close: the words arrive before closed() says the peer is gone.
    const QByteArray last = encode(Disconnect{}, ProtocolVersion::V5);
    client.write(last);
    client.disconnectFromHost();
    TransportProbe &probe = *accepted.probes[0];
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.bytesAtClose, last);
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, false);
    QCOMPARE(probe.closed[0].byPeer, true);
    QCOMPARE(probe.closed[0].message, QStringLiteral("tcp 127.0.0.1:%1 closed the connection.").arg(clientPort));
    QVERIFY(!accepted.transports[0]->isOpen());
}

void TestTransportServer::serverSideCloseFlushesAndAbortCuts()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    Accepted accepted(server);
    QTcpSocket graceful, cut;
    graceful.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(graceful.waitForConnected(5000));
    QVERIFY(accepted.wait(1));
    cut.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(cut.waitForConnected(5000));
    QVERIFY(accepted.wait(2));

    // close(): the last words still arrive, then the connection ends.
    const QByteArray last = encode(Disconnect{}, ProtocolVersion::V5);
    accepted.transports[0]->write(last);
    accepted.transports[0]->close();
    QTRY_COMPARE(graceful.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(graceful.readAll(), last);
    QVERIFY(accepted.probes[0]->waitClosed());
    QCOMPARE(accepted.probes[0]->closed[0].error, false);
    QCOMPARE(accepted.probes[0]->closed[0].byPeer, false);

    // abort(): reported at once as a cut; the client sees the connection end.
    accepted.transports[1]->abort();
    QCOMPARE(accepted.probes[1]->closed.size(), size_t(1));
    QCOMPARE(accepted.probes[1]->closed[0].error, true);
    QCOMPARE(accepted.probes[1]->closed[0].byPeer, false);
    QTRY_COMPARE(cut.state(), QAbstractSocket::UnconnectedState);
}

void TestTransportServer::closeGivesUpOnAPeerThatStopsReading()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    Accepted accepted(server);
    QTcpSocket client;
    client.setReadBufferSize(1); // reads one byte, then leaves the rest in the kernel
    client.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(accepted.wait());
    Transport *transport = accepted.transports[0];
    transport->setConnectTimeout(300);
    transport->write(QByteArray(64 * 1024 * 1024, 'x')); // far more than the socket buffers hold
    transport->close();
    TransportProbe &probe = *accepted.probes[0];
    QVERIFY(probe.waitClosed(5000));
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, true);
    QCOMPARE(probe.closed[0].byPeer, false);
    const QRegularExpression expected(QStringLiteral("^Connection to tcp 127\\.0\\.0\\.1:%1 cut: the peer did not take the last "
                                                     "\\d+ bytes within 0\\.3 s of closing\\.$")
                                          .arg(client.localPort()));
    QVERIFY2(expected.match(probe.closed[0].message).hasMatch(), qPrintable(probe.closed[0].message));
}

void TestTransportServer::busyPortIsExplained()
{
    TransportServer first;
    QVERIFY(first.listen(0).ok());
    TransportServer second;
    const Status error = second.listen(first.port());
    QVERIFY(!error.ok());
    QCOMPARE(error.problem().kind, ProblemKind::Network);
    QCOMPARE(error.sentence(), QStringLiteral("Cannot listen on 127.0.0.1:%1: The bound address is already in use. Choose another "
                                    "port, or 0 for any free one.")
                         .arg(first.port()));
    QVERIFY(!second.isListening());
}

void TestTransportServer::stopRefusesNewClients()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    const quint16 port = server.port();
    server.stop();
    QVERIFY(!server.isListening());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!client.waitForConnected(2000));
    QCOMPARE(client.error(), QAbstractSocket::ConnectionRefusedError);
}

void TestTransportServer::webSocketClientsAreAcceptedWithTheMqttSubprotocol()
{
    TransportServer server;
    QVERIFY(server.listen(0).ok());
    const Status listening = server.listenWebSocket(0);
    QVERIFY2(listening.ok(), qPrintable(listening.sentence()));
    QVERIFY(server.webSocketPort() != 0);
    QVERIFY(server.webSocketPort() != server.port());
    Accepted accepted(server);

    // Our own client: it refuses a server that does not choose 'mqtt', so opening proves it did.
    std::unique_ptr<Transport> client(makeTransport(QStringLiteral("ws://127.0.0.1:%1/mqtt").arg(server.webSocketPort()), {}, nullptr));
    TransportProbe clientProbe(client.get());
    client->open();
    QVERIFY2(clientProbe.waitOpened(), qPrintable(clientProbe.closeMessage()));
    QVERIFY(accepted.wait());
    Transport *serverSide = accepted.transports[0];
    QVERIFY(qobject_cast<WebSocketTransport *>(serverSide));
    QVERIFY(serverSide->isOpen());
    QVERIFY2(serverSide->peerDescription().startsWith(QLatin1String("ws 127.0.0.1:")), qPrintable(serverSide->peerDescription()));
    QVERIFY2(serverSide->peerDescription().endsWith(QLatin1String("/mqtt")), qPrintable(serverSide->peerDescription()));

    Connect c;
    c.clientId = QStringLiteral("ws-to-the-sandbox");
    client->write(encode(c, ProtocolVersion::V5));
    const auto packet = accepted.probes[0]->nextPacket();
    QVERIFY(packet && std::holds_alternative<Connect>(*packet));
    QCOMPARE(std::get<Connect>(*packet).clientId, QStringLiteral("ws-to-the-sandbox"));
    serverSide->write(encode(ConnAck{}, ProtocolVersion::V5));
    const auto answer = clientProbe.nextPacket();
    QVERIFY(answer && std::holds_alternative<ConnAck>(*answer));

    client->close();
    QVERIFY(accepted.probes[0]->waitClosed());
    QCOMPARE(accepted.probes[0]->closed[0].error, false);
    QCOMPARE(accepted.probes[0]->closed[0].byPeer, true);
    QVERIFY(clientProbe.waitClosed());
    QCOMPARE(clientProbe.closed[0].error, false);
}

void TestTransportServer::unclaimedTransportsGoWithTheServer()
{
    auto server = std::make_unique<TransportServer>();
    QVERIFY(server->listen(0).ok());
    Accepted accepted(*server);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server->port());
    QVERIFY(client.waitForConnected(5000));
    QVERIFY(accepted.wait());
    QPointer<Transport> transport = accepted.transports[0];
    QVERIFY(transport);
    server.reset();
    QVERIFY(!transport); // deleted with its parent, the server
    QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
}

QTEST_GUILESS_MAIN(TestTransportServer)
#include "tst_transport_server.moc"
