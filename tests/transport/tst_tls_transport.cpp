// TLS through TcpTransport against a real mosquitto with three TLS listeners (a certificate for
// localhost/127.0.0.1, one for another name, one that requires a client certificate), all made by
// openssl for this run: what verifies, what does not, and the sentence for each failure.

#include "mosquitto_fixture.h"
#include "transport_probe.h"

#include "transport/tcp_transport.h"
#include "transport/tls_configuration.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace mqs;
using namespace mqs::test;

namespace {

bool waitForPort(quint16 port)
{
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200))
            return true;
        QTest::qWait(50);
    }
    return false;
}


} // namespace

class TestTlsTransport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void verifiedConnectionWithCaFile_data();
    void verifiedConnectionWithCaFile();
    void untrustedCertificateIsExplained_data();
    void untrustedCertificateIsExplained();
    void hostnameMismatchIsNamed();
    void serverNameOverrideVerifiesThatName();
    void insecureSkipsVerification_data();
    void insecureSkipsVerification();
    void clientCertificateOpensTheRequiringListener_data();
    void clientCertificateOpensTheRequiringListener();
    void missingClientCertificateIsExplained();
    void mismatchedClientKeyIsExplained_data();
    void mismatchedClientKeyIsExplained();
    void settingsProblemsAreReportedBeforeConnecting_data();
    void settingsProblemsAreReportedBeforeConnecting();
    void plainPortIsNotMistakenForTls();
    void stalledHandshakeTimesOut();
    void certificateNamesMatchAsTlsDoes_data();
    void certificateNamesMatchAsTlsDoes();
    void tlsSentencesNameNoCommandLineOption();

private:
    QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }
    // Opens mqtts://host:port with `tls` and returns the probe's record after CONNECT (or the close).
    struct Outcome {
        bool connAck = false;
        QString description;
        std::vector<TransportClosed> closed;
    };
    Outcome connectTo(const QString &host, quint16 port, const TlsOptions &tls, const QString &clientId);

    QTemporaryDir m_dir;
    TestCertificates m_certs;
    quint16 m_tlsPort = 0;
    quint16 m_wrongNamePort = 0;
    quint16 m_clientCertPort = 0;
    std::unique_ptr<MosquittoBroker> m_broker;
};

void TestTlsTransport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (const Status made = TestCertificates::create(m_dir.path(), m_certs); !made)
        QFAIL(qPrintable(made.sentence()));
    const QList<QStringList> extras = {
        // The client key again, encrypted with a passphrase.
        {"pkey", "-in", "client.key", "-aes128", "-passout", "pass:hunter2", "-out", "client-encrypted.key"},
        // An EC client certificate from the same CA, and an EC key of nobody's.
        {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=mqttscope-ec-client",
         "-keyout", "ec-client.key", "-out", "ec-client.csr"},
        {"x509", "-req", "-in", "ec-client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-out", "ec-client.crt"},
        {"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-other.key"},
        // A certificate with a wildcard name, for the name matching rules.
        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
         "/CN=ignored.example", "-addext", "subjectAltName=DNS:*.example.com,DNS:Exact.Example.org,IP:10.0.0.1", "-keyout",
         "wildcard.key", "-out", "wildcard.crt"},
    };
    for (const QStringList &arguments : extras) {
        QProcess openssl;
        openssl.setWorkingDirectory(m_dir.path());
        openssl.start(QStringLiteral("openssl"), arguments);
        QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0, openssl.readAllStandardError().constData());
    }
    QFile garbage(path("garbage.pem"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("this is not a certificate\n");
    garbage.close();

    std::set<quint16> ports;
    while (ports.size() < 3)
        ports.insert(freePort());
    auto it = ports.begin();
    m_tlsPort = *it++;
    m_wrongNamePort = *it++;
    m_clientCertPort = *it;
    MosquittoBroker::Options options;
    options.persistence = false;
    const auto listener = [&](quint16 port, const QString &cert, const QString &key) {
        options.extraConfig << QStringLiteral("listener %1 127.0.0.1").arg(port) << QStringLiteral("cafile %1").arg(m_certs.caFile)
                            << QStringLiteral("certfile %1").arg(cert) << QStringLiteral("keyfile %1").arg(key);
    };
    listener(m_tlsPort, m_certs.serverCertFile, m_certs.serverKeyFile);
    listener(m_wrongNamePort, m_certs.wrongNameCertFile, m_certs.wrongNameKeyFile);
    listener(m_clientCertPort, m_certs.serverCertFile, m_certs.serverKeyFile);
    options.extraConfig << QStringLiteral("require_certificate true");
    m_broker = std::make_unique<MosquittoBroker>(options);
    if (const Status started = m_broker->start(); !started)
        QFAIL(qPrintable(started.sentence()));
    for (quint16 port : ports)
        QVERIFY2(waitForPort(port), qPrintable(m_broker->logText()));
}

TestTlsTransport::Outcome TestTlsTransport::connectTo(const QString &host, quint16 port, const TlsOptions &tls,
                                                      const QString &clientId)
{
    Outcome outcome;
    QString error;
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtts://%1:%2").arg(host).arg(port), tls, nullptr, &error));
    if (!transport) {
        outcome.closed.push_back({true, false, error});
        return outcome;
    }
    outcome.description = transport->peerDescription();
    TransportProbe probe(transport.get());
    transport->open();
    if (probe.waitOpened(5000))
        outcome.connAck = probe.connect(clientId).has_value();
    if (outcome.connAck)
        transport->close();
    probe.waitClosed(5000);
    outcome.closed = probe.closed;
    return outcome;
}

void TestTlsTransport::verifiedConnectionWithCaFile_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("useSystemCAs");
    QTest::newRow("localhost, CA file and system CAs") << "localhost" << true;
    QTest::newRow("localhost, CA file only") << "localhost" << false;
    QTest::newRow("127.0.0.1 (IP in the certificate)") << "127.0.0.1" << true;
}

void TestTlsTransport::verifiedConnectionWithCaFile()
{
    QFETCH(QString, host);
    QFETCH(bool, useSystemCAs);
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    tls.useSystemCAs = useSystemCAs;
    const Outcome outcome = connectTo(host, m_tlsPort, tls, QStringLiteral("tls-verified"));
    QVERIFY2(outcome.connAck, outcome.closed.empty() ? "no CONNACK" : qPrintable(outcome.closed.front().message));
    QCOMPARE(outcome.description, QStringLiteral("tls %1:%2").arg(host).arg(m_tlsPort));
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, false);
}

void TestTlsTransport::untrustedCertificateIsExplained_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<bool>("useSystemCAs");
    QTest::newRow("system CAs only") << QString() << true;
    QTest::newRow("another CA and the system's") << "other" << true;
    QTest::newRow("another CA only") << "other" << false;
}

void TestTlsTransport::untrustedCertificateIsExplained()
{
    QFETCH(QString, caFile);
    QFETCH(bool, useSystemCAs);
    TlsOptions tls;
    tls.caFile = caFile.isEmpty() ? QString() : m_certs.otherCaFile;
    tls.useSystemCAs = useSystemCAs;
    const Outcome outcome = connectTo(QStringLiteral("localhost"), m_tlsPort, tls, QStringLiteral("tls-untrusted"));
    QVERIFY(!outcome.connAck);
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, true);
    const QString message = outcome.closed[0].message;
    QVERIFY2(message.startsWith(QLatin1String("The broker's certificate for 'localhost' is not trusted (")), qPrintable(message));
    QVERIFY2(message.endsWith(QLatin1String(").")), qPrintable(message));
    QCOMPARE(outcome.closed[0].kind, ProblemKind::Tls); // the front ends' cue for their TLS advice
}

void TestTlsTransport::hostnameMismatchIsNamed()
{
    // The certificate on this port is only for elsewhere.example (signed by the CA we trust).
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    const Outcome outcome = connectTo(QStringLiteral("127.0.0.1"), m_wrongNamePort, tls, QStringLiteral("tls-mismatch"));
    QVERIFY(!outcome.connAck);
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, true);
    QCOMPARE(outcome.closed[0].message,
             QStringLiteral("The broker's certificate is not issued for '127.0.0.1' (it names elsewhere.example)."));
    QCOMPARE(outcome.closed[0].kind, ProblemKind::Tls);
}

void TestTlsTransport::serverNameOverrideVerifiesThatName()
{
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    tls.serverName = QStringLiteral("elsewhere.example");
    const Outcome outcome = connectTo(QStringLiteral("127.0.0.1"), m_wrongNamePort, tls, QStringLiteral("tls-server-name"));
    QVERIFY2(outcome.connAck, outcome.closed.empty() ? "no CONNACK" : qPrintable(outcome.closed.front().message));
    QCOMPARE(outcome.description, QStringLiteral("tls 127.0.0.1:%1 (verified as 'elsewhere.example')").arg(m_wrongNamePort));

    // ...and the override is checked too: the right certificate verified as a wrong name fails.
    const Outcome wrong = connectTo(QStringLiteral("127.0.0.1"), m_tlsPort, tls, QStringLiteral("tls-server-name-wrong"));
    QVERIFY(!wrong.connAck);
    QVERIFY2(wrong.closed[0].message.startsWith(
                 QLatin1String("The broker's certificate is not issued for 'elsewhere.example' (it names localhost, 127.0.0.1)")),
             qPrintable(wrong.closed[0].message));
}

void TestTlsTransport::insecureSkipsVerification_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("wrongName");
    QTest::newRow("untrusted CA") << "localhost" << false;
    QTest::newRow("untrusted CA and wrong name") << "127.0.0.1" << true;
}

void TestTlsTransport::insecureSkipsVerification()
{
    QFETCH(QString, host);
    QFETCH(bool, wrongName);
    TlsOptions tls;
    tls.insecure = true;
    const quint16 port = wrongName ? m_wrongNamePort : m_tlsPort;
    const Outcome outcome = connectTo(host, port, tls, QStringLiteral("tls-insecure"));
    QVERIFY2(outcome.connAck, outcome.closed.empty() ? "no CONNACK" : qPrintable(outcome.closed.front().message));
    QCOMPARE(outcome.description, QStringLiteral("tls %1:%2 (INSECURE: certificate not verified)").arg(host).arg(port));
}

void TestTlsTransport::clientCertificateOpensTheRequiringListener_data()
{
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::newRow("RSA, plain key") << "client.crt" << "client.key" << QByteArray();
    QTest::newRow("RSA, encrypted key and its passphrase") << "client.crt" << "client-encrypted.key" << QByteArray("hunter2");
    QTest::newRow("EC") << "ec-client.crt" << "ec-client.key" << QByteArray();
}

void TestTlsTransport::clientCertificateOpensTheRequiringListener()
{
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, passphrase);
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    tls.clientCertificateFile = m_dir.filePath(certFile);
    tls.clientKeyFile = m_dir.filePath(keyFile);
    tls.keyPassphrase = passphrase;
    const Outcome outcome = connectTo(QStringLiteral("localhost"), m_clientCertPort, tls, QStringLiteral("tls-client-cert"));
    QVERIFY2(outcome.connAck, outcome.closed.empty() ? "no CONNACK" : qPrintable(outcome.closed.front().message));
    QCOMPARE(outcome.closed[0].error, false);
}

void TestTlsTransport::missingClientCertificateIsExplained()
{
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    const Outcome outcome = connectTo(QStringLiteral("localhost"), m_clientCertPort, tls, QStringLiteral("tls-no-client-cert"));
    QVERIFY(!outcome.connAck);
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, true);
    QCOMPARE(outcome.closed[0].byPeer, true);
    QCOMPARE(outcome.closed[0].message, QStringLiteral("The broker at localhost:%1 requires a client certificate.").arg(m_clientCertPort));
    QCOMPARE(outcome.closed[0].kind, ProblemKind::Tls);
}

void TestTlsTransport::mismatchedClientKeyIsExplained_data()
{
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    // Each key is a valid key, just not the one the certificate was issued for.
    QTest::newRow("RSA certificate, another RSA key") << "client.crt" << "server.key";
    QTest::newRow("RSA certificate, an EC key") << "client.crt" << "ec-client.key";
    QTest::newRow("EC certificate, another EC key") << "ec-client.crt" << "ec-other.key";
}

void TestTlsTransport::mismatchedClientKeyIsExplained()
{
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    tls.clientCertificateFile = m_dir.filePath(certFile);
    tls.clientKeyFile = m_dir.filePath(keyFile);
    const Outcome outcome = connectTo(QStringLiteral("localhost"), m_clientCertPort, tls, QStringLiteral("tls-wrong-key"));
    QVERIFY(!outcome.connAck);
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, true);
    QCOMPARE(outcome.closed[0].message,
             QStringLiteral("The client key '%1' does not belong to the client certificate '%2'. Give the key that was "
                            "made with that certificate.")
                 .arg(tls.clientKeyFile, tls.clientCertificateFile));
}

void TestTlsTransport::settingsProblemsAreReportedBeforeConnecting_data()
{
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("certFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<bool>("useSystemCAs");
    QTest::addColumn<QString>("message");

    const QString dir = m_dir.path() + QLatin1Char('/');
    QTest::newRow("missing CA file") << "/nonexistent/ca.crt" << QString() << QString() << QByteArray() << true
                                     << "The CA certificate file '/nonexistent/ca.crt' does not exist.";
    QTest::newRow("CA file is a directory") << dir << QString() << QString() << QByteArray() << true
                                            << QStringLiteral("The CA certificate file '%1' is a directory, not a file.").arg(dir);
    QTest::newRow("CA file not PEM") << dir + "garbage.pem" << QString() << QString() << QByteArray() << true
                                     << QStringLiteral("The CA file '%1garbage.pem' holds no PEM certificate (a PEM file has "
                                                       "'-----BEGIN CERTIFICATE-----' lines). Convert it, e.g. with 'openssl "
                                                       "x509 -inform der'.")
                                            .arg(dir);
    QTest::newRow("no CA at all") << QString() << QString() << QString() << QByteArray() << false
                                  << "With the system's CAs turned off and no CA file, no certificate can be trusted.";
    QTest::newRow("certificate without key") << QString() << dir + "client.crt" << QString() << QByteArray() << true
                                             << QStringLiteral("The client certificate '%1client.crt' needs its private key "
                                                               "too.")
                                                    .arg(dir);
    QTest::newRow("key without certificate") << QString() << QString() << dir + "client.key" << QByteArray() << true
                                             << QStringLiteral("The client key '%1client.key' needs its certificate too.")
                                                    .arg(dir);
    QTest::newRow("missing certificate file") << QString() << "/nonexistent/client.crt" << dir + "client.key" << QByteArray()
                                              << true << "The client certificate file '/nonexistent/client.crt' does not exist.";
    QTest::newRow("missing key file") << QString() << dir + "client.crt" << "/nonexistent/client.key" << QByteArray() << true
                                      << "The client key file '/nonexistent/client.key' does not exist.";
    QTest::newRow("certificate not PEM") << QString() << dir + "garbage.pem" << dir + "client.key" << QByteArray() << true
                                         << QStringLiteral("The client certificate file '%1garbage.pem' holds no PEM "
                                                           "certificate (a PEM file has '-----BEGIN CERTIFICATE-----' lines).")
                                                .arg(dir);
    QTest::newRow("certificate given as key") << QString() << dir + "client.crt" << dir + "client.crt" << QByteArray() << true
                                              << QStringLiteral("The client key file '%1client.crt' holds no PEM private key (a "
                                                                "PEM key has '-----BEGIN ... PRIVATE KEY-----' lines); is it "
                                                                "the certificate?")
                                                     .arg(dir);
    QTest::newRow("encrypted key, no passphrase") << QString() << dir + "client.crt" << dir + "client-encrypted.key"
                                                  << QByteArray() << true
                                                  << QStringLiteral("The client key file '%1client-encrypted.key' is encrypted "
                                                                    "and the passphrase is missing. Give the key's passphrase.")
                                                         .arg(dir);
    QTest::newRow("encrypted key, wrong passphrase") << QString() << dir + "client.crt" << dir + "client-encrypted.key"
                                                     << QByteArray("wrong") << true
                                                     << QStringLiteral("The client key file '%1client-encrypted.key' is "
                                                                       "encrypted and the passphrase does not open it. Give "
                                                                       "the key's passphrase.")
                                                            .arg(dir);
}

void TestTlsTransport::settingsProblemsAreReportedBeforeConnecting()
{
    QFETCH(QString, caFile);
    QFETCH(QString, certFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, passphrase);
    QFETCH(bool, useSystemCAs);
    QFETCH(QString, message);
    TlsOptions tls;
    tls.caFile = caFile;
    tls.clientCertificateFile = certFile;
    tls.clientKeyFile = keyFile;
    tls.keyPassphrase = passphrase;
    tls.useSystemCAs = useSystemCAs;
    QObject parent;
    QString error;
    Transport *transport = makeTransport(QStringLiteral("mqtts://localhost:%1").arg(m_tlsPort), tls, &parent, &error);
    QVERIFY(!transport);
    QCOMPARE(error, message);
    QVERIFY(parent.children().isEmpty());
    // The same problem stops a wss:// transport.
    error.clear();
    QVERIFY(!makeTransport(QStringLiteral("wss://localhost:%1").arg(m_tlsPort), tls, &parent, &error));
    QCOMPARE(error, message);
}

void TestTlsTransport::plainPortIsNotMistakenForTls()
{
    // mosquitto's plain MQTT port reads our ClientHello as a malformed packet and hangs up.
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    const Outcome outcome = connectTo(QStringLiteral("127.0.0.1"), m_broker->port(), tls, QStringLiteral("tls-on-plain"));
    QVERIFY(!outcome.connAck);
    QCOMPARE(outcome.closed.size(), size_t(1));
    QCOMPARE(outcome.closed[0].error, true);
    QCOMPARE(outcome.closed[0].message,
             QStringLiteral("127.0.0.1:%1 closed the connection during the TLS handshake. Is it a TLS port? Does the broker "
                            "require a client certificate?")
                 .arg(m_broker->port()));
    QCOMPARE(outcome.closed[0].kind, ProblemKind::Tls);
}

void TestTlsTransport::stalledHandshakeTimesOut()
{
    // A server that accepts the TCP connection and then says nothing.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    TlsOptions tls;
    tls.caFile = m_certs.caFile;
    std::unique_ptr<Transport> transport(makeTransport(QStringLiteral("mqtts://127.0.0.1:%1").arg(silent.serverPort()), tls, nullptr));
    transport->setConnectTimeout(400);
    TransportProbe probe(transport.get());
    QCOMPARE(probe.openExpectingFailure(),
             QStringLiteral("Connected to 127.0.0.1:%1, but the TLS handshake did not finish within 0.4 s. Is it a TLS "
                            "port (often 8883)?")
                 .arg(silent.serverPort()));
}

void TestTlsTransport::certificateNamesMatchAsTlsDoes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("matches");
    QTest::newRow("wildcard, one label") << "broker.example.com" << true;
    QTest::newRow("wildcard, any case") << "Broker.EXAMPLE.com" << true;
    QTest::newRow("wildcard, not the bare domain") << "example.com" << false;
    QTest::newRow("wildcard, not two labels") << "a.broker.example.com" << false;
    QTest::newRow("wildcard, not a suffix trick") << "brokerexample.com" << false;
    QTest::newRow("exact name, any case") << "exact.example.org" << true;
    QTest::newRow("another name") << "other.example.org" << false;
    QTest::newRow("IP address") << "10.0.0.1" << true;
    QTest::newRow("another IP address") << "10.0.0.2" << false;
    QTest::newRow("CN is ignored when there are alternative names") << "ignored.example" << false;
}

void TestTlsTransport::certificateNamesMatchAsTlsDoes()
{
    QFETCH(QString, name);
    QFETCH(bool, matches);
    const auto certificates = QSslCertificate::fromPath(path("wildcard.crt"));
    QCOMPARE(certificates.size(), 1);
    QCOMPARE(certificateMatchesName(certificates.first(), name), matches);
}

QTEST_GUILESS_MAIN(TestTlsTransport)
// Core says what went wrong; the window (a check box) and the CLI (--insecure) each say what to
// do in their own words, so no core sentence about TLS may name a command-line option.
void TestTlsTransport::tlsSentencesNameNoCommandLineOption()
{
    const auto certificate = QSslCertificate::fromPath(m_certs.serverCertFile);
    QVERIFY(!certificate.isEmpty());
    QStringList sentences;
    for (const QSslError::SslError error : {QSslError::SelfSignedCertificate, QSslError::HostNameMismatch,
                                            QSslError::CertificateExpired, QSslError::CertificateRevoked})
        sentences << describeSslErrors({QSslError(error, certificate.first())}, QStringLiteral("localhost"));
    const QString dir = m_dir.path() + QLatin1Char('/');
    TlsOptions noKey, noCertificate, certificateAsKey, noCa;
    noKey.clientCertificateFile = dir + "client.crt";
    noCertificate.clientKeyFile = dir + "client.key";
    certificateAsKey.clientCertificateFile = certificateAsKey.clientKeyFile = dir + "client.crt";
    noCa.useSystemCAs = false;
    for (const TlsOptions &options : {noKey, noCertificate, certificateAsKey, noCa}) {
        const auto made = makeSslConfiguration(options);
        QVERIFY(!made.ok());
        sentences << made.sentence();
    }
    static const QRegularExpression option(QStringLiteral("(^|[\\s(])--[a-z]")); // "--cafile", not "-----BEGIN"
    for (const QString &sentence : sentences) {
        QVERIFY2(!sentence.isEmpty(), "a TLS problem without a sentence");
        QVERIFY2(!sentence.contains(option), qPrintable(sentence));
    }
}

#include "tst_tls_transport.moc"
