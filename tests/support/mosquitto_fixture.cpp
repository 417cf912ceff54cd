#include "mosquitto_fixture.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <unistd.h>

namespace mqs::test {

namespace {

// The end of a run: a process past its time is killed; then its status and output.
ClientRun collect(QProcess &process, ClientRun run)
{
    if (run.timedOut) {
        process.kill();
        process.waitForFinished(2000);
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

ClientRun runProgram(const QString &program, const QStringList &arguments, int timeoutMs, const QByteArray &stdinData)
{
    ClientRun run;
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForStarted(5000)) {
        run.err = QStringLiteral("could not start %1: %2").arg(program, process.errorString()).toUtf8();
        return run;
    }
    if (!stdinData.isEmpty())
        process.write(stdinData);
    process.closeWriteChannel();
    run.timedOut = !process.waitForFinished(timeoutMs);
    return collect(process, run);
}

ClientRun runProgramAsync(const QString &program, const QStringList &arguments, int timeoutMs, const QByteArray &stdinData)
{
    ClientRun run;
    QProcess process;
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&loop](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            loop.quit();
    });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, [&] {
        run.timedOut = true;
        loop.quit();
    });
    process.start(program, arguments);
    if (!stdinData.isEmpty())
        process.write(stdinData);
    process.closeWriteChannel();
    timeout.start(timeoutMs);
    if (process.state() != QProcess::NotRunning)
        loop.exec();
    return collect(process, run);
}

ClientRun runTshark(const QString &capture, const QStringList &arguments)
{
    QTemporaryDir dir(QStringLiteral("/tmp/mqttscope-tshark-XXXXXX"));
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                          | QFileDevice::ReadOther | QFileDevice::ExeOther | QFileDevice::ReadGroup
                                          | QFileDevice::ExeGroup);
    const QString copy = dir.filePath(QStringLiteral("capture.pcap"));
    QFile::copy(capture, copy);
    QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::ReadOther | QFileDevice::ReadGroup);
    return runProgram(QStringLiteral("tshark"), QStringList{QStringLiteral("-r"), copy} + arguments, 60000);
}

static Status openssl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        return problem(ProblemKind::File, QStringLiteral("openssl %1 failed: %2").arg(arguments.join(QLatin1Char(' ')),
                                                                                      QString::fromUtf8(process.readAllStandardError())));
    return {};
}

Status TestCertificates::create(const QString &dir, TestCertificates &out)
{
    auto path = [&](const char *name) { return dir + QLatin1Char('/') + QLatin1String(name); };
    const QStringList steps[] = {
        {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=MQTT Scope test CA", "-keyout",
         "ca.key", "-out", "ca.crt"},
        {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Other CA", "-keyout", "other.key",
         "-out", "other.crt"},
        {"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"},
        {"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=elsewhere.example", "-keyout", "wrong.key", "-out", "wrong.csr"},
        {"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mqttscope-test-client", "-keyout", "client.key", "-out",
         "client.csr"},
    };
    for (const QStringList &step : steps)
        if (Status made = openssl(dir, step); !made)
            return made;
    QFile ext(path("san.ext"));
    if (!ext.open(QIODevice::WriteOnly))
        return problem(ProblemKind::File, QStringLiteral("cannot write san.ext"));
    ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    ext.close();
    QFile wrongExt(path("wrong.ext"));
    if (!wrongExt.open(QIODevice::WriteOnly))
        return problem(ProblemKind::File, QStringLiteral("cannot write wrong.ext"));
    wrongExt.write("subjectAltName=DNS:elsewhere.example\n");
    wrongExt.close();
    const QStringList signing[] = {
        {"x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-extfile", "san.ext", "-out", "server.crt"},
        {"x509", "-req", "-in", "wrong.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-extfile", "wrong.ext", "-out", "wrong.crt"},
        {"x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-out", "client.crt"},
    };
    for (const QStringList &step : signing)
        if (Status signed_ = openssl(dir, step); !signed_)
            return signed_;
    out.caFile = path("ca.crt");
    out.otherCaFile = path("other.crt");
    out.serverCertFile = path("server.crt");
    out.serverKeyFile = path("server.key");
    out.wrongNameCertFile = path("wrong.crt");
    out.wrongNameKeyFile = path("wrong.key");
    out.clientCertFile = path("client.crt");
    out.clientKeyFile = path("client.key");
    return {};
}

MosquittoBroker::MosquittoBroker() : MosquittoBroker(Options{}) {}

MosquittoBroker::MosquittoBroker(Options options)
    : m_options(std::move(options))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

MosquittoBroker::~MosquittoBroker()
{
    stop();
}

QString MosquittoBroker::url() const
{
    return QStringLiteral("mqtt://127.0.0.1:%1").arg(m_port);
}

QString MosquittoBroker::tlsUrl() const
{
    return QStringLiteral("mqtts://localhost:%1").arg(m_tlsPort);
}

Status MosquittoBroker::writePasswordFile() const
{
    const QString file = m_dir.filePath(QStringLiteral("passwords"));
    QFile::remove(file);
    for (const MosquittoUser &user : m_options.users) {
        // -c makes the file; -b takes the password from the command line.
        const QStringList create = QFile::exists(file) ? QStringList{} : QStringList{QStringLiteral("-c")};
        const ClientRun run = runProgram(QStringLiteral("mosquitto_passwd"), create + QStringList{QStringLiteral("-b"), file, user.name, user.password});
        if (run.exitCode != 0)
            return problem(ProblemKind::State, QStringLiteral("mosquitto_passwd could not add %1: %2").arg(user.name, QString::fromUtf8(run.out + run.err)));
    }
    return {};
}

QString MosquittoBroker::logText() const
{
    QFile log(m_dir.filePath(QStringLiteral("mosquitto.log")));
    const QByteArray fileText = log.open(QIODevice::ReadOnly) ? log.readAll() : QByteArray();
    return QString::fromUtf8(m_output + fileText);
}

Status MosquittoBroker::writeConfig()
{
    QStringList lines;
    if (geteuid() == 0)
        lines << QStringLiteral("user root"); // otherwise it drops to 'mosquitto', who cannot write our temp dir
    if (m_options.users.empty()) {
        lines << QStringLiteral("allow_anonymous true");
    } else {
        if (Status written = writePasswordFile(); !written)
            return written;
        lines << QStringLiteral("allow_anonymous false") << QStringLiteral("password_file %1").arg(m_dir.filePath(QStringLiteral("passwords")));
    }
    // A file, not a pipe: a pipe nobody drains while the test blocks would stall the broker.
    lines << QStringLiteral("log_dest file %1").arg(m_dir.filePath(QStringLiteral("mosquitto.log")))
          << QStringLiteral("log_type all");
    if (m_options.persistence)
        lines << QStringLiteral("persistence true") << QStringLiteral("persistence_location %1/").arg(m_dir.path());
    lines << QStringLiteral("listener %1 127.0.0.1").arg(m_port);
    if (m_options.webSocket)
        lines << QStringLiteral("listener %1 127.0.0.1").arg(m_wsPort) << QStringLiteral("protocol websockets");
    if (m_options.tls) {
        lines << QStringLiteral("listener %1 127.0.0.1").arg(m_tlsPort)
              << QStringLiteral("cafile %1").arg(m_certs.caFile) << QStringLiteral("certfile %1").arg(m_certs.serverCertFile)
              << QStringLiteral("keyfile %1").arg(m_certs.serverKeyFile);
        if (m_options.requireClientCertificate)
            lines << QStringLiteral("require_certificate true");
    }
    lines << m_options.extraConfig;
    QFile file(m_dir.filePath(QStringLiteral("mosquitto.conf")));
    if (!file.open(QIODevice::WriteOnly))
        return problem(ProblemKind::File, QStringLiteral("cannot write %1").arg(file.fileName()));
    file.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    return {};
}

bool MosquittoBroker::waitForPort(quint16 port, int timeoutMs) const
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running)
            return false;
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200)) {
            probe.abort();
            return true;
        }
        QThread::msleep(50);
    }
    return false;
}

Status MosquittoBroker::start()
{
    if (!m_dir.isValid())
        return problem(ProblemKind::File, QStringLiteral("cannot create a temporary directory"));
    if (m_options.tls && m_certs.caFile.isEmpty())
        if (Status made = TestCertificates::create(m_dir.path(), m_certs); !made)
            return made;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_port == 0 || attempt > 0) {
            m_port = freePort();
            m_wsPort = m_options.webSocket ? freePort() : 0;
            m_tlsPort = m_options.tls ? freePort() : 0;
        }
        if (Status written = writeConfig(); !written)
            return written;
        m_output.clear();
        // Debian installs the broker in /usr/sbin, which is not on a normal user's PATH.
        QString program = QStandardPaths::findExecutable(QStringLiteral("mosquitto"));
        if (program.isEmpty())
            program = QStandardPaths::findExecutable(QStringLiteral("mosquitto"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
        if (program.isEmpty())
            return problem(ProblemKind::State,
                           QStringLiteral("mosquitto is not installed (Debian package mosquitto; ./setup.sh test installs it)."));
        m_process.start(program, {QStringLiteral("-c"), m_dir.filePath(QStringLiteral("mosquitto.conf"))});
        if (!m_process.waitForStarted(5000))
            return problem(ProblemKind::State, QStringLiteral("mosquitto did not start: %1 (is the Debian package installed?)")
                                                  .arg(m_process.errorString()));
        bool up = waitForPort(m_port, 10000);
        if (up && m_wsPort)
            up = waitForPort(m_wsPort, 5000);
        if (up && m_tlsPort)
            up = waitForPort(m_tlsPort, 5000);
        if (up)
            return {};
        m_process.kill();
        m_process.waitForFinished(3000);
        m_output += m_process.readAll();
        if (!logText().contains(QLatin1String("Address already in use")))
            break;
    }
    return problem(ProblemKind::Network, QStringLiteral("mosquitto did not come up on port %1:\n%2").arg(m_port).arg(logText()));
}

void MosquittoBroker::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(3000);
    }
    m_output += m_process.readAll();
}

Status MosquittoBroker::restart()
{
    stop();
    QProcess &p = m_process;
    p.start(QStringLiteral("mosquitto"), {QStringLiteral("-c"), m_dir.filePath(QStringLiteral("mosquitto.conf"))});
    if (!p.waitForStarted(5000) || !waitForPort(m_port, 10000))
        return problem(ProblemKind::Network, QStringLiteral("mosquitto did not come back on port %1:\n%2").arg(m_port).arg(logText()));
    return {};
}

} // namespace mqs::test
