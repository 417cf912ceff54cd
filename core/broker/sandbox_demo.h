#pragma once
// The demo the README's first command runs: the sandbox broker, a "living-room sensor"
// publishing a temperature reading at QoS 2 every 2 s to sensors/temperature/livingroom, and a
// "dashboard" subscribed to sensors/# at QoS 2. The trace fills at once.

#include "sandbox_broker.h"

#include "client/connection.h"

#include <QRandomGenerator>

namespace mqs {

class SandboxDemo : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxDemo)
public:
    struct Options {
        int intervalMs = 2000;
        quint16 brokerPort = 0; // 0: any free port
        ProtocolVersion version = ProtocolVersion::V5;
        BrokerOptions broker{}; // the sandbox broker's Maximum QoS, Retain Available, ...
    };

    static constexpr const char *kTopic = "sensors/temperature/livingroom";

    SandboxDemo(Options options, TraceLog &trace, QObject *parent = nullptr);
    ~SandboxDemo() override;

    // Starts the broker, connects the dashboard (subscribes), then the sensor (publishes).
    Status start();
    void stop();

    SandboxBroker &broker() { return *m_broker; }
    Connection &sensor() { return *m_sensor; }
    Connection &dashboard() { return *m_dashboard; }
    int readingsPublished() const { return m_published; }
    // Readings whose QoS 2 handshake finished on both hops (sensor→broker and broker→dashboard).
    int readingsCompleted() const { return std::min(m_sensorCompleted, m_dashboardCompleted); }

signals:
    void readingCompleted(int count);
    void problem(const QString &text);

private:
    void publishReading();
    void checkCompleted();

    Options m_options;
    TraceLog &m_trace;
    std::unique_ptr<SandboxBroker> m_broker;
    std::unique_ptr<Connection> m_sensor;
    std::unique_ptr<Connection> m_dashboard;
    QTimer m_timer;
    QRandomGenerator m_random{20261125};
    double m_temperature = 21.5;
    int m_published = 0;
    int m_sensorCompleted = 0;
    int m_dashboardCompleted = 0;
    int m_reported = 0;
};

} // namespace mqs
