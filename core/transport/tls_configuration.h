#pragma once
// Turns TlsOptions into a QSslConfiguration, and TLS failures into sentences that say what went
// wrong; each front end adds what to do (its own option or check box).

#include "server_url.h"

#include <QList>
#include <QSslConfiguration>
#include <QSslError>

#include <variant>

namespace mqs {

// The configuration, or a problem naming the file that is missing, unreadable or not PEM (File),
// the key that needs a passphrase or belongs to another certificate, the certificate without its
// key (InvalidInput): all found before any connection.
Result<QSslConfiguration> makeSslConfiguration(const TlsOptions &options);
// "The broker's certificate for 'localhost' is not trusted (...)." Says what failed, not what to do.
QString describeSslErrors(const QList<QSslError> &errors, const QString &host);
// Whether `certificate` is issued for `name` (its DNS or IP alternative names, else its CN;
// "*.example.com" matches one label), as a TLS client checks the host name.
bool certificateMatchesName(const QSslCertificate &certificate, const QString &name);

} // namespace mqs
