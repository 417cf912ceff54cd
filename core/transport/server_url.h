#pragma once
// Where a broker is: mqtt://, mqtts://, ws://, wss:// URLs parsed into parts and back,
// and the TLS options that go with an encrypted one.

#include <QString>

#include <optional>
#include <variant>

namespace mqs {

enum class Scheme : quint8 { Mqtt, Mqtts, Ws, Wss };

struct ServerUrl {
    Scheme scheme = Scheme::Mqtt;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 1883;
    QString path; // WebSocket only; "/mqtt" by default
    std::optional<QString> username; // from "user:password@host", if the URL carried them
    std::optional<QString> password;

    // "mqtt://broker:1883", "wss://host/mqtt", "broker:1883" (mqtt:// assumed); tcp://, ssl://, tls://
    // are accepted as aliases. Returns a sentence when the text is not a broker URL.
    static std::variant<ServerUrl, QString> parse(const QString &text);
    static quint16 defaultPort(Scheme scheme);

    // The URL again, without credentials (they never go into logs or store keys).
    QString toString() const;
    QString hostAndPort() const; // "broker:1883", "[::1]:1883"
    bool isTls() const { return scheme == Scheme::Mqtts || scheme == Scheme::Wss; }
    bool isWebSocket() const { return scheme == Scheme::Ws || scheme == Scheme::Wss; }
    bool operator==(const ServerUrl &) const = default;
};

struct TlsOptions {
    QString caFile; // PEM; when set, only these CAs are trusted
    QString clientCertificateFile; // PEM
    QString clientKeyFile; // PEM
    QByteArray keyPassphrase;
    bool insecure = false; // skip certificate and hostname verification: debugging only
    QString serverName; // name to verify (and send as SNI) instead of the URL's host
    bool operator==(const TlsOptions &) const = default;
};

} // namespace mqs
