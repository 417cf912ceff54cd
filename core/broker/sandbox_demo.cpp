#include "sandbox_demo.h"

namespace mqs {

SandboxDemo::SandboxDemo(Options options, TraceLog &trace, QObject *parent)
    : QObject(parent), m_options(options), m_trace(trace)
{
    SandboxBroker::Options brokerOptions;
    brokerOptions.port = options.brokerPort;
    brokerOptions.core = options.broker;
    m_broker = std::make_unique<SandboxBroker>(brokerOptions, &m_trace);
    connect(&m_timer, &QTimer::timeout, this, &SandboxDemo::publishReading);
}

SandboxDemo::~SandboxDemo()
{
    m_timer.stop();
    m_sensor.reset();
    m_dashboard.reset();
}

Status SandboxDemo::start()
{
    if (Status started = m_broker->start(); !started)
        return started;
    auto settingsFor = [&](const QString &name, const QString &clientId) {
        ConnectionSettings s;
        s.name = name;
        s.peerName = QStringLiteral("sandbox broker");
        s.url = ServerUrl::parse(m_broker->url()).value();
        s.clientId = clientId;
        s.version = m_options.version;
        s.keepAlive = 30;
        return s;
    };
    m_dashboard = std::make_unique<Connection>(settingsFor(QStringLiteral("dashboard"), QStringLiteral("dashboard")), m_trace, nullptr);
    m_sensor = std::make_unique<Connection>(settingsFor(QStringLiteral("living-room sensor"), QStringLiteral("living-room-sensor")),
                                            m_trace, nullptr);
    connect(m_dashboard.get(), &Connection::stateChanged, this, [this](ConnectionState state) {
        if (state == ConnectionState::Connected)
            m_dashboard->subscribe({Subscription{QStringLiteral("sensors/#"), {QoS::ExactlyOnce}}});
    });
    connect(m_dashboard.get(), &Connection::sessionEvent, this, [this](const SessionEvent &event) {
        if (std::holds_alternative<SubscribeAcknowledged>(event) && m_sensor->state() == ConnectionState::Disconnected)
            m_sensor->open();
    });
    connect(m_sensor.get(), &Connection::stateChanged, this, [this](ConnectionState state) {
        if (state == ConnectionState::Connected && !m_timer.isActive()) {
            publishReading();
            m_timer.start(m_options.intervalMs);
        }
    });
    connect(m_sensor.get(), &Connection::flowUpdated, this, [this](const FlowUpdate &u) {
        if (u.direction == Direction::Outbound && u.state == FlowState::Complete) {
            ++m_sensorCompleted;
            checkCompleted();
        }
    });
    connect(m_dashboard.get(), &Connection::flowUpdated, this, [this](const FlowUpdate &u) {
        if (u.direction == Direction::Inbound && u.qos == QoS::ExactlyOnce && u.state == FlowState::Complete) {
            ++m_dashboardCompleted;
            checkCompleted();
        }
    });
    for (Connection *c : {m_sensor.get(), m_dashboard.get()})
        connect(c, &Connection::errorOccurred, this, [this](const Problem &p) { emit problem(p.sentence); });
    m_dashboard->open();
    return {};
}

void SandboxDemo::stop()
{
    m_timer.stop();
    if (m_sensor)
        m_sensor->close();
    if (m_dashboard)
        m_dashboard->close();
}

void SandboxDemo::publishReading()
{
    // A slow random walk around room temperature, a tenth of a degree at a time.
    m_temperature = std::clamp(m_temperature + (int(m_random.bounded(3)) - 1) * 0.1, 18.0, 26.0);
    ++m_published;
    const QByteArray payload = QStringLiteral("{\"temperature\":%1,\"unit\":\"°C\",\"seq\":%2}")
                                   .arg(m_temperature, 0, 'f', 1)
                                   .arg(m_published)
                                   .toUtf8();
    Properties properties;
    if (m_options.version == ProtocolVersion::V5)
        properties.set(PropertyId::ContentType, QStringLiteral("application/json"));
    const auto result = m_sensor->publish(ApplicationMessage{QString::fromLatin1(kTopic), payload, QoS::ExactlyOnce, false, properties});
    if (!result.ticket)
        emit problem(result.ticket.sentence());
}

void SandboxDemo::checkCompleted()
{
    while (m_reported < readingsCompleted())
        emit readingCompleted(++m_reported);
}

} // namespace mqs
