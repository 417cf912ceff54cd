// The probe's reach check, the one connection before the checks: against the sandbox broker it
// succeeds; a closed port, an untrusted certificate and a refused login each end it with one
// problem of their kind; a TLS file that is not there is said at once, before anything connects.

#include "mosquitto_fixture.h"

#include "broker/sandbox_broker.h"
#include "scenario/probe.h"

#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {
// Longer than the reach's own timeout, so that a failure here is the reach's answer.
constexpr int kWaitMs = kBrokerReachTimeoutMs + 5000;

// Long enough for the close that follows the answer to be seen.
constexpr int kSettleMs = 200;

const MosquittoUser kUser{QStringLiteral("prober"), QStringLiteral("s3cret")};

// Starts a reach with `options` and waits for its answer; a problem found at once is the answer too.
Status reach(const ProbeOptions &options)
{
    BrokerReach reach;
    std::vector<Status> answers;
    QObject::connect(&reach, &BrokerReach::finished, [&answers](const Status &reached) { answers.push_back(reached); });
    if (const Status started = reach.start(options); !started)
        return started;
    if (!QTest::qWaitFor([&answers] { return !answers.empty(); }, kWaitMs))
        return Problem{ProblemKind::State, QStringLiteral("the reach never finished")};
    QTest::qWait(kSettleMs); // a second answer (our own close taken for the broker's) would come now
    if (answers.size() != 1)
        return Problem{ProblemKind::State, QStringLiteral("the reach finished %1 times").arg(answers.size())};
    return answers.front();
}
} // namespace

class TestBrokerReach : public QObject
{
    Q_OBJECT

private slots:
    void aListeningBrokerIsReached()
    {
        SandboxBroker broker(SandboxBroker::Options{}, nullptr);
        QVERIFY(broker.start().ok());
        const Status reached = reach(ProbeOptions{broker.url()});
        QVERIFY2(reached.ok(), qPrintable(reached.sentence()));
    }

    // Nothing listens: the broker's own answer to the TCP handshake, not a timeout, and not our close.
    void aClosedPortIsRefused()
    {
        const Status reached = reach(ProbeOptions{QStringLiteral("mqtt://127.0.0.1:%1").arg(freePort())});
        QVERIFY(!reached.ok());
        QCOMPARE(reached.problem().kind, ProblemKind::Network);
        QVERIFY2(reached.sentence().contains(QStringLiteral("refused")), qPrintable(reached.sentence()));
    }

    void anUntrustedCertificateIsATlsProblem()
    {
        MosquittoBroker broker({.tls = true});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const Status untrusted = reach(ProbeOptions{broker.tlsUrl()});
        QVERIFY(!untrusted.ok());
        QCOMPARE(untrusted.problem().kind, ProblemKind::Tls);
        QVERIFY2(untrusted.sentence().contains(QStringLiteral("is not trusted")), qPrintable(untrusted.sentence()));

        ProbeOptions trusted{broker.tlsUrl()};
        trusted.tls.caFile = broker.certificates().caFile;
        const Status reached = reach(trusted);
        QVERIFY2(reached.ok(), qPrintable(reached.sentence()));
    }

    void aMissingCaFileIsSaidBeforeConnecting()
    {
        ProbeOptions options{QStringLiteral("mqtts://localhost:1")};
        options.tls.caFile = QStringLiteral("/nonexistent/ca.pem");
        BrokerReach reach;
        int answers = 0;
        connect(&reach, &BrokerReach::finished, this, [&answers] { ++answers; });
        const Status started = reach.start(options);
        QVERIFY(!started.ok());
        QCOMPARE(started.problem().kind, ProblemKind::File);
        QVERIFY2(started.sentence().contains(options.tls.caFile), qPrintable(started.sentence()));
        QTest::qWait(kSettleMs);
        QCOMPARE(answers, 0);
    }

    // A broker that lets only its users in: CONNACK refuses an anonymous client (the checks would
    // each fail on it) and accepts the user's name and password.
    void aLoginIsRefusedWithoutItsCredentials()
    {
        MosquittoBroker broker({.users = {kUser}});
        const Status started = broker.start();
        QVERIFY2(started.ok(), qPrintable(started.sentence()));
        const Status anonymous = reach(ProbeOptions{broker.url()});
        QVERIFY(!anonymous.ok());
        QCOMPARE(anonymous.problem().kind, ProblemKind::Refused);
        QVERIFY2(anonymous.sentence().contains(QStringLiteral("Not authorized (CONNACK 0x87)")), qPrintable(anonymous.sentence()));

        ProbeOptions wrong{broker.url()};
        wrong.username = kUser.name;
        wrong.password = QByteArrayLiteral("wrong");
        const Status refused = reach(wrong);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.problem().kind, ProblemKind::Refused);

        ProbeOptions user{broker.url()};
        user.username = kUser.name;
        user.password = kUser.password.toUtf8();
        const Status reached = reach(user);
        QVERIFY2(reached.ok(), qPrintable(reached.sentence()));
    }
};

QTEST_GUILESS_MAIN(TestBrokerReach)
#include "tst_broker_reach.moc"
