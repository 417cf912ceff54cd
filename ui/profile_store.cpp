#include "profile_store.h"


#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#ifdef MQTTSCOPE_HAS_KEYCHAIN // set by ui/CMakeLists.txt when Qt6Keychain is found
#include <qt6keychain/keychain.h>
#endif

namespace mqs {
namespace {

const QString kService = QStringLiteral("MQTT Scope");
// Profiles before format 2 were all offered a Maximum Packet Size of 262,144 by the dialog, so
// that value says nothing about a choice; format 2 announces one only when the user sets it.
constexpr int kProfileFormat = 2;
constexpr quint32 kOldDefaultMaximumPacketSize = 256 * 1024;

// The Maximum Packet Size a saved profile asks for: an old profile's unchosen default becomes "not set".
quint32 savedMaximumPacketSize(const QJsonObject &o)
{
    const auto saved = quint32(o.value(QStringLiteral("maximumPacketSize")).toInteger(0));
    const bool oldFormat = o.value(QStringLiteral("format")).toInt(1) < kProfileFormat;
    return oldFormat && saved == kOldDefaultMaximumPacketSize ? 0 : saved;
}

QJsonObject subscriptionToJson(const Subscription &s)
{
    return {{QStringLiteral("filter"), s.filter},
            {QStringLiteral("qos"), qosValue(s.options.maximumQoS)},
            {QStringLiteral("noLocal"), s.options.noLocal},
            {QStringLiteral("retainAsPublished"), s.options.retainAsPublished},
            {QStringLiteral("retainHandling"), int(s.options.retainHandling)}};
}

Subscription subscriptionFromJson(const QJsonObject &o)
{
    constexpr int kLastRetainHandling = int(RetainHandling::DoNotSend); // the largest value 5.0 defines
    return Subscription{o.value(QStringLiteral("filter")).toString(),
                        {QoS(std::clamp(o.value(QStringLiteral("qos")).toInt(), 0, 2)), o.value(QStringLiteral("noLocal")).toBool(),
                         o.value(QStringLiteral("retainAsPublished")).toBool(),
                         RetainHandling(std::clamp(o.value(QStringLiteral("retainHandling")).toInt(), 0, kLastRetainHandling))}};
}

QJsonObject generatorToJson(const GeneratorSettings &g)
{
    return {{QStringLiteral("topic"), g.topic},         {QStringLiteral("payload"), g.payload},
            {QStringLiteral("format"), g.format},       {QStringLiteral("qos"), g.qos},
            {QStringLiteral("retain"), g.retain},       {QStringLiteral("template"), g.templated},
            {QStringLiteral("count"), g.count},         {QStringLiteral("intervalMs"), g.intervalMs}};
}

GeneratorSettings generatorFromJson(const QJsonObject &o)
{
    const GeneratorSettings defaults;
    return GeneratorSettings{.topic = o.value(QStringLiteral("topic")).toString(),
                             .payload = o.value(QStringLiteral("payload")).toString(),
                             .format = std::clamp(o.value(QStringLiteral("format")).toInt(), 0, 3),
                             .qos = std::clamp(o.value(QStringLiteral("qos")).toInt(defaults.qos), 0, 2),
                             .retain = o.value(QStringLiteral("retain")).toBool(),
                             .templated = o.value(QStringLiteral("template")).toBool(defaults.templated),
                             .count = std::max(1, o.value(QStringLiteral("count")).toInt(defaults.count)),
                             .intervalMs = std::max(0, o.value(QStringLiteral("intervalMs")).toInt(defaults.intervalMs))};
}

// What the user set up on the connection: subscriptions, fault rules, the generator, connect at start.
void workToJson(const Profile &p, QJsonObject &o)
{
    o.insert(QStringLiteral("connectAtStart"), p.connectAtStart);
    QJsonArray subscriptions;
    for (const Subscription &s : p.subscriptions)
        subscriptions.append(subscriptionToJson(s));
    if (!subscriptions.isEmpty())
        o.insert(QStringLiteral("subscriptions"), subscriptions);
    QJsonArray rules;
    for (const FaultRule &r : p.faultRules)
        rules.append(r.toJson());
    if (!rules.isEmpty())
        o.insert(QStringLiteral("faultRules"), rules);
    if (p.generator)
        o.insert(QStringLiteral("generator"), generatorToJson(*p.generator));
}

Status workFromJson(const QJsonObject &o, Profile &p)
{
    p.connectAtStart = o.value(QStringLiteral("connectAtStart")).toBool();
    for (const QJsonValue &s : o.value(QStringLiteral("subscriptions")).toArray())
        p.subscriptions.push_back(subscriptionFromJson(s.toObject()));
    for (const QJsonValue &r : o.value(QStringLiteral("faultRules")).toArray()) {
        auto rule = FaultRule::fromJson(r.toObject());
        if (!rule)
            return Problem{ProblemKind::File, QStringLiteral("fault rule: %1").arg(rule.sentence())};
        p.faultRules.push_back(std::move(rule).value());
    }
    if (o.contains(QStringLiteral("generator")))
        p.generator = generatorFromJson(o.value(QStringLiteral("generator")).toObject());
    return {};
}

QJsonObject toJson(const Profile &p)
{
    const ConnectionSettings &s = p.settings;
    QJsonObject o{{QStringLiteral("format"), kProfileFormat},
                  {QStringLiteral("name"), s.name},
                  {QStringLiteral("url"), s.url.toString()},
                  {QStringLiteral("version"), s.version == ProtocolVersion::V5 ? QStringLiteral("5.0") : QStringLiteral("3.1.1")},
                  {QStringLiteral("clientId"), s.clientId},
                  {QStringLiteral("cleanStart"), s.cleanStart},
                  {QStringLiteral("sessionExpiry"), qint64(s.sessionExpiry)},
                  {QStringLiteral("keepAlive"), s.keepAlive},
                  {QStringLiteral("autoReconnect"), s.autoReconnect},
                  {QStringLiteral("caFile"), s.tls.caFile},
                  {QStringLiteral("certFile"), s.tls.clientCertificateFile},
                  {QStringLiteral("keyFile"), s.tls.clientKeyFile},
                  {QStringLiteral("insecure"), s.tls.insecure},
                  {QStringLiteral("inboundMethod"), s.session.inboundMethod == InboundMethod::A ? QStringLiteral("A") : QStringLiteral("B")},
                  {QStringLiteral("receiveMaximum"), s.session.receiveMaximum},
                  {QStringLiteral("maximumPacketSize"), qint64(s.session.maximumPacketSize)},
                  {QStringLiteral("receiveLimit"), qint64(s.receiveLimit)},
                  {QStringLiteral("plainPassword"), p.storePasswordInPlainText}};
    if (s.username)
        o.insert(QStringLiteral("username"), *s.username);
    if (p.storePasswordInPlainText && s.password)
        o.insert(QStringLiteral("password"), QString::fromUtf8(*s.password));
    if (s.will) {
        o.insert(QStringLiteral("will"), QJsonObject{{QStringLiteral("topic"), s.will->topic},
                                                     {QStringLiteral("payload"), QString::fromUtf8(s.will->payload)},
                                                     {QStringLiteral("qos"), qosValue(s.will->qos)},
                                                     {QStringLiteral("retain"), s.will->retain}});
    }
    QJsonArray userProperties;
    for (const auto &pair : s.connectProperties.userProperties())
        userProperties.append(QJsonArray{pair.name, pair.value});
    if (!userProperties.isEmpty())
        o.insert(QStringLiteral("userProperties"), userProperties);
    workToJson(p, o);
    return o;
}

Result<Profile> fromJson(const QJsonObject &o, int index)
{
    Profile p;
    ConnectionSettings &s = p.settings;
    s.name = o.value(QStringLiteral("name")).toString();
    auto url = ServerUrl::parse(o.value(QStringLiteral("url")).toString());
    if (!url)
        return Problem{ProblemKind::File, QStringLiteral("Profile %1 ('%2'): %3").arg(index + 1).arg(s.name, url.sentence())};
    s.url = *url;
    s.version = parseVersion(o.value(QStringLiteral("version")).toString()).value_or(ProtocolVersion::V5);
    s.clientId = o.value(QStringLiteral("clientId")).toString();
    s.cleanStart = o.value(QStringLiteral("cleanStart")).toBool(true);
    s.sessionExpiry = quint32(o.value(QStringLiteral("sessionExpiry")).toInteger());
    s.keepAlive = quint16(o.value(QStringLiteral("keepAlive")).toInt(60));
    s.autoReconnect = o.value(QStringLiteral("autoReconnect")).toBool();
    s.tls.caFile = o.value(QStringLiteral("caFile")).toString();
    s.tls.clientCertificateFile = o.value(QStringLiteral("certFile")).toString();
    s.tls.clientKeyFile = o.value(QStringLiteral("keyFile")).toString();
    s.tls.insecure = o.value(QStringLiteral("insecure")).toBool();
    s.session.inboundMethod = o.value(QStringLiteral("inboundMethod")).toString() == QLatin1String("A") ? InboundMethod::A : InboundMethod::B;
    s.session.receiveMaximum = quint16(o.value(QStringLiteral("receiveMaximum")).toInt(65535));
    s.session.maximumPacketSize = savedMaximumPacketSize(o);
    s.receiveLimit = quint32(o.value(QStringLiteral("receiveLimit")).toInteger(kDefaultReceiveLimit));
    p.storePasswordInPlainText = o.value(QStringLiteral("plainPassword")).toBool();
    if (o.contains(QStringLiteral("username")))
        s.username = o.value(QStringLiteral("username")).toString();
    if (o.contains(QStringLiteral("password")))
        s.password = o.value(QStringLiteral("password")).toString().toUtf8();
    if (o.contains(QStringLiteral("will"))) {
        const QJsonObject w = o.value(QStringLiteral("will")).toObject();
        s.will = Will{w.value(QStringLiteral("topic")).toString(), w.value(QStringLiteral("payload")).toString().toUtf8(),
                      QoS(std::clamp(w.value(QStringLiteral("qos")).toInt(), 0, 2)), w.value(QStringLiteral("retain")).toBool(), {}};
    }
    for (const QJsonValue &pair : o.value(QStringLiteral("userProperties")).toArray())
        s.connectProperties.addUserProperty(pair.toArray().at(0).toString(), pair.toArray().at(1).toString());
    if (const Status work = workFromJson(o, p); !work)
        return Problem{ProblemKind::File, QStringLiteral("Profile %1 ('%2'): %3").arg(index + 1).arg(s.name, work.sentence())};
    return p;
}

} // namespace

ProfileStore::ProfileStore(const QString &path, QObject *parent)
    : QObject(parent)
    , m_owned(std::make_unique<Settings>(path))
    , m_settings(m_owned.get())
{
}

ProfileStore::ProfileStore(Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(&settings)
{
}

Result<std::vector<Profile>> ProfileStore::load()
{
    const QSettings::Status status = m_settings->reload();
    if (status == QSettings::FormatError)
        return Problem{ProblemKind::File, QStringLiteral("The settings file %1 is damaged and cannot be read; your connection profiles were not "
                              "loaded. Fix or remove the file.")
            .arg(m_settings->fileName())};
    if (status == QSettings::AccessError)
        return Problem{ProblemKind::File, QStringLiteral("The settings file %1 cannot be read (access denied).").arg(m_settings->fileName())};
    const QString text = m_settings->profilesText();
    if (text.isEmpty())
        return std::vector<Profile>();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        return Problem{ProblemKind::File, QStringLiteral("The connection profiles in %1 are damaged (%2 at byte %3); they were not loaded. Fix or "
                              "remove the [connections] section.")
            .arg(m_settings->fileName(), error.errorString())
            .arg(error.offset)};
    std::vector<Profile> profiles;
    const QJsonArray list = doc.array();
    for (qsizetype i = 0; i < list.size(); ++i) {
        auto profile = fromJson(list.at(i).toObject(), int(i));
        if (!profile)
            return profile.problem();
        profiles.push_back(std::move(profile).value());
    }
    return profiles;
}

Status ProfileStore::save(const std::vector<Profile> &profiles)
{
    QJsonArray list;
    for (const Profile &p : profiles)
        list.append(toJson(p));
    m_settings->setProfilesText(QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)));
    if (!m_settings->flush())
        return Problem{ProblemKind::File, QStringLiteral("Could not save the connection profiles to %1.").arg(m_settings->fileName())};
    return {};
}

bool ProfileStore::keychainBuiltIn()
{
#ifdef MQTTSCOPE_HAS_KEYCHAIN
    return true;
#else
    return false;
#endif
}

void ProfileStore::readPassword(const QString &profileName, std::function<void(std::optional<QByteArray>)> done)
{
#ifdef MQTTSCOPE_HAS_KEYCHAIN
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(profileName);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        done(job->error() == QKeychain::NoError ? std::optional<QByteArray>(job->binaryData()) : std::nullopt);
    });
    job->start();
#else
    Q_UNUSED(profileName);
    done(std::nullopt);
#endif
}

void ProfileStore::writePassword(const QString &profileName, const QByteArray &password, std::function<void(Status)> done)
{
#ifdef MQTTSCOPE_HAS_KEYCHAIN
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(profileName);
    job->setBinaryData(password);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        done(job->error() == QKeychain::NoError
                 ? Status()
                 : Status(Problem{ProblemKind::File,
                                  QStringLiteral("The password could not be stored in the system keychain (%1); it "
                                                 "is kept for this run only. Tick 'store in plain text' to keep it "
                                                 "in the settings file.")
                                      .arg(job->errorString())}));
    });
    job->start();
#else
    Q_UNUSED(profileName);
    Q_UNUSED(password);
    done(Problem{ProblemKind::File, QStringLiteral("No system keychain support is built in; the password is kept for this run only.")});
#endif
}

} // namespace mqs
