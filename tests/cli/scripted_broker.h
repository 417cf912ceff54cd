#pragma once
// A broker scripted by the test, at the socket level: it decodes what a client sends and
// answers each packet with the bytes `answer` returns (a DISCONNECT among them closes the
// socket after it). For what a real broker will not do on request: break the Maximum Packet
// Size, or end a connection while a message is unacknowledged.

#include "protocol/decoder.h"
#include "protocol/encoder.h"

#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

namespace mqs::test {

class ScriptedBroker : public QObject
{
public:
    using Answer = std::function<Packets(const Packet &)>;

    explicit ScriptedBroker(Answer answer) : m_answer(std::move(answer))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *client = m_server.nextPendingConnection();
            auto decoder = std::make_shared<Decoder>(ProtocolVersion::V5);
            connect(client, &QTcpSocket::readyRead, this, [this, client, decoder] {
                decoder->feed(client->readAll());
                for (auto r = decoder->next(); std::holds_alternative<DecodedPacket>(r); r = decoder->next())
                    onPacket(client, std::get<DecodedPacket>(r).packet, decoder->version());
            });
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    // Everything the clients sent, in order.
    const Packets &received() const { return m_received; }

private:
    void onPacket(QTcpSocket *client, const Packet &packet, ProtocolVersion version)
    {
        m_received.push_back(packet);
        for (const Packet &answer : m_answer(packet)) {
            client->write(encode(answer, version));
            if (std::holds_alternative<Disconnect>(answer)) {
                client->disconnectFromHost();
                return;
            }
        }
    }

    Answer m_answer;
    QTcpServer m_server;
    Packets m_received;
};

// The CONNACK of a broker that keeps no session.
inline Packets acceptConnect(const Packet &packet)
{
    return std::holds_alternative<Connect>(packet) ? Packets{ConnAck{}} : Packets{};
}

} // namespace mqs::test
