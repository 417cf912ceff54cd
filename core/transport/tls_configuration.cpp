#include "tls_configuration.h"

#include <QFile>
#include <QFileInfo>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>

namespace mqs {
namespace {

Result<QByteArray> readFile(const QString &path, const QString &what)
{
    QFile file(path);
    if (!file.exists())
        return Problem{ProblemKind::File, QStringLiteral("The %1 file '%2' does not exist.").arg(what, path)};
    if (QFileInfo(path).isDir())
        return Problem{ProblemKind::File, QStringLiteral("The %1 file '%2' is a directory, not a file.").arg(what, path)};
    if (!file.open(QIODevice::ReadOnly))
        return Problem{ProblemKind::File, QStringLiteral("The %1 file '%2' cannot be read: %3.").arg(what, path, file.errorString())};
    return file.readAll();
}

// One DER element: its tag and where its contents are. Nothing when the bytes are not DER.
struct DerElement {
    quint8 tag = 0;
    QByteArrayView contents;
    qsizetype end = 0; // offset just past the element
};

std::optional<DerElement> readDer(QByteArrayView der, qsizetype at)
{
    if (at + 2 > der.size())
        return std::nullopt;
    DerElement element;
    element.tag = quint8(der[at]);
    qsizetype length = quint8(der[at + 1]);
    qsizetype start = at + 2;
    if (length & 0x80) {
        const int count = length & 0x7f;
        if (count == 0 || count > 4 || start + count > der.size())
            return std::nullopt;
        length = 0;
        for (int i = 0; i < count; ++i)
            length = (length << 8) | quint8(der[start + i]);
        start += count;
    }
    if (start + length > der.size())
        return std::nullopt;
    element.contents = der.sliced(start, length);
    element.end = start + length;
    return element;
}

// The bytes that make a public key unique: the RSA modulus, or the EC point. They appear verbatim
// in any encoding of the matching private key (PKCS#1, SEC1 or PKCS#8), which is how the check
// below works without a crypto library. Nothing for a key this does not understand.
std::optional<QByteArray> publicKeyMaterial(const QSslKey &publicKey)
{
    const QByteArray der = publicKey.toDer();
    // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING subjectPublicKey }
    const auto info = readDer(der, 0);
    if (!info || info->tag != 0x30)
        return std::nullopt;
    const auto algorithm = readDer(info->contents, 0);
    if (!algorithm)
        return std::nullopt;
    const auto bits = readDer(info->contents, algorithm->end);
    if (!bits || bits->tag != 0x03 || bits->contents.size() < 2)
        return std::nullopt;
    const QByteArrayView key = bits->contents.sliced(1); // after the unused-bits byte
    if (publicKey.algorithm() == QSsl::Ec)
        return key.toByteArray();
    if (publicKey.algorithm() == QSsl::Rsa) {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        const auto sequence = readDer(key, 0);
        const auto modulus = sequence ? readDer(sequence->contents, 0) : std::nullopt;
        if (modulus && modulus->tag == 0x02 && modulus->contents.size() >= 64)
            return modulus->contents.toByteArray();
    }
    return std::nullopt;
}

// False when the private key is certainly not the certificate's; true when it is or cannot be told.
bool keyBelongsToCertificate(const QSslKey &privateKey, const QSslCertificate &certificate)
{
    const QSslKey publicKey = certificate.publicKey();
    if (publicKey.algorithm() != privateKey.algorithm())
        return false;
    const auto material = publicKeyMaterial(publicKey);
    return !material || privateKey.toDer().contains(*material);
}

} // namespace

Result<QSslConfiguration> makeSslConfiguration(const TlsOptions &options)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    QList<QSslCertificate> trusted;
    if (!options.caFile.isEmpty()) {
        auto data = readFile(options.caFile, QStringLiteral("CA certificate"));
        if (!data)
            return data.problem();
        trusted = QSslCertificate::fromData(*data, QSsl::Pem);
        if (trusted.isEmpty())
            return Problem{ProblemKind::File, QStringLiteral("The CA file '%1' holds no PEM certificate (a PEM file has "
                                  "'-----BEGIN CERTIFICATE-----' lines). Convert it, e.g. with 'openssl x509 -inform der'.")
                .arg(options.caFile)};
    }
    if (!options.useSystemCAs && trusted.isEmpty() && !options.insecure)
        return Problem{ProblemKind::InvalidInput, QStringLiteral("With the system's CAs turned off and no CA file, no certificate "
                                                                 "can be trusted.")};
    // Setting the list turns off Qt's on-demand loading of the system store, so add it explicitly.
    if (!trusted.isEmpty() || !options.useSystemCAs)
        config.setCaCertificates(options.useSystemCAs ? QSslConfiguration::systemCaCertificates() + trusted : trusted);
    if (!options.clientCertificateFile.isEmpty() && options.clientKeyFile.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The client certificate '%1' needs its private key too.")
            .arg(options.clientCertificateFile)};
    if (options.clientCertificateFile.isEmpty() && !options.clientKeyFile.isEmpty())
        return Problem{ProblemKind::InvalidInput, QStringLiteral("The client key '%1' needs its certificate too.").arg(options.clientKeyFile)};
    if (!options.clientCertificateFile.isEmpty()) {
        auto certData = readFile(options.clientCertificateFile, QStringLiteral("client certificate"));
        if (!certData)
            return certData.problem();
        // The file may hold the chain up to the CA: the first certificate is ours, the rest go along.
        const auto chain = QSslCertificate::fromData(*certData, QSsl::Pem);
        if (chain.isEmpty())
            return Problem{ProblemKind::File, QStringLiteral("The client certificate file '%1' holds no PEM certificate (a PEM file has "
                                  "'-----BEGIN CERTIFICATE-----' lines).")
                .arg(options.clientCertificateFile)};
        auto keyData = readFile(options.clientKeyFile, QStringLiteral("client key"));
        if (!keyData)
            return keyData.problem();
        const QByteArray &pem = *keyData;
        QSslKey key;
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
            key = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey, options.keyPassphrase);
            if (!key.isNull())
                break;
        }
        if (key.isNull()) {
            if (pem.contains("ENCRYPTED"))
                return Problem{ProblemKind::InvalidInput, QStringLiteral("The client key file '%1' is encrypted and the passphrase %2. Give the key's "
                                      "passphrase.")
                    .arg(options.clientKeyFile, options.keyPassphrase.isEmpty() ? QStringLiteral("is missing")
                                                                                : QStringLiteral("does not open it"))};
            return Problem{ProblemKind::File, QStringLiteral("The client key file '%1' holds no PEM private key (a PEM key has '-----BEGIN ... "
                                  "PRIVATE KEY-----' lines); is it the certificate?")
                .arg(options.clientKeyFile)};
        }
        if (!keyBelongsToCertificate(key, chain.first()))
            return Problem{ProblemKind::InvalidInput, QStringLiteral("The client key '%1' does not belong to the client certificate '%2'. Give the key that "
                                  "was made with that certificate.")
                .arg(options.clientKeyFile, options.clientCertificateFile)};
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
    }
    if (options.insecure)
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

namespace {

QStringList certificateNameList(const QSslCertificate &certificate)
{
    QStringList names;
    const auto alternatives = certificate.subjectAlternativeNames();
    for (auto it = alternatives.begin(); it != alternatives.end(); ++it)
        if (it.key() == QSsl::DnsEntry || it.key() == QSsl::IpAddressEntry)
            names << it.value();
    if (names.isEmpty())
        names = certificate.subjectInfo(QSslCertificate::CommonName);
    names.removeDuplicates();
    return names;
}

} // namespace

bool certificateMatchesName(const QSslCertificate &certificate, const QString &name)
{
    const QString wanted = name.toLower();
    for (const QString &entry : certificateNameList(certificate)) {
        const QString pattern = entry.toLower();
        if (pattern == wanted)
            return true;
        // RFC 6125 6.4.3: a wildcard stands for exactly one left-most label.
        if (pattern.startsWith(QLatin1String("*.")) && wanted.count(QLatin1Char('.')) == pattern.count(QLatin1Char('.'))
            && wanted.endsWith(pattern.mid(1)) && wanted.indexOf(QLatin1Char('.')) > 0)
            return true;
    }
    return false;
}

QString describeSslErrors(const QList<QSslError> &errors, const QString &host)
{
    QStringList reasons;
    bool trust = false;
    std::optional<QSslCertificate> misnamed;
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
            misnamed = e.certificate();
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
    // Trust first: a name check on a certificate nobody vouches for proves nothing.
    if (trust)
        return QStringLiteral("The broker's certificate for '%1' is not trusted (%2).")
            .arg(host, reasons.join(QStringLiteral("; ")));
    if (misnamed) {
        const QString names = certificateNameList(*misnamed).join(QStringLiteral(", "));
        return QStringLiteral("The broker's certificate is not issued for '%1' (it names %2).")
            .arg(host, names.isEmpty() ? QStringLiteral("no host") : names);
    }
    if (expired)
        return QStringLiteral("The broker's certificate for '%1' is outside its validity period (%2). Check the "
                              "certificate and this machine's clock.")
            .arg(host, reasons.join(QStringLiteral("; ")));
    return QStringLiteral("TLS with '%1' failed (%2).")
        .arg(host, reasons.join(QStringLiteral("; ")));
}

} // namespace mqs
