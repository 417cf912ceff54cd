#pragma once
// A capture on a network interface as it happens: libpcap filtered in the kernel to the MQTT
// ports, read whenever its handle is readable, its streams decoded into CaptureItems for a sink,
// and (when asked) every frame saved to a pcapng file. The CLI's `capture` and the window's
// File ▸ Capture on interface… both drive one of these.

#include "capture_streams.h"
#include "pcapng_writer.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

class QSocketNotifier;

namespace mqs {

class LiveCapture : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveCapture)
public:
    struct Options {
        QString interfaceName{};
        std::vector<quint16> ports{}; // empty: 1883 and 8883
        QString savePath{}; // empty: frames are not saved
    };

    explicit LiveCapture(CaptureStreams::Sink sink, QObject *parent = nullptr);
    ~LiveCapture() override;

    // Opens the interface (and the file) and starts reading. Problems: no such interface, no
    // right to capture (ProblemKind::Privileges), the file cannot be created.
    [[nodiscard]] Status start(const Options &options);
    // Stops reading, delivers what waited behind gaps, closes the file.
    void stop();
    bool running() const { return m_reader != nullptr; }
    quint64 frames() const; // read so far, or by the capture that stopped
    const CaptureStreams &streams() const { return *m_streams; }
    // The kernel filter in use: "tcp port 1883 or tcp port 8883".
    QString filter() const { return m_filter; }

signals:
    // Reading stopped on its own: the interface went away or the file could not be written.
    void failed(const mqs::Problem &problem);

private:
    void readAvailable();

    CaptureStreams::Sink m_sink;
    std::unique_ptr<CaptureStreams> m_streams;
    std::unique_ptr<TcpPayloadReader> m_reader;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_poll;
    PcapngWriter m_writer;
    bool m_saving = false;
    std::optional<Problem> m_writeProblem;
    QString m_filter;
    quint64 m_framesBefore = 0; // frames of the capture that stopped
};

} // namespace mqs
