#include "tls_configuration.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>

namespace mqs {
namespace {

std::variant<QByteArray, QString> readFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.exists())
        return QStringLiteral("The %1 file '%2' does not exist.").arg(what, path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("The %1 file '%2' cannot be read: %3.").arg(what, path, file.errorString());
    return file.readAll();
}

} // namespace

std::variant<QSslConfiguration, QString> makeSslConfiguration(const TlsOptions &options)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    QList<QSslCertificate> trusted;
    if (!options.caFile.isEmpty()) {
        auto data = readFile(options.caFile, QStringLiteral("CA certificate"));
        if (const auto *error = std::get_if<QString>(&data))
            return *error;
        trusted = QSslCertificate::fromData(std::get<QByteArray>(data), QSsl::Pem);
        if (trusted.isEmpty())
            return QStringLiteral("The CA file '%1' holds no PEM certificate (a PEM file has "
                                  "'-----BEGIN CERTIFICATE-----' lines). Convert it, e.g. with 'openssl x509 -inform der'.")
                .arg(options.caFile);
    }
    if (!options.useSystemCAs && trusted.isEmpty() && !options.insecure)
        return QStringLiteral("With the system's CAs turned off, no certificate can be trusted. Give the broker's CA "
                              "with --cafile, or turn the system's CAs back on.");
    // Setting the list turns off Qt's on-demand loading of the system store, so add it explicitly.
    if (!trusted.isEmpty() || !options.useSystemCAs)
        config.setCaCertificates(options.useSystemCAs ? QSslConfiguration::systemCaCertificates() + trusted : trusted);
    if (!options.clientCertificateFile.isEmpty() && options.clientKeyFile.isEmpty())
        return QStringLiteral("The client certificate '%1' needs its private key too; give it with --key.")
            .arg(options.clientCertificateFile);
    if (options.clientCertificateFile.isEmpty() && !options.clientKeyFile.isEmpty())
        return QStringLiteral("The client key '%1' needs its certificate too; give it with --cert.").arg(options.clientKeyFile);
    if (!options.clientCertificateFile.isEmpty()) {
        auto certData = readFile(options.clientCertificateFile, QStringLiteral("client certificate"));
        if (const auto *error = std::get_if<QString>(&certData))
            return *error;
        // The file may hold the chain up to the CA: the first certificate is ours, the rest go along.
        const auto chain = QSslCertificate::fromData(std::get<QByteArray>(certData), QSsl::Pem);
        if (chain.isEmpty())
            return QStringLiteral("The client certificate file '%1' holds no PEM certificate (a PEM file has "
                                  "'-----BEGIN CERTIFICATE-----' lines).")
                .arg(options.clientCertificateFile);
        auto keyData = readFile(options.clientKeyFile, QStringLiteral("client key"));
        if (const auto *error = std::get_if<QString>(&keyData))
            return *error;
        const QByteArray &pem = std::get<QByteArray>(keyData);
        QSslKey key;
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
            key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, options.keyPassphrase);
            if (!key.isNull())
                break;
        }
        if (key.isNull()) {
            if (pem.contains("ENCRYPTED"))
                return QStringLiteral("The client key file '%1' is encrypted and the passphrase %2. Give the key's "
                                      "passphrase.")
                    .arg(options.clientKeyFile, options.keyPassphrase.isEmpty() ? QStringLiteral("is missing")
                                                                                : QStringLiteral("does not open it"));
            return QStringLiteral("The client key file '%1' holds no PEM private key (a PEM key has '-----BEGIN ... "
                                  "PRIVATE KEY-----' lines). Check that --key names the key, not the certificate.")
                .arg(options.clientKeyFile);
        }
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
    }
    if (options.insecure)
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

QString describeSslErrors(const QList<QSslError> &errors, const QString &host)
{
    QStringList reasons;
    bool trust = false;
    bool name = false;
    bool expired = false;
    for (const QSslError &e : errors) {
        reasons << e.errorString();
        switch (e.error()) {
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
            trust = true;
            break;
        case QSslError::HostNameMismatch:
            name = true;
            break;
        case QSslError::CertificateExpired:
        case QSslError::CertificateNotYetValid:
            expired = true;
            break;
        default:
            break;
        }
    }
    reasons.removeDuplicates();
    QString text;
    if (name)
        text = QStringLiteral("The broker's certificate is not issued for '%1' (%2). Connect with the name the "
                              "certificate names, set the server name to verify, or use --insecure to skip verification.");
    else if (trust)
        text = QStringLiteral("The broker's certificate for '%1' is not trusted (%2). Give its CA with --cafile, or use "
                              "--insecure to skip verification.");
    else if (expired)
        text = QStringLiteral("The broker's certificate for '%1' is outside its validity period (%2). Check the "
                              "certificate and this machine's clock.");
    else
        text = QStringLiteral("TLS with '%1' failed (%2).");
    return text.arg(host, reasons.join(QStringLiteral("; ")));
}

} // namespace mqs
