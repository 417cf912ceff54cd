#pragma once
// Where a broker is: mqtt://, mqtts://, ws://, wss:// URLs parsed into parts and back,
// and the TLS options that go with an encrypted one.

#include "protocol/result.h"

#include <QString>

#include <optional>
#include <variant>

namespace mqs {

enum class Scheme : quint8 { Mqtt, Mqtts, Ws, Wss };

// A broker address as settings hold it. Parsing accepts what people type (aliases, a bare
// host, credentials); toString() gives the one canonical form, so URL -> settings -> URL is stable.
struct ServerUrl {
    Scheme scheme = Scheme::Mqtt;
    QString host = QStringLiteral("127.0.0.1"); // IPv6 without brackets: "::1"
    quint16 port = 1883;
    QString path; // WebSocket only; "/mqtt" by default
    std::optional<QString> username; // from "user:password@host", if the URL carried them
    std::optional<QString> password;

    // "mqtt://broker:1883", "wss://host/mqtt", "broker:1883" (mqtt:// assumed), "[::1]:1883";
    // tcp:// is an alias of mqtt://, ssl:// and tls:// of mqtts://. An InvalidInput problem
    // names the fault and the fix when the text is not a broker URL.
    static Result<ServerUrl> parse(const QString &text);
    static quint16 defaultPort(Scheme scheme);
    static QString schemeName(Scheme scheme); // "mqtt", "mqtts", "ws", "wss"

    // The URL again, canonical and without credentials (they never go into logs or store keys).
    QString toString() const;
    QString hostAndPort() const; // "broker:1883", "[::1]:1883"
    bool isTls() const { return scheme == Scheme::Mqtts || scheme == Scheme::Wss; }
    bool isWebSocket() const { return scheme == Scheme::Ws || scheme == Scheme::Wss; }
    // True when the URL carried a user name or password: the caller should treat them as the
    // connection's credentials (and not show the URL it was given in logs).
    bool hasCredentials() const { return username.has_value() || password.has_value(); }
    bool operator==(const ServerUrl &) const = default;
};

// How to set up TLS for mqtts:// and wss://. Files are PEM.
struct TlsOptions {
    QString caFile; // CAs to trust, in addition to the system's when useSystemCAs
    QString clientCertificateFile; // sent when the broker asks for one
    QString clientKeyFile; // the private key of clientCertificateFile
    QByteArray keyPassphrase; // for an encrypted clientKeyFile
    bool insecure = false; // skip certificate and hostname verification: debugging only
    bool useSystemCAs = true; // trust the system's CA store
    QString serverName; // name to verify (and send as SNI) instead of the URL's host
    bool operator==(const TlsOptions &) const = default;
};

} // namespace mqs
