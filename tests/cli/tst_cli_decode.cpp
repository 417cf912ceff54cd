// mqttscope-cli decode, run as a user runs it.

#include "mosquitto_fixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace mqs::test;

namespace {
const QString kCli = QStringLiteral(MQTTSCOPE_CLI);
const QString kData = QStringLiteral(MQTTSCOPE_TESTDATA_DIR);

// How many MQTT packets Wireshark lists in a .tshark.tsv (a row per frame, a comma list of types).
int packetsInTsv(const QString &name)
{
    QFile file(kData + QLatin1Char('/') + name + QStringLiteral(".tshark.tsv"));
    file.open(QIODevice::ReadOnly);
    int count = 0;
    for (const QByteArray &row : file.readAll().split('\n'))
        if (!row.trimmed().isEmpty())
            count += int(row.split('\t').value(4).split(',').size());
    return count;
}
} // namespace

class TestCliDecode : public QObject
{
    Q_OBJECT

private slots:
    void textLines()
    {
        const auto run = runProgram(kCli, {QStringLiteral("decode"), kData + QStringLiteral("/mosquitto-resume-v5.pcap"),
                                           QStringLiteral("--port"), QStringLiteral("18831")});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = QString::fromUtf8(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), packetsInTsv(QStringLiteral("mosquitto-resume-v5")));
        QVERIFY2(lines.at(0).contains(QStringLiteral("stream 0")) && lines.at(0).contains(QStringLiteral("→ 18831"))
                     && lines.at(0).contains(QStringLiteral("CONNECT v5 client=dash-resume-mqttv5")),
                 qPrintable(lines.at(0)));
        QVERIFY(lines.filter(QStringLiteral("PUBLISH id=3 qos=2 dup=0 retain=0 plant/line1/temp (4 B)")).size() == 1);
    }

    void jsonLinesMatchWireshark()
    {
        const auto run = runProgram(kCli, {QStringLiteral("decode"), kData + QStringLiteral("/mosquitto-qos-v5.pcap"),
                                           QStringLiteral("--port=18831"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.split('\n');
        QJsonObject subscribe;
        QJsonObject pubrec;
        int count = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            ++count;
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            if (o.value(QStringLiteral("frame")).toInt() == 8)
                subscribe = o;
            if (o.value(QStringLiteral("frame")).toInt() == 97)
                pubrec = o;
        }
        QCOMPARE(count, packetsInTsv(QStringLiteral("mosquitto-qos-v5")));
        QCOMPARE(subscribe.value(QStringLiteral("type")).toString(), QStringLiteral("SUBSCRIBE"));
        QCOMPARE(subscribe.value(QStringLiteral("topics")).toVariant().toStringList(),
                 (QStringList{QStringLiteral("sensors/#"), QStringLiteral("$SYS/broker/version")}));
        QCOMPARE(subscribe.value(QStringLiteral("src_port")).toInt(), 46170);
        QCOMPARE(pubrec.value(QStringLiteral("type")).toString(), QStringLiteral("PUBREC"));
        QCOMPARE(pubrec.value(QStringLiteral("id")).toInt(), 2);
        QCOMPARE(pubrec.value(QStringLiteral("stream")).toInt(), 5);
        QCOMPARE(pubrec.value(QStringLiteral("reason")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Success"));
    }

    void wrongPortSaysThereIsNoMqtt()
    {
        const auto run = runProgram(kCli, {QStringLiteral("decode"), kData + QStringLiteral("/mosquitto-qos-v5.pcap"),
                                           QStringLiteral("--port"), QStringLiteral("1883")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains("holds no MQTT on TCP port 1883"), run.err.constData());
        QVERIFY(run.err.contains("--port"));
    }

    void notACaptureMissingFileAndBadOptions()
    {
        QTemporaryDir dir;
        QFile text(dir.filePath(QStringLiteral("readme.txt")));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("hello\n");
        text.close();
        auto run = runProgram(kCli, {QStringLiteral("decode"), text.fileName()});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("is not a packet capture"), run.err.constData());
        run = runProgram(kCli, {QStringLiteral("decode"), dir.filePath(QStringLiteral("nothing.pcap"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY(run.err.contains("does not exist"));
        run = runProgram(kCli, {QStringLiteral("decode"), text.fileName(), QStringLiteral("--bogus")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("Unknown option 'bogus'"), run.err.constData());
        run = runProgram(kCli, {QStringLiteral("decode"), text.fileName(), QStringLiteral("--port"), QStringLiteral("70000")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("--port must be 1 to 65535"));
        run = runProgram(kCli, {QStringLiteral("frobnicate")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains("unknown command 'frobnicate'"));
        run = runProgram(kCli, {QStringLiteral("decode"), QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("--json"));
    }
};

QTEST_GUILESS_MAIN(TestCliDecode)
#include "tst_cli_decode.moc"
