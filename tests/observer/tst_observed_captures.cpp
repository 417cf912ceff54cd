// The observer over real traffic: the four captures of mosquitto 2.0.11 and its own clients in
// tests/data show no violation, and every QoS 1 and 2 flow the observer finds is one Wireshark
// lists in the same file (the .tshark.tsv beside it), complete, with the same topic.

#include "observer/capture_analysis.h"

#include <QFile>
#include <QTest>

#include <map>

using namespace mqs;

namespace {

const QString kData = QStringLiteral(MQTTSCOPE_TESTDATA_DIR "/");
constexpr quint16 kPort = 18831; // the captures' broker port

// "stream 5 client id 3 qos 2 sensors/temperature/livingroom", one per QoS > 0 PUBLISH that is no resend.
struct WiresharkView {
    QStringList flows;
    std::array<quint64, 3> messages{};
    quint64 completions = 0; // PUBACK and PUBCOMP
    quint64 resends = 0;
};

WiresharkView readTsv(const QString &name)
{
    WiresharkView view;
    QFile file(kData + name + QStringLiteral(".tshark.tsv"));
    if (!file.open(QIODevice::ReadOnly))
        return view;
    for (const QByteArray &row : file.readAll().split('\n')) {
        const QList<QByteArray> f = row.split('\t');
        if (f.size() < 10)
            continue;
        const QList<QByteArray> types = f[4].split(',');
        const QList<QByteArray> ids = f[5].split(',');
        const QList<QByteArray> qos = f[6].split(',');
        const QList<QByteArray> dup = f[7].split(',');
        const QList<QByteArray> topics = f[9].split(',');
        const QString sender = f[3].toUInt() == kPort ? QStringLiteral("client") : QStringLiteral("broker");
        int publish = 0; // the n-th PUBLISH of the frame: qos, dup and topic lists hold PUBLISHes only
        int withId = 0; // ids are listed for the packets that carry one
        for (const QByteArray &type : types) {
            const int t = type.toInt();
            const bool hasId = (t >= 4 && t <= 11) || (t == 3 && qos.value(publish).toInt() > 0);
            const QByteArray id = hasId ? ids.value(withId++) : QByteArray();
            if (t == 4 || t == 7)
                ++view.completions;
            if (t != 3)
                continue;
            const int q = qos.value(publish).toInt();
            if (dup.value(publish) == "1")
                ++view.resends;
            else
                ++view.messages[q];
            if (q > 0 && dup.value(publish) != "1")
                view.flows << QStringLiteral("stream %1 %2 id %3 qos %4 %5")
                                  .arg(QString::fromLatin1(f[1]), sender, QString::fromLatin1(id))
                                  .arg(q)
                                  .arg(QString::fromUtf8(topics.value(publish)));
            ++publish;
        }
    }
    view.flows.sort();
    return view;
}

// The observer's flows of a capture, one observer per stream, as readTsv() writes them.
QStringList observedFlows(const QString &name, QString *findings)
{
    std::map<quint32, ConnectionObserver> observers;
    ObservedSessions sessions;
    const auto totals = streamCapture(kData + name + QStringLiteral(".pcap"), kPort, {.packet = [&](CapturedPacket &&p) {
        auto it = observers.try_emplace(p.stream, ObserverOptions{.assumedVersion = p.version, .sessions = &sessions}).first;
        it->second.packet(p.fromClient ? ObservedSide::Client : ObservedSide::Broker, p.packet, p.raw, qint64(p.time * 1e6));
        for (const ObservedFinding &f : it->second.takeFindings())
            *findings += f.text() + QLatin1Char('\n');
    }});
    if (!totals)
        return {totals.sentence()};
    QStringList flows;
    for (auto &[stream, observer] : observers) {
        observer.closed(0);
        for (const ObservedFinding &f : observer.takeFindings())
            *findings += f.text() + QLatin1Char('\n');
        for (const ObservedFlow &f : observer.openFlows())
            *findings += QStringLiteral("open: stream %1 id %2\n").arg(stream).arg(f.packetId.value);
        for (const ObservedFlow &f : observer.finishedFlows()) {
            if (f.state != FlowState::Complete)
                *findings += QStringLiteral("not complete: stream %1 id %2\n").arg(stream).arg(f.packetId.value);
            flows << QStringLiteral("stream %1 %2 id %3 qos %4 %5")
                         .arg(stream)
                         .arg(sideName(f.sender))
                         .arg(f.packetId.value)
                         .arg(qosValue(f.qos))
                         .arg(f.topic);
        }
    }
    flows.sort();
    return flows;
}

} // namespace

class TestObservedCaptures : public QObject
{
    Q_OBJECT

private slots:
    void capturesOfMosquitto_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"mosquitto-qos-v311", "mosquitto-qos-v5", "mosquitto-resume-v311", "mosquitto-resume-v5"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void capturesOfMosquitto()
    {
        QFETCH(QString, name);
        const WiresharkView wireshark = readTsv(name);
        QVERIFY(!wireshark.flows.isEmpty());
        QString findings;
        const QStringList flows = observedFlows(name, &findings);
        QVERIFY2(findings.isEmpty(), qPrintable(findings));
        QCOMPARE(flows, wireshark.flows);
        QVERIFY(flows.size() >= 3);
    }

    void analysisSummaryMatchesWireshark_data() { capturesOfMosquitto_data(); }
    void analysisSummaryMatchesWireshark()
    {
        QFETCH(QString, name);
        const WiresharkView wireshark = readTsv(name);
        std::vector<AnalyzedConnection> connections;
        const auto summary = analyzeCapture(kData + name + QStringLiteral(".pcap"), {.ports = {kPort}},
                                            [&](const AnalyzedConnection &c) { connections.push_back(c); });
        QVERIFY2(summary.ok(), qPrintable(summary.sentence()));
        QVERIFY(summary->clean());
        QCOMPARE(summary->messages, wireshark.messages);
        QCOMPARE(summary->completed, wireshark.completions);
        QCOMPARE(summary->resends, wireshark.resends);
        QCOMPARE(summary->unfinished, 0u);
        QCOMPARE(summary->connections, quint64(connections.size()));
        for (const AnalyzedConnection &c : connections) {
            QVERIFY2(!c.clientId.isEmpty() && !c.startedMidSession, qPrintable(c.clientAddress));
            QVERIFY(c.clientAddress.startsWith(QStringLiteral("127.0.0.1:")));
            QCOMPARE(c.brokerAddress, QStringLiteral("127.0.0.1:18831"));
        }
    }
};

QTEST_GUILESS_MAIN(TestObservedCaptures)
#include "tst_observed_captures.moc"
