// Writes fuzz seeds: every client→broker and broker→client byte stream of the captures in
// tests/data, each prefixed with a control byte for version and chunking.

#include "trace/capture_decoder.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdio>
#include <map>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_seeds CAPTURE_DIR OUTPUT_DIR\n");
        return 2;
    }
    const QDir captures(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(QString::fromLocal8Bit(argv[2]));
    const QDir out(QString::fromLocal8Bit(argv[2]));
    int written = 0;
    for (const QString &name : captures.entryList({QStringLiteral("*.pcap")})) {
        const auto result = mqs::decodeCapture(captures.filePath(name), 18831);
        if (!result)
            continue;
        std::map<std::pair<quint32, bool>, QByteArray> streams;
        std::map<std::pair<quint32, bool>, bool> v5;
        for (const auto &p : result->packets) {
            streams[{p.stream, p.fromClient}] += p.raw;
            v5[{p.stream, p.fromClient}] = p.version == mqs::ProtocolVersion::V5;
        }
        for (const auto &[key, bytes] : streams) {
            for (quint8 chunking : {quint8(0x3E), quint8(0x00), quint8(0x08)}) {
                QFile file(out.filePath(QStringLiteral("%1-s%2-%3-%4").arg(name).arg(key.first).arg(key.second ? "c" : "s").arg(chunking)));
                if (!file.open(QIODevice::WriteOnly))
                    return 1;
                const char control = char(chunking | (v5[key] ? 1 : 0));
                file.write(QByteArray(1, control) + bytes);
                ++written;
            }
        }
    }
    std::printf("%d seeds written to %s\n", written, argv[2]);
    return written > 0 ? 0 : 1;
}
