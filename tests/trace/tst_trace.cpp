// The trace log (packing, eviction, lookups) and its exports: pcap read back by tshark with
// no malformed packets, JSON Lines parsed line by line.

#include "mosquitto_fixture.h"
#include "protocol/encoder.h"
#include "trace/trace_export.h"
#include "trace/trace_log.h"
#include "trace/trace_text.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs;
using namespace mqs::test;

namespace {

TraceEvent packetEvent(ConnectionId c, qint64 time, TraceDirection direction, const Packet &p, FlowState state,
                       ProtocolVersion v = ProtocolVersion::V5)
{
    TraceEvent e;
    e.connection = c;
    e.timeUs = time;
    e.direction = direction;
    e.type = packetType(p);
    e.packetId = packetIdOf(p).value_or(PacketId());
    e.flowState = state;
    e.raw = encode(p, v);
    return e;
}

TraceEvent noteEvent(ConnectionId c, qint64 time, TraceKind kind, const QString &note)
{
    TraceEvent e;
    e.connection = c;
    e.timeUs = time;
    e.kind = kind;
    e.note = note;
    return e;
}

Publish reading(quint16 id, const QByteArray &payload = "21.5")
{
    Publish p;
    p.topic = QStringLiteral("sensors/temperature/livingroom");
    p.qos = QoS::ExactlyOnce;
    p.packetId = id;
    p.payload = payload;
    return p;
}

// A realistic trace: a publisher and a subscriber, QoS 2 on both hops, a burst of flows in
// flight, a held-then-released PUBREL, a dropped PUBCOMP, a reconnect, and a 100 KiB payload.
TraceLog &realisticTrace(TraceLog &log, int *packets)
{
    const ConnectionId pub = log.addConnection({0, ConnectionRole::Client, QStringLiteral("sensor"), QStringLiteral("sensor-1"),
                                                QStringLiteral("sensor"), QStringLiteral("broker"), ProtocolVersion::V5});
    const ConnectionId sub = log.addConnection({0, ConnectionRole::Client, QStringLiteral("dashboard"), QStringLiteral("dash"),
                                                QStringLiteral("dashboard"), QStringLiteral("broker"), ProtocolVersion::V311});
    qint64 t = 1000;
    int n = 0;
    auto add = [&](ConnectionId c, TraceDirection d, const Packet &p, FlowState s, TraceMark mark = TraceMark::None) {
        TraceEvent e = packetEvent(c, t += 100, d, p, s, c == sub ? ProtocolVersion::V311 : ProtocolVersion::V5);
        e.mark = mark;
        log.append(e);
        if (mark != TraceMark::Held && mark != TraceMark::Dropped)
            ++n;
    };
    using D = TraceDirection;
    for (ConnectionId c : {pub, sub}) {
        log.append(noteEvent(c, t += 10, TraceKind::Opened, QStringLiteral("tcp 127.0.0.1:1883")));
        Connect connect;
        connect.version = c == sub ? ProtocolVersion::V311 : ProtocolVersion::V5;
        connect.clientId = c == sub ? QStringLiteral("dash") : QStringLiteral("sensor-1");
        add(c, D::Sent, connect, FlowState::None);
        add(c, D::Received, ConnAck{}, FlowState::None);
    }
    add(sub, D::Sent, Subscribe{1, {}, {Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}}}, FlowState::None);
    add(sub, D::Received, SubAck{1, {}, {ReasonCode::GrantedQoS2}}, FlowState::None);
    for (quint16 id = 1; id <= 4; ++id) // a burst: four flows in flight
        add(pub, D::Sent, reading(id), FlowState::AwaitingPubRec);
    for (quint16 id = 1; id <= 4; ++id) {
        add(pub, D::Received, PubRec{id, ReasonCode::Success, {}}, FlowState::AwaitingPubComp);
        add(pub, D::Sent, PubRel{id, ReasonCode::Success, {}}, FlowState::AwaitingPubComp,
            id == 2 ? TraceMark::Held : TraceMark::None);
        add(sub, D::Received, reading(quint16(10 + id)), FlowState::AwaitingPubRel);
        add(sub, D::Sent, PubRec{quint16(10 + id), ReasonCode::Success, {}}, FlowState::AwaitingPubRel);
    }
    add(pub, D::Sent, PubRel{2, ReasonCode::Success, {}}, FlowState::AwaitingPubComp, TraceMark::Released);
    add(pub, D::Received, PubComp{1, ReasonCode::Success, {}}, FlowState::Complete);
    add(pub, D::Received, PubComp{3, ReasonCode::Success, {}}, FlowState::Complete, TraceMark::Dropped);
    log.append(noteEvent(pub, t += 10, TraceKind::Cut, QStringLiteral("cut by the user")));
    log.append(noteEvent(pub, t += 10, TraceKind::Opened, QStringLiteral("tcp 127.0.0.1:1883")));
    Connect again;
    again.clientId = QStringLiteral("sensor-1");
    again.cleanStart = false;
    add(pub, D::Sent, again, FlowState::None);
    add(pub, D::Received, ConnAck{true, ReasonCode::Success, {}}, FlowState::None);
    add(pub, D::Sent, PubRel{3, ReasonCode::Success, {}}, FlowState::AwaitingPubComp);
    add(pub, D::Sent, reading(5, QByteArray(100 * 1024, 'x')), FlowState::AwaitingPubRec); // several TCP segments
    add(pub, D::Received, PubRec{5, ReasonCode::Success, {}}, FlowState::AwaitingPubComp);
    log.append(noteEvent(pub, t += 10, TraceKind::Closed, QStringLiteral("closed")));
    *packets = n;
    return log;
}

} // namespace

class TestTrace : public QObject
{
    Q_OBJECT

private slots:
    void appendAndReadBack()
    {
        TraceLog log;
        const ConnectionId c = log.addConnection({0, ConnectionRole::Client, QStringLiteral("a"), {}, {}, {}, ProtocolVersion::V5});
        QCOMPARE(c, 1u);
        const TraceEvent first = packetEvent(c, 10, TraceDirection::Sent, reading(7), FlowState::AwaitingPubRec);
        QCOMPARE(log.append(first), 0u);
        TraceEvent second = noteEvent(c, 5, TraceKind::Violation, QStringLiteral("[MQTT-4.3.3-6] PUBLISH after PUBREL"));
        QCOMPARE(log.append(second), 1u);
        QCOMPARE(log.size(), 2u);
        TraceEvent back = log.event(0);
        QCOMPARE(back.raw, first.raw);
        QCOMPARE(back.packetId, PacketId(7));
        QCOMPARE(back.flowState, FlowState::AwaitingPubRec);
        QCOMPARE(log.typeOf(0), PacketType::Publish);
        QCOMPARE(log.noteOf(1), second.note);
        QCOMPARE(log.timeUs(1), 10); // times never go backwards
        QCOMPARE(log.kindOf(1), TraceKind::Violation);
    }

    void lowerBoundByTime()
    {
        TraceLog log;
        for (int i = 0; i < 50000; ++i)
            log.append(packetEvent(1, i * 10, TraceDirection::Sent, PubRec{1, ReasonCode::Success, {}}, FlowState::AwaitingPubComp));
        QCOMPARE(log.lowerBoundByTime(0), 0u);
        QCOMPARE(log.lowerBoundByTime(95), 10u);
        QCOMPARE(log.lowerBoundByTime(100), 10u);
        QCOMPARE(log.lowerBoundByTime(10'000'000), 50000u);
    }

    void memoryPerHandshakeEventStaysUnder64Bytes()
    {
        TraceLog log;
        const qint64 before = log.memoryBytes();
        for (int i = 0; i < 100000; ++i)
            log.append(packetEvent(1, i, TraceDirection::Received, PubRec{quint16(1 + i % 65535), ReasonCode::Success, {}},
                                   FlowState::AwaitingPubComp));
        const double perEvent = double(log.memoryBytes() - before) / 100000.0;
        QVERIFY2(perEvent <= 64.0, qPrintable(QString::number(perEvent)));
    }

    void evictionKeepsTheNewest()
    {
        TraceLog log(2 * 1024 * 1024);
        for (int i = 0; i < 200000; ++i)
            log.append(packetEvent(1, i, TraceDirection::Sent, PubRec{quint16(1 + i % 65535), ReasonCode::Success, {}},
                                   FlowState::AwaitingPubComp));
        QVERIFY(log.memoryBytes() <= 2 * 1024 * 1024);
        QVERIFY(log.firstSequence() > 0);
        QCOMPARE(log.endSequence(), 200000u); // numbering goes on
        QCOMPARE(log.timeUs(199999), 199999);
        QCOMPARE(log.timeUs(log.firstSequence()), qint64(log.firstSequence()));
        QCOMPARE(log.evictedEvents(), log.firstSequence());
    }

    void observersHearOfAppends()
    {
        TraceLog log;
        quint64 seen = 0;
        const int id = log.addObserver([&](quint64 first, quint64 last) { seen += last - first + 1; });
        for (int i = 0; i < 10; ++i)
            log.append(noteEvent(1, i, TraceKind::Note, QStringLiteral("n")));
        QCOMPARE(seen, 10u);
        log.removeObserver(id);
        log.append(noteEvent(1, 11, TraceKind::Note, QStringLiteral("n")));
        QCOMPARE(seen, 10u);
    }

    void traceLineReadsWell()
    {
        TraceLog log;
        log.addConnection({0, ConnectionRole::Client, QStringLiteral("sensor"), {}, QStringLiteral("sensor"),
                           QStringLiteral("broker 127.0.0.1:1883"), ProtocolVersion::V5});
        log.append(packetEvent(1, 1'204'311, TraceDirection::Sent, reading(3), FlowState::AwaitingPubRec));
        QCOMPARE(traceLine(log, 0), QStringLiteral("  1.204311  sensor → broker 127.0.0.1:1883  PUBLISH id=3 qos=2 dup=0 "
                                                   "retain=0 sensors/temperature/livingroom (4 B)  AwaitingPubRec"));
    }

    void traceTimesAreCutNotRounded()
    {
        // The diagram (ms) and the Packet tab (µs) must read as one time: 1.204 and 1.204999,
        // never 1.205 beside 1.204999.
        QCOMPARE(traceSeconds(1'204'999, TimeResolution::Milliseconds), QStringLiteral("1.204"));
        QCOMPARE(traceSeconds(1'204'999, TimeResolution::Microseconds), QStringLiteral("1.204999"));
        QCOMPARE(traceSeconds(0, TimeResolution::Milliseconds), QStringLiteral("0.000"));
        QCOMPARE(traceSeconds(61'000'042, TimeResolution::Microseconds), QStringLiteral("61.000042"));
        QCOMPARE(traceSeconds(-1'500, TimeResolution::Microseconds), QStringLiteral("-0.001500"));
        QCOMPARE(durationText(2'760), QStringLiteral("2.76 ms"));
        QCOMPARE(durationText(630'000), QStringLiteral("630 ms"));
        QCOMPARE(durationText(10'614'000), QStringLiteral("10.6 s"));
    }

    void pcapExportDissectsCleanlyInTshark()
    {
        TraceLog log;
        int packets = 0;
        realisticTrace(log, &packets);
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("trace.pcap")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(writePcap(log, file).ok());
        file.close();
        // every MQTT packet, in order, with its id
        auto run = runTshark(file.fileName(), {QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"),
                                               QStringLiteral("mqtt.msgtype"), QStringLiteral("-e"), QStringLiteral("mqtt.msgid"),
                                               QStringLiteral("-Y"), QStringLiteral("mqtt")});
        QCOMPARE(run.exitCode, 0);
        int dissected = 0;
        for (const QByteArray &line : run.out.split('\n'))
            if (!line.isEmpty())
                dissected += int(line.split('\t').at(0).split(',').size());
        QCOMPARE(dissected, packets);
        QVERIFY2(run.out.contains("6\t2"), run.out.constData()); // the released PUBREL id 2 is there
        // nothing malformed, no TCP trouble (the RST of the cut is what we wrote on purpose)
        run = runTshark(file.fileName(), {QStringLiteral("-o"), QStringLiteral("tcp.check_checksum:TRUE"), QStringLiteral("-o"),
                                          QStringLiteral("ip.check_checksum:TRUE"), QStringLiteral("-Y"),
                                          QStringLiteral("_ws.malformed || tcp.analysis.lost_segment || tcp.analysis.retransmission"
                                                         " || tcp.analysis.out_of_order || tcp.analysis.ack_lost_segment"
                                                         " || tcp.checksum.status == \"Bad\" || ip.checksum.status == \"Bad\"")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.trimmed().isEmpty(), run.out.constData());
    }

    void jsonLinesParse()
    {
        TraceLog log;
        int packets = 0;
        realisticTrace(log, &packets);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(writeJsonLines(log, buffer).ok());
        const QList<QByteArray> lines = buffer.data().trimmed().split('\n');
        QCOMPARE(quint64(lines.size()), log.size());
        int held = 0;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            if (o.value(QStringLiteral("mark")).toString() == QLatin1String("held")) {
                ++held;
                QCOMPARE(o.value(QStringLiteral("describe")).toString(), QStringLiteral("PUBREL id=2"));
                QCOMPARE(o.value(QStringLiteral("flow_state")).toString(), QStringLiteral("AwaitingPubComp"));
            }
        }
        QCOMPARE(held, 1);
    }

    void exportSelectionAndWriteErrors()
    {
        TraceLog log;
        int packets = 0;
        realisticTrace(log, &packets);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        TraceSelection onlyDashboard;
        onlyDashboard.connections = std::set<ConnectionId>{2};
        QVERIFY(writeJsonLines(log, buffer, onlyDashboard).ok());
        for (const QByteArray &line : buffer.data().trimmed().split('\n'))
            QCOMPARE(QJsonDocument::fromJson(line).object().value(QStringLiteral("connection")).toInt(), 2);
        QFile full(QStringLiteral("/dev/full")); // every write fails: "No space left on device"
        QVERIFY(full.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        const Status error = writePcap(log, full);
        QVERIFY(!error.ok());
        QVERIFY2(error.sentence().contains(QStringLiteral("/dev/full")) && error.sentence().contains(QStringLiteral("disk space")),
                 qPrintable(error.sentence()));
    }

    void bothEndsOfAConnectionArePairedByClientId()
    {
        TraceLog log;
        const auto lane = [&](ConnectionRole role, const QString &clientId) {
            return log.addConnection(TraceConnection{.role = role, .clientId = clientId});
        };
        const ConnectionId app = lane(ConnectionRole::Client, QStringLiteral("dash"));
        const ConnectionId other = lane(ConnectionRole::Client, QStringLiteral("sensor"));
        const ConnectionId brokerSide = lane(ConnectionRole::BrokerSide, QString()); // id not known yet
        QVERIFY(!log.bothEndsTraced(app));
        TraceConnection named = *log.connection(brokerSide);
        named.clientId = QStringLiteral("dash"); // its CONNECT arrived
        log.updateConnection(named);
        QVERIFY(log.bothEndsTraced(app));
        QVERIFY(log.bothEndsTraced(brokerSide));
        QVERIFY(!log.bothEndsTraced(other));
        const ConnectionId reconnect = lane(ConnectionRole::BrokerSide, QStringLiteral("dash")); // a later connection
        QVERIFY(log.bothEndsTraced(reconnect));
        named.clientId = QStringLiteral("renamed");
        log.updateConnection(named);
        QVERIFY(!log.bothEndsTraced(brokerSide));
        QVERIFY(log.bothEndsTraced(app)); // still paired with the reconnect
    }

    // A sandbox broker adds a lane per accepted connection: a closed one is freed once its
    // events have been evicted, while one still open keeps its name however old.
    void closedLanesAreFreedOnceTheirEventsAreEvicted()
    {
        TraceLog log(1024 * 1024);
        const auto brokerSide = [&](const QString &clientId) {
            return log.addConnection(TraceConnection{.role = ConnectionRole::BrokerSide,
                                                     .name = QStringLiteral("broker ⇄ %1").arg(clientId),
                                                     .clientId = clientId});
        };
        const ConnectionId app = log.addConnection(TraceConnection{.role = ConnectionRole::Client, .clientId = QStringLiteral("dash")});
        const ConnectionId stillOpen = brokerSide(QStringLiteral("sensor"));
        constexpr int kClosed = 2000;
        const ConnectionId firstClosed = brokerSide(QStringLiteral("dash"));
        log.append(noteEvent(firstClosed, 0, TraceKind::Opened, QStringLiteral("127.0.0.1:40000")));
        log.closeConnection(firstClosed);
        for (int i = 1; i < kClosed; ++i) {
            const ConnectionId id = brokerSide(QStringLiteral("dash"));
            log.append(noteEvent(id, i, TraceKind::Closed, QStringLiteral("closed by the client")));
            log.closeConnection(id);
        }
        QCOMPARE(log.freedConnections(), 0u); // their events are all still in the trace
        QCOMPARE(log.connection(firstClosed)->name, QStringLiteral("broker ⇄ dash"));

        for (int i = 0; i < 100000; ++i)
            log.append(packetEvent(app, kClosed + i, TraceDirection::Sent, PubRec{quint16(1 + i % 65535), ReasonCode::Success, {}},
                                   FlowState::AwaitingPubComp));
        QVERIFY(log.firstSequence() > quint64(kClosed));
        QCOMPARE(log.freedConnections(), quint64(kClosed));
        QVERIFY(log.connection(firstClosed)->name.isEmpty());
        QCOMPARE(log.connection(firstClosed)->role, ConnectionRole::BrokerSide);
        QCOMPARE(log.connection(stillOpen)->name, QStringLiteral("broker ⇄ sensor"));
        const ConnectionId reconnect = brokerSide(QStringLiteral("dash")); // pairs as before
        QVERIFY(log.bothEndsTraced(reconnect));
        QVERIFY(log.bothEndsTraced(app));
    }
};

QTEST_GUILESS_MAIN(TestTrace)
#include "tst_trace.moc"
