#pragma once
// Connection profiles in the window's Settings, each with what the user set up on it: its
// subscriptions, fault rules and reading generator. Passwords go to the system keychain
// (QtKeychain) when one is there; otherwise they are not stored unless the profile says "store
// in plain text". A broken settings file gives a message, never a crash.

#include "settings.h"

#include "client/connection_settings.h"
#include "faults/fault_rule.h"

#include <QObject>

#include <functional>

namespace mqs {

// The test-reading generator as it was last started on a connection.
struct GeneratorSettings {
    QString topic;
    QString payload;
    int format = 0; // PayloadFormat
    int qos = 2;
    bool retain = false;
    bool templated = true;
    int count = 10;
    int intervalMs = 1000;
    bool operator==(const GeneratorSettings &) const = default;
};

struct Profile {
    ConnectionSettings settings;
    bool storePasswordInPlainText = false;
    bool connectAtStart = false; // open (and subscribe) when the window starts
    std::vector<Subscription> subscriptions{};
    std::vector<FaultRule> faultRules{};
    std::optional<GeneratorSettings> generator{};
};

class ProfileStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProfileStore)
public:
    // `path` empty: the application's own settings.
    explicit ProfileStore(const QString &path = QString(), QObject *parent = nullptr);
    // The profiles in `settings`, which must outlive the store.
    explicit ProfileStore(Settings &settings, QObject *parent = nullptr);

    // The profiles, or a File problem when the file cannot be read (then no profile is returned).
    Result<std::vector<Profile>> load();
    Status save(const std::vector<Profile> &profiles);

    // Keychain access is asynchronous; the callback gets the password (or nothing) later.
    void readPassword(const QString &profileName, std::function<void(std::optional<QByteArray>)> done);
    void writePassword(const QString &profileName, const QByteArray &password, std::function<void(Status)> done);
    static bool keychainBuiltIn();

private:
    std::unique_ptr<Settings> m_owned;
    Settings *m_settings;
};

} // namespace mqs
