// The fuzz properties on every run of the test suite: the capture streams and thousands of
// deterministic mutations of them go through the decoder (decoder_fuzz_input.h).

#include "decoder_fuzz_input.h"
#include "trace/capture_decoder.h"

#include <QDir>
#include <QRandomGenerator>
#include <QTest>

using namespace mqs;

class TestDecoderReplay : public QObject
{
    Q_OBJECT

private slots:
    void capturesAndMutations()
    {
        std::vector<QByteArray> seeds;
        const QDir dir(QStringLiteral(MQTTSCOPE_TESTDATA_DIR));
        for (const QString &name : dir.entryList({QStringLiteral("*.pcap")})) {
            const auto result = decodeCapture(dir.filePath(name), 18831);
            QVERIFY(result.ok());
            QByteArray client(1, char(0x01)); // 5.0, chunk 1
            QByteArray server(1, char(0x3F)); // 5.0, chunk 32
            for (const auto &p : result->packets)
                (p.fromClient ? client : server) += p.raw;
            if (name.contains(QLatin1String("v311"))) {
                client[0] = char(0x00);
                server[0] = char(0x3E);
            }
            seeds.push_back(client);
            seeds.push_back(server);
        }
        QRandomGenerator random(20261125);
        int runs = 0;
        for (const QByteArray &seed : seeds) {
            fuzz::runDecoderInput(reinterpret_cast<const uint8_t *>(seed.constData()), size_t(seed.size()));
            for (int m = 0; m < 400; ++m) {
                QByteArray mutated = seed;
                const int edits = 1 + int(random.bounded(4));
                for (int e = 0; e < edits; ++e) {
                    const qsizetype at = 1 + qsizetype(random.bounded(int(mutated.size() - 1)));
                    switch (random.bounded(4)) {
                    case 0: mutated[at] = char(random.bounded(256)); break; // flip a byte
                    case 1: mutated.remove(at, 1 + random.bounded(3)); break; // delete
                    case 2: mutated.insert(at, char(random.bounded(256))); break; // insert
                    case 3: mutated.truncate(at); break; // cut short
                    }
                    if (mutated.size() < 2)
                        break;
                }
                fuzz::runDecoderInput(reinterpret_cast<const uint8_t *>(mutated.constData()), size_t(mutated.size()));
                ++runs;
            }
        }
        QVERIFY(runs >= 3000);
    }

    void inputsTheFuzzerFound()
    {
        // 5.0, chunk 32: a 3.1.1 CONNACK 0x01 on a 5.0 connection (a broker that speaks only
        // 3.1.1) was re-encoded as a 5.0 CONNACK and decoded as another packet.
        const QByteArray inputs[] = {QByteArray::fromHex("3f20020001")};
        for (const QByteArray &input : inputs)
            fuzz::runDecoderInput(reinterpret_cast<const uint8_t *>(input.constData()), size_t(input.size()));
    }
};

QTEST_GUILESS_MAIN(TestDecoderReplay)
#include "tst_decoder_replay.moc"
