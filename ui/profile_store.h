#pragma once
// Connection profiles in QSettings. Passwords go to the system keychain (QtKeychain) when one
// is there; otherwise they are not stored unless the profile says "store in plain text".
// A broken settings file gives a message, never a crash.

#include "client/connection_settings.h"

#include <QObject>
#include <QSettings>

#include <functional>

namespace mqs {

struct Profile {
    ConnectionSettings settings;
    bool storePasswordInPlainText = false;
};

class ProfileStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileStore)
public:
    // `path` empty: the application's own settings.
    explicit ProfileStore(const QString &path = QString(), QObject *parent = nullptr);

    // The profiles, or a sentence when the file cannot be read (then no profile is returned).
    [[nodiscard]] std::variant<std::vector<Profile>, QString> load();
    [[nodiscard]] std::optional<QString> save(const std::vector<Profile> &profiles);

    // Keychain access is asynchronous; the callback gets the password (or nothing) later.
    void readPassword(const QString &profileName, std::function<void(std::optional<QByteArray>)> done);
    void writePassword(const QString &profileName, const QByteArray &password, std::function<void(std::optional<QString>)> done);
    static bool keychainBuiltIn();

    // The trace's memory bound in bytes (TraceLog::kDefaultMemoryLimit until the user sets one).
    qint64 traceMemoryLimit() const;
    void setTraceMemoryLimit(qint64 bytes);

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace mqs
