#pragma once
// The window's settings, one object from one file: the user's (QSettings' default place) or the
// file named by --settings, where tests keep a temporary one. Typed accessors, so no widget
// spells a key; ProfileStore keeps the connection profiles in the same file.

#include "decoder_setup.h"
#include "message_store.h"

#include <QByteArray>
#include <QJsonArray>
#include <QSettings>
#include <QStringList>

#include <memory>

namespace mqs {

class Settings
{
public:
    // `path` empty: the application's own settings.
    explicit Settings(const QString &path = QString());

    QString fileName() const { return m_settings->fileName(); }
    // Re-reads the file; the status says whether it could be read.
    QSettings::Status reload();
    // Writes what changed; false when the file could not be written.
    [[nodiscard]] bool flush();

    // The connection profiles as ProfileStore writes them (JSON text).
    QString profilesText() const;
    void setProfilesText(const QString &text);
    // The proxies as saveProxyProfiles() writes them (JSON text).
    QString proxiesText() const;
    void setProxiesText(const QString &text);

    // The trace's memory bound in bytes (TraceLog::kDefaultMemoryLimit until the user sets one).
    qint64 traceMemoryLimit() const;
    void setTraceMemoryLimit(qint64 bytes);

    MessageStore::Limits messageLimits() const;
    void setMessageLimits(MessageStore::Limits limits);

    // Topics published to, newest first.
    QStringList publishTopics() const;
    void setPublishTopics(const QStringList &topics);
    // The sequence diagram's lanes as the user ordered them, by name, left to right.
    QStringList diagramLaneOrder() const;
    void setDiagramLaneOrder(const QStringList &lanes);
    QJsonArray snippets() const;
    void setSnippets(const QJsonArray &snippets);

    // The "decode as" rules, .proto files and import paths (View ▸ Decode payloads as…).
    DecoderSetup decoderSetup() const;
    void setDecoderSetup(const DecoderSetup &setup);

    // QMainWindow::saveGeometry() / saveState(); empty the first time.
    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindowLayout(const QByteArray &geometry, const QByteArray &state);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace mqs
