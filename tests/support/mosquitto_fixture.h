#pragma once
// A real mosquitto (the Debian package) for integration tests: started on free loopback ports
// with its own config and data directory, stopped when the fixture goes. Optional listeners:
// WebSocket and TLS (with certificates made by openssl for the test).

#include "protocol/result.h"

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <vector>

namespace mqs::test {

// A throwaway CA, a server certificate for "localhost" / 127.0.0.1, and a client certificate.
struct TestCertificates {
    QString caFile, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile;
    // A second CA that signed nothing we use: for "untrusted" tests.
    QString otherCaFile;
    // A server certificate only for the name "elsewhere.example": for hostname mismatch tests.
    QString wrongNameCertFile, wrongNameKeyFile;

    // Makes them in `dir` with the openssl CLI; a problem saying which step failed.
    [[nodiscard]] static Status create(const QString &dir, TestCertificates &out);
};

// A user mosquitto lets in by name and password.
struct MosquittoUser {
    QString name;
    QString password;
};

class MosquittoBroker
{
public:
    struct Options {
        bool persistence = true;
        bool webSocket = false; // also a websockets listener (needs the TCP one beside it)
        bool tls = false; // also a TLS listener with TestCertificates
        bool requireClientCertificate = false;
        // When given, anonymous clients are refused and these log in (a password_file made with
        // mosquitto_passwd); else anyone connects.
        std::vector<MosquittoUser> users{};
        QStringList extraConfig{}; // further lines for mosquitto.conf
    };

    MosquittoBroker();
    explicit MosquittoBroker(Options options);
    ~MosquittoBroker();
    MosquittoBroker(const MosquittoBroker &) = delete;
    MosquittoBroker &operator=(const MosquittoBroker &) = delete;

    // Starts it; a problem (with mosquitto's output) when it does not come up within 10 s.
    [[nodiscard]] Status start();
    void stop();
    // Stops and starts again on the same ports, keeping its persistence file.
    [[nodiscard]] Status restart();

    quint16 port() const { return m_port; }
    quint16 webSocketPort() const { return m_wsPort; }
    quint16 tlsPort() const { return m_tlsPort; }
    QString url() const; // "mqtt://127.0.0.1:PORT"
    // "mqtts://localhost:TLSPORT": the TLS listener by the name its certificate is for, so only
    // the CA (or its absence) decides whether a client trusts it.
    QString tlsUrl() const;
    const TestCertificates &certificates() const { return m_certs; }
    QString dataDir() const { return m_dir.path(); }
    QString logText() const;

private:
    [[nodiscard]] Status writeConfig();
    [[nodiscard]] Status writePasswordFile() const;
    bool waitForPort(quint16 port, int timeoutMs) const;

    Options m_options;
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    quint16 m_wsPort = 0;
    quint16 m_tlsPort = 0;
    TestCertificates m_certs;
    QByteArray m_output;
};

// A free TCP port on 127.0.0.1 (bound and released; a race with others is unlikely, and start() retries).
quint16 freePort();

struct ClientRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool timedOut = false;
};

// Runs a program (mosquitto_pub, mosquitto_sub, mqttscope-cli) and waits at most `timeoutMs`.
ClientRun runProgram(const QString &program, const QStringList &arguments, int timeoutMs = 15000,
                     const QByteArray &stdinData = {});

// As runProgram, but keeps this process's event loop running meanwhile (for a broker or a
// connection living in the test itself).
ClientRun runProgramAsync(const QString &program, const QStringList &arguments, int timeoutMs = 15000,
                          const QByteArray &stdinData = {});

// Runs tshark on a capture. tshark started as root drops its privileges, so the file is copied
// into a world-readable directory first. `arguments` follow "-r FILE".
ClientRun runTshark(const QString &capture, const QStringList &arguments);

} // namespace mqs::test
