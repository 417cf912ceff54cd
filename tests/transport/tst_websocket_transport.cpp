// WebSocketTransport against real WebSocket servers on loopback: a QWebSocketServer bridge to a
// real mosquitto (plain and TLS), servers that refuse the 'mqtt' subprotocol or the path, and the
// ways a connection ends.

#include "mosquitto_fixture.h"
#include "transport_probe.h"
#include "websocket_bridge.h"

#include "transport/websocket_transport.h"

#include <QFile>
#include <QSslKey>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

class TestWebSocketTransport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void exchangesBinaryFramesWithMosquitto_data();
    void exchangesBinaryFramesWithMosquitto();
    void peerCloseIsReported();
    void abortCutsAtOnce();
    void serverRefusingTheSubprotocolIsExplained();
    void serverChoosingAnotherSubprotocolIsRefused();
    void wrongPathIsExplained();
    void textFrameEndsTheConnection();
    void refusedConnectionIsExplained();
    void plainMqttPortIsNotMistakenForWebSocket();
    void stalledHandshakeTimesOut();
    void wssVerifiesTheBroker_data();
    void wssVerifiesTheBroker();
    void wssUntrustedCertificateIsExplained();
    void wssServerNameOverride();
    void wssClientCertificate();

private:
    QSslConfiguration serverTls(const QString &certFile, const QString &keyFile) const;

    MosquittoBroker m_broker;
    QTemporaryDir m_dir;
    TestCertificates m_certs;
};

void TestWebSocketTransport::initTestCase()
{
    if (const Status started = m_broker.start(); !started)
        QFAIL(qPrintable(started.sentence()));
    QVERIFY(m_dir.isValid());
    if (const Status made = TestCertificates::create(m_dir.path(), m_certs); !made)
        QFAIL(qPrintable(made.sentence()));
}

QSslConfiguration TestWebSocketTransport::serverTls(const QString &certFile, const QString &keyFile) const
{
    QFile cert(certFile), key(keyFile);
    if (!cert.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return {};
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(cert.readAll(), QSsl::Pem));
    config.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa, QSsl::Pem));
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

void TestWebSocketTransport::exchangesBinaryFramesWithMosquitto_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("requestedPath");
    QTest::newRow("default path") << QString() << "/mqtt";
    QTest::newRow("own path") << "/brokers/one" << "/brokers/one";
}

void TestWebSocketTransport::exchangesBinaryFramesWithMosquitto()
{
    QFETCH(QString, path);
    QFETCH(QString, requestedPath);
    WebSocketBridge bridge(m_broker.port(), {});
    QVERIFY(bridge.listen());
    const QString url = QStringLiteral("ws://127.0.0.1:%1%2").arg(bridge.port()).arg(path);
    std::unique_ptr<Transport> transport(makeTransport(url, {}, nullptr));
    QVERIFY(transport);
    QVERIFY(qobject_cast<WebSocketTransport *>(transport.get()));
    QCOMPARE(transport->peerDescription(), QStringLiteral("ws 127.0.0.1:%1%2").arg(bridge.port()).arg(requestedPath));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY2(probe.waitOpened(), qPrintable(probe.closeMessage()));
    QVERIFY(transport->isOpen());
    // [MQTT-6.0.0-3] the client offered "mqtt", on the path of the URL.
    QCOMPARE(bridge.requestedSubprotocols, QList<QByteArray>{"mqtt"});
    QCOMPARE(bridge.requestedPaths, QStringList{requestedPath});

    const auto connAck = probe.connect(QStringLiteral("ws-exchange"));
    QVERIFY2(connAck, probe.bytes.toHex().constData());
    QCOMPARE(connAck->reason, ReasonCode::Success);
    transport->write(encode(Subscribe{.packetId = PacketId{1}, .subscriptions = {{QStringLiteral("ws/echo"), {}}}},
                            ProtocolVersion::V5));
    auto packet = probe.nextPacket();
    QVERIFY(packet && std::holds_alternative<SubAck>(*packet));
    transport->write(encode(Publish{.topic = QStringLiteral("ws/echo"), .payload = "hello over websocket"}, ProtocolVersion::V5));
    packet = probe.nextPacket();
    QVERIFY(packet && std::holds_alternative<Publish>(*packet));
    QCOMPARE(std::get<Publish>(*packet).payload, QByteArray("hello over websocket"));
    // [MQTT-6.0.0-1] everything went in binary frames, one per write.
    QCOMPARE(bridge.binaryFrames, 3);
    QCOMPARE(bridge.textFrames, 0);

    transport->close();
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, false);
    QCOMPARE(probe.closed[0].byPeer, false);
    QCOMPARE(probe.closed[0].message, QStringLiteral("Connection to ws 127.0.0.1:%1%2 closed.").arg(bridge.port()).arg(requestedPath));
    // A proper closing handshake, not a dropped socket.
    QTRY_COMPARE(bridge.clientsClosed, 1);
    QCOMPARE(bridge.closeCodes, QList<QWebSocketProtocol::CloseCode>{QWebSocketProtocol::CloseCodeNormal});
    QCOMPARE(bridge.closeReasons, QStringList{QStringLiteral("closed by MQTT Scope")});
}

void TestWebSocketTransport::peerCloseIsReported()
{
    WebSocketBridge bridge(m_broker.port(), {});
    QVERIFY(bridge.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(bridge.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    QVERIFY(probe.connect(QStringLiteral("ws-peer-closes")));
    // A second CONNECT [MQTT-3.1.0-2]: mosquitto hangs up, and the bridge closes the WebSocket.
    Connect again;
    again.clientId = QStringLiteral("ws-peer-closes");
    transport->write(encode(again, ProtocolVersion::V5));
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, false);
    QCOMPARE(probe.closed[0].byPeer, true);
    QCOMPARE(probe.closed[0].message,
             QStringLiteral("ws 127.0.0.1:%1/mqtt closed the connection (broker closed).").arg(bridge.port()));
}

void TestWebSocketTransport::abortCutsAtOnce()
{
    WebSocketBridge bridge(m_broker.port(), {});
    QVERIFY(bridge.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(bridge.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitOpened());
    QVERIFY(probe.connect(QStringLiteral("ws-cut")));
    transport->abort();
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, true);
    QCOMPARE(probe.closed[0].byPeer, false);
    QCOMPARE(probe.closed[0].message, QStringLiteral("Connection to ws 127.0.0.1:%1/mqtt cut.").arg(bridge.port()));
    QVERIFY(!transport->isOpen());
    // No closing handshake (so no close frame with a reason): the server sees the connection drop.
    QTRY_COMPARE(bridge.clientsClosed, 1);
    QCOMPARE(bridge.closeReasons, QStringList{QString()});
    QTRY_VERIFY2(m_broker.logText().contains(QLatin1String("Client ws-cut closed its connection")), qPrintable(m_broker.logText()));
    QCOMPARE(probe.closed.size(), size_t(1));
}

void TestWebSocketTransport::serverRefusingTheSubprotocolIsExplained()
{
    WebSocketBridge::Options options;
    options.supportedSubprotocols = {}; // answers the upgrade without choosing a subprotocol
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(bridge.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("127.0.0.1:%1 did not agree to the WebSocket subprotocol 'mqtt' (it chose none) [MQTT-6.0.0-4]. "
                            "Is ws://127.0.0.1:%1/mqtt an MQTT WebSocket endpoint? Check the port and the path.")
                 .arg(bridge.port()));
    QCOMPARE(bridge.binaryFrames, 0);
}

void TestWebSocketTransport::serverChoosingAnotherSubprotocolIsRefused()
{
    RawHttpServer server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: {ACCEPT}\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n");
    QVERIFY(server.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(server.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("127.0.0.1:%1 did not agree to the WebSocket subprotocol 'mqtt' (it chose 'mqttv3.1') "
                            "[MQTT-6.0.0-4]. Is ws://127.0.0.1:%1/mqtt an MQTT WebSocket endpoint? Check the port and the "
                            "path.")
                 .arg(server.port()));
}

void TestWebSocketTransport::wrongPathIsExplained()
{
    RawHttpServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    QVERIFY(server.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1/nope").arg(server.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("ws://127.0.0.1:%1/nope answered HTTP 404 Not Found instead of opening a WebSocket. Check the "
                            "path ('/nope'; brokers often use /mqtt) and that the port is the broker's WebSocket port.")
                 .arg(server.port()));
}

void TestWebSocketTransport::textFrameEndsTheConnection()
{
    WebSocketBridge::Options options;
    options.sendTextFrameFirst = true;
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(bridge.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed.size(), size_t(1));
    QCOMPARE(probe.closed[0].error, true);
    QCOMPARE(probe.closed[0].message,
             QStringLiteral("ws 127.0.0.1:%1/mqtt sent a text frame; MQTT over WebSocket uses binary frames only "
                            "[MQTT-6.0.0-1]. Is this an MQTT WebSocket endpoint?")
                 .arg(bridge.port()));
    QVERIFY(probe.bytes.isEmpty());
}

void TestWebSocketTransport::refusedConnectionIsExplained()
{
    const quint16 closedPort = freePort();
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1/mqtt").arg(closedPort), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("Connection refused by 127.0.0.1:%1: nothing is listening there. Check the port, or start the "
                            "broker.")
                 .arg(closedPort));
}

void TestWebSocketTransport::plainMqttPortIsNotMistakenForWebSocket()
{
    // mosquitto's TCP port reads "GET /mqtt HTTP/1.1" as a malformed packet and hangs up.
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(m_broker.port()), {}, nullptr));
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("127.0.0.1:%1 closed the connection during the WebSocket handshake. Is it a WebSocket port?")
                 .arg(m_broker.port()));
}

void TestWebSocketTransport::stalledHandshakeTimesOut()
{
    QTcpServer silent; // accepts the connection, never answers the upgrade request
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort()), {}, nullptr));
    transport->setConnectTimeout(400);
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("Could not open ws://127.0.0.1:%1/mqtt within 0.4 s: the connection or the WebSocket handshake "
                            "got no answer. Check the address, and that the port is the broker's WebSocket port.")
                 .arg(silent.serverPort()));
}

void TestWebSocketTransport::wssVerifiesTheBroker_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("insecure");
    QTest::newRow("CA file, localhost") << "localhost" << false;
    QTest::newRow("CA file, 127.0.0.1") << "127.0.0.1" << false;
    QTest::newRow("insecure") << "localhost" << true;
}

void TestWebSocketTransport::wssVerifiesTheBroker()
{
    QFETCH(QString, host);
    QFETCH(bool, insecure);
    WebSocketBridge::Options options;
    options.tls = serverTls(m_certs.serverCertFile, m_certs.serverKeyFile);
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    TlsOptions tls;
    if (insecure)
        tls.insecure = true;
    else
        tls.caFile = m_certs.caFile;
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("wss://%1:%2").arg(host).arg(bridge.port()), tls, nullptr));
    QVERIFY(transport);
    QCOMPARE(transport->peerDescription(), QStringLiteral("wss %1:%2/mqtt%3")
                                               .arg(host)
                                               .arg(bridge.port())
                                               .arg(insecure ? QStringLiteral(" (INSECURE: certificate not verified)") : QString()));
    TransportProbe probe(transport.get());
    transport->open();
    QVERIFY2(probe.waitOpened(), qPrintable(probe.closeMessage()));
    QVERIFY(probe.connect(QStringLiteral("wss-client")));
    transport->close();
    QVERIFY(probe.waitClosed());
    QCOMPARE(probe.closed[0].error, false);
}

void TestWebSocketTransport::wssUntrustedCertificateIsExplained()
{
    WebSocketBridge::Options options;
    options.tls = serverTls(m_certs.serverCertFile, m_certs.serverKeyFile);
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    TlsOptions tls;
    tls.caFile = m_certs.otherCaFile;
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("wss://localhost:%1").arg(bridge.port()), tls, nullptr));
    TransportProbe probe(transport.get());
    const QString message = probe.openExpectingFailure();
    QVERIFY2(message.startsWith(QLatin1String("The broker's certificate for 'localhost' is not trusted (")), qPrintable(message));
    QVERIFY2(message.endsWith(QLatin1String(").")), qPrintable(message)); // what to do is the front end's to say
    QCOMPARE(probe.closed.front().kind, ProblemKind::Tls);
}

void TestWebSocketTransport::wssServerNameOverride()
{
    // The bridge's certificate is only for elsewhere.example.
    WebSocketBridge::Options options;
    options.tls = serverTls(m_certs.wrongNameCertFile, m_certs.wrongNameKeyFile);
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    TlsOptions tls;
    tls.caFile = m_certs.caFile;

    std::unique_ptr<Transport> plain(makeTransport(QStringLiteral("wss://127.0.0.1:%1").arg(bridge.port()), tls, nullptr));
    TransportProbe refused(plain.get());
    plain->open();
    QVERIFY(refused.waitClosed());
    QCOMPARE(refused.opened, 0);
    QCOMPARE(refused.closed[0].message,
             QStringLiteral("The broker's certificate is not issued for '127.0.0.1' (it names elsewhere.example)."));
    QCOMPARE(refused.closed[0].kind, ProblemKind::Tls); // the front ends add what to do by it

    tls.serverName = QStringLiteral("elsewhere.example");
    std::unique_ptr<Transport> named(makeTransport(QStringLiteral("wss://127.0.0.1:%1").arg(bridge.port()), tls, nullptr));
    QCOMPARE(named->peerDescription(), QStringLiteral("wss 127.0.0.1:%1/mqtt (verified as 'elsewhere.example')").arg(bridge.port()));
    TransportProbe accepted(named.get());
    named->open();
    QVERIFY2(accepted.waitOpened(), qPrintable(accepted.closeMessage()));
    QVERIFY(accepted.connect(QStringLiteral("wss-named")));
    named->close();
    QVERIFY(accepted.waitClosed());

    // The override is no blanket pass: another name still fails.
    tls.serverName = QStringLiteral("other.example");
    std::unique_ptr<Transport> wrong(makeTransport(QStringLiteral("wss://127.0.0.1:%1").arg(bridge.port()), tls, nullptr));
    TransportProbe wrongProbe(wrong.get());
    wrong->open();
    QVERIFY(wrongProbe.waitClosed());
    QCOMPARE(wrongProbe.opened, 0);
    QVERIFY2(wrongProbe.closed[0].message.startsWith(
                 QLatin1String("The broker's certificate is not issued for 'other.example' (it names elsewhere.example).")),
             qPrintable(wrongProbe.closed[0].message));
}

void TestWebSocketTransport::wssClientCertificate()
{
    // The bridge demands a certificate signed by the test CA.
    WebSocketBridge::Options options;
    options.tls = serverTls(m_certs.serverCertFile, m_certs.serverKeyFile);
    options.tls->setPeerVerifyMode(QSslSocket::VerifyPeer);
    options.tls->setCaCertificates(QSslCertificate::fromPath(m_certs.caFile));
    WebSocketBridge bridge(m_broker.port(), options);
    QVERIFY(bridge.listen());
    TlsOptions tls;
    tls.caFile = m_certs.caFile;

    std::unique_ptr<Transport> without(makeTransport(QStringLiteral("wss://localhost:%1").arg(bridge.port()), tls, nullptr));
    TransportProbe refused(without.get());
    without->open();
    QVERIFY(refused.waitClosed());
    QCOMPARE(refused.opened, 0);
    QCOMPARE(refused.closed[0].error, true);
    // Qt's TLS server hangs up without the TLS 1.3 "certificate required" alert mosquitto sends,
    // so the sentence can only ask.
    QCOMPARE(refused.closed[0].message,
             QStringLiteral("localhost:%1 closed the connection during the TLS handshake. Is it a TLS port? Does the broker "
                            "require a client certificate?")
                 .arg(bridge.port()));
    QCOMPARE(refused.closed[0].kind, ProblemKind::Tls);

    tls.clientCertificateFile = m_certs.clientCertFile;
    tls.clientKeyFile = m_certs.clientKeyFile;
    std::unique_ptr<Transport> with(makeTransport(QStringLiteral("wss://localhost:%1").arg(bridge.port()), tls, nullptr));
    TransportProbe accepted(with.get());
    with->open();
    QVERIFY2(accepted.waitOpened(), qPrintable(accepted.closeMessage()));
    QVERIFY(accepted.connect(QStringLiteral("wss-client-cert")));
    with->close();
    QVERIFY(accepted.waitClosed());
    QCOMPARE(accepted.closed[0].error, false);
}

QTEST_GUILESS_MAIN(TestWebSocketTransport)
#include "tst_websocket_transport.moc"
