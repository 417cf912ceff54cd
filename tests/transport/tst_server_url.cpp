// Broker URLs as people type them: every scheme and alias, default ports, IPv6, credentials,
// and an actionable sentence for every way the text can be wrong.

#include "transport/server_url.h"

#include <QTest>

using namespace mqs;

class TestServerUrl : public QObject
{
    Q_OBJECT
private slots:
    void parsesValidUrls_data();
    void parsesValidUrls();
    void refusesInvalidUrls_data();
    void refusesInvalidUrls();
    void roundTripsCanonicalUrls_data();
    void roundTripsCanonicalUrls();
    void keepsCredentialsOutOfTheText();
    void tlsOptionsDefaultToVerifiedSystemTrust();
};

void TestServerUrl::parsesValidUrls_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("scheme");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("canonical");

    const int mqtt = int(Scheme::Mqtt), mqtts = int(Scheme::Mqtts), ws = int(Scheme::Ws), wss = int(Scheme::Wss);
    QTest::newRow("mqtt default port") << "mqtt://broker.example" << mqtt << "broker.example" << 1883 << "" << "mqtt://broker.example:1883";
    QTest::newRow("mqtt with port") << "mqtt://broker.example:1884" << mqtt << "broker.example" << 1884 << "" << "mqtt://broker.example:1884";
    QTest::newRow("mqtt trailing slash") << "mqtt://broker.example:1884/" << mqtt << "broker.example" << 1884 << "" << "mqtt://broker.example:1884";
    QTest::newRow("mqtts default port") << "mqtts://broker.example" << mqtts << "broker.example" << 8883 << "" << "mqtts://broker.example:8883";
    QTest::newRow("ws default port and path") << "ws://127.0.0.1" << ws << "127.0.0.1" << 80 << "/mqtt" << "ws://127.0.0.1:80/mqtt";
    QTest::newRow("ws port and path") << "ws://127.0.0.1:9001/ws" << ws << "127.0.0.1" << 9001 << "/ws" << "ws://127.0.0.1:9001/ws";
    QTest::newRow("ws root path") << "ws://127.0.0.1:9001/" << ws << "127.0.0.1" << 9001 << "/" << "ws://127.0.0.1:9001/";
    QTest::newRow("ws query") << "ws://h:9001/mqtt?token=abc" << ws << "h" << 9001 << "/mqtt?token=abc" << "ws://h:9001/mqtt?token=abc";
    QTest::newRow("wss default port and path") << "wss://broker.example" << wss << "broker.example" << 443 << "/mqtt" << "wss://broker.example:443/mqtt";
    QTest::newRow("tcp alias") << "tcp://h:1" << mqtt << "h" << 1 << "" << "mqtt://h:1";
    QTest::newRow("ssl alias") << "ssl://h" << mqtts << "h" << 8883 << "" << "mqtts://h:8883";
    QTest::newRow("tls alias") << "tls://h:8884" << mqtts << "h" << 8884 << "" << "mqtts://h:8884";
    QTest::newRow("bare host") << "localhost" << mqtt << "localhost" << 1883 << "" << "mqtt://localhost:1883";
    QTest::newRow("bare host and port") << "broker:1884" << mqtt << "broker" << 1884 << "" << "mqtt://broker:1884";
    QTest::newRow("upper-case scheme and host") << "MQTTS://Broker.Example" << mqtts << "broker.example" << 8883 << "" << "mqtts://broker.example:8883";
    QTest::newRow("surrounding blanks") << "  mqtt://h:2000 \n" << mqtt << "h" << 2000 << "" << "mqtt://h:2000";
    QTest::newRow("highest port") << "mqtt://h:65535" << mqtt << "h" << 65535 << "" << "mqtt://h:65535";
    QTest::newRow("ipv6") << "mqtt://[::1]:1884" << mqtt << "::1" << 1884 << "" << "mqtt://[::1]:1884";
    QTest::newRow("ipv6 default port") << "mqtts://[2001:db8::7]" << mqtts << "2001:db8::7" << 8883 << "" << "mqtts://[2001:db8::7]:8883";
    QTest::newRow("bare ipv6") << "[::1]" << mqtt << "::1" << 1883 << "" << "mqtt://[::1]:1883";
    QTest::newRow("ipv6 websocket") << "ws://[::1]:9001/mqtt" << ws << "::1" << 9001 << "/mqtt" << "ws://[::1]:9001/mqtt";
    QTest::newRow("underscore host") << "mqtt://my_broker" << mqtt << "my_broker" << 1883 << "" << "mqtt://my_broker:1883";
}

void TestServerUrl::parsesValidUrls()
{
    QFETCH(QString, input);
    QFETCH(int, scheme);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, path);
    QFETCH(QString, canonical);

    const auto parsed = ServerUrl::parse(input);
    if (!parsed)
        QFAIL(qPrintable(parsed.sentence()));
    const ServerUrl url = *parsed;
    QCOMPARE(int(url.scheme), scheme);
    QCOMPARE(url.host, host);
    QCOMPARE(int(url.port), port);
    QCOMPARE(url.path, path);
    QCOMPARE(url.toString(), canonical);
    QVERIFY(!url.hasCredentials());
}

void TestServerUrl::refusesInvalidUrls_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << "" << "The broker address is empty; enter e.g. mqtt://127.0.0.1:1883.";
    QTest::newRow("blank") << "   " << "The broker address is empty; enter e.g. mqtt://127.0.0.1:1883.";
    QTest::newRow("unknown scheme") << "mqtp://x" << "'mqtp://x' has an unknown scheme 'mqtp'; use mqtt://, mqtts://, ws:// or wss://.";
    QTest::newRow("colon missing") << "mqtt//host:1883" << "'mqtt//host:1883' is missing the ':' after 'mqtt'; write mqtt://host:1883.";
    QTest::newRow("slash missing") << "ws:/host/mqtt" << "'ws:/host/mqtt' is missing a '/' after 'ws:'; write ws://host/mqtt.";
    QTest::newRow("http scheme") << "http://x:80" << "'http://x:80' has an unknown scheme 'http'; use mqtt://, mqtts://, ws:// or wss://.";
    QTest::newRow("no scheme before separator") << "://x" << "'://x' has no scheme before '://'; use mqtt://, mqtts://, ws:// or wss://.";
    QTest::newRow("no host") << "mqtt://" << "'mqtt://' names no host; enter e.g. mqtt://127.0.0.1:1883.";
    QTest::newRow("port without host") << "mqtt://:1883" << "'mqtt://:1883' names no host; enter e.g. mqtt://127.0.0.1:1883.";
    QTest::newRow("credentials without host") << "mqtt://user:pw@" << "'mqtt://user:pw@' names no host; enter e.g. mqtt://127.0.0.1:1883.";
    QTest::newRow("port zero") << "mqtt://h:0" << "'mqtt://h:0' has the port '0', which is out of range; ports are 1 to 65535.";
    QTest::newRow("port too large") << "mqtt://h:65536" << "'mqtt://h:65536' has the port '65536', which is out of range; ports are 1 to 65535.";
    QTest::newRow("port huge") << "mqtt://h:99999999999" << "'mqtt://h:99999999999' has the port '99999999999', which is out of range; ports are 1 to 65535.";
    QTest::newRow("port negative") << "mqtt://h:-1" << "'mqtt://h:-1' has the port '-1', which is out of range; ports are 1 to 65535.";
    QTest::newRow("port not a number") << "mqtt://h:abc" << "'mqtt://h:abc' has the port 'abc', which is out of range; ports are 1 to 65535.";
    QTest::newRow("port with sign") << "h:+80" << "'h:+80' has the port '+80', which is out of range; ports are 1 to 65535.";
    QTest::newRow("colon without port") << "mqtt://h:" << "'mqtt://h:' has ':' but no port after it; give a port from 1 to 65535, or leave out the ':'.";
    QTest::newRow("path on mqtt") << "mqtt://h/mqtt" << "'mqtt://h/mqtt' has the path '/mqtt', but only ws:// and wss:// URLs take a path. Remove it, or use ws://.";
    QTest::newRow("query on mqtts") << "mqtts://h?x=1" << "'mqtts://h?x=1' has the path '?x=1', but only ws:// and wss:// URLs take a path. Remove it, or use ws://.";
    QTest::newRow("fragment") << "ws://h/mqtt#top" << "'ws://h/mqtt#top' has a fragment ('#...'); a broker URL takes none. Remove it.";
    QTest::newRow("space in host") << "mqtt://my broker" << "'mqtt://my broker' has the character ' ' in its host name 'my broker'; a host name has only letters, digits, '-' and '.'.";
    QTest::newRow("ipv6 without brackets") << "::1" << "'::1' looks like an IPv6 address without brackets; write it as mqtt://[::1]:1883.";
    QTest::newRow("ipv6 unclosed") << "mqtt://[::1:1883" << "'mqtt://[::1:1883' opens an IPv6 address with '[' but never closes it with ']'.";
    QTest::newRow("not ipv6 in brackets") << "mqtt://[broker]:1883" << "'mqtt://[broker]:1883' has 'broker' in brackets, which is not an IPv6 address; write a host name without brackets.";
    QTest::newRow("junk after brackets") << "mqtt://[::1]x" << "'mqtt://[::1]x' has 'x' after the IPv6 address; only ':port' may follow ']'.";
}

void TestServerUrl::refusesInvalidUrls()
{
    QFETCH(QString, input);
    QFETCH(QString, message);
    const auto parsed = ServerUrl::parse(input);
    if (parsed)
        QFAIL(qPrintable(QStringLiteral("'%1' was accepted as %2").arg(input, parsed->toString())));
    QCOMPARE(parsed.problem().kind, ProblemKind::InvalidInput);
    QCOMPARE(parsed.sentence(), message);
}

void TestServerUrl::roundTripsCanonicalUrls_data()
{
    QTest::addColumn<QString>("url");
    for (const char *url : {"mqtt://127.0.0.1:1883", "mqtts://broker.example:8883", "ws://127.0.0.1:9001/mqtt",
                            "wss://broker.example:443/ws/mqtt", "mqtt://[::1]:1883", "wss://[fe80::1]:8443/mqtt",
                            "ws://h:80/mqtt?token=a%20b"})
        QTest::newRow(url) << QString::fromLatin1(url);
}

void TestServerUrl::roundTripsCanonicalUrls()
{
    QFETCH(QString, url);
    const auto first = ServerUrl::parse(url);
    QVERIFY(first.ok());
    QCOMPARE(first.value().toString(), url);
    // settings -> URL -> settings gives the same settings
    const auto second = ServerUrl::parse(first.value().toString());
    QVERIFY(second.ok());
    QCOMPARE(second.value(), first.value());
}

void TestServerUrl::keepsCredentialsOutOfTheText()
{
    auto parsed = ServerUrl::parse(QStringLiteral("mqtts://sensor%401:s3cr%3At@broker.example:8884"));
    QVERIFY(parsed.ok());
    ServerUrl url = parsed.value();
    QVERIFY(url.hasCredentials());
    QCOMPARE(url.username, std::optional<QString>(QStringLiteral("sensor@1")));
    QCOMPARE(url.password, std::optional<QString>(QStringLiteral("s3cr:t")));
    QCOMPARE(url.host, QStringLiteral("broker.example"));
    QCOMPARE(url.port, quint16(8884));
    QCOMPARE(url.toString(), QStringLiteral("mqtts://broker.example:8884"));
    QVERIFY(!url.toString().contains(QLatin1String("s3cr")));

    parsed = ServerUrl::parse(QStringLiteral("alice@h"));
    QVERIFY(parsed.ok());
    url = parsed.value();
    QCOMPARE(url.username, std::optional<QString>(QStringLiteral("alice")));
    QCOMPARE(url.password, std::nullopt);
    QCOMPARE(url.toString(), QStringLiteral("mqtt://h:1883"));

    // An empty password is still a password the user typed.
    parsed = ServerUrl::parse(QStringLiteral("ws://bob:@h:9001"));
    QVERIFY(parsed.ok());
    url = parsed.value();
    QCOMPARE(url.username, std::optional<QString>(QStringLiteral("bob")));
    QCOMPARE(url.password, std::optional<QString>(QString()));
    QCOMPARE(url.path, QStringLiteral("/mqtt"));
}

void TestServerUrl::tlsOptionsDefaultToVerifiedSystemTrust()
{
    const TlsOptions options;
    QVERIFY(options.useSystemCAs);
    QVERIFY(!options.insecure);
    QVERIFY(options.caFile.isEmpty());
    QVERIFY(options.serverName.isEmpty());
}

QTEST_GUILESS_MAIN(TestServerUrl)
#include "tst_server_url.moc"
