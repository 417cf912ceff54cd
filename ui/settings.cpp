#include "settings.h"

#include "trace/trace_log.h"

#include <QJsonDocument>

namespace mqs {
namespace {

constexpr qint64 kMiB = 1024 * 1024;
const QString kProfiles = QStringLiteral("connections/profiles");
const QString kProxies = QStringLiteral("proxies/profiles");
const QString kTraceLimit = QStringLiteral("trace/memoryLimitMiB");
const QString kPerTopic = QStringLiteral("messages/perTopic");
const QString kTotal = QStringLiteral("messages/total");
const QString kTopics = QStringLiteral("publish/topics");
const QString kDiagramLaneOrder = QStringLiteral("diagram/laneOrder");
const QString kSnippets = QStringLiteral("publish/snippets");
const QString kDecoders = QStringLiteral("payload/decoders");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");

} // namespace

Settings::Settings(const QString &path)
    : m_settings(path.isEmpty() ? std::make_unique<QSettings>() : std::make_unique<QSettings>(path, QSettings::IniFormat))
{
}

QSettings::Status Settings::reload()
{
    m_settings->sync();
    return m_settings->status();
}

bool Settings::flush()
{
    m_settings->sync();
    return m_settings->status() == QSettings::NoError;
}

QString Settings::profilesText() const
{
    return m_settings->value(kProfiles).toString();
}

void Settings::setProfilesText(const QString &text)
{
    m_settings->setValue(kProfiles, text);
}

QString Settings::proxiesText() const
{
    return m_settings->value(kProxies).toString();
}

void Settings::setProxiesText(const QString &text)
{
    m_settings->setValue(kProxies, text);
}

qint64 Settings::traceMemoryLimit() const
{
    const qint64 mib = m_settings->value(kTraceLimit, TraceLog::kDefaultMemoryLimit / kMiB).toLongLong();
    return std::max<qint64>(1, mib) * kMiB;
}

void Settings::setTraceMemoryLimit(qint64 bytes)
{
    m_settings->setValue(kTraceLimit, bytes / kMiB);
    m_settings->sync();
}

MessageStore::Limits Settings::messageLimits() const
{
    const MessageStore::Limits defaults;
    return {m_settings->value(kPerTopic, defaults.perTopic).toInt(), m_settings->value(kTotal, defaults.total).toInt()};
}

void Settings::setMessageLimits(MessageStore::Limits limits)
{
    m_settings->setValue(kPerTopic, limits.perTopic);
    m_settings->setValue(kTotal, limits.total);
}

QStringList Settings::publishTopics() const
{
    return m_settings->value(kTopics).toStringList();
}

void Settings::setPublishTopics(const QStringList &topics)
{
    m_settings->setValue(kTopics, topics);
}

QStringList Settings::diagramLaneOrder() const
{
    return m_settings->value(kDiagramLaneOrder).toStringList();
}

void Settings::setDiagramLaneOrder(const QStringList &lanes)
{
    m_settings->setValue(kDiagramLaneOrder, lanes);
}

QJsonArray Settings::snippets() const
{
    return QJsonDocument::fromJson(m_settings->value(kSnippets).toString().toUtf8()).array();
}

void Settings::setSnippets(const QJsonArray &snippets)
{
    m_settings->setValue(kSnippets, QString::fromUtf8(QJsonDocument(snippets).toJson(QJsonDocument::Compact)));
}

DecoderSetup Settings::decoderSetup() const
{
    return decoderSetupFromJson(QJsonDocument::fromJson(m_settings->value(kDecoders).toString().toUtf8()).object());
}

void Settings::setDecoderSetup(const DecoderSetup &setup)
{
    m_settings->setValue(kDecoders, QString::fromUtf8(QJsonDocument(toJson(setup)).toJson(QJsonDocument::Compact)));
    m_settings->sync();
}

QByteArray Settings::windowGeometry() const
{
    return m_settings->value(kGeometry).toByteArray();
}

QByteArray Settings::windowState() const
{
    return m_settings->value(kState).toByteArray();
}

void Settings::setWindowLayout(const QByteArray &geometry, const QByteArray &state)
{
    m_settings->setValue(kGeometry, geometry);
    m_settings->setValue(kState, state);
    m_settings->sync();
}

} // namespace mqs
