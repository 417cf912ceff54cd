#pragma once
// Turns TlsOptions into a QSslConfiguration, and TLS failures into sentences a person can act on.

#include "server_url.h"

#include <QList>
#include <QSslConfiguration>
#include <QSslError>

#include <variant>

namespace mqs {

// The configuration, or a problem naming the file that is missing or unreadable (File), not PEM,
// the key that needs a passphrase or belongs to another certificate (Tls): all found before any
// connection.
Result<QSslConfiguration> makeSslConfiguration(const TlsOptions &options);
// "The broker's certificate for 'localhost' is not trusted (...). Give its CA with --cafile, or ..."
QString describeSslErrors(const QList<QSslError> &errors, const QString &host);
// Whether `certificate` is issued for `name` (its DNS or IP alternative names, else its CN;
// "*.example.com" matches one label), as a TLS client checks the host name.
bool certificateMatchesName(const QSslCertificate &certificate, const QString &name);

} // namespace mqs
